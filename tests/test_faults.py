"""A catalogue of bad input: each mistake gets a message a person can act on, and costs nothing.

Every fault breaks a copy of a project that was built once successfully, the way a person adapting
the book might, and runs the real command line on it (`amudarya check`, `run`, `build`). Each test
asserts that the command stops with status 2 and no Python traceback; that each problem is one line
naming the file, the row (or line, or parameter), the field, the value and what would be valid, and
that nothing else is reported; that the command wrote nothing into data/ or notebooks/; and that
the last good book in _build/html is byte for byte what it was.

The copy the faults start from holds markup in an event summary, an actor name and a source title,
and a probe chapter that shows them through every path the book has (glue in a heading and in prose,
a table and its caption, a chart's labels and alt text, the list of sources): that build is also the
end-to-end test that text from the data reaches the pages as text.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from amudarya import cli
from amudarya.build import assembly, execution, matrix, parameters, paths, timeouts
from amudarya.build.matrix import load_matrix
from amudarya.build.parameters import notebook_parameters
from amudarya.build.paths import GENERATED
from amudarya.build.run import Run
from amudarya.data import rules, textcheck, validation
from conftest import ROOT, copy_project, dump_runs, narrow_book

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
MARKUP = f" {SCRIPT} {BOLD}"
TAKEOVER = "AFG-2021-08-15-kabul-taken"
# One chapter of each thread, as the book has them.
THREADS = (
    Run("policy", {"country": "KAZ"}),
    Run("repatriation", {"country": "KGZ", "origin": "AFG"}),
    Run("refusal", {"country": "TJK"}),
    Run("trade", {"reporter": "KAZ", "partner": "AFG"}),
)
DESCRIPTOR = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Reading and editing CSV files as a person would


def records(path: Path) -> list[tuple[int, int, list[str]]]:
    """(row as a spreadsheet counts it, first line in a text editor, cells) for every record."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    out, end = [], 0
    for number, cells in enumerate(reader, start=1):
        out.append((number, end + 1, cells))
        end = reader.line_num
    return out


def write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def table_path(project: Path, table: str) -> Path:
    return project / "data" / f"{table}.csv"


def find_row(project: Path, table: str, skip: int = 0, **conditions) -> int:
    """The row number of the first data row (after `skip` matches) whose cells meet `conditions`
    (a value, or a predicate on the cell's text)."""
    recs = records(table_path(project, table))
    header = recs[0][2]
    hits = [
        number
        for number, _, cells in recs[1:]
        if all(
            (test(cells[header.index(col)]) if callable(test) else cells[header.index(col)] == test)
            for col, test in conditions.items()
        )
    ]
    return hits[skip]


def cell(project: Path, table: str, row: int, column: str) -> str:
    recs = records(table_path(project, table))
    return recs[row - 1][2][recs[0][2].index(column)]


def set_cell(project: Path, table: str, row: int, column: str, value: str) -> str:
    """Change one cell; return what it held."""
    path = table_path(project, table)
    rows = [cells for _, _, cells in records(path)]
    i = rows[0].index(column)
    old, rows[row - 1][i] = rows[row - 1][i], value
    write(path, rows)
    return old


def line_of(project: Path, table: str, row: int) -> int:
    return records(table_path(project, table))[row - 1][1]


