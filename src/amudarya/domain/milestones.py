"""Who did what first: for each of the turns of `timeline.TURNS`, the first event of each state
since the takeover, dated as the chapters date them, and who may have been first.

Where sources disagree, rows that lost a dispute (`disputes.preferred_id` names another row)
are left out; rows of a dispute with no side taken all stay, and a date they disagree on is
shown as the range the claims span.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.places import country_name
from amudarya.domain.timeline import TURNS, date_text, first_turns, latest_possible, one_per_event
from amudarya.domain.words import NOT_IN_DATA, names_text

MILESTONES = TURNS


def span(first, first_precision: str, last, last_precision: str, short: bool = False) -> str:
    """'2–6 September 2024', '20 December 2023 to 3 July 2024', or one date when they agree."""
    a, b = date_text(first, first_precision, short), date_text(last, last_precision, short)
    if a == b:
        return a
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if first_precision == last_precision == "day" and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{b}"
    return f"{a} to {b}"


def _claim_disputes(claims: pd.DataFrame | None, event_ids) -> list[str]:
    """Disputes recorded in the claims table about the given events (a name, a deciding body)."""
    if claims is None:
        return []
    hit = claims[claims["event_id"].isin(list(event_ids))]
    return list(dict.fromkeys(hit["dispute_id"].dropna()))


def firsts(
    events: pd.DataFrame, disputes: pd.DataFrame, states, takeover, claims: pd.DataFrame | None = None
) -> pd.DataFrame:
    """For each turn and state, the first event since the takeover that meets the turn's rule
    (`timeline.first_turns`, the same choice the policy chapters make); one row per turn and
    state.

    Columns: milestone, state, found, date, precision, date_of, earliest, earliest_precision,
    latest, latest_precision, date_disputed, event_ids, dispute_ids. `date` is the date of the
    account the book uses; `earliest` and `latest` the first and last day any account of the
    event allows (for who may have been first, and for the span of a disputed date).
    """
    out = []
    per_state = {s: first_turns(one_per_event(events[events["country"] == s], disputes), takeover) for s in states}
    for m in TURNS:
        for state in states:
            found = per_state[state]
            hit = found[found["turn"] == m.key] if not found.empty else found
            if hit.empty:
                out.append(_not_found(m.key, state))
            else:
                out.append(_found(m.key, state, hit.iloc[0], events, claims))
    return pd.DataFrame(out)


def _not_found(milestone: str, state: str) -> dict:
    # Every column is present, empty, so the table has one row per turn and state either way.
    return {
        "milestone": milestone,
        "state": state,
        "found": False,
        "date": pd.NaT,
        "precision": pd.NA,
        "date_of": pd.NA,
        "earliest": pd.NaT,
        "earliest_precision": pd.NA,
        "latest": pd.NaT,
        "latest_precision": pd.NA,
        "date_disputed": False,
        "event_ids": (),
        "dispute_ids": (),
    }


def _found(milestone: str, state: str, row: pd.Series, events: pd.DataFrame, claims: pd.DataFrame | None) -> dict:
    """The row of a turn a state took: the event's date as the book gives it, and the span all
    its accounts allow."""
    ids = tuple(row["accounts"])
    accounts = events[events["event_id"].isin(ids)]
    dispute_ids = list(dict.fromkeys(accounts["dispute_id"].dropna()))
    dispute_ids += [d for d in _claim_disputes(claims, ids) if d not in dispute_ids]
    first_account = accounts.sort_values(["date", "event_id"]).iloc[0]
    return {
        "milestone": milestone,
        "state": state,
        "found": True,
        "date": row["date"],
        "precision": row["date_precision"],
        "date_of": row.get("date_of", "occurred"),
        "earliest": first_account["date"],
        "earliest_precision": first_account["date_precision"],
        "latest": latest_possible(row, events),
        "latest_precision": "day",
        "date_disputed": bool(row["dates_disputed"]),
        "event_ids": ids,
        "dispute_ids": tuple(dispute_ids),
    }


def cell_text(row: pd.Series) -> str:
    """A cell of the 'who did what first' table: the date the book uses (marked when it is the
    date of an announcement or a report, or disputed), or 'not in the data'."""
    if not row["found"]:
        return NOT_IN_DATA
    text = date_text(row["date"], row["precision"], short=True)
    marks = [str(row["date_of"])] if str(row["date_of"]) in ("announced", "reported") else []
    marks += ["disputed"] if row["date_disputed"] else []
    return text + (f" ({'; '.join(marks)})" if marks else "")


def first_of(rows: pd.DataFrame) -> list[str]:
    """The states that may have been first to a milestone: those whose earliest possible date
    is not after every other state's latest possible date.

    A month-precision date may stand for any day of its month, and a disputed date for any
    day its claims span, so two states whose windows overlap are both named.
    """
    found = rows[rows["found"]]
    if found.empty:
        return []
    settled_by = min(found["latest"])
    return [s for s, d in zip(found["state"], found["earliest"], strict=True) if d <= settled_by]


def first_table(firsts_: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Milestones as rows (each naming who was first), states as columns; every cell is text."""
    states = list(dict.fromkeys(firsts_["state"]))
    out = []
    for m in TURNS:
        rows = firsts_[firsts_["milestone"] == m.key]
        leaders = first_of(rows)
        who = names_text(country_name(s, countries) for s in leaders) if leaders else NOT_IN_DATA
        # Who was first shares the milestone's cell: a seventh column would not fit a book page.
        record = {"First …": f"{m.label} (first: {who})"}
        by_state = rows.set_index("state")
        for state in states:
            record[country_name(state, countries)] = cell_text(by_state.loc[state])
        out.append(record)
    return pd.DataFrame(out)


def milestone_rules() -> pd.DataFrame:
    """How each milestone of the 'first' table is read from the events table."""
    return pd.DataFrame({"First …": [m.label for m in TURNS], "Counted from": [m.rule for m in TURNS]})


def leader(firsts_: pd.DataFrame, milestone: str) -> pd.Series | None:
    """The row of the one state first to a milestone, or None when none or several may be."""
    rows = firsts_[firsts_["milestone"] == milestone]
    leaders = first_of(rows)
    if len(leaders) != 1:
        return None
    return rows[rows["state"] == leaders[0]].iloc[0]
