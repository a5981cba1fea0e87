"""Validate the data package, and say what is wrong where a person editing the CSV files finds it.

Three passes; every problem any of them finds is reported together:

1. Structure, read the way a person's editor shows the file: the file is there, is not empty,
   is UTF-8, its header has the schema's columns, and each row has as many fields as the header.
   A file that cannot be read as a table (missing, empty, not UTF-8, wrong separator) stops here.
2. Frictionless checks types, constraints, keys and references, matching columns by name, on
   every file that could be read; its reports are put into words here.
3. `rules.py`: what the schema cannot state (a date that does not match its precision, ...).

Rows are counted as a spreadsheet shows them (the header is row 1); where a quoted field spans
lines, the line a text editor shows is given as well.
"""

from __future__ import annotations

import copy
import csv
import difflib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pycountry

from amudarya.data import rules, textcheck
from amudarya.data.errors import Problem

# Kinds of problem (Problem.kind); data/README.md explains each under the same name.
MISSING_FILE = "missing file"
EMPTY_FILE = "empty file"
NOT_UTF8 = "not UTF-8"
WRONG_SEPARATOR = "wrong separator"
MISSING_COLUMN = "missing column"
UNEXPECTED_COLUMN = "unexpected column"
DUPLICATE_COLUMN = "duplicate column"
COLUMN_ORDER = "columns out of order"
EMPTY_ROW = "empty row"
WRONG_FIELD_COUNT = "wrong number of fields"
QUOTE = "broken quoting"
NOT_A_NUMBER = "not a number"
NOT_A_WHOLE_NUMBER = "not a whole number"
NOT_A_DATE = "not a date"
NOT_TRUE_FALSE = "not true or false"
EMPTY_REQUIRED = "empty required field"
OUT_OF_RANGE = "out of range"
NOT_ALLOWED = "not an allowed value"
WRONG_FORM = "wrong form"
WRONG_LENGTH = "wrong length"
DUPLICATE_KEY = "duplicate key"
UNKNOWN_REFERENCE = "unknown reference"
OTHER = "not valid"
BAD_DESCRIPTOR = "bad descriptor"
NOT_JSON = "not valid JSON"
KINDS = (MISSING_FILE, EMPTY_FILE, NOT_UTF8, WRONG_SEPARATOR, MISSING_COLUMN, UNEXPECTED_COLUMN, DUPLICATE_COLUMN,
         COLUMN_ORDER, EMPTY_ROW, WRONG_FIELD_COUNT, QUOTE, NOT_A_NUMBER, NOT_A_WHOLE_NUMBER, NOT_A_DATE,
         NOT_TRUE_FALSE, EMPTY_REQUIRED, OUT_OF_RANGE, NOT_ALLOWED, WRONG_FORM, WRONG_LENGTH, DUPLICATE_KEY,
         UNKNOWN_REFERENCE, OTHER, BAD_DESCRIPTOR, NOT_JSON)

# Frictionless errors about the file's shape: the structure pass reports these itself, once and
# in words, so Frictionless's versions (one per cell of a shifted row) are dropped.
_STRUCTURAL = {
    "missing-label", "extra-label", "incorrect-label", "duplicate-label", "blank-label",
    "blank-header", "unmatched-header", "blank-row", "extra-cell", "missing-cell",
    "encoding-error", "source-error", "scheme-error", "format-error",
}


@dataclass
class Table:
    """One CSV file as the structure pass read it."""

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


