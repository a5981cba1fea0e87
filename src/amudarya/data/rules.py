"""Rules across fields and rows that a Frictionless schema cannot state.

Each rule takes the typed tables and returns Problems; `check` runs them all so that a
person sees every problem in one go.
"""

from __future__ import annotations

import re

import pandas as pd

from amudarya.data.claims import CLAIM_TABLES, claim_rows
from amudarya.data.errors import Problem

# Kinds of problem (Problem.kind) the rules report; data/README.md explains each.
PRECISION = "date does not match its precision"
PERIOD = "period out of order"
RANGE = "range out of order"
NO_UNIT = "quantity without unit"
NO_FIGURE = "no figure"
DISPUTE = "incomplete dispute"
MARKUP = "markup in text"
KIN_NAMES = "incomplete kin names"
KINDS = (PRECISION, PERIOD, RANGE, NO_FIGURE, NO_UNIT, DISPUTE, KIN_NAMES, MARKUP)

# A data row's line in its file, as a person counts it: the header is row 1.
_FIRST_ROW = 2


def _where(descriptor: dict, table: str) -> str:
    for res in descriptor["resources"]:
        if res["name"] == table:
            return f"data/{res['path']}"
    return f"data/{table}.csv"


def _precision_mismatches(frame: pd.DataFrame, date_col: str, precision_col: str) -> pd.Series:
    dates = frame[date_col]
    precision = frame[precision_col]
    month_bad = (precision == "month") & (dates.dt.day != 1)
    year_bad = (precision == "year") & ((dates.dt.day != 1) | (dates.dt.month != 1))
    # A date that is not a date was reported by the schema check; here it is no mismatch.
    return (month_bad | year_bad).fillna(False) & dates.notna()


def _flagged(
    descriptor: dict,
    table: str,
    frame: pd.DataFrame,
    mask: pd.Series,
    kind: str,
    *,
    message,
    field: str,
    expected,
    value=None,
) -> list[Problem]:
    """One Problem for each row of `frame` where `mask` holds. `message`, `expected` and `value`
    are text, or functions of the row for those that quote its other fields."""

    def text(part, row):
        return part(row) if callable(part) else part

    where = _where(descriptor, table)
    return [
        Problem(
            where,
            text(message, row),
            row=int(idx) + _FIRST_ROW,
            field=field,
            value=text(value, row),
            expected=text(expected, row),
            kind=kind,
        )
        for idx, row in frame[mask.to_numpy(dtype=bool)].iterrows()
    ]


def _day(column: str):
    return lambda row: row[column].strftime("%Y-%m-%d")


