"""What a run's summary records of each judge's calibration, and how reports say it.

A judge agent (one that a ``judge:`` rule names) is calibrated by its *labelled examples*:
judge requests whose expected output is ``{"passed": true|false}``, the verdict people gave.
A run that uses the judge runs them too (``runner.calibration``); the summary keeps, per judge,
each label beside the judge's verdict and the agreement they make (``stats.agreement``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: the heading of the reports' calibration section
CALIBRATION_HEADING = "Judge calibration: agreement with people's labels"
#: what to do about a judge without labelled examples
LABEL_HINT = 'give it examples whose expected.json is {"passed": true} or {"passed": false}'


class LabelledVerdict(BaseModel):
    """One labelled example of a judge: what people said, and what the judge said."""

    model_config = ConfigDict(extra="allow")

    example: str
    label: bool = Field(description="The verdict people gave: the example's expected 'passed'.")
    verdict: bool | None = Field(
        None,
        description=(
            "The judge's 'passed' in this run; null when it gave none (its execution failed, "
            "or its answer had no boolean 'passed')."
        ),
    )


class JudgeCalibration(BaseModel):
    """A judge agent of the run against its labelled examples (docs/compare.md)."""

    model_config = ConfigDict(extra="allow")

    judge: str = Field(description="The judge agent's slug in the manifest.")
    labelled: int = Field(description="Labelled examples of the judge in the manifest.")
    verdicts: list[LabelledVerdict] = Field(
        default_factory=list, description="Its labelled examples this run ran, in run order."
    )
    agreed: int = Field(0, description="Verdicts equal to their label.")
    accuracy: float | None = Field(
        None, description="agreed / verdicts given; null when none was given."
    )
    kappa: float | None = Field(
        None,
        description="Cohen's kappa of the verdicts given against their labels; null when "
        "undefined (see kappa_undefined) or when none was given.",
    )
    kappa_undefined: str | None = Field(
        None, description="Why kappa is null although verdicts were given."
    )

    @property
    def given(self) -> int:
        """Labelled examples that ran and got a verdict."""
        return sum(1 for item in self.verdicts if item.verdict is not None)

    def text(self) -> str:
        """One line for the terminal and the reports, e.g. ``reply-judge: agreement 9/10
        (90%), Cohen's kappa 0.80 on 10 labelled examples``."""
        name = self.judge
        if self.labelled == 0:
            return f"{name}: uncalibrated: no labelled examples ({LABEL_HINT})"
        ran, given = len(self.verdicts), self.given
        if ran == 0:
            return (
                f"{name}: not measured in this run: none of its {self.labelled} labelled "
                "examples ran"
            )
        if given == 0:
            return f"{name}: not measured: its {ran} labelled example(s) gave no verdict"
        accuracy = self.accuracy if self.accuracy is not None else 0.0
        if self.kappa is not None:
            kappa = f"Cohen's kappa {self.kappa:.2f}"
        else:
            kappa = f"Cohen's kappa undefined ({self.kappa_undefined})"
        line = f"{name}: agreement {self.agreed}/{given} ({accuracy:.0%}), {kappa} on "
        if given == self.labelled:
            return line + f"{given} labelled examples"
        left = []
        if ran > given:
            left.append(f"{ran - given} gave no verdict")
        if self.labelled > ran:
            left.append(f"{self.labelled - ran} not run")
        return line + f"{given} of {self.labelled} labelled examples ({', '.join(left)})"
