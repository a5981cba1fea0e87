"""The second pass: Frictionless checks types, constraints, keys and references on every file the
first pass could read, and each error it finds is put into words here.

Each message is built from the error's own fields (its type, row number, field name, cell, and
for a reference the table and fields it looked in) and from the schema, never from the English
of Frictionless's message, which changes between releases and languages.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pycountry
from frictionless import Field, FrictionlessException, Package, system

from amudarya.data import keys
from amudarya.data.errors import Problem
from amudarya.data.kinds import (
    DUPLICATE_KEY,
    EMPTY_REQUIRED,
    NOT_A_DATE,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_ALLOWED,
    NOT_TRUE_FALSE,
    OTHER,
    OUT_OF_RANGE,
    UNKNOWN_REFERENCE,
    WRONG_FORM,
    WRONG_LENGTH,
)
from amudarya.data.structure import Table
from amudarya.data.wording import a, describe_field, number, suggest

# Frictionless errors about the file's shape: the structure pass reports these itself, once and
# in words, so Frictionless's versions (one per cell of a shifted row) are dropped.
_STRUCTURAL = {
    "missing-label",
    "extra-label",
    "incorrect-label",
    "duplicate-label",
    "blank-label",
    "blank-header",
    "unmatched-header",
    "blank-row",
    "extra-cell",
    "missing-cell",
    "encoding-error",
    "source-error",
    "scheme-error",
    "format-error",
}
# Of those, the header's: the structure pass always says what is wrong with a header.
_HEADER = {"missing-label", "extra-label", "incorrect-label", "duplicate-label", "blank-label", "unmatched-header"}
# A list of valid values is given in full up to this length; longer, the closest one is suggested.
_LISTED = 15


def _checked_descriptor(descriptor: dict, tables: dict[str, Table]) -> dict:
    """The descriptor cut to the readable files, and to the keys and references their headers allow."""
    usable = {name for name, t in tables.items() if t.readable}
    desc = copy.deepcopy(descriptor)
    desc["resources"] = [r for r in desc["resources"] if r["name"] in usable]
    for res in desc["resources"]:
        header = set(tables[res["name"]].header)
        schema = res["schema"]
        # A reference into a file that could not be read, or from a column that is not there,
        # would only repeat a problem already reported.
        schema["foreignKeys"] = [
            fk
            for fk in schema.get("foreignKeys", [])
            if fk["reference"]["resource"] in usable
            and set(fk["fields"]) <= header
            and set(fk["reference"]["fields"]) <= set(tables[fk["reference"]["resource"]].header)
        ]
        if not set(schema.get("primaryKey", [])) <= header:
            schema.pop("primaryKey", None)
        # Columns are matched by name, tolerating missing and extra ones: the structure pass
        # reports those once, and every row is still checked.
        schema["fieldsMatch"] = "partial"
    return desc


def frictionless_errors(folder: Path, descriptor: dict, tables: dict[str, Table]) -> list[tuple[str | None, object]]:
    """(resource name, error) for everything Frictionless finds in the readable files; the name
    is None for an error of the package itself.

    Each table is checked on its own, in the package, so that its references are looked up;
    one that passed cleanly is remembered by `_table_key`, and not checked again until it or a
    table it refers to changes: after an edit to one file, only that file and the tables that
    refer to it are read again (Frictionless is most of the time a check takes)."""
    desc = _checked_descriptor(descriptor, tables)
    if not desc["resources"]:
        return []
    seen = keys.Marks(folder.resolve().parent, "valid-table")
    code = keys.digest(keys.FORMAT, keys.code_digest(), keys.versions(("frictionless",)))
    found = []
    # Untrusted: the descriptor is data a person edits, and may not point outside data/.
    with system.use_context(trusted=False):
        package = Package(desc, basepath=str(folder))
        try:
            package.to_descriptor(validate=True)
        except FrictionlessException as exc:  # as Package.validate() reports a bad descriptor
            return [(None, e) for e in exc.to_errors()]
        for res, resource in zip(desc["resources"], package.resources, strict=True):
            key = _table_key(folder, desc, res, code)
            if key in seen:
                continue
            report = resource.validate()
            errors = [(task.name, e) for task in report.tasks for e in task.errors] + [(None, e) for e in report.errors]
            if not errors:
                seen.add(key)
            found += errors
    return found


def _table_key(folder: Path, desc: dict, res: dict, code: str) -> str:
    """What Frictionless's verdict on one table depends on: its schema and bytes, those of every
    table its foreign keys refer to, this package's code and Frictionless's version."""
    by_name = {r["name"]: r for r in desc["resources"]}
    referred = sorted({fk["reference"]["resource"] or res["name"] for fk in res["schema"]["foreignKeys"]})
    parts = []
    for r in [res] + [by_name[name] for name in referred if name != res["name"]]:
        parts += [json.dumps(r, sort_keys=True), (folder / r["path"]).read_bytes()]
    return keys.digest(code, *parts)


def _note(err) -> str:
    """Frictionless's own words, for an error this module has no words of its own for."""
    return f"{err.title.rstrip('.')}: {err.note}" if err.note else err.title.rstrip(".")


