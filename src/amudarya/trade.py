"""Trade between a Central Asian state and Afghanistan: what the trade chapter says, computed.

Functions take the `trade` table (as `data.load()["trade"]`) and return small DataFrames or
plain values. Money is in US dollars throughout; charts and prose convert to millions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MILLION = 1_000_000


def flows(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Statistics (not targets) that `reporter` reports for its trade with `partner`,
    with a money value, oldest period first.

    With `disputes`, a figure that lost a dispute (another source's figure for the same thing
    is the one the book uses) is left out; the disagreement itself is shown from `disputes`.
    """
    if disputes is not None:
        from .disputes import set_aside

        trade = trade[~set_aside(trade, "trade_id", disputes)]
    rows = trade[
        (trade["reporter"] == reporter)
        & (trade["partner"] == partner)
        & (trade["flow"] != "target")
        & trade["value_usd"].notna()
    ]
    return rows.sort_values(["period_start", "period_end", "flow", "product"]).reset_index(drop=True)


def periods(flows_: pd.DataFrame) -> pd.DataFrame:
    """The distinct periods the flows cover, with how many figures each has."""
    if flows_.empty:
        return pd.DataFrame(columns=["period_start", "period_end", "figures"])
    return (
        flows_.groupby(["period_start", "period_end"], as_index=False)
        .size()
        .rename(columns={"size": "figures"})
    )


def latest_period_before(flows_: pd.DataFrame, day: str | pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The most recent period that ended on or before `day` and has a product breakdown,
    or None when the data hold no such period."""
    day = pd.Timestamp(day)
    done = flows_[(flows_["period_end"] <= day) & (flows_["product"] != "all")]
    if done.empty:
        return None
    last = done.sort_values(["period_end", "period_start"]).iloc[-1]
    return last["period_start"], last["period_end"]


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


def period_label(start, end) -> str:
    """'January–June 2021', 'January 2022–May 2023', '2020' (a calendar year)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return str(start.year)
    if start.year == end.year:
        if start.month == end.month:
            return f"{start:%B %Y}"
        return f"{start:%B}–{end:%B %Y}"
    return f"{start:%B %Y}–{end:%B %Y}"


def before_takeover(flows_: pd.DataFrame, takeover) -> dict:
    """What a reporter's trade with its partner looked like in the last period before the
    takeover that the sources break down by product.

    Returns the facts the chapter states (values in US$ million, shares as fractions), with
    `has_prewar` False and nothing else when the data hold no such period.
    """
    flags = ("has_prewar", "has_turnover", "has_balance", "exports_derived", "has_top_export",
             "has_top_export_share", "has_second_export", "has_top_import")
    period = latest_period_before(flows_, takeover)
    if period is None:
        # Every flag is glued, so the page can drop the cells whose facts are missing.
        return dict.fromkeys(flags, False)
    summary = summarise_period(flows_, *period)
    parts = composition(flows_, *period)
    named_exports = parts[(parts["flow"] == "export") & ~parts["derived"]]
    named_imports = parts[(parts["flow"] == "import") & ~parts["derived"]]
    facts = {
        "has_prewar": True,
        "prewar_period": period_label(*period),
        "has_turnover": summary.turnover is not None,
        "has_balance": summary.exports is not None and summary.imports is not None,
        "exports_derived": summary.exports_derived,
        "has_top_export": not named_exports.empty,
        "has_second_export": len(named_exports) > 1,
        "has_top_import": not named_imports.empty,
    }
    if summary.turnover is not None:
        facts["turnover_m"] = summary.turnover / MILLION
    if facts["has_balance"]:
        facts.update(
            exports_m=summary.exports / MILLION,
            imports_m=summary.imports / MILLION,
            export_share=summary.export_share,
            exports_per_import=summary.exports_per_dollar_of_imports,
        )
    if not named_exports.empty:
        top = named_exports.iloc[0]
        facts.update(top_export=top["product"], top_export_m=top["value_usd"] / MILLION)
        if summary.exports:
            facts["top_export_share"] = top["value_usd"] / summary.exports
        if len(named_exports) > 1:
            second = named_exports.iloc[1]
            facts.update(second_export=second["product"], second_export_m=second["value_usd"] / MILLION)
    if not named_imports.empty:
        top = named_imports.iloc[0]
        facts.update(top_import=top["product"], top_import_usd=float(top["value_usd"]))
    facts["has_top_export_share"] = "top_export_share" in facts
    return facts


def composition_chart_data(flows_: pd.DataFrame, takeover) -> pd.DataFrame:
    """Rows for the chart of the pre-takeover period: label, value in US$ million, flow."""
    period = latest_period_before(flows_, takeover)
    if period is None:
        return pd.DataFrame(columns=["label", "value_m", "flow"])
    parts = composition(flows_, *period)
    return pd.DataFrame(
        {
            "label": parts["product"].str.capitalize(),
            "value_m": parts["value_usd"] / MILLION,
            "flow": parts["flow"].map({"export": "Exports", "import": "Imports"}),
        }
    )


def rows_before_takeover(flows_: pd.DataFrame, takeover) -> pd.DataFrame:
    """The rows of the pre-takeover period the chapter reads (empty when there is none)."""
    period = latest_period_before(flows_, takeover)
    if period is None:
        return flows_.iloc[0:0]
    return flows_[(flows_["period_start"] == period[0]) & (flows_["period_end"] == period[1])]
