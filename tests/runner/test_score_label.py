import pytest

from evalkit.runner.results import Verdict
from evalkit.runner.score_label import score_label


@pytest.mark.parametrize(
    ("score", "verdict", "differences", "label"),
    [
        (None, Verdict.ERROR, 0, "-"),
        (1.0, Verdict.PASS, 0, "1.00"),
        (0.8333, Verdict.PARTIAL, 2, "0.83"),
        (0.99996, Verdict.PARTIAL, 1, "≈1.00, 1 difference"),
        (0.999, Verdict.FAIL, 3, "≈1.00, 3 differences"),
        # extra keys weigh nothing: the score is exactly 1 but the verdict is not a pass
        (1.0, Verdict.PARTIAL, 2, "1.00, 2 differences"),
        (0.9951, Verdict.PARTIAL, 0, "≈1.00"),
    ],
)
def test_a_score_is_written_so_that_only_a_pass_reads_as_one(
    score: float | None, verdict: Verdict, differences: int, label: str
) -> None:
    assert score_label(score, verdict, differences) == label


def test_a_partial_never_reads_as_a_plain_perfect_score() -> None:
    for thousandths in range(990, 1001):
        label = score_label(thousandths / 1000, Verdict.PARTIAL, 1)
        assert label != "1.00"
