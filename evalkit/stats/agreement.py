"""How well a judge agrees with the people who labelled its examples: accuracy and Cohen's kappa.

``agreement(pairs)`` takes one ``(label, verdict)`` pair per labelled example: what people
said and what the judge said (any hashable categories; evalkit's judges say pass or fail).

- **Accuracy** ``p_o = agreed / n``: the share of pairs where the judge says what people said.
- **Cohen's kappa** (Cohen 1960) corrects it for the agreement two raters reach by chance with
  their own rates of each category::

      p_e = Σ_c (labels of c / n) · (verdicts of c / n),   κ = (p_o − p_e) / (1 − p_e)

  κ = 1 is perfect agreement, 0 what chance gives (a judge that always says "pass" on a set
  that is 80% pass is 80% accurate, and κ = 0), below 0 worse than chance, −1 at worst with
  two balanced categories.

Degenerate cases, each by the formula's own limits:

- ``n = 0``: neither is defined (``accuracy`` and ``kappa`` are None).
- ``p_e = 1``: labels and verdicts all say the same single category, so chance alone agrees
  fully and κ is 0/0: undefined (None). ``kappa_undefined`` says why; the accuracy (1.0)
  stands.
- People used one category and the judge several (or the reverse): ``p_e < 1``, κ is defined,
  and at most 0 (agreeing where one side never varies is what chance gives).

Standard library only. The figures describe this sample; with ten labels κ moves by tenths
when one verdict changes, so read it beside ``n``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

#: why kappa is None when every label and verdict is one same category
ONE_CATEGORY = "every label and every verdict is the same"


@dataclass(frozen=True)
class Agreement:
    """Agreement of a judge's verdicts with people's labels over ``total`` pairs."""

    total: int
    agreed: int
    #: ``agreed / total``; None when there is no pair
    accuracy: float | None
    #: Cohen's kappa; None when there is no pair or it is undefined (``kappa_undefined``)
    kappa: float | None
    #: why ``kappa`` is None although there are pairs (else None)
    kappa_undefined: str | None = None
    #: (label, verdict) -> how many pairs
    table: dict[tuple[Hashable, Hashable], int] = field(default_factory=dict)


def agreement(pairs: Iterable[tuple[Hashable, Hashable]]) -> Agreement:
    """Accuracy and Cohen's kappa of ``(label, verdict)`` pairs (see the module docstring)."""
    table = Counter(pairs)
    total = sum(table.values())
    if total == 0:
        return Agreement(total=0, agreed=0, accuracy=None, kappa=None)
    agreed = sum(count for (label, verdict), count in table.items() if label == verdict)
    labels: Counter[Hashable] = Counter()
    verdicts: Counter[Hashable] = Counter()
    for (label, verdict), count in table.items():
        labels[label] += count
        verdicts[verdict] += count
    observed = agreed / total
    chance = sum(labels[c] * verdicts[c] for c in labels) / (total * total)
    if chance >= 1.0:  # one category throughout: p_o = p_e = 1
        kappa, why = None, ONE_CATEGORY
    else:
        kappa, why = (observed - chance) / (1.0 - chance), None
    return Agreement(
        total=total,
        agreed=agreed,
        accuracy=observed,
        kappa=kappa,
        kappa_undefined=why,
        table=dict(table),
    )
