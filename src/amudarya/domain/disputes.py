"""Where the sources disagree: every claim about a disputed fact, from whichever table holds it.

A disputed fact is a row of `disputes`; its competing claims are the rows of `events`,
`trade`, `people` and `claims` that carry its `dispute_id`. A dispute may name the claim the
book's running figures use (`preferred_id`); the others stay in the data and on the page.
"""

from __future__ import annotations

import pandas as pd

from amudarya.data.claims import CLAIM_TABLES, claim_rows
from amudarya.domain.periods import period_label
from amudarya.domain.places import country_name
from amudarya.domain.timeline import date_cell
from amudarya.domain.words import money, qualified


def _value_text(table: str, row: pd.Series) -> str:
    """The claim's value as a reader sees it; a trade figure carries its flow and period,
    so that figures of different flows or periods never look like rival claims."""
    if table == "events":
        return date_cell(row["date"], row["date_precision"], row.get("date_of", "occurred"))
    if table == "trade":
        if pd.notna(row["value_usd"]):
            text = money(row["value_usd"], row["qualifier"])
        else:
            unit = row["quantity_unit"]
            text = qualified(
                f"{row['quantity']:,.0f} {unit}" if unit == "t" else f"{row['quantity']:g} {unit}", row["qualifier"]
            )
        end = row["period_end"] if pd.notna(row["period_end"]) else row["period_start"]
        return f"{text}: {row['flow']}, {period_label(row['period_start'], end)}"
    if table == "people":
        text = f"{row['value']:,.0f}"
        if pd.notna(row["value_high"]):
            text += f"–{row['value_high']:,.0f}"
        return f"{qualified(text, row['qualifier'])} {row['unit']}"
    return str(row["value"])


def claims(tables, dispute_ids=None) -> pd.DataFrame:
    """One row per claim: dispute_id, table, row_id, claim (the value as text), detail (what
    the row says besides), source_id, confidence, preferred (True/False/NA when no side taken).

    `tables` is the loaded package (or a dict of its tables); `dispute_ids` narrows the result.
    """
    disputes = tables["disputes"]
    preferred = dict(zip(disputes["dispute_id"], disputes["preferred_id"], strict=True))
    parts = []
    for table, frame in claim_rows(tables, dispute_ids).items():
        id_col = CLAIM_TABLES[table][0]
        for _, row in frame.iterrows():
            detail = {
                "events": lambda r: r["summary"],
                "trade": lambda r: (
                    f"{r['flow']} of {r['product']}, {r['period_start']:%Y-%m-%d} to "
                    + (f"{r['period_end']:%Y-%m-%d}" if pd.notna(r["period_end"]) else "no end")
                    + f", reported by {r['reported_by']}"
                ),
                "people": lambda r: f"{r['group']}: {r['measure'].replace('_', ' ')}",
                "claims": lambda r: r["note"] if pd.notna(r["note"]) else "",
            }[table](row)
            pref = preferred.get(row["dispute_id"])
            parts.append(
                {
                    "dispute_id": row["dispute_id"],
                    "table": table,
                    "row_id": row[id_col],
                    "claim": _value_text(table, row),
                    "detail": detail,
                    "source_id": row["source_id"],
                    "confidence": row["confidence"],
                    "preferred": pd.NA if pd.isna(pref) else row[id_col] == pref,
                }
            )
    columns = ["dispute_id", "table", "row_id", "claim", "detail", "source_id", "confidence", "preferred"]
    frame = pd.DataFrame(parts, columns=columns)
    order = {d: i for i, d in enumerate(disputes["dispute_id"])}
    return frame.sort_values(
        ["dispute_id", "table", "row_id"], key=lambda s: s.map(order) if s.name == "dispute_id" else s
    ).reset_index(drop=True)


def set_aside(frame: pd.DataFrame, id_col: str, disputes: pd.DataFrame) -> pd.Series:
    """True for rows that lost a dispute: the dispute names another row as the one the book uses.

    Rows in a dispute with no preferred claim are not set aside; a chapter shows them all.
    """
    preferred = disputes.dropna(subset=["preferred_id"]).set_index("dispute_id")["preferred_id"]
    winner = frame["dispute_id"].map(preferred)
    return (winner.notna() & (winner != frame[id_col])).fillna(False).astype(bool)


def for_rows(frame: pd.DataFrame, disputes: pd.DataFrame) -> pd.DataFrame:
    """The disputes that touch any of the given rows (for a chapter's 'where sources disagree')."""
    ids = frame["dispute_id"].dropna().unique()
    return disputes[disputes["dispute_id"].isin(ids)].reset_index(drop=True)


# ---------------------------------------------------------------------------
# The "Where the sources disagree" page

# What differs between the claims of a dispute (disputes.compared), in the page's words.
COMPARED_WORDS = {
    "date": "the date",
    "value": "what is stated",
    "value_usd": "the value in US dollars",
    "count": "the count",
    "length": "the length",
    "rank": "the rank",
    "name": "the name",
    "post": "the post",
    "mechanism": "who decided, or how",
    "period": "the period",
}


def anchor_id(dispute_id: str) -> str:
    """The HTML id of a dispute's section on the disputes page."""
    return f"dispute-{dispute_id}"


def overview(tables) -> pd.DataFrame:
    """One row per dispute, as the disputes page lists them: by country name, then subject.

    Columns: dispute_id, country, country_name, thread, subject, compared (in words),
    assessment, n_claims, n_sources (distinct sources among its claims), and book_uses (the
    preferred claim's value as text, NA when the book takes no side).
    """
    disputes = tables["disputes"]
    found = claims(tables)
    by_dispute = found.groupby("dispute_id")
    preferred = found[found["preferred"].fillna(False).astype(bool)].set_index("dispute_id")["claim"]
    frame = pd.DataFrame(
        {
            "dispute_id": disputes["dispute_id"],
            "country": disputes["country"],
            "country_name": [country_name(c, tables["countries"]) for c in disputes["country"]],
            "thread": disputes["thread"],
            "subject": disputes["subject"],
            "compared": disputes["compared"].map(COMPARED_WORDS).fillna(disputes["compared"]),
            "assessment": disputes["assessment"],
            "n_claims": disputes["dispute_id"].map(by_dispute.size()).fillna(0).astype(int),
            "n_sources": disputes["dispute_id"].map(by_dispute["source_id"].nunique()).fillna(0).astype(int),
            "book_uses": disputes["dispute_id"].map(preferred).astype("string"),
        }
    )
    order = frame.assign(_c=frame["country_name"].str.casefold(), _s=frame["subject"].str.casefold())
    return frame.loc[order.sort_values(["_c", "_s"]).index].reset_index(drop=True)


def page_facts(tables) -> dict:
    """The numbers the disputes page states, for glue."""
    listed = overview(tables)
    found = claims(tables)
    n_preferred = int(listed["book_uses"].notna().sum())
    return {
        "n_disputes": int(len(listed)),
        "n_claims": int(len(found)),
        "n_claim_sources": int(found["source_id"].nunique()),
        "n_countries": int(listed["country"].nunique()),
        "n_preferred": n_preferred,
        "n_open": int(len(listed)) - n_preferred,
        "most_claims": int(listed["n_claims"].max()) if len(listed) else 0,
        "has_disputes": bool(len(listed)),
    }
