"""Where the data stop: for each of the five states and each table, how many rows there are
and the latest date they reach, computed from the data package alone.

A chapter states how current it is with `as_of_text`: the latest date any row about its
states reaches. Dates keep the precision the source gives ('January 2026', not a guessed day).
"""

from __future__ import annotations

import nbformat
import pandas as pd

from amudarya.domain.timeline import date_text, join_words, period_end

# What each table's latest date is, in words, for the coverage page.
TABLE_WORDS = {
    "events": "events",
    "trade": "trade figures",
    "people": "counts of people",
}


def states(package) -> pd.DataFrame:
    """The states the book follows: every `state` of countries.csv except Afghanistan."""
    countries = package["countries"]
    return countries[(countries["kind"] == "state") & (countries["iso3"] != "AFG")].reset_index(drop=True)


def _dated_rows(package) -> pd.DataFrame:
    """Every dated row of events, trade and people as (table, state, last day covered,
    date as text). A trade row belongs to both its reporter and its partner; a count of
    people to the country counted in and to the state whose kin it counts. Announced trade
    targets are left out."""
    # Only the columns read here are recorded as read: every chapter's 'data as of' line comes
    # from this, and a reworded event or a corrected figure must not make every chapter stale.
    parts = []
    ev = package.select("events", columns=["event_id", "country", "date", "date_precision"])
    parts.append(
        pd.DataFrame(
            {
                "table": "events",
                "row": ev["event_id"],
                "state": ev["country"],
                "end": [period_end(d, p) for d, p in zip(ev["date"], ev["date_precision"], strict=True)],
                "text": [date_text(d, p) for d, p in zip(ev["date"], ev["date_precision"], strict=True)],
            }
        )
    )
    # An announced target is a goal, not a figure for a period: it does not extend coverage.
    tr = package.select("trade", columns=["trade_id", "flow", "reporter", "partner", "period_end"])
    tr = tr[tr["flow"] != "target"]
    # A figure whose source gives no period is evidence of no date, so it extends nothing.
    tr = tr[tr["period_end"].notna()]
    end = tr["period_end"]
    for side in ("reporter", "partner"):
        parts.append(
            pd.DataFrame(
                {
                    "table": "trade",
                    "row": tr["trade_id"],
                    "state": tr[side],
                    "end": end,
                    "text": [date_text(d, "day") for d in end],
                }
            )
        )
    pe = package.select("people", columns=["record_id", "country", "kin_of", "date", "date_precision"])
    for side in ("country", "kin_of"):
        parts.append(
            pd.DataFrame(
                {
                    "table": "people",
                    "row": pe["record_id"],
                    "state": pe[side],
                    "end": pe["date"],
                    "text": [date_text(d, p) for d, p in zip(pe["date"], pe["date_precision"], strict=True)],
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True).dropna(subset=["state"])
    # A row counted through both sides for the same state is one row.
    return rows.drop_duplicates(subset=["table", "row", "state"]).reset_index(drop=True)


def by_state(package) -> pd.DataFrame:
    """One row per state and table: State, Table, Rows, Latest (the latest date reached, as
    text), and `latest` (the last day it covers, for sorting and tests). A state with no row
    in a table is listed with 0 rows and no date."""
    rows = _dated_rows(package)
    out = []
    for _, state in states(package).iterrows():
        for table, words in TABLE_WORDS.items():
            mine = rows[(rows["state"] == state["iso3"]) & (rows["table"] == table)]
            last = mine.sort_values("end").iloc[-1] if len(mine) else None
            out.append(
                {
                    "State": state["name"],
                    "iso3": state["iso3"],
                    "Table": words,
                    "Rows": len(mine),
                    "Latest": last["text"] if last is not None else "nothing recorded",
                    "latest": last["end"] if last is not None else pd.NaT,
                }
            )
    return pd.DataFrame(out)


def as_of(package, countries) -> pd.Series | None:
    """The row reaching latest among the events, trade figures and counts of people about
    `countries` (codes): its table, last day covered and date as text; None with no rows."""
    rows = _dated_rows(package)
    mine = rows[rows["state"].isin(list(countries))]
    if mine.empty:
        return None
    return mine.sort_values(["end", "table"]).iloc[-1]


def as_of_text(package, countries) -> str:
    """The 'data as of' line of a chapter: 'Data as of January 2026: the latest row about
    Kyrgyzstan in this book's data is a count of people.' Chapters glue it."""
    names = package["countries"].set_index("iso3")["name"]
    who = join_words(str(names.get(c, c)) for c in countries)
    last = as_of(package, countries)
    if last is None:
        return f"The data package holds no dated row about {who} yet."
    kind = {"events": "an event", "trade": "a trade figure", "people": "a count of people"}[last["table"]]
    return f"Data as of {last['text']}: the latest dated row about {who} is {kind}."


# Which states a chapter of each thread is about, read from its parameters; a thread not
# listed (front and back matter) is about no state in particular and carries no 'data as of' line.
CHAPTER_STATES = {
    "overview": lambda package, parameters: list(parameters.get("states") or states(package)["iso3"]),
    "policy": lambda package, parameters: [parameters["country"]],
    "refusal": lambda package, parameters: [parameters["country"]],
    "repatriation": lambda package, parameters: [parameters["country"]],
    "trade": lambda package, parameters: [parameters["reporter"]],
}
AS_OF_KEY = "data_as_of"
AS_OF_CLASS = "data-as-of"
PAGE = "coverage.ipynb"  # the coverage page, beside the chapters in book/_generated/


def is_chapter(thread: str) -> bool:
    return thread in CHAPTER_STATES


def as_of_cells(thread: str, parameters: dict) -> list:
    """The cells a chapter's 'data as of' line is made of: a hidden code cell gluing it for the
    run's states, and the line itself, linked to the coverage page (both tagged `as-of`)."""
    code = (
        "# Where this chapter's data stop (amudarya.domain.coverage), for the line below the title.\n"
        "from amudarya.render import publish\n\n"
        f"publish.glue_as_of({thread!r}, {dict(parameters)!r})"
    )
    # In a container of its own class, so the page's description starts with its own prose.
    line = f":::{{container}} {AS_OF_CLASS}\n{{glue:text}}`{AS_OF_KEY}` [Where the data stop, state by state]({PAGE}).\n:::"
    return [
        nbformat.v4.new_code_cell(code, metadata={"tags": ["as-of"]}),
        nbformat.v4.new_markdown_cell(line, metadata={"tags": ["as-of"]}),
    ]


def facts(package) -> dict:
    """Numbers the coverage page states: the latest date in the whole package, and which
    state-table pair stops earliest."""
    table = by_state(package)
    dated = table.dropna(subset=["latest"])
    latest = dated.sort_values("latest").iloc[-1]
    earliest = dated.sort_values("latest").iloc[0]
    return {
        "cov_latest": latest["Latest"],
        "cov_latest_state": latest["State"],
        "cov_latest_table": latest["Table"],
        "cov_earliest": earliest["Latest"],
        "cov_earliest_state": earliest["State"],
        "cov_earliest_table": earliest["Table"],
        **{
            f"cov_latest_{key}": dated[dated["Table"] == words].sort_values("latest").iloc[-1]["Latest"]
            for key, words in TABLE_WORDS.items()
            if (dated["Table"] == words).any()
        },
        "cov_empty": int((table["Rows"] == 0).sum()),
        "cov_has_empty": bool((table["Rows"] == 0).any()),
    }