def date_precision(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    """A date of month (year) precision is written as the first day of that month (year)."""

    def first(row):
        return "first day of the month" if row["date_precision"] == "month" else "1 January of the year"

    problems = []
    for table in ("events", "people"):
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        problems += _flagged(
            descriptor,
            table,
            frame,
            _precision_mismatches(frame, "date", "date_precision"),
            PRECISION,
            message=lambda row: f"date does not match its precision: the precision is '{row['date_precision']}'",
            field="date",
            value=_day("date"),
            expected=lambda row: f"the {first(row)}, or date_precision 'day'",
        )
    return problems


def periods(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    """A period ends on or after its start; a range's high end is not below its low end."""
    return _trade_periods(tables.get("trade"), descriptor) + _people_periods(tables.get("people"), descriptor)


def _trade_periods(trade: pd.DataFrame | None, descriptor: dict) -> list[Problem]:
    # A trade row's figure and its unit are checked here too: they are the other half of what
    # a trade row measures, over its period.
    if trade is None or trade.empty:
        return []
    return (
        _flagged(
            descriptor,
            "trade",
            trade,
            (trade["period_end"] < trade["period_start"]).fillna(False),
            PERIOD,
            message="period out of order: the period ends before it starts",
            field="period_end",
            value=_day("period_end"),
            expected=lambda row: f"a date on or after period_start {row['period_start']:%Y-%m-%d}",
        )
        + _flagged(
            descriptor,
            "trade",
            trade,
            trade["value_usd"].isna() & trade["quantity"].isna(),
            NO_FIGURE,
            message="no figure: the row has neither a value in USD nor a quantity",
            field="value_usd",
            expected="a number in value_usd, or quantity and quantity_unit",
        )
        + _flagged(
            descriptor,
            "trade",
            trade,
            trade["quantity"].notna() & trade["quantity_unit"].isna(),
            NO_UNIT,
            message="quantity without unit: a quantity needs its unit",
            field="quantity_unit",
            expected="one of the units listed for quantity_unit in data/datapackage.json",
        )
    )


def _people_periods(people: pd.DataFrame | None, descriptor: dict) -> list[Problem]:
    if people is None or people.empty:
        return []
    return _flagged(
        descriptor,
        "people",
        people,
        (people["value_high"] < people["value"]).fillna(False),
        RANGE,
        message="range out of order: the high end of the range is below its low end",
        field="value_high",
        value=lambda row: row["value_high"],
        expected=lambda row: f"a number of at least {row['value']:g}",
    ) + _flagged(
        descriptor,
        "people",
        people,
        (people["period_start"] > people["date"]).fillna(False),
        PERIOD,
        message="period out of order: the period starts after the date it ends on",
        field="period_start",
        value=_day("period_start"),
        expected=lambda row: f"a date on or before {row['date']:%Y-%m-%d}",
    )


def dispute_claims(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    """A dispute has at least two claims, and its preferred claim is one of them."""
    disputes = tables.get("disputes")
    if disputes is None or disputes.empty:
        return []
    if any(table not in tables or tables[table].attrs.get("incomplete") for table in CLAIM_TABLES):
        return []  # a claim table could not be read whole: its own problems are reported instead
    members: dict[str, set] = {d: set() for d in disputes["dispute_id"]}
    for table, frame in claim_rows(tables).items():
        for dispute_id, row_id in zip(frame["dispute_id"], frame[CLAIM_TABLES[table][0]], strict=True):
            if dispute_id in members:
                members[dispute_id].add(row_id)
    problems = []
    for idx, row in disputes.iterrows():
        found = members[row["dispute_id"]]
        if len(found) < 2:
            problems.append(
                _incomplete(
                    descriptor,
                    idx,
                    row,
                    f"a dispute needs at least two claims; {len(found)} row(s) carry this dispute_id",
                    "dispute_id",
                    "rows in events, trade, people or claims with this dispute_id, one per source",
                )
            )
        if pd.notna(row["preferred_id"]) and row["preferred_id"] not in found:
            problems.append(
                _incomplete(
                    descriptor,
                    idx,
                    row,
                    "the preferred claim is not one of this dispute's claims",
                    "preferred_id",
                    "one of " + (", ".join(sorted(found)) or "its claims (none found)"),
                )
            )
    return problems


def _incomplete(descriptor: dict, idx, row: pd.Series, what: str, field: str, expected: str) -> Problem:
    return Problem(
        _where(descriptor, "disputes"),
        f"incomplete dispute: {what}",
        row=int(idx) + _FIRST_ROW,
        field=field,
        value=row[field],
        expected=expected,
        kind=DISPUTE,
    )


def kin_names(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    """The words a chapter uses for a state's kin (countries.csv) cite the source that uses
    them, and the plural comes with its adjective: the chapter needs both or neither."""
    countries = tables.get("countries")
    words = ("kin_name", "kin_adjective", "kin_programme")
    if countries is None or countries.empty or not set(words + ("kin_source_id",)) <= set(countries.columns):
        return []
    problems = []
    for idx, row in countries.iterrows():
        given = [w for w in words if pd.notna(row[w])]
        if given and pd.isna(row["kin_source_id"]):
            problems.append(
                Problem(
                    _where(descriptor, "countries"),
                    f"{KIN_NAMES}: {' and '.join(given)} {'is' if len(given) == 1 else 'are'} given without a source",
                    row=int(idx) + _FIRST_ROW,
                    field="kin_source_id",
                    expected="the source_id of a source that names them, or those fields left empty",
                    kind=KIN_NAMES,
                )
            )
        for have, lack in (("kin_name", "kin_adjective"), ("kin_adjective", "kin_name")):
            if pd.notna(row[have]) and pd.isna(row[lack]):
                problems.append(
                    Problem(
                        _where(descriptor, "countries"),
                        f"{KIN_NAMES}: {have} is given without {lack}",
                        row=int(idx) + _FIRST_ROW,
                        field=lack,
                        expected=f"the {'adjective' if lack == 'kin_adjective' else 'plural'} "
                        f"beside {have} '{row[have]}', or both left empty",
                        kind=KIN_NAMES,
                    )
                )
    return problems


# An HTML tag or character reference: the book shows text from the data as typed, so these
# would appear literally (escaped) rather than as formatting. Valid, but rarely what was meant.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?\s*>|&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def markup(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    """Text fields holding HTML: a warning, since the book shows it as text, never as markup."""
    problems = []
    for res in descriptor["resources"]:
        frame = tables.get(res["name"])
        if frame is None:
            continue
        for f in res["schema"]["fields"]:
            if f.get("type", "string") != "string" or {"enum", "pattern"} & set(f.get("constraints", {})):
                continue
            column = frame[f["name"]]
            problems += _flagged(
                descriptor,
                res["name"],
                frame,
                column.str.contains(_MARKUP, na=False),
                MARKUP,
                message="markup in text: this looks like HTML, which the book shows as typed, not as formatting",
                field=f["name"],
                value=lambda row, name=f["name"]: row[name],
                expected="plain text (the book never renders markup from the data)",
            )
    return problems


RULES = (date_precision, periods, dispute_claims, kin_names)
# Valid data that is probably not what was meant: reported, but the book still builds.
WARNINGS = (markup,)


def check(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(tables, descriptor))
    return problems


def warnings(tables: dict[str, pd.DataFrame], descriptor: dict) -> list[Problem]:
    found: list[Problem] = []
    for rule in WARNINGS:
        found.extend(rule(tables, descriptor))
    return found