def schema_field(table: str, name: str) -> dict:
    res = next(r for r in DESCRIPTOR["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


def column_names(table: str) -> list[str]:
    res = next(r for r in DESCRIPTOR["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"]]


# ---------------------------------------------------------------------------
# What a message must say


@dataclass
class Expect:
    """One line of the report: place, kind, value and what would be valid."""

    where: str
    kind: str
    row: int | None = None
    line: int | None = None
    field: str | None = None
    value: object = None
    value_starts: str | None = None
    expected: str | None = None

    def place(self) -> str:
        text = self.where
        if self.row is not None:
            text += f", row {self.row}"
            if self.line is not None and self.line != self.row:
                text += f" (line {self.line})"
        elif self.line is not None:
            text += f", line {self.line}"
        if self.field:
            text += f", field '{self.field}'"
        return text

    def check(self, line: str) -> list[str]:
        """What `line` gets wrong, as a list of complaints (empty: the line says it all)."""
        wrong = []
        if not line.startswith(f"{self.place()}: {self.kind}"):
            wrong.append(f"does not start with {self.place()!r}: {self.kind!r}")
        if self.value is not None and f"(value: {self.value!r})" not in line:
            wrong.append(f"does not quote the value {self.value!r}")
        if self.value_starts is not None and f"(value: {self.value_starts!r}"[:-1] not in line:
            wrong.append(f"does not quote the value starting {self.value_starts!r}")
        if self.expected is not None and f"; expected {self.expected}" not in line:
            wrong.append(f"does not say what is expected: {self.expected!r}")
        return wrong


def problem_lines(stderr: str) -> list[str]:
    return [line[4:] for line in stderr.splitlines() if line.startswith("  - ")]


def assert_reports(stderr: str, expects: list[Expect]) -> None:
    """Each expectation is met by one line, and there are no other problem lines."""
    lines = problem_lines(stderr)
    assert len(lines) == len(expects), f"{len(expects)} problem(s) expected, got:\n{stderr}"
    for expect in expects:
        complaints = [expect.check(line) for line in lines]
        assert any(not c for c in complaints), (
            f"no line matches {expect.place()} ({expect.kind}); closest: {min(complaints, key=len)}\n{stderr}"
        )


# ---------------------------------------------------------------------------
# The catalogue


@dataclass
class Fault:
    """A mistake a person makes; `apply` makes it in a project copy and says what the report must
    contain; each of `commands` (arguments after `amudarya --root PROJECT`) must refuse it."""

    id: str
    covers: set[str]
    apply: Callable[[Path], list[Expect] | Callable[[str, Path], None]]
    commands: tuple[tuple[str, ...], ...] = (("check",), ("build",))
    # The kind of a fault whose report is not a list of problems (a run or the book failed).
    kind: str | None = None


def non_numeric(p: Path):
    row = find_row(p, "trade", value_usd=lambda v: v != "", skip=3)
    set_cell(p, "trade", row, "value_usd", "about 5 million")
    return [
        Expect(
            "data/trade.csv",
            "not a number",
            row=row,
            field="value_usd",
            value="about 5 million",
            expected="a number of at least 0; write digits only",
        )
    ]


def thousands_separator(p: Path):
    row = find_row(p, "trade", value_usd=lambda v: v != "", skip=5)
    set_cell(p, "trade", row, "value_usd", "1,500,000")
    return [
        Expect(
            "data/trade.csv",
            "not a number",
            row=row,
            field="value_usd",
            value="1,500,000",
            expected="a number of at least 0; write digits only, without thousands separators",
        )
    ]


def negative(p: Path):
    row = find_row(p, "people", unit="persons", skip=2)
    set_cell(p, "people", row, "value", "-120")
    low = schema_field("people", "value")["constraints"]["minimum"]
    return [
        Expect(
            "data/people.csv",
            "out of range",
            row=row,
            field="value",
            value="-120",
            expected=f"a number of at least {low}",
        )
    ]


def impossible_date(p: Path):
    row = find_row(p, "events", date_precision="day", date=lambda d: d.startswith("2021-"))
    set_cell(p, "events", row, "date", "2021-02-29")  # 2021 is no leap year
    return [
        Expect(
            "data/events.csv",
            "not a date: there is no such day",
            row=row,
            field="date",
            value="2021-02-29",
            expected="a date written YYYY-MM-DD",
        )
    ]


def date_not_a_day(p: Path):
    row = find_row(p, "people", date_precision="day", skip=1)
    set_cell(p, "people", row, "date", "2021-08")
    return [
        Expect(
            "data/people.csv",
            "not a date: a month or a year alone",
            row=row,
            field="date",
            value="2021-08",
            expected="a date written YYYY-MM-DD, the first day of the month",
        )
    ]


def precision_mismatch(p: Path):
    row = find_row(p, "events", date_precision="month", skip=1)
    day = cell(p, "events", row, "date")[:8] + "15"
    set_cell(p, "events", row, "date", day)
    return [
        Expect(
            "data/events.csv",
            "date does not match its precision: the precision is 'month'",
            row=row,
            field="date",
            value=day,
            expected="the first day of the month, or date_precision 'day'",
        )
    ]


def trade_period_reversed(p: Path):
    row = find_row(p, "trade", period_start=lambda v: v.endswith("-01-01"), skip=1)
    start = cell(p, "trade", row, "period_start")
    end = f"{int(start[:4]) - 1}-12-31"
    set_cell(p, "trade", row, "period_end", end)
    return [
        Expect(
            "data/trade.csv",
            "period out of order: the period ends before it starts",
            row=row,
            field="period_end",
            value=end,
            expected=f"a date on or after period_start {start}",
        )
    ]


def people_period_reversed(p: Path):
    row = find_row(p, "people", period_start=lambda v: v != "", skip=1)
    date = cell(p, "people", row, "date")
    start = f"{int(date[:4]) + 1}-03-01"
    set_cell(p, "people", row, "period_start", start)
    return [
        Expect(
            "data/people.csv",
            "period out of order: the period starts after the date it ends on",
            row=row,
            field="period_start",
            value=start,
            expected=f"a date on or before {date}",
        )
    ]


def range_reversed(p: Path):
    row = find_row(p, "people", value=lambda v: v.isdigit() and int(v) > 1, value_high="", skip=2)
    value = cell(p, "people", row, "value")
    set_cell(p, "people", row, "value_high", "1")
    return [
        Expect(
            "data/people.csv",
            "range out of order: the high end of the range is below its low end",
            row=row,
            field="value_high",
            expected=f"a number of at least {value}",
        )
    ]


def no_figure(p: Path):
    row = find_row(p, "trade", value_usd=lambda v: v != "", quantity="", skip=4)
    set_cell(p, "trade", row, "value_usd", "")
    return [
        Expect(
            "data/trade.csv",
            "no figure: the row has neither a value in USD nor a quantity",
            row=row,
            field="value_usd",
            expected="a number in value_usd, or quantity and quantity_unit",
        )
    ]


def quantity_without_unit(p: Path):
    row = find_row(p, "trade", quantity=lambda v: v != "")
    set_cell(p, "trade", row, "quantity_unit", "")
    return [
        Expect(
            "data/trade.csv",
            "quantity without unit: a quantity needs its unit",
            row=row,
            field="quantity_unit",
            expected="one of the units listed for quantity_unit in data/datapackage.json",
        )
    ]


def unknown_country(p: Path):
    row = find_row(p, "events", country="KAZ", skip=2)
    set_cell(p, "events", row, "country", "Kazakhstan")
    codes = ", ".join(sorted(c[2][0] for c in records(table_path(p, "countries"))[1:]))
    return [
        Expect(
            "data/events.csv",
            "unknown reference: no row of data/countries.csv has this iso3",
            row=row,
            field="country",
            value="Kazakhstan",
            expected=f"an iso3 listed in data/countries.csv: {codes} (did you mean 'KAZ'?)",
        )
    ]


def unknown_source(p: Path):
    row = find_row(p, "trade", reporter="KAZ", skip=1)
    set_cell(p, "trade", row, "source_id", "no-such-source")
    return [
        Expect(
            "data/trade.csv",
            "unknown reference: no row of data/sources.csv has this source_id",
            row=row,
            field="source_id",
            value="no-such-source",
            expected="a source_id listed in data/sources.csv",
        )
    ]


def unknown_actor(p: Path):
    row = find_row(p, "events", country="TJK")
    actor = cell(p, "events", row, "actor_id")
    typo = actor[:-1]  # the last letter lost while typing
    set_cell(p, "events", row, "actor_id", typo)
    return [
        Expect(
            "data/events.csv",
            "unknown reference: no row of data/actors.csv has this actor_id",
            row=row,
            field="actor_id",
            value=typo,
            expected=f"an actor_id listed in data/actors.csv (did you mean '{actor}'?)",
        )
    ]


def duplicate_key(p: Path):
    first = cell(p, "events", 2, "event_id")
    row = find_row(p, "events", thread="trade", skip=3)
    set_cell(p, "events", row, "event_id", first)
    return [
        Expect(
            "data/events.csv",
            "duplicate key: row 2 has the same event_id",
            row=row,
            field="event_id",
            value=first,
            expected="an event_id that no other row of data/events.csv has",
        )
    ]


def missing_column(p: Path):
    path = table_path(p, "events")
    rows = [cells for _, _, cells in records(path)]
    i = rows[0].index("stance")
    write(path, [r[:i] + r[i + 1 :] for r in rows])
    return [
        Expect(
            "data/events.csv",
            "missing column",
            row=1,
            field="stance",
            expected="the header " + ",".join(column_names("events")),
        )
    ]


def unexpected_column(p: Path):
    path = table_path(p, "actors")
    rows = [cells for _, _, cells in records(path)]
    write(path, [rows[0] + ["comment"]] + [r + [""] for r in rows[1:]])
    return [
        Expect(
            "data/actors.csv",
            "unexpected column",
            row=1,
            field="comment",
            expected="only the columns " + ",".join(column_names("actors")),
        )
    ]


def renamed_column(p: Path):
    path = table_path(p, "events")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary", "sumary", 1), encoding="utf-8")
    return [
        Expect("data/events.csv", "missing column", row=1, field="summary"),
        Expect(
            "data/events.csv",
            "unexpected column",
            row=1,
            field="sumary",
            expected="only the columns " + ",".join(column_names("events")) + " (did you mean 'summary'?)",
        ),
    ]


def stray_quote(p: Path):
    """A double quote typed at the start of a field and never closed there."""
    path = table_path(p, "events")
    row = find_row(p, "events", date_precision="year")
    lines = path.read_text(encoding="utf-8").split("\n")
    line = line_of(p, "events", row)
    lines[line - 1] = lines[line - 1].replace(",year,", ',"year,', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return [
        Expect(
            "data/events.csv",
            "broken quoting: a double quote in this row does not open or close a field",
            row=row,
            value_starts=lines[line - 1][:30],
            expected="a field holding a comma",
        )
    ]


def unclosed_quote(p: Path):
    """A quote opened in the second-to-last row runs to the end of the file."""
    path = table_path(p, "fx")
    recs = records(path)
    row = recs[-2][0]
    lines = path.read_text(encoding="utf-8").split("\n")
    assert '"' not in "\n".join(lines[row - 1 :]), "a later quote would close the one this fault opens"
    lines[row - 1] = lines[row - 1].replace(",", ',"', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    last = len(path.read_text(encoding="utf-8").splitlines())
    return [
        Expect(
            "data/fx.csv",
            f"broken quoting: a double quote opened in this row is never closed, so lines {row} to {last}",
            row=row,
            value_starts=lines[row - 1][:12],
        )
    ]


def too_few_fields(p: Path):
    path = table_path(p, "people")
    row = find_row(p, "people", note="", skip=4)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[row - 1] = lines[row - 1].rsplit(",", 2)[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    names = column_names("people")
    return [
        Expect(
            "data/people.csv",
            f"wrong number of fields: {len(names) - 2} fields where the header has "
            f"{len(names)}: no value for {names[-2]}, {names[-1]}",
            row=row,
            expected=f"{len(names)} comma-separated fields",
        )
    ]


def too_many_fields(p: Path):
    """An unquoted comma inside a text field."""
    row = find_row(p, "countries", kind="state", skip=1)
    path = table_path(p, "countries")
    lines = path.read_text(encoding="utf-8").split("\n")
    name = cell(p, "countries", row, "name")
    lines[row - 1] = lines[row - 1].replace(f",{name},", f",{name}, Republic of,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    n = len(column_names("countries"))
    return [
        Expect(
            "data/countries.csv",
            f"wrong number of fields: {n + 1} fields where the header has {n}: 1 too many",
            row=row,
            expected=f"{n} comma-separated fields",
        )
    ]


def empty_file(p: Path):
    table_path(p, "claims").write_bytes(b"")
    return [Expect("data/claims.csv", "empty file", expected="the header " + ",".join(column_names("claims")))]


def empty_row(p: Path):
    path = table_path(p, "actors")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(5, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    return [Expect("data/actors.csv", "empty row", row=6, expected="no empty rows")]


def not_utf8(p: Path):
    """Saved from a spreadsheet in Windows-1252 after typing an accented name."""
    path = table_path(p, "actors")
    row = find_row(p, "actors", country="KGZ")
    set_cell(p, "actors", row, "name", cell(p, "actors", row, "name") + " (Bishkék)")
    raw = path.read_text(encoding="utf-8").encode("cp1252", errors="replace")
    path.write_bytes(raw)
    bad = next(n for n, line in enumerate(raw.split(b"\n"), start=1) if _not_utf8(line))
    return [Expect("data/actors.csv", "not UTF-8: byte 0x", line=bad, expected="the file saved as UTF-8")]


def _not_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def semicolons(p: Path):
    """A spreadsheet set to a European locale saves with semicolons."""
    path = table_path(p, "fx")
    write_rows = [cells for _, _, cells in records(path)]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(write_rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return [
        Expect(
            "data/fx.csv",
            "wrong separator: the fields are separated by semicolons",
            row=1,
            expected="a comma-separated header: " + ",".join(column_names("fx")),
        )
    ]


def stance_out_of_range(p: Path):
    row = find_row(p, "events", stance="2")
    set_cell(p, "events", row, "stance", "3")
    c = schema_field("events", "stance")["constraints"]
    return [
        Expect(
            "data/events.csv",
            f"out of range: above the maximum {c['maximum']}",
            row=row,
            field="stance",
            value="3",
            expected=f"a whole number from {c['minimum']} to {c['maximum']}",
        )
    ]


def unknown_thread(p: Path):
    row = find_row(p, "events", thread="policy", skip=4)
    set_cell(p, "events", row, "thread", "politics")
    allowed = ", ".join(schema_field("events", "thread")["constraints"]["enum"])
    return [
        Expect(
            "data/events.csv",
            "not an allowed value (did you mean 'policy'?)",
            row=row,
            field="thread",
            value="politics",
            expected=f"one of {allowed}",
        )
    ]


def unknown_event_type(p: Path):
    row = find_row(p, "events", event_type="statement", skip=1)
    set_cell(p, "events", row, "event_type", "speech")
    allowed = ", ".join(schema_field("events", "event_type")["constraints"]["enum"])
    return [
        Expect(
            "data/events.csv",
            "not an allowed value",
            row=row,
            field="event_type",
            value="speech",
            expected=f"one of {allowed}",
        )
    ]


def empty_required(p: Path):
    row = find_row(p, "events", thread="refusal")
    set_cell(p, "events", row, "summary", "")
    c = schema_field("events", "summary")["constraints"]
    return [
        Expect(
            "data/events.csv",
            "empty required field",
            row=row,
            field="summary",
            expected=f"text of {c['minLength']} to {c['maxLength']} characters",
        )
    ]


def row_after_multiline_field(p: Path):
    """A summary holding a line break: rows below it start one line further down in an editor."""
    first = find_row(p, "events", thread="security")
    set_cell(p, "events", first, "summary", cell(p, "events", first, "summary") + "\nSecond paragraph.")
    row = find_row(p, "events", thread="security", skip=2)
    set_cell(p, "events", row, "stance", "-3")
    line = line_of(p, "events", row)
    assert line == row + 1
    c = schema_field("events", "stance")["constraints"]
    return [
        Expect(
            "data/events.csv",
            f"out of range: below the minimum {c['minimum']}",
            row=row,
            line=line,
            field="stance",
            value="-3",
        )
    ]


def three_faults(p: Path):
    """Three mistakes in three places, of which one only a cross-field rule sees: one report."""
    return precision_mismatch(p) + stance_out_of_range(p) + unknown_source(p)


# -- parameters: `amudarya run`


def unknown_notebook(p: Path):
    return [
        Expect(
            "amudarya run trades",
            "unknown notebook",
            field="notebook",
            value="trades",
            expected="the name of a notebook in notebooks/, without .ipynb",
        )
    ]


def unknown_parameter(p: Path):
    declared = ", ".join(sorted(notebook_parameters(p / "notebooks" / "trade.ipynb")))
    return [
        Expect(
            "amudarya run trade",
            "unknown parameter",
            field="reportr",
            value="KAZ",
            expected=f"one of {declared} (did you mean 'reporter'?)",
        )
    ]


def wrong_type(p: Path):
    return [
        Expect(
            "amudarya run trade",
            "wrong parameter type: 'reporter' takes text, not a whole number",
            field="reporter",
            value=398,
            expected="text like its default 'KAZ'",
        )
    ]


def not_a_country(p: Path):
    return [
        Expect(
            "amudarya run trade",
            "not a country code",
            field="partner",
            value="Afghanistan",
            expected="three capital letters",
        )
    ]


# -- the run matrix: `amudarya build`


def _edit_runs(p: Path, old: str, new: str) -> None:
    path = p / "notebooks" / "runs.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _trade_chapter(p: Path) -> str:
    """Where runs.yml lists the trade chapter, as its messages name it."""
    import yaml

    parts = yaml.safe_load((p / "notebooks" / "runs.yml").read_text(encoding="utf-8"))["parts"]
    for p_no, part in enumerate(parts, start=1):
        for c_no, chapter in enumerate(part["chapters"], start=1):
            if chapter.get("notebook") == "trade":
                return f"notebooks/runs.yml, part {p_no} ('{part['caption']}'), chapter {c_no}"
    raise AssertionError("runs.yml has no trade chapter")


def runs_bad_country(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "reporter: KAZ", "reporter: XYZ")
    return [Expect(where, "not a country code", field="reporter", value="XYZ")]


def runs_key_typo(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- notebok: trade")
    return [
        Expect(
            where,
            "bad run matrix entry: unknown key in a chapter",
            field="notebok",
            value="trade",
            expected="the keys notebook and parameters, or page (did you mean 'notebook'?)",
        )
    ]


def runs_unknown_notebook(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- notebook: trade.ipynb")
    return [
        Expect(
            where,
            "unknown notebook",
            field="notebook",
            value="trade.ipynb",
            expected="the name of a notebook in notebooks/, without .ipynb",
        )
    ]


def runs_not_yaml(p: Path):
    path = p / "notebooks" / "runs.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if line.strip().startswith("parameters:"))
    lines[number - 1] = lines[number - 1].replace("  parameters:", "\tparameters:", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return [Expect("notebooks/runs.yml", "not valid YAML", line=number, expected="YAML indented with spaces")]


# -- notebooks that fail while they run, and a book that fails to build


def _verify_failed_run(stderr: str, p: Path, run: Run) -> None:
    """The message names the run, and the cell by its number in the source notebook and its first
    line, and gives the error; all of it agrees with the failed notebook kept in _build/failed."""
    kept = p / "_build" / "failed" / f"{run.name}.ipynb"
    assert f"kept for inspection at _build/failed/{run.name}.ipynb" in stderr
    nb = nbformat.read(kept, as_version=4)
    failed = [(c, o) for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(failed) == 1
    code, error = failed[0]
    source = nbformat.read(p / "notebooks" / f"{run.thread}.ipynb", as_version=4)
    number = next(i for i, c in enumerate(source.cells, start=1) if c.cell_type == "code" and c.source == code.source)
    first_line = next(line.strip() for line in code.source.splitlines() if line.strip())
    assert (
        f"notebook failed: the run {run.describe()} stopped in cell {number} of notebooks/{run.thread}.ipynb, "
        f"the cell starting `{first_line[:99]}" in stderr
    )
    assert f"{error['ename']}: {error['evalue']}" in stderr
    # What broke it: the deleted event, named by the code that looked for it.
    assert TAKEOVER in error["evalue"]
    # The failed notebook is only outside the book and the sources.
    for folder in ("book", "notebooks"):
        for path in (p / folder).rglob("*.ipynb"):
            text = path.read_text(encoding="utf-8")
            assert '"output_type": "error"' not in text, f"a failed notebook was written to {path}"


def unsourced_kin_name(p: Path):
    """A name for a state's kin typed into countries.csv without the source that uses it."""
    row = find_row(p, "countries", kind="state", kin_name="", kin_source_id="")
    set_cell(p, "countries", row, "kin_name", "Turkmens")
    set_cell(p, "countries", row, "kin_adjective", "Turkmen")
    return [
        Expect(
            "data/countries.csv",
            "incomplete kin names: kin_name and kin_adjective are given without a source",
            row=row,
            field="kin_source_id",
            expected="the source_id of a source that names them, or those fields left empty",
        )
    ]


def notebook_raises(p: Path):
    """Data that passes validation but breaks a computation: the event every chapter dates from is
    deleted, and the trade chapter cannot say what happened before it."""
    path = table_path(p, "events")
    row = find_row(p, "events", event_id=TAKEOVER)
    rows = [cells for _, _, cells in records(path)]
    write(path, rows[: row - 1] + rows[row:])
    # Every run that reads the events is executed again and fails: the book is cut to the trade
    # chapter and the front and back matter it links to (but the findings, which link to every
    # chapter), a third of the runs and of this fault's time.
    narrow_book(p, [Run("trade", {"reporter": "KAZ", "partner": "AFG"})])

    def verify(stderr: str, project: Path, argv: tuple[str, ...]) -> None:
        # `build` runs the chapters in the order of runs.yml and stops at the first that fails.
        run = load_matrix(project).runs[0] if "build" in argv else Run("trade", {"reporter": "KAZ"})
        _verify_failed_run(stderr, project, run)

    return verify


def book_fails(p: Path):
    """A prose page with a reference to a page that does not exist: Jupyter Book refuses it (-W).
    The matrix is cut to that page, so no notebook runs before Jupyter Book fails."""
    (p / "book" / "about.md").write_text("# About\n\nSee {doc}`no-such-page`.\n", encoding="utf-8")
    (p / "notebooks" / "runs.yml").write_text(
        "root: index\nparts:\n  - caption: About\n    chapters:\n      - page: about\n", encoding="utf-8"
    )

    def verify(stderr: str, project: Path, argv: tuple[str, ...]) -> None:
        assert "Jupyter Book failed; the last good book in _build/html is untouched" in stderr
        assert re.search(r"about\.md.*no-such-page", stderr), stderr

    return verify


RUN = ("run", "trade", "-o", "_build/runs/out.ipynb")

CATALOGUE = [
    Fault("non-numeric value", {"non-numeric"}, non_numeric),
    Fault("number with thousands separators", {"non-numeric"}, thousands_separator),
    Fault("negative value", {"negative"}, negative),
    Fault("impossible date", {"impossible date"}, impossible_date),
    Fault("month where a day is needed", {"impossible date"}, date_not_a_day),
    Fault("date not matching its precision", {"date precision"}, precision_mismatch),
    Fault("trade period ending before it starts", set(), trade_period_reversed),
    Fault("people period starting after its date", set(), people_period_reversed),
    Fault("range with its high end below its low end", set(), range_reversed),
    Fault("trade row without any figure", set(), no_figure),
    Fault("quantity without its unit", set(), quantity_without_unit),
    Fault("unknown country code", {"unknown country"}, unknown_country),
    Fault("unknown source id", {"unknown source or actor"}, unknown_source),
    Fault("unknown actor id", {"unknown source or actor"}, unknown_actor),
    Fault("duplicate key", {"duplicate key"}, duplicate_key),
    Fault("missing required column", {"missing column"}, missing_column),
    Fault("unexpected column", {"unexpected column"}, unexpected_column),
    Fault("misspelt column", {"missing column", "unexpected column"}, renamed_column),
    Fault("stray double quote", {"broken CSV"}, stray_quote),
    Fault("double quote never closed", {"broken CSV"}, unclosed_quote),
    Fault("too few fields", {"broken CSV"}, too_few_fields),
    Fault("unquoted comma", {"broken CSV"}, too_many_fields),
    Fault("empty file", {"empty file"}, empty_file),
    Fault("empty row", {"broken CSV"}, empty_row),
    Fault("not UTF-8", {"not UTF-8"}, not_utf8),
    Fault("semicolon separator", {"broken CSV"}, semicolons),
    Fault("stance out of range", {"stance out of range"}, stance_out_of_range),
    Fault("unknown thread", {"unknown thread or event type"}, unknown_thread),
    Fault("unknown event type", {"unknown thread or event type"}, unknown_event_type),
    Fault("empty required field", set(), empty_required),
    Fault("row below a multi-line field", set(), row_after_multiline_field),
    Fault("three faults at once", {"all at once"}, three_faults),
    Fault("name for kin without a source", set(), unsourced_kin_name),
    Fault(
        "unknown notebook",
        {"unknown thread or event type"},
        unknown_notebook,
        commands=(("run", "trades", "-p", "reporter", "KAZ"),),
    ),
    Fault(
        "unknown parameter",
        {"unknown parameter"},
        unknown_parameter,
        commands=(("run", "trade", "-p", "reportr", "KAZ"),),
    ),
    Fault(
        "parameter of the wrong type",
        {"parameter type"},
        wrong_type,
        commands=(("run", "trade", "-p", "reporter", "398"),),
    ),
    Fault(
        "parameter not a country code",
        {"unknown country"},
        not_a_country,
        commands=(("run", "trade", "-p", "partner", "Afghanistan"),),
    ),
    Fault("runs.yml: bad country code", {"runs.yml"}, runs_bad_country, commands=(("build",),)),
    Fault("runs.yml: misspelt key", {"runs.yml"}, runs_key_typo, commands=(("build",),)),
    Fault("runs.yml: unknown notebook", {"runs.yml"}, runs_unknown_notebook, commands=(("build",),)),
    Fault("runs.yml: not YAML", {"runs.yml"}, runs_not_yaml, commands=(("build",),)),
    Fault(
        "notebook raises while it runs",
        {"notebook raises"},
        notebook_raises,
        commands=(("build",), ("run", "trade", "-p", "reporter", "KAZ")),
        kind=execution.RUN_FAILED,
    ),
    Fault("Jupyter Book refuses a page", {"book fails"}, book_fails, commands=(("build",),), kind=assembly.BOOK_FAILED),
]


# ---------------------------------------------------------------------------
# Faults beyond the first catalogue: text nobody sees, hostile paths, runs that hang or die


def _utf16(p: Path, codec: str, bom: bool) -> list[Expect]:
    path = table_path(p, "fx")
    text = path.read_text(encoding="utf-8")
    path.write_bytes(("\ufeff" if bom else "").encode(codec) + text.encode(codec))
    order = "little-endian" if codec == "utf-16-le" else "big-endian"
    return [
        Expect(
            "data/fx.csv",
            f"not UTF-8: the file is UTF-16 ({order})",
            line=1,
            expected="the file saved as UTF-8 (Excel: Save As 'CSV UTF-8'",
        )
    ]


def utf16_with_bom(p: Path):
    """'Unicode text' from Excel: UTF-16 with a byte-order mark."""
    return _utf16(p, "utf-16-le", bom=True)


def utf16_without_bom(p: Path):
    return _utf16(p, "utf-16-le", bom=False)


def utf16_big_endian(p: Path):
    return _utf16(p, "utf-16-be", bom=True)


def _control(p: Path, table: str, column: str, char: str, name: str, **where) -> list[Expect]:
    row = find_row(p, table, **where)
    old = cell(p, table, row, column)
    value = old[:3] + char + old[3:]
    set_cell(p, table, row, column, value)
    return [
        Expect(
            f"data/{table}.csv",
            f"control character: the value holds {name}",
            row=row,
            field=column,
            value_starts=value[:20],
            expected="the text without it",
        )
    ]


def nul_in_country_name(p: Path):
    return _control(p, "countries", "name", "\x00", "U+0000", iso3="UZB")


def escape_in_summary(p: Path):
    return _control(p, "events", "summary", "\x1b", "U+001B", thread="trade")


def form_feed_in_actor_name(p: Path):
    return _control(p, "actors", "name", "\x0c", "U+000C", country="KAZ")


def nul_in_a_code(p: Path):
    return _control(p, "trade", "trade_id", "\x00", "U+0000", reporter="UZB")


def _glyph(p: Path, table: str, column: str, char: str, **where) -> list[Expect]:
    row = find_row(p, table, **where)
    value = cell(p, table, row, column) + " " + char
    set_cell(p, table, row, column, value)
    return [
        Expect(
            f"data/{table}.csv",
            "character a chart cannot draw: the charts draw this field, and their font "
            f"has no glyph for U+{ord(char[0]):04X}",
            row=row,
            field=column,
            value=value,
            expected="the name in letters",
        )
    ]


def emoji_in_country_name(p: Path):
    return _glyph(p, "countries", "name", "\U0001f1fa\U0001f1ff", iso3="UZB")


def emoji_in_actor_name(p: Path):
    return _glyph(p, "actors", "name", "\U0001fae1", country="TJK")


def emoji_in_product(p: Path):
    return _glyph(p, "trade", "product", "\U0001f33e", product=lambda v: v not in ("all", ""))


def _right_to_left(p: Path, table: str, column: str, text: str, kept_in: str, **where) -> list[Expect]:
    """A name written in its own script where a chart draws it: matplotlib has the letters but
    neither joins nor reorders them, so the title reads backwards in separate letters."""
    row = find_row(p, table, **where)
    set_cell(p, table, row, column, text)
    return [
        Expect(
            f"data/{table}.csv",
            f"right-to-left script in a chart: the charts draw this field, and draw U+{ord(text[0]):04X}",
            row=row,
            field=column,
            value=text,
            expected=f"the name in Latin letters (a transliteration, e.g. 'Kabul'), the original script kept "
            f"in {kept_in}",
        )
    ]


def arabic_script_country_name(p: Path):
    return _right_to_left(p, "countries", "name", "افغانستان", "data/names.csv", iso3="AFG")


def hebrew_script_publisher(p: Path):
    return _right_to_left(p, "sources", "publisher", "הארץ", "the row's note field", publisher=lambda v: v.isascii())


def arabic_script_actor_name(p: Path):
    return _right_to_left(p, "actors", "name", "ذبيح الله مجاهد", "the row's aliases field", country="AFG")


def _spaced(p: Path, table: str, column: str, before: str, after: str, side: str, **where) -> list[Expect]:
    row = find_row(p, table, **where)
    old = cell(p, table, row, column)
    set_cell(p, table, row, column, before + old + after)
    return [
        Expect(
            f"data/{table}.csv",
            f"spaces around a value: the value has a space {side} it",
            row=row,
            field=column,
            value=before + old + after,
            expected=f"'{old}', without spaces",
        )
    ]


def space_before_country_code(p: Path):
    return _spaced(p, "events", "country", " ", "", "before", country="KGZ")


def space_after_date(p: Path):
    return _spaced(p, "events", "date", "", " ", "after", thread="refusal")


def spaces_around_source_id(p: Path):
    return _spaced(p, "trade", "source_id", " ", " ", "before and after", reporter="TKM")


def space_after_allowed_value(p: Path):
    return _spaced(p, "people", "unit", "", " ", "after", unit="persons")


def space_before_number(p: Path):
    return _spaced(p, "trade", "value_usd", " ", "", "before", value_usd=lambda v: v != "")


# -- hostile paths and command lines


def _chapter(p: Path, test) -> str:
    """Where runs.yml lists the first chapter for which test(chapter) holds, as messages name it."""
    import yaml

    parts = yaml.safe_load((p / "notebooks" / "runs.yml").read_text(encoding="utf-8"))["parts"]
    for p_no, part in enumerate(parts, start=1):
        for c_no, chapter in enumerate(part["chapters"], start=1):
            if test(chapter):
                return f"notebooks/runs.yml, part {p_no} ('{part['caption']}'), chapter {c_no}"
    raise AssertionError("no such chapter")


def runs_absolute_notebook(p: Path):
    where = _trade_chapter(p)
    absolute = str(p / "notebooks" / "trade")
    _edit_runs(p, "- notebook: trade", f"- notebook: {absolute}")
    return [
        Expect(
            where,
            "path outside the project",
            field="notebook",
            value_starts=absolute[:40],
            expected="the name of a notebook in notebooks/, without .ipynb",
        )
    ]


def runs_notebook_up_a_folder(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- notebook: ../notebooks/trade")
    return [Expect(where, "path outside the project", field="notebook", value="../notebooks/trade")]


def runs_root_outside_book(p: Path):
    _edit_runs(p, "root: index", "root: ../README")
    return [
        Expect(
            "notebooks/runs.yml",
            "path outside the project",
            field="root",
            value="../README",
            expected="the name of a Markdown file in book/ without .md",
        )
    ]


def runs_page_outside_book(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- page: ../README\n      - notebook: trade")
    return [Expect(where, "path outside the project", field="page", value="../README")]


def runs_page_in_generated(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- page: _generated/sources\n      - notebook: trade")
    return [Expect(where, "path outside the project", field="page", value="_generated/sources")]


def runs_root_page_as_chapter(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- page: index\n      - notebook: trade")
    return [
        Expect(
            where,
            "bad run matrix entry: this page is the book's root page already",
            field="page",
            value="index",
            expected="a page other than the root page 'index'",
        )
    ]


def runs_without_the_method_page(p: Path):
    """The method page left out of a book whose chapters link to it (the overview, the first of
    them in the book the faults start from)."""
    where = _chapter(p, lambda c: c.get("notebook") == "overview")
    _edit_runs(p, "      - notebook: method\n", "")
    return [
        Expect(
            where,
            "bad run matrix entry: this chapter links to a page the book leaves out",
            field="notebook",
            value="method",
            expected="'method' kept in the book",
        )
    ]


def runs_default_parameters_twice(p: Path):
    """The trade chapter again, once with its default parameters written out (as runs.yml has
    it) and once without: the same run, which would be built as two identical chapters."""
    defaults = {name: param.default for name, param in notebook_parameters(p / "notebooks" / "trade.ipynb").items()}
    explicit = _trade_chapter(p)
    assert (
        load_matrix(p).runs[[r.thread for r in load_matrix(p).runs].index("trade")].parameters.items()
        <= defaults.items()
    ), "the trade chapter no longer uses its defaults"
    path = p / "notebooks" / "runs.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  - caption: Again\n    chapters:\n      - notebook: trade\n",
        encoding="utf-8",
    )
    return [
        Expect(
            _chapter_again(p),
            f"bad run matrix entry: the same run (counting default parameters) is already listed at {explicit}",
            expected="each run once",
        )
    ]


def _chapter_again(p: Path) -> str:
    import yaml

    parts = yaml.safe_load((p / "notebooks" / "runs.yml").read_text(encoding="utf-8"))["parts"]
    return f"notebooks/runs.yml, part {len(parts)} ('Again'), chapter 1"


def runs_bad_timeout(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- timeout: -5\n        notebook: trade")
    return [Expect(where, "bad timeout", field="timeout", value=-5, expected="seconds, such as 600")]


def runs_timeout_in_words(p: Path):
    where = _trade_chapter(p)
    _edit_runs(p, "- notebook: trade", "- timeout: ten minutes\n        notebook: trade")
    return [Expect(where, "bad timeout", field="timeout", value="ten minutes")]


def _output_fault(name: str, message: str, value: str, expected: str | None = None) -> Fault:
    """The fault `amudarya run trade -o VALUE` and what it must say; {root} in VALUE is the
    project's folder."""

    def apply(p: Path):
        return [
            Expect(
                "amudarya run trade",
                f"bad output path: {message}",
                field="-o",
                value_starts=value.replace("{root}", str(p))[:40],
                expected=expected,
            )
        ]

    return Fault(name, {"paths"}, apply, commands=(RUN[:2] + ("-o", value),))


def repeated_parameter(p: Path):
    return [
        Expect(
            "amudarya run trade",
            "repeated parameter: -p reporter is given 2 times",
            field="reporter",
            value="KAZ, UZB",
            expected='-p reporter once (a list is one value: -p reporter "[KAZ, UZB]")',
        )
    ]


def run_notebook_outside(p: Path):
    return [
        Expect(
            "amudarya run ../notebooks/trade", "path outside the project", field="notebook", value="../notebooks/trade"
        )
    ]


def run_bad_timeout(p: Path):
    return [Expect("amudarya run trade", "bad timeout", field="--timeout", value=0.0)]


def build_bad_timeout(p: Path):
    return [Expect("amudarya build", "bad timeout", field="--timeout", value=-1.0)]


# -- runs that hang, and kernels that die: a tiny notebook, so that no real chapter runs


def _tiny(p: Path, name: str, code: str, timeout: float | None = None) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("label: str = 'tiny'  # what the run is called")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {name}"),
        params,
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell(code),
        nbformat.v4.new_code_cell("print('never')"),
    ]
    nbformat.write(nb, p / "notebooks" / f"{name}.ipynb")
    # Only this chapter: the others are cached, and a failed run stops the build before the book.
    chapter = f"      - notebook: {name}\n" + (f"        timeout: {timeout}\n" if timeout else "")
    runs = p / "notebooks" / "runs.yml"
    runs.write_text(runs.read_text(encoding="utf-8") + "  - caption: Tiny\n    chapters:\n" + chapter, encoding="utf-8")


def _verify_stopped(name: str, first_line: str, kind: str):
    def verify(stderr: str, project: Path, argv: tuple[str, ...]) -> None:
        run = Run(name, {})
        assert (
            f"notebook failed: the run {run.describe()} stopped in cell 4 of notebooks/{name}.ipynb, "
            f"the cell starting `{first_line}`" in stderr
        ), stderr
        assert f"  {kind}: " in stderr, stderr
        assert f"kept for inspection at _build/failed/{run.name}.ipynb" in stderr
        kept = nbformat.read(project / "_build" / "failed" / f"{run.name}.ipynb", as_version=4)
        assert kept.cells[-1].source == "print('never')" and not kept.cells[-1].get("outputs")
        assert not (project / GENERATED / f"{run.name}.ipynb").exists(), "a stopped run reached the book"

    return verify


def cell_never_ends(p: Path):
    """A cell that waits forever: stopped at the run's timeout (in runs.yml, or --timeout)."""
    _tiny(p, "hang", "import time\ntime.sleep(3600)", timeout=2)
    return _verify_stopped("hang", "import time", "run timed out")


def cell_kills_its_kernel(p: Path):
    _tiny(p, "crash", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    return _verify_stopped("crash", "import os, signal", "kernel died")


# The build validates the data with the same code before anything runs (the first catalogue
# shows it refuses bad data); these are checked by `check` alone, to spend test time on the rest.
CHECK = (("check",),)

NEW_FAULTS = [
    Fault("UTF-16 with a byte-order mark", {"not UTF-8"}, utf16_with_bom, commands=CHECK),
    Fault("UTF-16 without a byte-order mark", {"not UTF-8"}, utf16_without_bom, commands=CHECK),
    Fault("UTF-16 big-endian", {"not UTF-8"}, utf16_big_endian, commands=CHECK),
    Fault("NUL byte in a country name", {"control character"}, nul_in_country_name, commands=CHECK),
    Fault("escape character in a summary", {"control character"}, escape_in_summary, commands=CHECK),
    Fault("form feed in an actor's name", {"control character"}, form_feed_in_actor_name, commands=CHECK),
    Fault("NUL byte in an id", {"control character"}, nul_in_a_code, commands=CHECK),
    Fault("emoji in a country name", {"emoji"}, emoji_in_country_name, commands=CHECK),
    Fault("emoji in an actor's name", {"emoji"}, emoji_in_actor_name, commands=CHECK),
    Fault("emoji in a product", {"emoji"}, emoji_in_product, commands=CHECK),
    Fault("Arabic-script country name", {"right-to-left"}, arabic_script_country_name, commands=CHECK),
    Fault("Hebrew-script publisher", {"right-to-left"}, hebrew_script_publisher, commands=CHECK),
    Fault("Arabic-script actor name", {"right-to-left"}, arabic_script_actor_name, commands=CHECK),
    Fault("space before a country code", {"spaces"}, space_before_country_code, commands=CHECK),
    Fault("space after a date", {"spaces"}, space_after_date, commands=CHECK),
    Fault("spaces around a source id", {"spaces"}, spaces_around_source_id, commands=CHECK),
    Fault("space after an allowed value", {"spaces"}, space_after_allowed_value, commands=CHECK),
    Fault("space before a number", {"spaces"}, space_before_number, commands=CHECK),
    Fault("runs.yml: absolute notebook path", {"paths"}, runs_absolute_notebook, commands=(("build",),)),
    Fault("runs.yml: notebook up a folder", {"paths"}, runs_notebook_up_a_folder, commands=(("build",),)),
    Fault("runs.yml: root outside book/", {"paths"}, runs_root_outside_book, commands=(("build",),)),
    Fault("runs.yml: page outside book/", {"paths"}, runs_page_outside_book, commands=(("build",),)),
    Fault("runs.yml: page the build writes", {"paths"}, runs_page_in_generated, commands=(("build",),)),
    Fault("runs.yml: the root page as a chapter", {"paths"}, runs_root_page_as_chapter, commands=(("build",),)),
    Fault(
        "runs.yml: a page the chapters link to left out",
        {"missing page"},
        runs_without_the_method_page,
        commands=(("build",),),
    ),
    Fault(
        "runs.yml: one run with and without its defaults",
        {"duplicates"},
        runs_default_parameters_twice,
        commands=(("build",),),
    ),
    Fault("runs.yml: negative timeout", {"timeout"}, runs_bad_timeout, commands=(("build",),)),
    Fault("runs.yml: timeout in words", {"timeout"}, runs_timeout_in_words, commands=(("build",),)),
    _output_fault(
        "-o over the source notebook",
        "it is inside notebooks/",
        "{root}/notebooks/trade.ipynb",
        "a .ipynb file outside notebooks/",
    ),
    _output_fault("-o into data/", "it is inside data/", "{root}/data/x.ipynb"),
    _output_fault("-o into book/ by a way round", "it is inside book/", "{root}/_build/../book/_generated/x.ipynb"),
    _output_fault("-o a folder", "it is a folder", "{root}/tools/", "a file name ending in .ipynb"),
    _output_fault("-o a file that is no notebook", "an executed notebook is a .ipynb file", "/proc/version"),
    _output_fault("-o into /proc", "cannot write to /proc", "/proc/x.ipynb"),
    _output_fault("-o into /sys", "cannot write to /sys", "/sys/x.ipynb"),
    Fault(
        "-p given twice",
        {"repeated -p"},
        repeated_parameter,
        commands=(("run", "trade", "-p", "reporter", "KAZ", "-p", "reporter", "UZB"),),
    ),
    Fault("run: notebook up a folder", {"paths"}, run_notebook_outside, commands=(("run", "../notebooks/trade"),)),
    Fault("run: timeout of 0", {"timeout"}, run_bad_timeout, commands=(("run", "trade", "--timeout", "0"),)),
    Fault("build: negative timeout", {"timeout"}, build_bad_timeout, commands=(("build", "--timeout", "-1"),)),
    Fault(
        "a cell that never ends",
        {"timeout"},
        cell_never_ends,
        commands=(("build",), ("run", "hang", "--timeout", "2")),
        kind=execution.RUN_FAILED,
    ),
    Fault(
        "a cell that kills its kernel",
        {"dead kernel"},
        cell_kills_its_kernel,
        commands=(("build",), ("run", "crash")),
        kind=execution.RUN_FAILED,
    ),
]
CATALOGUE += NEW_FAULTS

REQUIRED = {
    "non-numeric",
    "negative",
    "impossible date",
    "date precision",
    "unknown country",
    "unknown source or actor",
    "duplicate key",
    "missing column",
    "unexpected column",
    "broken CSV",
    "empty file",
    "not UTF-8",
    "stance out of range",
    "unknown thread or event type",
    "unknown parameter",
    "parameter type",
    "runs.yml",
    "notebook raises",
    "all at once",
    "control character",
    "emoji",
    "spaces",
    "paths",
    "duplicates",
    "repeated -p",
    "timeout",
    "dead kernel",
    "right-to-left",
}


def test_the_catalogue_covers_every_kind_of_mistake_the_issue_lists():
    covered = set().union(*(f.covers for f in CATALOGUE))
    assert REQUIRED <= covered, REQUIRED - covered
    assert len(CATALOGUE) >= 80


# ---------------------------------------------------------------------------
# The project the faults start from: built once, with markup in its data


def probe_notebook() -> nbformat.NotebookNode:
    """A chapter showing an event, its actor and its source through every path text takes to a
    page: glue in a heading and in prose, a table with a caption, a chart (labels, title, alt
    text, source line) and the closing list of sources."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(f'event_id: str = "{TAKEOVER}"  # the event to show')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Probe: {glue:text}`actor_name`"),
        params,
        nbformat.v4.new_code_cell(
            "import pandas as pd\n"
            "from amudarya.data import tables\n"
            "from amudarya.domain import citations\n"
            "from amudarya.render import bars, publish\n"
            "package = tables.load()\n"
            "event = package['events'].set_index('event_id').loc[event_id]\n"
            "actor = package['actors'].set_index('actor_id').loc[event['actor_id']]\n"
            "source = package['sources'].set_index('source_id').loc[event['source_id']]\n"
            "publish.glue_values(summary=event['summary'], actor_name=actor['name'], source_title=source['title'])"
        ),
        nbformat.v4.new_markdown_cell(
            "What happened: {glue:text}`summary`. Who acted: {glue:text}`actor_name`. "
            "Where it is told: {glue:text}`source_title`."
        ),
        nbformat.v4.new_code_cell(
            "publish.show_table(pd.DataFrame({'Summary': [event['summary']], 'Actor': [actor['name']],\n"
            "                                 'Source': [source['title']]}), caption=actor['name'])"
        ),
        nbformat.v4.new_code_cell(
            "publish.show_chart(bars.horizontal_bars(\n"
            "    pd.DataFrame({'label': [actor['name']], 'value': [1.0]}), label='label', value='value',\n"
            "    title=actor['name'], value_axis='events',\n"
            "    source=citations.source_line(package['sources'], [event['source_id']])))"
        ),
        nbformat.v4.new_code_cell("publish.show_sources(package['sources'], [event['source_id']])"),
    ]
    return nb


def digest(*folders: Path) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder.parent)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def amudarya(project: Path, argv: tuple[str, ...], capsys) -> tuple[int, str, str]:
    """The command line, in this process (the same `main` the console script calls)."""
    capsys.readouterr()
    status = cli.main(["--root", str(project), *argv])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def good_book(tmp_path_factory) -> dict:
    """A project copy with markup in an event summary, an actor name and a source title, and the
    probe chapter, built once successfully with `amudarya build`. One chapter of each thread is
    enough to carry the markup through every kind of page (the others of a thread are the same
    notebook with other parameters), and every run of this book executes: the marked rows are
    in tables that nearly every run reads."""
    project = copy_project(tmp_path_factory.mktemp("faults") / "project")
    narrow_book(project, [Run("overview", {}), *THREADS])
    row = find_row(project, "events", event_id=TAKEOVER)
    marked = {
        ("events", row, "summary"): cell(project, "events", row, "summary") + MARKUP,
    }
    actor = cell(project, "events", row, "actor_id")
    source = cell(project, "events", row, "source_id")
    marked[("actors", find_row(project, "actors", actor_id=actor), "name")] = None
    marked[("sources", find_row(project, "sources", source_id=source), "title")] = None
    for (table, r, column), value in list(marked.items()):
        value = value or cell(project, table, r, column) + MARKUP
        set_cell(project, table, r, column, value)
        marked[(table, r, column)] = value
    nbformat.write(probe_notebook(), project / "notebooks" / "probe.ipynb")
    runs = project / "notebooks" / "runs.yml"
    book = yaml.safe_load(runs.read_text(encoding="utf-8"))
    book["parts"].append({"caption": "Probe", "chapters": [{"notebook": "probe"}]})
    runs.write_text(dump_runs(book), encoding="utf-8")
    sources_before = digest(project / "data", project / "notebooks")
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        status = cli.main(["--root", str(project), "build"])
    assert status == 0
    assert digest(project / "data", project / "notebooks") == sources_before
    return {
        "project": project,
        "html": digest(project / "_build" / "html"),
        "marked": marked,
        "build_err": said.getvalue(),
    }


@pytest.fixture
def broken(good_book, tmp_path) -> Path:
    """A fresh copy of the built project (with its last good book) for one fault to break."""
    target = tmp_path / "project"
    source = good_book["project"]
    shared = (source / "_build" / "cache", source / "_build" / "html")

    def copy(src: str, dst: str) -> None:
        # The run cache and the published book are linked, not copied (a fifth of the time over
        # ninety-odd faults): a build never writes into either in place, it writes beside them
        # and renames, and the digests below would see a fault that did. Whatever a fault
        # edits (data, notebooks, the book's sources, Sphinx's work folder) is a real copy.
        if Path(src).is_relative_to(shared[0]) or Path(src).is_relative_to(shared[1]):
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, symlinks=True, copy_function=copy)
    return target


@pytest.mark.parametrize("fault", CATALOGUE, ids=[f.id for f in CATALOGUE])
def test_fault_gets_a_clear_message_and_costs_nothing(fault, broken, good_book, capsys):
    check = fault.apply(broken)
    for argv in fault.commands:
        argv = tuple(arg.replace("{root}", str(broken)) for arg in argv)
        before = digest(broken / "data", broken / "notebooks")
        status, out, err = amudarya(broken, argv, capsys)
        assert status == 2, f"amudarya {' '.join(argv)} did not refuse the input:\n{out}\n{err}"
        assert "Traceback" not in err
        assert f"amudarya {argv[0]}: " in err
        # The count of problems agrees with its noun ("1 problem", "3 problems").
        assert not re.search(r"\b1 problems\b|problem\(s\)|\b(?:[02-9]|\d{2,}) problem\b", err), err
        if callable(check):
            check(err, broken, argv)
        else:
            assert_reports(err, check)
        assert digest(broken / "data", broken / "notebooks") == before, "the command wrote into data/ or notebooks/"
        assert digest(broken / "_build" / "html") == good_book["html"], "the last good book was changed"


def test_every_message_begins_with_its_kind(broken):
    """The kind (what data/README.md explains) is the first words of every message."""
    from amudarya.data import tables

    for apply in (three_faults, not_utf8, stray_quote, renamed_column, too_few_fields):
        apply(broken)
    problems = tables.check(broken / "data")
    assert problems and all(p.kind in KINDS and p.message.startswith(p.kind) for p in problems)


# ---------------------------------------------------------------------------
# The real console script, and --debug


def test_console_script_reports_every_problem_and_exit_status_2(broken):
    expects = three_faults(broken)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("amudarya")), "--root", str(broken), "check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert_reports(result.stderr, expects)
    assert "Common errors and what they mean" in result.stderr


def test_debug_shows_the_traceback(broken):
    stance_out_of_range(broken)
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "--root", str(broken), "--debug", "check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "InputError" in result.stderr


# ---------------------------------------------------------------------------
# Markup in the data: a warning, and text on every page


def assert_markup_warnings(err: str, marked: dict) -> None:
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(marked), err
    for (table, row, column), _value in marked.items():
        expect = Expect(f"data/{table}.csv", "markup in text", row=row, field=column, expected="plain text")
        assert any(not expect.check(w[len("warning: ") :]) for w in warnings), (expect.place(), err)


def test_markup_in_text_is_a_warning_not_an_error(good_book, capsys):
    status, out, err = amudarya(good_book["project"], ("check",), capsys)
    assert status == 0 and out.strip().endswith(": valid")
    assert_markup_warnings(err, good_book["marked"])


def test_the_build_says_the_markup_warnings_too(good_book, broken, capsys):
    """The build succeeded on this data (the fixture); it said each warning on the way, and says
    them again on a rebuild, so a person who only runs `make book` still hears of them."""
    assert_markup_warnings(good_book["build_err"], good_book["marked"])
    status, _, err = amudarya(broken, ("build",), capsys)
    assert status == 0
    assert_markup_warnings(err, good_book["marked"])


class Elements(HTMLParser):
    """The text inside each element of a page, and every attribute value, as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []
        self.elements: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag not in {"br", "img", "meta", "link", "input", "hr", "source", "col", "area", "base", "wbr"}:
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                for name, text in reversed(self.open[i:]):
                    self.elements.append((name, text))
                del self.open[i:]
                break

    def handle_data(self, data):
        self.text.append(data)
        for element in self.open:
            element[1] += data


def parse(page: Path) -> Elements:
    parser = Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def prose(text: str) -> str:
    """Text as it is compared with the data: Sphinx sets apostrophes and quotes typographically
    in prose (smartquotes), which is no markup."""
    return text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))


def test_markup_from_the_data_is_text_on_every_page(good_book):
    html = good_book["project"] / "_build" / "html"
    pages = sorted(html.rglob("*.html"))
    assert pages
    for page in pages:
        parsed = parse(page)
        assert not [t for tag, t in parsed.elements if tag == "script" and "alert(1)" in t], page
        assert not [t for tag, t in parsed.elements if tag == "b" and t == "bold"], page
        assert SCRIPT not in page.read_text(encoding="utf-8"), page


def _probe_page(good_book) -> Path:
    return good_book["project"] / "_build" / "html" / "_generated" / f"{Run('probe', {}).name}.html"


def test_markup_shows_as_typed_in_headings_prose_tables_captions_and_alt_text(good_book):
    marked = good_book["marked"]
    summary = next(v for (t, _, _), v in marked.items() if t == "events")
    name = next(v for (t, _, _), v in marked.items() if t == "actors")
    title = next(v for (t, _, _), v in marked.items() if t == "sources")
    parsed = parse(_probe_page(good_book))
    texts = {tag: [t for g, t in parsed.elements if g == tag] for tag in ("h1", "p", "td", "caption", "title")}
    assert any(name in t for t in texts["h1"]), "the heading (glue) lost the name's markup as text"
    assert any(name in t for t in texts["title"])
    assert any(summary in prose(t) and name in prose(t) and title in prose(t) for t in texts["p"]), "glue in prose"
    assert summary in texts["td"] and name in texts["td"] and title in texts["td"], "table cells"
    assert name in texts["caption"], "table caption"
    alts = [v for tag, attr, v in parsed.attributes if tag == "img" and attr == "alt"]
    assert any(name in alt for alt in alts), "chart alt text"


def test_search_results_show_titles_as_text(good_book):
    """The search page puts index titles into innerHTML: those from the data must be escaped."""
    index = (good_book["project"] / "_build" / "html" / "searchindex.js").read_text(encoding="utf-8")
    frozen = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    name = next(v for (t, _, _), v in good_book["marked"].items() if t == "actors")
    for title in list(frozen["alltitles"]) + list(frozen["titles"]):
        parsed = Elements()
        parsed.feed(title)
        assert not [t for tag, t in parsed.elements if tag in {"script", "b"}], title
    shown = []
    for title in frozen["alltitles"]:
        parsed = Elements()
        parsed.feed(title)
        shown.append("".join(parsed.text))
    assert f"Probe: {name}" in shown


def test_the_real_chapter_lists_its_marked_source_title_as_text(good_book):
    title = next(v for (t, _, _), v in good_book["marked"].items() if t == "sources")
    page = good_book["project"] / "_build" / "html" / "_generated" / "trade__partner-AFG__reporter-KAZ.html"
    parsed = parse(page)
    assert title in [t for tag, t in parsed.elements if tag == "a"] or title in [
        t for tag, t in parsed.elements if tag == "td"
    ]


def test_dollar_signs_in_chart_labels_are_text_not_maths():
    """Matplotlib reads "$...$" as TeX; in a label from the data it is money, and "$x^$" would
    even stop the chart from drawing."""
    import io as _io

    import pandas as pd

    from amudarya.render.bars import horizontal_bars

    label = "Fuel at US$ 5 to $x^$ 6"
    chart = horizontal_bars(
        pd.DataFrame({"label": [label], "value": [1.0]}),
        label="label",
        value="value",
        title=label,
        value_axis="US$ million",
        source="a $ source",
    )
    chart.figure.savefig(_io.BytesIO(), format="png")
    assert [t.get_text() for t in chart.figure.axes[0].get_yticklabels()] == [label]
    assert label in chart.alt


# ---------------------------------------------------------------------------
# data/README.md explains every kind of message


GUIDE_HEADING = "## Common errors and what they mean"
KINDS = (
    validation.KINDS
    + rules.KINDS
    + parameters.KINDS
    + matrix.KINDS
    + execution.KINDS
    + assembly.KINDS
    + paths.KINDS
    + textcheck.KINDS
    + timeouts.KINDS
)


def guide_section() -> str:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert GUIDE_HEADING in text.splitlines(), f"data/README.md has no line {GUIDE_HEADING!r}"
    section = text.split(GUIDE_HEADING + "\n", 1)[1]
    return re.split(r"^## ", section, maxsplit=1, flags=re.M)[0]


def kind_of(message_start: str) -> str:
    """The kind a message begins with (the longest that fits: 'not a date' before 'not a')."""
    fits = [k for k in KINDS if message_start.startswith(k)]
    assert fits, f"no kind starts the message {message_start!r}"
    return max(fits, key=len)


def test_the_guide_explains_every_kind_the_code_reports():
    section = guide_section()
    missing = [k for k in KINDS if f"**{k}**" not in section]
    assert not missing, f"data/README.md does not explain: {missing}"


def test_the_guide_explains_every_fault_in_the_catalogue(tmp_path):
    section = guide_section()
    for number, fault in enumerate(CATALOGUE):
        found = fault.apply(copy_project(tmp_path / str(number)))
        kinds = {fault.kind} if callable(found) else {kind_of(e.kind) for e in found}
        for kind in kinds:
            assert kind and f"**{kind}**" in section, f"{fault.id}: '{kind}' is not explained in data/README.md"
