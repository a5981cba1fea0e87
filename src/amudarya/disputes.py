"""Where the sources disagree: every claim about a disputed fact, from whichever table holds it.

A disputed fact is a row of `disputes`; its competing claims are the rows of `events`,
`trade`, `people` and `claims` that carry its `dispute_id`. A dispute may name the claim the
book's running figures use (`preferred_id`); the others stay in the data and on the page.
"""

from __future__ import annotations

import pandas as pd

# Which column identifies a row, and which holds the disputed value, in each table.
CLAIM_TABLES = {
    "events": ("event_id", "date"),
    "trade": ("trade_id", "value_usd"),
    "people": ("record_id", "value"),
    "claims": ("claim_id", "value"),
}


def _value_text(table: str, row: pd.Series) -> str:
    if table == "events":
        date = row["date"]
        if row["date_precision"] == "year":
            return f"{date:%Y}"
        if row["date_precision"] == "month":
            return f"{date:%B %Y}"
        return f"{date.day} {date:%B %Y}"
    if table == "trade":
        if pd.notna(row["value_usd"]):
            text = f"US$ {row['value_usd'] / 1e6:,.1f} million"
        else:
            unit = row["quantity_unit"]
            text = f"{row['quantity']:,.0f} {unit}" if unit == "t" else f"{row['quantity']:g} {unit}"
        return ("more than " if row["qualifier"] == "at_least" else "about " if row["qualifier"] == "about" else "") + text
    if table == "people":
        text = f"{row['value']:,.0f}"
        if pd.notna(row["value_high"]):
            text += f"–{row['value_high']:,.0f}"
        text = ("more than " if row["qualifier"] == "at_least" else "about " if row["qualifier"] == "about" else "") + text
        return f"{text} {row['unit']}"
    return str(row["value"])


def claims(tables, dispute_ids=None) -> pd.DataFrame:
    """One row per claim: dispute_id, table, row_id, claim (the value as text), detail (what
    the row says besides), source_id, confidence, preferred (True/False/NA when no side taken).

    `tables` is the loaded package (or a dict of its tables); `dispute_ids` narrows the result.
    """
    disputes = tables["disputes"]
    preferred = dict(zip(disputes["dispute_id"], disputes["preferred_id"]))
    parts = []
    for table, (id_col, _) in CLAIM_TABLES.items():
        frame = tables[table]
        frame = frame[frame["dispute_id"].notna()]
        if dispute_ids is not None:
            frame = frame[frame["dispute_id"].isin(list(dispute_ids))]
        for _, row in frame.iterrows():
            detail = {
                "events": lambda r: r["summary"],
                "trade": lambda r: f"{r['flow']} of {r['product']}, {r['period_start']:%Y-%m-%d} to "
                + (f"{r['period_end']:%Y-%m-%d}" if pd.notna(r["period_end"]) else "no end")
                + f", reported by {r['reported_by']}",
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
    return frame.sort_values(["dispute_id", "table", "row_id"], key=lambda s: s.map(order) if s.name == "dispute_id" else s).reset_index(drop=True)


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
