"""The trade table read for one pair of states: the rows a trade chapter reads and records as
read, and its figures by kind (product breakdowns, totals, the partner's mirror count, goals,
named products).

Functions take the `trade` table (as `data.load()["trade"]`) and return DataFrames, oldest
period first. Money is in US dollars throughout. What the figures add up to is computed in
`tradefigures`, what the chapter says of them in `tradefacts`, and its tables in `tradetables`.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.disputes import set_aside
from amudarya.domain.periods import with_periods

# The partner reports the same goods from the other side: its exports are the reporter's imports.
AS_SEEN_BY_REPORTER = {"export": "import", "import": "export", "turnover": "turnover"}
FLOW_ORDER = ("turnover", "export", "import")
NO_PERIOD = "no period given by the source"


def reporter_rows(package, reporter: str) -> pd.DataFrame:
    """The trade rows `reporter` reports or is the partner of: all a trade chapter needs of the
    table, and all it records as read, so a figure of another state leaves it cached."""
    rows = pd.concat([package.select("trade", "reporter", [reporter]), package.select("trade", "partner", [reporter])])
    return rows[~rows.index.duplicated()].sort_index()


def pair_rows(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """Every row about the trade between the two, from either side, including figures that lost
    a dispute and targets: what the chapter shows, for its downloads and its disputes."""
    pair = ((trade["reporter"] == reporter) & (trade["partner"] == partner)) | (
        (trade["reporter"] == partner) & (trade["partner"] == reporter)
    )
    return trade[pair].sort_values(["period_start", "trade_id"]).reset_index(drop=True)


def _statistics(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None) -> pd.DataFrame:
    """What `reporter` reports of its trade with `partner`, targets and (given `disputes`)
    figures that lost a dispute left out."""
    if disputes is not None:
        trade = trade[~set_aside(trade, "trade_id", disputes)]
    return trade[(trade["reporter"] == reporter) & (trade["partner"] == partner) & (trade["flow"] != "target")]


def flows(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Statistics (not targets) that `reporter` reports for its trade with `partner`,
    with a money value, oldest period first.

    With `disputes`, a figure that lost a dispute (another source's figure for the same thing
    is the one the book uses) is left out; the disagreement itself is shown from `disputes`.
    """
    rows = _statistics(trade, reporter, partner, disputes)
    rows = rows[rows["value_usd"].notna()]
    return rows.sort_values(["period_start", "period_end", "flow", "product"]).reset_index(drop=True)


def series(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals (product 'all') that `reporter` gives for its trade with `partner`, one row per
    figure, oldest period first, with `months` and `period` (a label) added. Figures that lost a
    dispute are left out when `disputes` is given."""
    rows = flows(trade, reporter, partner, disputes)
    rows = rows[(rows["product"] == "all") & rows["period_end"].notna()]
    return with_periods(rows).reset_index(drop=True)


def mirror(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partner's own totals for the same trade, with `flow` turned to the reporter's point of
    view (the partner's exports are the reporter's imports); `flow_as_reported` keeps the
    partner's word."""
    rows = series(trade, partner, reporter, disputes)
    rows["flow_as_reported"] = rows["flow"]
    rows["flow"] = rows["flow"].map(AS_SEEN_BY_REPORTER)
    return rows


def targets(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """Goals announced for the trade between the two (either side's announcement), oldest first.
    `period_start` is the announcement; `period_end` the deadline, where one was given."""
    pair = ((trade["reporter"] == reporter) & (trade["partner"] == partner)) | (
        (trade["reporter"] == partner) & (trade["partner"] == reporter)
    )
    rows = trade[pair & (trade["flow"] == "target")]
    return rows.sort_values(["period_start", "trade_id"]).reset_index(drop=True)


def products(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Figures for named products (money or tonnes or shares), oldest period first; figures that
    lost a dispute are left out when `disputes` is given."""
    rows = _statistics(trade, reporter, partner, disputes)
    rows = rows[rows["product"] != "all"]
    rows = rows.sort_values(["period_start", "period_end", "flow", "product", "trade_id"])
    dated = with_periods(rows[rows["period_end"].notna()])
    # A figure the source gives for no period (a share "in general") is shown as such, never
    # placed in a period the source does not name.
    undated = rows[rows["period_end"].isna()].assign(months=pd.NA, period=NO_PERIOD)
    return pd.concat([dated, undated], ignore_index=True) if not undated.empty else dated.reset_index(drop=True)
