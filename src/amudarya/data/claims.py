"""Which rows of the data package state a claim in a dispute, and where the claimed value sits.

Validation needs this (a dispute has at least two claims, `rules.dispute_claims`) as much as the
disputes page does (`amudarya.domain.disputes`), so it lives with the data.
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


def claim_rows(tables, dispute_ids=None) -> dict[str, pd.DataFrame]:
    """The rows of each table that state a claim in some dispute (in one of `dispute_ids`).

    From a loaded package only these rows count as read (`Package.select`): a chapter that
    shows its own disputes is not executed again when a figure outside them changes."""
    disputes = tables["disputes"]
    # An event linked to a dispute over a number or a name is context for it, not a claim:
    # only where the dispute is about a date does an event's date state a claim.
    date_disputes = set(disputes.loc[disputes["compared"] == "date", "dispute_id"])
    ids = set(disputes["dispute_id"] if dispute_ids is None else dispute_ids)
    rows = {}
    for table in CLAIM_TABLES:
        if hasattr(tables, "select"):
            frame = tables.select(table, "dispute_id", ids)
        else:
            frame = tables[table]
            frame = frame[frame["dispute_id"].isin(list(ids)).fillna(False).astype(bool)]
        if table == "events":
            frame = frame[frame["dispute_id"].isin(date_disputes)]
        rows[table] = frame
    return rows
