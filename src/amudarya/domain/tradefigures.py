"""Trade figures picked and compared: the last period before the takeover that the sources break
down by product (its totals and its products), the latest figure of a flow, a like-for-like pair
of figures a year apart, and whole calendar years.

Functions take the frames of `trade` (`flows`, `series`) and return rows, plain values or a
`PeriodSummary`, in US dollars. Nothing here annualises or adds periods: only periods of equal
span are compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from amudarya.domain.trade import FLOW_ORDER

# ---------------------------------------------------------------------------
# The last period before the takeover: its totals and the products named


def periods(flows_: pd.DataFrame) -> pd.DataFrame:
    """The distinct periods the flows cover, with how many figures each has."""
    if flows_.empty:
        return pd.DataFrame(columns=["period_start", "period_end", "figures"])
    return flows_.groupby(["period_start", "period_end"], as_index=False).size().rename(columns={"size": "figures"})


def latest_period_before(flows_: pd.DataFrame, day: str | pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The most recent period that ended on or before `day` and has a product breakdown,
    or None when the data hold no such period."""
    day = pd.Timestamp(day)
    done = flows_[(flows_["period_end"] <= day) & (flows_["product"] != "all")]
    if done.empty:
        return None
    last = done.sort_values(["period_end", "period_start"]).iloc[-1]
    return last["period_start"], last["period_end"]


def rows_before_takeover(flows_: pd.DataFrame, takeover) -> pd.DataFrame:
    """The rows of the pre-takeover period the chapter reads (empty when there is none)."""
    period = latest_period_before(flows_, takeover)
    if period is None:
        return flows_.iloc[0:0]
    return flows_[(flows_["period_start"] == period[0]) & (flows_["period_end"] == period[1])]


@dataclass(frozen=True)
class PeriodSummary:
    """Headline figures for one period, in US dollars.

    `exports` is as stated by a source when there is such a row, else turnover minus imports
    (then `exports_derived` is True), else None.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    turnover: float | None
    exports: float | None
    imports: float | None
    exports_derived: bool
    source_ids: tuple[str, ...]

    @property
    def export_share(self) -> float | None:
        if self.exports is None or not self.turnover:
            return None
        return self.exports / self.turnover

    @property
    def exports_per_dollar_of_imports(self) -> float | None:
        if self.exports is None or not self.imports:
            return None
        return self.exports / self.imports


def _total(rows: pd.DataFrame, flow: str) -> float | None:
    hit = rows[(rows["flow"] == flow) & (rows["product"] == "all")]
    if hit.empty:
        return None
    # Several sources for one period and flow are a disagreement; the first by trade_id
    # is used here and the disagreement is shown from the disputes table.
    return float(hit.sort_values("trade_id")["value_usd"].iloc[0])


def summarise_period(flows_: pd.DataFrame, start, end) -> PeriodSummary:
    rows = flows_[(flows_["period_start"] == pd.Timestamp(start)) & (flows_["period_end"] == pd.Timestamp(end))]
    turnover = _total(rows, "turnover")
    imports = _total(rows, "import")
    exports = _total(rows, "export")
    derived = False
    if exports is None and turnover is not None and imports is not None:
        exports, derived = turnover - imports, True
    return PeriodSummary(
        start=pd.Timestamp(start),
        end=pd.Timestamp(end),
        turnover=turnover,
        exports=exports,
        imports=imports,
        exports_derived=derived,
        source_ids=tuple(sorted(set(rows["source_id"]))),
    )


def composition(flows_: pd.DataFrame, start, end) -> pd.DataFrame:
    """Products named by the sources for one period, plus what the named products leave
    unexplained of each flow's total ('other'), largest first within each flow.

    Columns: flow, product, value_usd, derived (True for the computed remainder).
    """
    summary = summarise_period(flows_, start, end)
    rows = flows_[
        (flows_["period_start"] == pd.Timestamp(start))
        & (flows_["period_end"] == pd.Timestamp(end))
        & (flows_["product"] != "all")
        & flows_["flow"].isin(["export", "import"])
    ]
    parts = []
    for flow, total in (("export", summary.exports), ("import", summary.imports)):
        named = rows[rows["flow"] == flow][["flow", "product", "value_usd"]].copy()
        named["value_usd"] = named["value_usd"].astype(float)
        named["derived"] = False
        named = named.sort_values("value_usd", ascending=False)
        parts.append(named)
        if total is not None:
            rest = total - named["value_usd"].sum()
            # A remainder under one dollar is rounding in the source, not trade.
            if rest >= 1:
                parts.append(
                    pd.DataFrame(
                        [{"flow": flow, "product": f"other {flow}s (computed)", "value_usd": rest, "derived": True}]
                    )
                )
    if not parts:
        return pd.DataFrame(columns=["flow", "product", "value_usd", "derived"])
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------
# Figures over the years: the latest, like for like, whole calendar years


def latest(series_: pd.DataFrame, flow: str) -> pd.Series | None:
    """The figure for `flow` whose period ends last (the longest such period on a tie), or None."""
    rows = series_[series_["flow"] == flow]
    if rows.empty:
        return None
    rows = rows.sort_values(["period_end", "months", "trade_id"], ascending=[False, False, True])
    return rows.iloc[0]


def like_for_like(series_: pd.DataFrame) -> dict | None:
    """The most recent figure that has a figure for the same span one year earlier (January-June
    against January-June, a year against a year) from the same reporting body, turnover first,
    else exports, else imports; exact figures are preferred to rounded ones and lower bounds.

    Returns {flow, now (row), before (row), change (fraction)} or None when no pair exists.
    """
    one_year = pd.DateOffset(years=1)
    # Pairs of exact figures first: a change between two rounded or lower-bound figures says
    # little, so it is used only when no exact pair exists.
    for pool in (series_[series_["qualifier"] == "exact"], series_):
        for flow in FLOW_ORDER:
            rows = pool[pool["flow"] == flow].sort_values(["period_end", "months"], ascending=False)
            for _, now in rows.iterrows():
                # Only the same reporting body's figures: two ministries' counts differ in what
                # they count, so a change between them would be an artefact.
                before = rows[
                    (rows["period_start"] == now["period_start"] - one_year)
                    & (rows["period_end"] == now["period_end"] - one_year)
                    & (rows["reported_by"] == now["reported_by"])
                ]
                if not before.empty:
                    before = before.sort_values("trade_id").iloc[0]
                    return {
                        "flow": flow,
                        "now": now,
                        "before": before,
                        "change": float(now["value_usd"]) / float(before["value_usd"]) - 1,
                    }
    return None


def calendar_years(series_: pd.DataFrame, flow: str = "turnover") -> pd.DataFrame:
    """Figures for whole calendar years only: the one span that is comparable year to year."""
    rows = series_[
        (series_["flow"] == flow)
        & (series_["months"] == 12)
        & (series_["period_start"].dt.month == 1)
        & (series_["period_start"].dt.day == 1)
    ]
    return rows.sort_values("period_start").reset_index(drop=True)
