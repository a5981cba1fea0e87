"""Errors a person can act on: what is wrong, where, and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    `where` is a file path or a run's name; `row` counts as a person reading the file does
    (the header is row 1, the first data row is row 2); `field` is a column or parameter.
    """

    where: str
    message: str
    row: int | None = None
    field: str | None = None
    value: object = None
    expected: str | None = None

    def __str__(self) -> str:
        place = self.where
        if self.row is not None:
            place += f", row {self.row}"
        if self.field:
            place += f", field '{self.field}'"
        text = f"{place}: {self.message}"
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class InputError(Exception):
    """Bad input from a person (data, parameters, run matrix). Never a bug in the code."""

    def __init__(self, problems: list[Problem] | Problem, summary: str | None = None):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.summary = summary or (
            "1 problem found" if len(self.problems) == 1 else f"{len(self.problems)} problems found"
        )
        super().__init__(self.report())

    def report(self) -> str:
        return "\n".join([self.summary + ":"] + [f"  - {p}" for p in self.problems])


class RunError(Exception):
    """A notebook raised while it ran; names the run, the cell and where the notebook was kept."""