# ---------------------------------------------------------------------------
# A cell: its type, its constraints


def _date_problem(fdef: dict, value: str) -> tuple[str, str, str]:
    expected = describe_field(fdef)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return NOT_A_DATE, "not a date: there is no such day in the calendar", expected
    if re.fullmatch(r"\d{4}(-\d{2})?", value):
        return (
            NOT_A_DATE,
            "not a date: a month or a year alone is not a day",
            expected + ", the first day of the month or year with date_precision month or year",
        )
    return NOT_A_DATE, "not a date", expected + ", e.g. 2021-08-15"


def _number_problem(fdef: dict, value: str) -> tuple[str, str, str]:
    whole = fdef.get("type") == "integer"
    digits = re.sub(r"[\s,]", "", value)
    hint = ""
    if re.fullmatch(r"[-+]?\d+(\.\d+)?", digits):
        # Digits with separators between them; a decimal in a whole-number field is no such case.
        hint = "" if whole and "." in digits else "; write digits only, without thousands separators or spaces"
    elif re.search(r"\d", value):
        hint = "; write digits only, without currency, units or words (money in US dollars, not millions)"
    if whole:
        return NOT_A_WHOLE_NUMBER, "not a whole number", describe_field(fdef) + hint
    return NOT_A_NUMBER, "not a number", describe_field(fdef) + hint


def _type_problem(fdef: dict, value: str) -> tuple[str, str, str]:
    """(kind, message, expected) for a value that is not of its field's type; the hints read
    the value, which is what the person typed."""
    kind = fdef.get("type")
    if kind == "date":
        return _date_problem(fdef, value)
    if kind in {"number", "integer"}:
        return _number_problem(fdef, value)
    if kind == "boolean":
        return NOT_TRUE_FALSE, "not true or false", describe_field(fdef)
    return OTHER, f"{OTHER}: not a valid {kind}", describe_field(fdef)


def broken_constraints(fdef: dict, value: str) -> list[str]:
    """The names of the constraints of `fdef` that `value` breaks, in the order Frictionless checks
    them: its own field reader says which, by name."""
    _, notes = Field.from_descriptor(fdef).create_cell_reader()(value)
    return [name for name in notes or {} if name != "type"]


def _constraint_problem(fdef: dict, rule: str, value: str, table: Table) -> tuple[str, str, str]:
    c = fdef.get("constraints", {})
    expected = describe_field(fdef, table.column(fdef["name"]))
    if rule == "required":
        return EMPTY_REQUIRED, "empty required field: this field must have a value", expected
    if rule in {"minimum", "exclusiveMinimum"}:
        if 0 < c[rule] < 1e-6:  # "greater than zero", written as a tiny minimum
            return OUT_OF_RANGE, "out of range: not greater than 0", expected
        return OUT_OF_RANGE, f"out of range: below the minimum {number(c[rule])}", expected
    if rule in {"maximum", "exclusiveMaximum"}:
        return OUT_OF_RANGE, f"out of range: above the maximum {number(c[rule])}", expected
    if rule == "enum":
        return NOT_ALLOWED, "not an allowed value" + suggest(value, c["enum"]), expected
    if rule in {"minLength", "maxLength"}:
        which = "too short" if rule == "minLength" else "too long"
        return WRONG_LENGTH, f"wrong length: {which} ({len(value)} characters)", expected
    if rule == "pattern":
        return WRONG_FORM, "wrong form: not written the way this field is", expected
    if rule == "unique":
        return DUPLICATE_KEY, "duplicate key: another row has the same value", "a value no other row has"
    return OTHER, f"{OTHER}: breaks the rule {rule}", expected


def _cell_problems(table: Table, err, seen: set) -> list[Problem]:
    """A type or constraint error, in words. Frictionless reports each broken constraint of a cell
    as an error of its own; the cell's first error says them all, in Frictionless's order."""
    fdef, value, row = table.field(err.field_name), err.cell, err.row_number
    if fdef is None:
        return [Problem(table.where, f"{OTHER}: {_note(err)}", row=row, field=err.field_name, value=value, kind=OTHER)]
    if err.type == "type-error":
        said = [_type_problem(fdef, value)]
    else:
        if (table.name, row, fdef["name"]) in seen:
            return []
        seen.add((table.name, row, fdef["name"]))
        said = [_constraint_problem(fdef, rule, value, table) for rule in broken_constraints(fdef, value)]
        said = said or [(OTHER, f"{OTHER}: {_note(err)}", describe_field(fdef))]
    return [
        Problem(table.where, message, row=row, field=fdef["name"], value=value, expected=expected, kind=kind)
        for kind, message, expected in said
    ]


