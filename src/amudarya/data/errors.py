"""Errors a person can act on: what is wrong, where, and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass

# Where a person looks up what each kind of problem means and how to fix it.
GUIDE = "data/README.md, section 'Common errors and what they mean'"

# A value longer than this is cut in messages (a broken quote can swallow a whole file).
_SHOWN = 80


def shown(value: object) -> str:
    """A value as a message quotes it: in quotes, line breaks visible, long ones cut."""
    if hasattr(value, "item"):  # numpy and pandas scalars print as np.float64(...)
        value = value.item()
    text = repr(value)
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 4] + "…" + text[0]
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    `where` is a file path or a run's name; `row` counts as a person reading the file in a
    spreadsheet does (the header is row 1, the first data row is row 2); `line` is the line a
    text editor shows, given when it differs from the row (a quoted field that spans lines) or
    when the file could not be split into rows. `field` is a column or parameter. `kind` is the
    short name of the problem that data/README.md explains ("out of range", "missing column").
    """

    where: str
    message: str
    row: int | None = None
    field: str | None = None
    value: object = None
    expected: str | None = None
    line: int | None = None
    kind: str | None = None

    def __str__(self) -> str:
        place = self.where
        if self.row is not None:
            place += f", row {self.row}"
            if self.line is not None and self.line != self.row:
                place += f" (line {self.line})"
        elif self.line is not None:
            place += f", line {self.line}"
        if self.field:
            place += f", field '{self.field}'"
        text = f"{place}: {self.message}"
        if self.value is not None and self.value != "":
            text += f" (value: {shown(self.value)})"
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