# ---------------------------------------------------------------------------
# What valid looks like, in words


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_field(fdef: dict, table: Table | None = None) -> str:
    """What a valid value of a schema field looks like, in words; with `table`, a pattern is
    illustrated by a valid value from that file."""
    kind = fdef.get("type", "string")
    c = fdef.get("constraints", {})
    if "enum" in c:
        return "one of " + ", ".join(str(v) for v in c["enum"])
    text = {
        "date": "a date written YYYY-MM-DD",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
    }.get(kind, "text")
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        text += f" from {_number(low)} to {_number(high)}"
    elif low is not None:
        text += " greater than 0" if kind == "number" and 0 < low < 1e-6 else f" of at least {_number(low)}"
    elif high is not None:
        text += f" of at most {_number(high)}"
    if "minLength" in c or "maxLength" in c:
        text += f" of {c.get('minLength', 0)} to {c.get('maxLength', 'any number of')} characters"
    if "pattern" in c:
        text += f" matching {c['pattern']}"
        examples = [v for v in (table.column(fdef["name"]) if table else []) if v and re.fullmatch(c["pattern"], v)]
        if examples:
            text += f", like '{examples[0]}'"
    return text


def _suggest(value: str, choices, n: int = 1) -> str:
    """' (did you mean 'x'?)' when one of `choices` is close to `value`, else ''."""
    choices = [str(c) for c in choices]
    folded = {c.lower(): c for c in choices}
    if str(value).strip().lower() in folded:
        return f" (did you mean '{folded[str(value).strip().lower()]}'?)"
    close = difflib.get_close_matches(str(value), choices, n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# ---------------------------------------------------------------------------
# Pass 1: structure


def _not_utf8(table: Table, raw: bytes) -> Problem:
    bad_lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append((number, line))
    number, line = bad_lines[0]
    error = None
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = exc
    byte = line[error.start:error.end]
    guess = byte.decode("cp1252", errors="replace")
    more = f"; lines {', '.join(str(n) for n, _ in bad_lines[1:4])}{' and more' if len(bad_lines) > 4 else ''} too" if len(bad_lines) > 1 else ""
    return Problem(
        table.where,
        f"not UTF-8: byte 0x{byte.hex().upper()} cannot be read as UTF-8"
        f" (in the Windows-1252 encoding it is '{guess}'){more}",
        line=number,
        value=line.decode("utf-8", errors="replace").strip(),
        expected="the file saved as UTF-8 (Excel: Save As 'CSV UTF-8'; LibreOffice: character set 'Unicode (UTF-8)')",
        kind=NOT_UTF8,
    )


def _header_problems(table: Table) -> list[Problem]:
    names, header = table.names, table.header
    where = table.where
    full = ",".join(names)
    if len(header) == 1 and len(names) > 1:
        for sep, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header[0]:
                table.readable = False
                return [Problem(where, f"wrong separator: the fields are separated by {word}, not commas", row=1, line=1,
                                value=header[0], expected=f"a comma-separated header: {full}", kind=WRONG_SEPARATOR)]
    problems = []
    for name in dict.fromkeys(header):
        if header.count(name) > 1:
            problems.append(Problem(where, "duplicate column: the header names this column more than once", row=1, field=name,
                                    expected=f"each column once: {full}", kind=DUPLICATE_COLUMN))
    missing = [n for n in names if n not in header]
    extra = [h for h in dict.fromkeys(header) if h not in names]
    for name in missing:
        problems.append(Problem(where, "missing column: the header has no column of this name", row=1, field=name,
                                expected=f"the header {full}", kind=MISSING_COLUMN))
    for name in extra:
        problems.append(Problem(where, "unexpected column: data/datapackage.json does not describe it", row=1,
                                field=name or "(a column with no name)",
                                expected="only the columns " + full + (_suggest(name, missing) if missing else ""),
                                kind=UNEXPECTED_COLUMN))
    if not problems and header != names:
        problems.append(Problem(where, "columns out of order: not in the order data/datapackage.json lists them", row=1,
                                value=",".join(header), expected=f"the header {full}", kind=COLUMN_ORDER))
    return problems


def _row_problem(table: Table, row: int, start: int, end: int, cells: list[str], lines: list[str]) -> Problem:
    """What is wrong with a row whose number of fields differs from the header's."""
    text = "\n".join(lines[start - 1:end])
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
        quote_error = None
    except csv.Error as exc:
        quote_error = str(exc)
    quoting = 'a field holding a comma, line break or double quote wrapped in double quotes, inner quotes doubled ("")'
    if quote_error and "end of data" in quote_error:
        return Problem(table.where,
                       f"broken quoting: a double quote opened in this row is never closed, so lines {start} to {end} "
                       "(the end of the file) were read as one row", row=row, line=start,
                       value=lines[start - 1], expected=quoting, kind=QUOTE)
    if quote_error:
        return Problem(table.where,
                       f"broken quoting: a double quote in this row does not open or close a field, so the row splits into "
                       f"{len(cells)} fields instead of {len(table.header)}", row=row, line=start,
                       value=lines[start - 1], expected=quoting, kind=QUOTE)
    n, m = len(cells), len(table.header)
    if n < m:
        lost = table.header[n:]
        detail = f"{n} fields where the header has {m}: no value for " + ", ".join(lost)
    else:
        detail = f"{n} fields where the header has {m}: {n - m} too many"
    if end > start:
        detail += f" (the row runs over lines {start} to {end}: is a double quote missing its partner?)"
    return Problem(table.where, f"wrong number of fields: {detail}", row=row, line=start,
                   value=",".join(cells[m:]) if n > m else None,
                   expected=f"{m} comma-separated fields; " + quoting, kind=WRONG_FIELD_COUNT)


def read_table(folder: Path, resource: dict) -> tuple[Table, list[Problem]]:
    """Read one CSV file as a person's editor shows it; the problems with its structure."""
    table = Table(resource["name"], f"data/{resource['path']}", resource["schema"])
    path = folder / resource["path"]
    full = ",".join(table.names)
    if not path.is_file():
        table.readable = False
        return table, [Problem(table.where, "missing file: data/datapackage.json lists it, but it is not there", expected=f"a CSV file at {table.where}, "
                               "as data/datapackage.json lists it", kind=MISSING_FILE)]
    raw = path.read_bytes()
    if not raw.strip():
        table.readable = False
        return table, [Problem(table.where, "empty file: not even a header", expected=f"the header {full}, then one line per row",
                               kind=EMPTY_FILE)]
    utf16 = textcheck.utf16_problem(table.where, raw)
    if utf16:
        table.readable = False
        return table, [utf16]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        table.readable = False
        return table, [_not_utf8(table, raw)]
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    end = 0
    for number, cells in enumerate(reader, start=1):
        start, end = end + 1, reader.line_num
        table.lines[number] = start
        if number == 1:
            table.header = cells
            problems += _header_problems(table)
            if not table.readable:
                return table, problems
            continue
        if not any(c.strip() for c in cells):
            table.broken_rows.add(number)
            problems.append(Problem(table.where, "empty row", row=number, line=start,
                                    expected="no empty rows between or after the data (delete the line)",
                                    kind=EMPTY_ROW))
        elif len(cells) != len(table.header):
            table.broken_rows.add(number)
            problems.append(_row_problem(table, number, start, end, cells, lines))
        else:
            table.rows.append((number, start, cells))
    return table, problems


# ---------------------------------------------------------------------------
# Pass 2: Frictionless


def _frictionless_errors(folder: Path, descriptor: dict, tables: dict[str, Table]):
    """Validate the readable files with Frictionless, matching columns by name."""
    # Imported here: frictionless is slow to import and only validation needs it.
    from frictionless import Package, system

    usable = {name for name, t in tables.items() if t.readable}
    desc = copy.deepcopy(descriptor)
    desc["resources"] = [r for r in desc["resources"] if r["name"] in usable]
    for res in desc["resources"]:
        header = set(tables[res["name"]].header)
        schema = res["schema"]
        # A reference into a file that could not be read, or from a column that is not there,
        # would only repeat a problem already reported.
        schema["foreignKeys"] = [
            fk for fk in schema.get("foreignKeys", [])
            if fk["reference"]["resource"] in usable and set(fk["fields"]) <= header
            and set(fk["reference"]["fields"]) <= set(tables[fk["reference"]["resource"]].header)
        ]
        if not set(schema.get("primaryKey", [])) <= header:
            schema.pop("primaryKey", None)
        # Columns are matched by name, tolerating missing and extra ones: the structure pass
        # reports those once, and every row is still checked.
        schema["fieldsMatch"] = "partial"
    if not desc["resources"]:
        return []
    with system.use_context(trusted=False):
        report = Package(desc, basepath=str(folder)).validate()
    return [(task.name, err) for task in report.tasks for err in task.errors] + [(None, e) for e in report.errors]


_REFERENCE = re.compile(r'for "([^"]+)": values "([^"]*)" not found in the lookup table "([^"]+)" as "([^"]+)"')
_POSITION = re.compile(r"row at position (\d+)")


def _type_problem(fdef: dict, value: str) -> tuple[str, str, str]:
    """(kind, message, expected) for a value that is not of its field's type."""
    kind = fdef.get("type")
    expected = describe_field(fdef)
    if kind == "date":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return NOT_A_DATE, "not a date: there is no such day in the calendar", expected
        if re.fullmatch(r"\d{4}(-\d{2})?", value):
            return (NOT_A_DATE, "not a date: a month or a year alone is not a day", expected +
                    ", the first day of the month or year with date_precision month or year")
        return NOT_A_DATE, "not a date", expected + ", e.g. 2021-08-15"
    if kind in {"number", "integer"}:
        digits = re.sub(r"[\s,]", "", value)
        hint = ""
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", digits):
            hint = "; write digits only, without thousands separators or spaces"
            if kind == "integer" and "." in digits:
                hint = ""
        elif re.search(r"\d", value):
            hint = "; write digits only, without currency, units or words (money in US dollars, not millions)"
        if kind == "integer":
            return NOT_A_WHOLE_NUMBER, "not a whole number", expected + hint
        return NOT_A_NUMBER, "not a number", expected + hint
    if kind == "boolean":
        return NOT_TRUE_FALSE, "not true or false", expected
    return OTHER, f"{OTHER}: not a valid {kind}", expected


def _constraint_problem(fdef: dict, value: str, note: str, table: Table) -> tuple[str, str, str]:
    c = fdef.get("constraints", {})
    rule = (re.search(r'constraint "(\w+)"', note) or [None, ""])[1]
    expected = describe_field(fdef, table)
    if rule == "required":
        return EMPTY_REQUIRED, "empty required field: this field must have a value", expected
    if rule in {"minimum", "exclusiveMinimum"}:
        if 0 < c[rule] < 1e-6:  # "greater than zero", written as a tiny minimum
            return OUT_OF_RANGE, "out of range: not greater than 0", expected
        return OUT_OF_RANGE, f"out of range: below the minimum {_number(c[rule])}", expected
    if rule in {"maximum", "exclusiveMaximum"}:
        return OUT_OF_RANGE, f"out of range: above the maximum {_number(c[rule])}", expected
    if rule == "enum":
        return NOT_ALLOWED, "not an allowed value" + _suggest(value, c["enum"]), expected
    if rule in {"minLength", "maxLength"}:
        which = "too short" if rule == "minLength" else "too long"
        return WRONG_LENGTH, f"wrong length: {which} ({len(value)} characters)", expected
    if rule == "pattern":
        return WRONG_FORM, "wrong form: not written the way this field is", expected
    if rule == "unique":
        return DUPLICATE_KEY, "duplicate key: another row has the same value", "a value no other row has"
    return OTHER, f"{OTHER}: breaks the rule {rule}", expected


def _country_hint(value: str, known: list[str]) -> str:
    """' (did you mean 'KAZ'?)' for a country written by name or by another kind of code."""
    try:
        code = pycountry.countries.lookup(value).alpha_3
    except LookupError:
        return ""
    return f" (did you mean '{code}'?)" if code != value else ""


def _reference_problem(table: Table, err, tables: dict[str, Table]) -> Problem | None:
    m = _REFERENCE.search(err.note or "")
    if not m:
        return None
    field_name, value, target, target_field = m.groups()
    target_table = tables[target]
    known = sorted(set(target_table.column(target_field)))
    expected = f"{_a(target_field)} listed in {target_table.where}"
    if 0 < len(known) <= 15:
        expected += ": " + ", ".join(known)
    if target == "countries":
        expected += _country_hint(value, known)
    elif len(known) > 15:
        expected += _suggest(value, known)
    if target_table.where != table.where:
        expected += "; a new one needs its own row there first"
    return Problem(table.where, f"unknown reference: no row of {target_table.where} has this {target_field}",
                   row=err.row_number, field=field_name, value=value, expected=expected, kind=UNKNOWN_REFERENCE)


def _note(err) -> str:
    return f"{err.title.rstrip('.')}: {err.note}" if err.note else err.title.rstrip(".")


def frictionless_problems(folder: Path, descriptor: dict, tables: dict[str, Table]) -> list[Problem]:
    """Frictionless's reports on the readable files, in words, one per wrong cell or row."""
    structural_found = any(not t.readable or t.broken_rows for t in tables.values())
    problems: list[Problem] = []
    keys_seen: set[tuple[str, int]] = set()
    for name, err in _frictionless_errors(folder, descriptor, tables):
        table = tables.get(name)
        row = getattr(err, "row_number", None)
        if table is None:
            problems.append(Problem("data/datapackage.json", f"{OTHER}: {_note(err)}", kind=OTHER))
            continue
        if err.type in _STRUCTURAL or row in table.broken_rows:
            if structural_found or err.type in {"missing-label", "extra-label", "incorrect-label",
                                                 "duplicate-label", "blank-label", "unmatched-header"}:
                continue
            problems.append(Problem(table.where, f"{OTHER}: {_note(err)}", row=row, kind=OTHER))
            continue
        field_name = getattr(err, "field_name", None) or None
        fdef = next((f for f in table.schema["fields"] if f["name"] == field_name), None)
        value = getattr(err, "cell", None)
        if err.type == "foreign-key":
            problem = _reference_problem(table, err, tables)
            if problem:
                problems.append(problem)
                continue
        if err.type in {"primary-key", "unique-error"}:
            key = table.schema.get("primaryKey", [])
            if err.type == "unique-error" and key != [field_name]:
                kind, message, expected = _constraint_problem(fdef, value, 'constraint "unique"', table)
                problems.append(Problem(table.where, message, row=row, field=field_name, value=value,
                                        expected=expected, kind=kind))
                continue
            if (table.name, row) in keys_seen:  # Frictionless reports a key twice: as key, as unique
                continue
            keys_seen.add((table.name, row))
            other = _POSITION.search(err.note or "")
            cells = dict(zip(table.header, getattr(err, "cells", None) or [], strict=False))
            if not any(cells.get(k) for k in key):
                continue  # an empty key: reported as an empty required field
            label = ", ".join(key)
            value = " / ".join(cells.get(k, "") for k in key)
            problems.append(Problem(
                table.where,
                f"duplicate key: row {other.group(1)} has the same {label}" if other else f"duplicate key {label}",
                row=row, field=label, value=value,
                expected=f"{_a(label)} that no other row of {table.where} has", kind=DUPLICATE_KEY,
            ))
            continue
        if err.type == "type-error" and fdef:
            kind, message, expected = _type_problem(fdef, value)
        elif err.type == "constraint-error" and fdef:
            kind, message, expected = _constraint_problem(fdef, value or "", err.note or "", table)
        else:
            kind, message, expected = OTHER, f"{OTHER}: {_note(err)}", describe_field(fdef) if fdef else None
        problems.append(Problem(table.where, message, row=row, field=field_name, value=value,
                                expected=expected, kind=kind))
    return problems


# ---------------------------------------------------------------------------
# Pass 3: the rules, and putting it together


@dataclass(frozen=True)
class Findings:
    """Everything wrong with the data (`problems`: the data is not valid) and everything that is
    valid but probably not what the person meant (`warnings`)."""

    problems: list[Problem]
    warnings: list[Problem]


def _frame(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame([cells for _, _, cells in table.rows], columns=table.header, dtype="string")[table.names]
    # Rules that count rows across tables (a dispute's claims) cannot trust a table with rows
    # left out; they skip it rather than report the gap as a problem of their own.
    frame.attrs["incomplete"] = bool(table.broken_rows)
    return frame


def _place_rule_problems(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """Rules count a row as its position among the data rows + 2; give it the row and line a person
    sees in the file (blank rows and rows that could not be read are not among the data rows)."""
    by_where = {t.where: t for t in tables.values()}
    placed = []
    for p in problems:
        table = by_where.get(p.where)
        if table is not None and p.row is not None and 0 <= p.row - 2 < len(table.rows):
            row, line, _ = table.rows[p.row - 2]
            p = replace(p, row=row, line=line)
        placed.append(p)
    return placed


def _sort_key(order: dict[str, int], tables: dict[str, Table]):
    by_where = {t.where: t for t in tables.values()}

    def key(p: Problem):
        table = by_where.get(p.where)
        column = table.header.index(p.field) if table and p.field in table.header else -1
        return (order.get(p.where, len(order)), p.row or 0, p.line or 0, column)

    return key


def _descriptor_problems(descriptor: dict) -> list[Problem]:
    """What keeps the descriptor itself from describing the tables (a hand edit gone wrong)."""
    problems = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return [Problem("data/datapackage.json", f"{BAD_DESCRIPTOR}: no list of resources", field="resources",
                        expected="a 'resources' list with one entry per table", kind=BAD_DESCRIPTOR)]
    for number, res in enumerate(resources, start=1):
        fields = (res.get("schema") or {}).get("fields") if isinstance(res, dict) else None
        if not (isinstance(res, dict) and res.get("name") and res.get("path") and isinstance(fields, list)
                and all(isinstance(f, dict) and f.get("name") for f in fields)):
            problems.append(Problem("data/datapackage.json",
                                    f"{BAD_DESCRIPTOR}: resource {number} lacks a name, a path or a schema whose "
                                    "fields all have names", field="resources",
                                    value=res.get("name") if isinstance(res, dict) else res,
                                    expected="name, path and schema.fields for every table", kind=BAD_DESCRIPTOR))
    return problems


def inspect(folder: Path, descriptor: dict, typed) -> Findings:
    """Every problem with the data package in `folder`, and every warning; `typed(frame, fields)`
    turns a table of text into typed columns (data._typed)."""
    broken = _descriptor_problems(descriptor)
    if broken:
        return Findings(broken, [])
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for res in descriptor["resources"]:
        table, found = read_table(folder, res)
        tables[res["name"]] = table
        problems += found
    problems += frictionless_problems(folder, descriptor, tables)
    # A control character or a space around a code is what is wrong with its cell; what the
    # type and reference checks say about the same cell would only send a person looking elsewhere.
    text = [p for t in tables.values() if t.readable for p in textcheck.problems(t)]
    flagged = {(p.where, p.row, p.field) for p in text}
    problems = [p for p in problems if (p.where, p.row, p.field) not in flagged] + text
    by_where = {t.where: t for t in tables.values()}
    problems = [
        replace(p, line=by_where[p.where].lines.get(p.row)) if p.where in by_where and p.row and not p.line else p
        for p in problems
    ]
    frames = {}
    for name, t in tables.items():
        if t.complete:
            text = _frame(t)
            frames[name] = typed(text, t.schema["fields"])
            frames[name].attrs.update(text.attrs)
    # A cell the schema check rejected reads as empty to the rules; what they would say about
    # its row is a consequence, so it waits until the row is fixed.
    reported = {(p.where, p.row) for p in problems if p.row}
    problems += [p for p in _place_rule_problems(rules.check(frames, descriptor), tables)
                 if (p.where, p.row) not in reported]
    warnings = _place_rule_problems(rules.warnings(frames, descriptor), tables)
    order = {t.where: i for i, t in enumerate(tables.values())}
    return Findings(sorted(problems, key=_sort_key(order, tables)), sorted(warnings, key=_sort_key(order, tables)))
