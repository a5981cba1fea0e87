"""The first pass: a CSV file read the way a person's editor shows it.

The file is there, is not empty, is UTF-8, its header has the schema's columns, and each row has
as many fields as the header. Frictionless reports a shifted row once per cell and knows no line
numbers or quoting; here each such fault is said once, with the line an editor shows. The same
reading gives the loader its cells (`casting`), so what is validated is what is loaded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from amudarya.data import textcheck
from amudarya.data.errors import Problem
from amudarya.data.kinds import (
    COLUMN_ORDER,
    DUPLICATE_COLUMN,
    EMPTY_FILE,
    EMPTY_ROW,
    MISSING_COLUMN,
    MISSING_FILE,
    NOT_UTF8,
    QUOTE,
    UNEXPECTED_COLUMN,
    WRONG_FIELD_COUNT,
    WRONG_SEPARATOR,
)
from amudarya.data.wording import suggest

_QUOTING = 'a field holding a comma, line break or double quote wrapped in double quotes, inner quotes doubled ("")'
_SEPARATORS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))


@dataclass
class Table:
    """One CSV file as this pass read it."""

    name: str
    where: str
    schema: dict
    header: list[str] = field(default_factory=list)
    # Data rows with the right number of fields: (row number, first line, cells).
    rows: list[tuple[int, int, list[str]]] = field(default_factory=list)
    # Row number -> the line it starts on, for every record of the file.
    lines: dict[int, int] = field(default_factory=dict)
    # Rows whose structure is broken: Frictionless's reports on them are consequences.
    broken_rows: set[int] = field(default_factory=set)
    readable: bool = True

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]

    @property
    def complete(self) -> bool:
        """Every column of the schema is there, once: the rows can be typed and ruled on."""
        return self.readable and all(self.header.count(n) == 1 for n in self.names)

    def column(self, name: str) -> list[str]:
        if name not in self.header:
            return []
        i = self.header.index(name)
        return [cells[i] for _, _, cells in self.rows]

    def field(self, name: str | None) -> dict | None:
        return next((f for f in self.schema["fields"] if f["name"] == name), None)


def _not_utf8(table: Table, raw: bytes) -> Problem:
    bad_lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_lines.append((number, line, exc))
    number, line, error = bad_lines[0]
    byte = line[error.start : error.end]
    # Spreadsheets on Windows save in Windows-1252: naming the letter meant shows where it is.
    guess = byte.decode("cp1252", errors="replace")
    others = ", ".join(str(n) for n, _, _ in bad_lines[1:4])
    more = f"; lines {others}{' and more' if len(bad_lines) > 4 else ''} too" if len(bad_lines) > 1 else ""
    return Problem(
        table.where,
        f"not UTF-8: byte 0x{byte.hex().upper()} cannot be read as UTF-8"
        f" (in the Windows-1252 encoding it is '{guess}'){more}",
        line=number,
        value=line.decode("utf-8", errors="replace").strip(),
        expected="the file saved as UTF-8 (Excel: Save As 'CSV UTF-8'; LibreOffice: character set 'Unicode (UTF-8)')",
        kind=NOT_UTF8,
    )


def _wrong_separator(table: Table) -> Problem | None:
    header, names = table.header, table.names
    if len(header) != 1 or len(names) < 2:
        return None
    for sep, word in _SEPARATORS:
        if sep in header[0]:
            return Problem(
                table.where,
                f"wrong separator: the fields are separated by {word}, not commas",
                row=1,
                line=1,
                value=header[0],
                expected=f"a comma-separated header: {','.join(names)}",
                kind=WRONG_SEPARATOR,
            )
    return None


def _header_problems(table: Table) -> list[Problem]:
    names, header, where = table.names, table.header, table.where
    full = ",".join(names)
    problems = []
    for name in dict.fromkeys(header):
        if header.count(name) > 1:
            problems.append(
                Problem(
                    where,
                    "duplicate column: the header names this column more than once",
                    row=1,
                    field=name,
                    expected=f"each column once: {full}",
                    kind=DUPLICATE_COLUMN,
                )
            )
    missing = [n for n in names if n not in header]
    extra = [h for h in dict.fromkeys(header) if h not in names]
    for name in missing:
        problems.append(
            Problem(
                where,
                "missing column: the header has no column of this name",
                row=1,
                field=name,
                expected=f"the header {full}",
                kind=MISSING_COLUMN,
            )
        )
    for name in extra:
        problems.append(
            Problem(
                where,
                "unexpected column: data/datapackage.json does not describe it",
                row=1,
                field=name or "(a column with no name)",
                expected="only the columns " + full + (suggest(name, missing) if missing else ""),
                kind=UNEXPECTED_COLUMN,
            )
        )
    if not problems and header != names:
        problems.append(
            Problem(
                where,
                "columns out of order: not in the order data/datapackage.json lists them",
                row=1,
                value=",".join(header),
                expected=f"the header {full}",
                kind=COLUMN_ORDER,
            )
        )
    return problems


def _quote_error(text: str) -> str | None:
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        return str(exc)
    return None


def _row_problem(table: Table, row: int, start: int, end: int, cells: list[str], lines: list[str]) -> Problem:
    """What is wrong with a row whose number of fields differs from the header's."""
    # csv's own error, read in strict mode: the one place a quote that never closes shows itself.
    quote_error = _quote_error("\n".join(lines[start - 1 : end]))
    if quote_error and "end of data" in quote_error:
        return Problem(
            table.where,
            f"broken quoting: a double quote opened in this row is never closed, so lines {start} to {end} "
            "(the end of the file) were read as one row",
            row=row,
            line=start,
            value=lines[start - 1],
            expected=_QUOTING,
            kind=QUOTE,
        )
    if quote_error:
        return Problem(
            table.where,
            f"broken quoting: a double quote in this row does not open or close a field, so the row splits "
            f"into {len(cells)} fields instead of {len(table.header)}",
            row=row,
            line=start,
            value=lines[start - 1],
            expected=_QUOTING,
            kind=QUOTE,
        )
    n, m = len(cells), len(table.header)
    if n < m:
        detail = f"{n} fields where the header has {m}: no value for " + ", ".join(table.header[n:])
    else:
        detail = f"{n} fields where the header has {m}: {n - m} too many"
    if end > start:
        detail += f" (the row runs over lines {start} to {end}: is a double quote missing its partner?)"
    return Problem(
        table.where,
        f"wrong number of fields: {detail}",
        row=row,
        line=start,
        value=",".join(cells[m:]) if n > m else None,
        expected=f"{m} comma-separated fields; " + _QUOTING,
        kind=WRONG_FIELD_COUNT,
    )


