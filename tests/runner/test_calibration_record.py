"""How the summary, the terminal and the reports say a judge's calibration."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from evalkit.runner.calibration_record import JudgeCalibration, LabelledVerdict


def _record(
    labelled: int, pairs: Sequence[tuple[bool, bool | None]], **figures: object
) -> JudgeCalibration:
    verdicts = [
        LabelledVerdict(example=f"e{index}", label=label, verdict=verdict)
        for index, (label, verdict) in enumerate(pairs)
    ]
    return JudgeCalibration.model_validate(
        {"judge": "reply-judge", "labelled": labelled, "verdicts": verdicts, **figures}
    )


@pytest.mark.parametrize(
    ("record", "text"),
    [
        (
            _record(10, [(True, True)] * 9 + [(False, True)], agreed=9, accuracy=0.9, kappa=0.8),
            "reply-judge: agreement 9/10 (90%), Cohen's kappa 0.80 on 10 labelled examples",
        ),
        (
            _record(0, []),
            "reply-judge: uncalibrated: no labelled examples (give it examples whose "
            'expected.json is {"passed": true} or {"passed": false})',
        ),
        (
            _record(10, []),
            "reply-judge: not measured in this run: none of its 10 labelled examples ran",
        ),
        (
            _record(2, [(True, None), (False, None)]),
            "reply-judge: not measured: its 2 labelled example(s) gave no verdict",
        ),
        (
            _record(
                4,
                [(True, True), (True, True), (False, None)],
                agreed=2,
                accuracy=1.0,
                kappa_undefined="every label and every verdict is the same",
            ),
            "reply-judge: agreement 2/2 (100%), Cohen's kappa undefined (every label and every"
            " verdict is the same) on 2 of 4 labelled examples (1 gave no verdict, 1 not run)",
        ),
        (
            _record(3, [(True, True), (False, True)], agreed=1, accuracy=0.5, kappa=0.0),
            "reply-judge: agreement 1/2 (50%), Cohen's kappa 0.00 on 2 of 3 labelled examples"
            " (1 not run)",
        ),
        (
            _record(2, [(True, False), (False, True)], agreed=0, accuracy=0.0, kappa=-1.0),
            "reply-judge: agreement 0/2 (0%), Cohen's kappa -1.00 on 2 labelled examples",
        ),
    ],
)
def test_text(record: JudgeCalibration, text: str) -> None:
    assert record.text() == text
