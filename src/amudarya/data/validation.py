"""Validate the data package, and say what is wrong where a person editing the CSV files finds it.

Three passes; every problem any of them finds is reported together:

1. `structure`: each file read the way a person's editor shows it (there, not empty, UTF-8, the
   schema's columns, as many fields in each row as in the header). A file that cannot be read
   as a table (missing, empty, not UTF-8, wrong separator) stops here.
2. `schemacheck`: Frictionless checks types, constraints, keys and references, matching
   columns by name, on every file that could be read.
3. `rules`: what the schema cannot state (a date that does not match its precision, ...), on
   the tables as the one typed loader (`casting`) reads them.

Rows are counted as a spreadsheet shows them (the header is row 1); where a quoted field spans
lines, the line a text editor shows is given as well.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from amudarya.data import casting, rules, textcheck
from amudarya.data.errors import Problem
from amudarya.data.kinds import BAD_DESCRIPTOR, KINDS
from amudarya.data.structure import Table, read_table

__all__ = ["KINDS", "Findings", "inspect"]

_DESCRIPTOR = "data/datapackage.json"


@dataclass(frozen=True)
class Findings:
    """Everything wrong with the data (`problems`: the data is not valid) and everything that is
    valid but probably not what the person meant (`warnings`)."""

    problems: list[Problem]
    warnings: list[Problem]


def _schema_problem(number: int, res: dict) -> Problem | None:
    """What keeps Frictionless from reading a resource's schema (a field type it does not know, a
    constraint its type cannot have), in Frictionless's words with the place named."""
    # Frictionless is imported where it is used: a build that finds the data already
    # validated (tables.check_once) and every run cached should not wait a third of a second for it.
    from frictionless import FrictionlessException, Schema

    try:
        Schema.from_descriptor(res["schema"])
    except FrictionlessException as exc:
        note = exc.error.note
    else:
        return None
    return Problem(
        _DESCRIPTOR,
        f"{BAD_DESCRIPTOR}: the schema of resource {number} ('{res['name']}'): {note}",
        field="resources",
        expected="a schema as the Table Schema standard describes it",
        kind=BAD_DESCRIPTOR,
    )


def _descriptor_problems(descriptor: dict) -> list[Problem]:
    """What keeps the descriptor itself from describing the tables (a hand edit gone wrong)."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return [
            Problem(
                _DESCRIPTOR,
                f"{BAD_DESCRIPTOR}: no list of resources",
                field="resources",
                expected="a 'resources' list with one entry per table",
                kind=BAD_DESCRIPTOR,
            )
        ]
    problems = []
    for number, res in enumerate(resources, start=1):
        fields = (res.get("schema") or {}).get("fields") if isinstance(res, dict) else None
        if not (
            isinstance(res, dict)
            and res.get("name")
            and res.get("path")
            and isinstance(fields, list)
            and all(isinstance(f, dict) and f.get("name") for f in fields)
        ):
            problems.append(
                Problem(
                    _DESCRIPTOR,
                    f"{BAD_DESCRIPTOR}: resource {number} lacks a name, a path or a schema whose fields all have names",
                    field="resources",
                    value=res.get("name") if isinstance(res, dict) else res,
                    expected="name, path and schema.fields for every table",
                    kind=BAD_DESCRIPTOR,
                )
            )
        else:
            problems += [p for p in [_schema_problem(number, res)] if p]
    return problems


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


def _in_file_order(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """By file (in the descriptor's order), row, line and column."""
    by_where = {t.where: t for t in tables.values()}
    order = {where: i for i, where in enumerate(by_where)}

    def key(p: Problem):
        table = by_where.get(p.where)
        column = table.header.index(p.field) if table and p.field in table.header else -1
        return (order.get(p.where, len(order)), p.row or 0, p.line or 0, column)

    return sorted(problems, key=key)


def _cell_problems(folder: Path, descriptor: dict, tables: dict[str, Table]) -> list[Problem]:
    """The schema check's problems and the text check's, each cell said once."""
    from amudarya.data import schemacheck  # imports Frictionless; see _schema_problem

    problems = schemacheck.problems(folder, descriptor, tables)
    # A control character or a space around a code is what is wrong with its cell; what the
    # type and reference checks say about the same cell would only send a person looking elsewhere.
    text = [p for t in tables.values() if t.readable for p in textcheck.problems(t)]
    flagged = {(p.where, p.row, p.field) for p in text}
    return [p for p in problems if (p.where, p.row, p.field) not in flagged] + text


def _with_lines(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """Each problem of a row with the line its row starts on."""
    by_where = {t.where: t for t in tables.values()}
    return [
        replace(p, line=by_where[p.where].lines.get(p.row)) if p.where in by_where and p.row and not p.line else p
        for p in problems
    ]


def _frame(folder: Path, resource: dict, raw: bytes, table: Table) -> pd.DataFrame:
    # The same typed table the loader reads (casting.remembered): what validation types, a
    # build that then loads the package does not type again.
    frame = casting.remembered(folder, resource, raw)
    # Rules that count rows across tables (a dispute's claims) cannot trust a table with rows
    # left out; they skip it rather than report the gap as a problem of their own.
    frame.attrs["incomplete"] = bool(table.broken_rows)
    return frame


def inspect(folder: Path, descriptor: dict) -> Findings:
    """Every problem with the data package in `folder`, and every warning."""
    broken = _descriptor_problems(descriptor)
    if broken:
        return Findings(broken, [])
    tables: dict[str, Table] = {}
    raws: dict[str, bytes] = {}
    problems: list[Problem] = []
    for res in descriptor["resources"]:
        path = folder / res["path"]
        raw = raws[res["name"]] = path.read_bytes() if path.is_file() else None
        tables[res["name"]], found = read_table(res, raw)
        problems += found
    problems = _with_lines(problems + _cell_problems(folder, descriptor, tables), tables)
    resources = {res["name"]: res for res in descriptor["resources"]}
    frames = {name: _frame(folder, resources[name], raws[name], t) for name, t in tables.items() if t.complete}
    # A cell the schema check rejected reads as empty to the rules; what they would say about
    # its row is a consequence, so it waits until the row is fixed.
    reported = {(p.where, p.row) for p in problems if p.row}
    problems += [
        p for p in _place_rule_problems(rules.check(frames, descriptor), tables) if (p.where, p.row) not in reported
    ]
    warnings = _place_rule_problems(rules.warnings(frames, descriptor), tables)
    return Findings(_in_file_order(problems, tables), _in_file_order(warnings, tables))