def _unreadable(table: Table, raw: bytes | None) -> Problem | None:
    """Why the file cannot be read as a table at all, if it cannot."""
    if raw is None:
        return Problem(
            table.where,
            "missing file: data/datapackage.json lists it, but it is not there",
            expected=f"a CSV file at {table.where}, as data/datapackage.json lists it",
            kind=MISSING_FILE,
        )
    if not raw.strip():
        return Problem(
            table.where,
            "empty file: not even a header",
            expected=f"the header {','.join(table.names)}, then one line per row",
            kind=EMPTY_FILE,
        )
    utf16 = textcheck.utf16_problem(table.where, raw)
    if utf16:
        return utf16
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _not_utf8(table, raw)
    return None


def _read_rows(table: Table, text: str) -> list[Problem]:
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    end = 0
    for number, cells in enumerate(reader, start=1):
        start, end = end + 1, reader.line_num
        table.lines[number] = start
        if number == 1:
            table.header = cells
            separator = _wrong_separator(table)
            if separator:
                table.readable = False
                return [separator]
            problems += _header_problems(table)
        elif not any(c.strip() for c in cells):
            table.broken_rows.add(number)
            problems.append(
                Problem(
                    table.where,
                    "empty row",
                    row=number,
                    line=start,
                    expected="no empty rows between or after the data (delete the line)",
                    kind=EMPTY_ROW,
                )
            )
        elif len(cells) != len(table.header):
            table.broken_rows.add(number)
            problems.append(_row_problem(table, number, start, end, cells, lines))
        else:
            table.rows.append((number, start, cells))
    return problems


def read_table(resource: dict, raw: bytes | None) -> tuple[Table, list[Problem]]:
    """The file of `resource` (its bytes, None if there is no file) as a person's editor shows
    it, and the problems with its structure."""
    table = Table(resource["name"], f"data/{resource['path']}", resource["schema"])
    unreadable = _unreadable(table, raw)
    if unreadable:
        table.readable = False
        return table, [unreadable]
    return table, _read_rows(table, raw.decode("utf-8-sig"))