# ---------------------------------------------------------------------------
# A row: its key, its references


def _earlier_row(table: Table, row: int, key: list[str]) -> int | None:
    """The nearest row above `row` with the same key: the one Frictionless compared it with."""
    index = [table.header.index(k) for k in key]
    mine = next(cells for number, _, cells in table.rows if number == row)
    same = [
        number
        for number, _, cells in table.rows
        if number < row and [cells[i] for i in index] == [mine[i] for i in index]
    ]
    return same[-1] if same else None


def _key_problems(table: Table, err, seen: set) -> list[Problem]:
    key = table.schema.get("primaryKey", [])
    row = err.row_number
    if err.type == "unique-error" and key != [err.field_name]:
        fdef = table.field(err.field_name)
        kind, message, expected = _constraint_problem(fdef, "unique", err.cell, table)
        return [
            Problem(table.where, message, row=row, field=err.field_name, value=err.cell, expected=expected, kind=kind)
        ]
    # Frictionless reports a one-field key twice, as key and as unique: said once.
    if (table.name, row, "key") in seen:
        return []
    seen.add((table.name, row, "key"))
    cells = dict(zip(table.header, next(c for n, _, c in table.rows if n == row), strict=True))
    if not any(cells.get(k) for k in key):
        return []  # an empty key: reported as an empty required field
    label = ", ".join(key)
    other = _earlier_row(table, row, key)
    return [
        Problem(
            table.where,
            f"duplicate key: row {other} has the same {label}"
            if other
            else f"duplicate key: another row has the same {label}",
            row=row,
            field=label,
            value=" / ".join(cells.get(k, "") for k in key),
            expected=f"{a(label)} that no other row of {table.where} has",
            kind=DUPLICATE_KEY,
        )
    ]


def _country_hint(value: str) -> str:
    """' (did you mean 'KAZ'?)' for a country written by name or by another kind of code."""
    try:
        code = pycountry.countries.lookup(value).alpha_3
    except LookupError:
        return ""
    return f" (did you mean '{code}'?)" if code != value else ""


def _reference_problem(table: Table, err, tables: dict[str, Table]) -> Problem:
    target = tables[err.reference_name or table.name]  # no name: a reference into its own table
    target_field = ", ".join(err.reference_field_names)
    value = " / ".join(err.field_cells)
    known = sorted({" / ".join(v) for v in zip(*(target.column(f) for f in err.reference_field_names), strict=True)})
    expected = f"{a(target_field)} listed in {target.where}"
    if 0 < len(known) <= _LISTED:
        expected += ": " + ", ".join(known)
    if target.name == "countries":
        expected += _country_hint(value)
    elif len(known) > _LISTED:
        expected += suggest(value, known)
    if target.where != table.where:
        expected += "; a new one needs its own row there first"
    return Problem(
        table.where,
        f"unknown reference: no row of {target.where} has this {target_field}",
        row=err.row_number,
        field=", ".join(err.field_names),
        value=value,
        expected=expected,
        kind=UNKNOWN_REFERENCE,
    )


# ---------------------------------------------------------------------------
# Every error


def _said(table: Table, err, tables: dict[str, Table], seen: set) -> list[Problem]:
    if err.type == "foreign-key":
        return [_reference_problem(table, err, tables)]
    if err.type in {"primary-key", "unique-error"}:
        return _key_problems(table, err, seen)
    if err.type in {"type-error", "constraint-error"}:
        return _cell_problems(table, err, seen)
    name = getattr(err, "field_name", None) or None
    fdef = table.field(name)
    return [
        Problem(
            table.where,
            f"{OTHER}: {_note(err)}",
            row=getattr(err, "row_number", None),
            field=name,
            value=getattr(err, "cell", None),
            expected=describe_field(fdef) if fdef else None,
            kind=OTHER,
        )
    ]


def problems(folder: Path, descriptor: dict, tables: dict[str, Table]) -> list[Problem]:
    """Frictionless's reports on the readable files, in words, one per wrong cell or row."""
    structural_found = any(not t.readable or t.broken_rows for t in tables.values())
    found: list[Problem] = []
    seen: set = set()
    for name, err in frictionless_errors(folder, descriptor, tables):
        table = tables.get(name)
        if table is None:
            found.append(Problem("data/datapackage.json", f"{OTHER}: {_note(err)}", kind=OTHER))
        elif err.type in _STRUCTURAL or getattr(err, "row_number", None) in table.broken_rows:
            # The structure pass said it in its own words; an error it has no words for is kept.
            if not structural_found and err.type not in _HEADER:
                found.append(
                    Problem(table.where, f"{OTHER}: {_note(err)}", row=getattr(err, "row_number", None), kind=OTHER)
                )
        else:
            found += _said(table, err, tables, seen)
    return found
