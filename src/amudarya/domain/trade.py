"""Trade between a Central Asian state and Afghanistan: what the trade chapter says, computed.

Functions take the `trade` table (as `data.load()["trade"]`) and return small DataFrames or
plain values. Money is in US dollars throughout; charts and prose convert to millions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from amudarya.domain.disputes import set_aside
from amudarya.domain.fx import amount_text
from amudarya.domain.words import QUALIFIER_WORDS, join, money

MILLION = 1_000_000


def flows(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Statistics (not targets) that `reporter` reports for its trade with `partner`,
    with a money value, oldest period first.

    With `disputes`, a figure that lost a dispute (another source's figure for the same thing
    is the one the book uses) is left out; the disagreement itself is shown from `disputes`.
    """
    if disputes is not None:
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
    # The same amounts as the book writes money everywhere (words.money).
    for key in ("turnover", "exports", "imports", "top_export", "second_export"):
        if f"{key}_m" in facts:
            facts[f"{key}_text"] = money(facts[f"{key}_m"] * MILLION)
    if "top_import_usd" in facts:
        facts["top_import_text"] = money(facts["top_import_usd"])
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


# ---------------------------------------------------------------------------
# Figures over the years: totals by period, the partner's mirror count, targets, products.
#
# Sources give trade for periods of different lengths (half-years, January-May, calendar
# years). Nothing here annualises or adds periods: every figure keeps its own period and its
# length in months, and comparisons are made only between periods of equal span.

# The partner reports the same goods from the other side: its exports are the reporter's imports.
AS_SEEN_BY_REPORTER = {"export": "import", "import": "export", "turnover": "turnover"}
FLOW_ORDER = ("turnover", "export", "import")


def months(start, end) -> int:
    """Length of a period in whole months (a half-year is 6, a calendar year 12)."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
    return max(1, round(days / 30.4375))


def _with_periods(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.copy()
    rows["months"] = [months(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    rows["period"] = [period_label(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    return rows


def series(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals (product 'all') that `reporter` gives for its trade with `partner`, one row per
    figure, oldest period first, with `months` and `period` (a label) added. Figures that lost a
    dispute are left out when `disputes` is given."""
    rows = flows(trade, reporter, partner, disputes)
    rows = rows[(rows["product"] == "all") & rows["period_end"].notna()]
    return _with_periods(rows).reset_index(drop=True)


def mirror(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partner's own totals for the same trade, with `flow` turned to the reporter's point of
    view (the partner's exports are the reporter's imports); `flow_as_reported` keeps the
    partner's word."""
    rows = series(trade, partner, reporter, disputes)
    rows["flow_as_reported"] = rows["flow"]
    rows["flow"] = rows["flow"].map(AS_SEEN_BY_REPORTER)
    return rows


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
                before = rows[(rows["period_start"] == now["period_start"] - one_year)
                              & (rows["period_end"] == now["period_end"] - one_year)
                              & (rows["reported_by"] == now["reported_by"])]
                if not before.empty:
                    before = before.sort_values("trade_id").iloc[0]
                    return {"flow": flow, "now": now, "before": before,
                            "change": float(now["value_usd"]) / float(before["value_usd"]) - 1}
    return None


def calendar_years(series_: pd.DataFrame, flow: str = "turnover") -> pd.DataFrame:
    """Figures for whole calendar years only: the one span that is comparable year to year."""
    rows = series_[(series_["flow"] == flow) & (series_["months"] == 12)
                   & (series_["period_start"].dt.month == 1) & (series_["period_start"].dt.day == 1)]
    return rows.sort_values("period_start").reset_index(drop=True)


def targets(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """Goals announced for the trade between the two (either side's announcement), oldest first.
    `period_start` is the announcement; `period_end` the deadline, where one was given."""
    pair = ((trade["reporter"] == reporter) & (trade["partner"] == partner)) | (
        (trade["reporter"] == partner) & (trade["partner"] == reporter))
    rows = trade[pair & (trade["flow"] == "target")]
    return rows.sort_values(["period_start", "trade_id"]).reset_index(drop=True)


def products(trade: pd.DataFrame, reporter: str, partner: str, disputes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Figures for named products (money or tonnes or shares), oldest period first; figures that
    lost a dispute are left out when `disputes` is given."""
    if disputes is not None:
        trade = trade[~set_aside(trade, "trade_id", disputes)]
    rows = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner)
                 & (trade["flow"] != "target") & (trade["product"] != "all")]
    rows = rows.sort_values(["period_start", "period_end", "flow", "product", "trade_id"])
    dated = _with_periods(rows[rows["period_end"].notna()])
    # A figure the source gives for no period (a share "in general") is shown as such, never
    # placed in a period the source does not name.
    undated = rows[rows["period_end"].isna()].assign(months=pd.NA, period=NO_PERIOD)
    return pd.concat([dated, undated], ignore_index=True) if not undated.empty else dated.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Words and tables for the page


NO_PERIOD = "no period given by the source"
FLOW_WORDS = {"turnover": "turnover", "export": "exports", "import": "imports"}


def money_text(value_usd: float, qualifier: str = "exact", currency: str = "USD", rate=None) -> str:
    """'about US$ 1.7 billion'; with `rate` (an fx.Rate), the same amount in its currency."""
    if rate is not None:
        return amount_text(rate.convert(value_usd), rate.currency, qualifier)
    if currency == "USD":
        return money(value_usd, qualifier)
    return amount_text(value_usd, currency, qualifier)


def _short_value(value_usd: float, qualifier: str) -> str:
    mark = {"about": "≈", "at_least": ">"}.get(qualifier, "")
    return f"{mark}{value_usd / MILLION:,.1f}"


def flow_label(flow: str, reporter_name: str, partner_name: str) -> str:
    """What a flow is, from the reporter's side: 'Exports from Kazakhstan to Afghanistan'."""
    return {
        "turnover": "Turnover (both directions)",
        "export": f"Exports from {reporter_name} to {partner_name}",
        "import": f"Imports into {reporter_name} from {partner_name}",
    }[flow]


def whose(name: str) -> str:
    """The legend entry for one side's count: 'As Kazakhstan reports it'."""
    return f"As {name} reports it"


def series_chart_data(series_: pd.DataFrame, mirror_: pd.DataFrame, reporter_name: str, partner_name: str) -> pd.DataFrame:
    """Rows for the chart of figures by period: start, end, value_m, panel (the flow from the
    reporter's side), series (whose count) and text (the value as labelled on the bar)."""
    parts = []
    for rows, who in ((series_, whose(reporter_name)), (mirror_, whose(partner_name))):
        if rows.empty:
            continue
        parts.append(pd.DataFrame({
            "start": rows["period_start"],
            "end": rows["period_end"],
            "value_m": rows["value_usd"].astype(float) / MILLION,
            "flow": rows["flow"],
            "panel": [flow_label(f, reporter_name, partner_name) for f in rows["flow"]],
            "series": who,
            "text": [_short_value(v, q) for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)],
            "period": rows["period"],
            "qualifier": rows["qualifier"],
        }))
    if not parts:
        return pd.DataFrame(columns=["start", "end", "value_m", "flow", "panel", "series", "text", "period", "qualifier"])
    out = pd.concat(parts, ignore_index=True)
    out["_order"] = out["flow"].map({f: i for i, f in enumerate(FLOW_ORDER)})
    return out.sort_values(["_order", "start", "end"]).drop(columns="_order").reset_index(drop=True)


def series_table(series_: pd.DataFrame, mirror_: pd.DataFrame, reporter_name: str, partner_name: str,
                 rate=None) -> pd.DataFrame:
    """Every figure by period as the page lists it: whose count, period and its length, flow,
    value in US$ million (with 'about'/'more than'), and in the chosen currency when `rate`."""
    rows = pd.concat([series_.assign(_who=reporter_name, _side=0), mirror_.assign(_who=partner_name, _side=1)],
                     ignore_index=True)
    if rows.empty:
        return pd.DataFrame()
    rows["_flow"] = rows["flow"].map({f: i for i, f in enumerate(FLOW_ORDER)})
    rows = rows.sort_values(["period_start", "period_end", "_side", "_flow"])
    table = pd.DataFrame({
        "Period": rows["period"],
        "Months": rows["months"].astype(int),
        "Flow": [flow_label(f, reporter_name, partner_name) for f in rows["flow"]],
        "Counted by": rows["_who"],
        "US$ million": [QUALIFIER_WORDS[q] + f"{v / MILLION:,.1f}" for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)],
    })
    if rate is not None:
        table[f"{rate.currency} million (illustration)"] = [
            QUALIFIER_WORDS[q] + f"{rate.convert(float(v)) / MILLION:,.0f}" for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)
        ]
    table["Reported by"] = rows["reported_by"].values
    return table.reset_index(drop=True)


def targets_table(targets_: pd.DataFrame) -> pd.DataFrame:
    """Announced goals: when (month and year only, as several are known only to the month),
    the goal, for what, by when, and who announced it."""
    return pd.DataFrame({
        "Announced": [f"{d:%B %Y}" for d in targets_["period_start"]],
        "Goal": [money_text(float(v), q) if pd.notna(v) else "no money value" for v, q in zip(targets_["value_usd"], targets_["qualifier"], strict=True)],
        "For": ["all trade (turnover)" if p == "all" else p for p in targets_["product"]],
        "Deadline": [f"{d:%-d %B %Y}" if pd.notna(d) else "none given" for d in targets_["period_end"]],
        "Announced by": targets_["reported_by"],
    })


def products_table(products_: pd.DataFrame, reporter_name: str, partner_name: str) -> pd.DataFrame:
    def amount(row):
        if pd.notna(row["value_usd"]):
            return money(row["value_usd"], row["qualifier"])
        if row["quantity_unit"] == "t":
            return QUALIFIER_WORDS[row["qualifier"]] + f"{row['quantity']:,.0f} tonnes (no money value given)"
        return QUALIFIER_WORDS[row["qualifier"]] + f"{row['quantity']:g} {row['quantity_unit']}"

    return pd.DataFrame({
        "Period": products_["period"],
        "Flow": [flow_label(f, reporter_name, partner_name) for f in products_["flow"]],
        "Product": products_["product"],
        "Amount": [amount(r) for _, r in products_.iterrows()],
        "Reported by": products_["reported_by"],
    })


# ---------------------------------------------------------------------------
# What the chapter says about the figures over the years


def series_facts(series_: pd.DataFrame, mirror_: pd.DataFrame, targets_: pd.DataFrame,
                 products_: pd.DataFrame, takeover, rate=None) -> dict:
    """The facts the chapter states about the series, its mirror and the targets; every flag is
    always present (True/False) so the page can drop what the data do not support. Money is in
    US$ million (`*_m`) and, as text with its qualifier, in `*_text`; with `rate`, `*_local`
    (the amount in the rate's currency) and `*_local_text` as well."""
    facts: dict = {
        "has_series": not series_.empty,
        "has_mirror": not mirror_.empty,
        "has_targets": not targets_.empty,
        "has_products": not products_.empty,
    }
    facts["has_any_figures"] = facts["has_series"] or facts["has_mirror"] or facts["has_targets"] or facts["has_products"]
    facts["has_chart"] = facts["has_series"] or facts["has_mirror"]
    facts["mirror_only"] = facts["has_mirror"] and not facts["has_series"]
    if facts["has_series"]:
        facts.update(
            n_figures=len(series_),
            first_period=series_.sort_values(["period_start", "period_end"]).iloc[0]["period"],
            last_period=series_.sort_values(["period_end", "period_start"]).iloc[-1]["period"],
            n_spans=int(series_["months"].nunique()),
            shortest_months=int(series_["months"].min()),
            longest_months=int(series_["months"].max()),
        )
        facts["mixed_spans"] = facts["n_spans"] > 1
    else:
        facts["mixed_spans"] = False

    top = latest(series_, "turnover")
    facts["has_latest_turnover"] = top is not None
    if top is not None:
        facts.update(
            latest_turnover_period=top["period"],
            latest_turnover_months=int(top["months"]),
            latest_turnover_m=float(top["value_usd"]) / MILLION,
            latest_turnover_text=money_text(float(top["value_usd"]), top["qualifier"]),
            latest_turnover_by=top["reported_by"],
            latest_turnover_id=top["trade_id"],
        )
        facts["latest_after_takeover"] = bool(top["period_start"] >= pd.Timestamp(takeover))
        if rate is not None:
            facts.update(
                latest_turnover_local=rate.convert(float(top["value_usd"])),
                latest_turnover_local_text=money_text(float(top["value_usd"]), top["qualifier"], rate=rate),
            )

    facts.setdefault("latest_after_takeover", False)
    pair = like_for_like(series_)
    facts["has_like_for_like"] = pair is not None
    facts["like_for_like_rose"] = bool(pair and pair["change"] > 0)
    if pair:
        facts.update(
            lfl_flow=FLOW_WORDS[pair["flow"]],
            lfl_period=pair["now"]["period"],
            lfl_before_period=pair["before"]["period"],
            lfl_now_text=money_text(float(pair["now"]["value_usd"]), pair["now"]["qualifier"]),
            lfl_before_text=money_text(float(pair["before"]["value_usd"]), pair["before"]["qualifier"]),
            lfl_change=abs(pair["change"]),
            lfl_rise_or_fall="rise" if pair["change"] > 0 else "fall",
            lfl_higher_or_lower="higher" if pair["change"] > 0 else "lower",
            lfl_months=int(pair["now"]["months"]),
        )
        # A change computed from a lower bound or a rounded figure is itself approximate.
        facts["lfl_approximate"] = bool({pair["now"]["qualifier"], pair["before"]["qualifier"]} - {"exact"})
    else:
        facts["lfl_approximate"] = False

    years = calendar_years(series_)
    facts["has_full_years"] = len(years) >= 2
    if len(years) >= 2:
        peak = years.sort_values(["value_usd", "period_start"], ascending=[False, True]).iloc[0]
        last = years.iloc[-1]
        facts.update(
            n_full_years=len(years),
            full_years_first=f"{years.iloc[0]['period_start']:%Y}",
            full_years_last=f"{last['period_start']:%Y}",
            peak_year=f"{peak['period_start']:%Y}",
            peak_year_text=money_text(float(peak["value_usd"]), peak["qualifier"]),
            last_year_text=money_text(float(last["value_usd"]), last["qualifier"]),
        )
        facts["last_year_is_peak"] = peak["trade_id"] == last["trade_id"]
    else:
        facts["last_year_is_peak"] = False

    if facts["has_mirror"]:
        facts["n_mirror"] = len(mirror_)
        m_top = latest(mirror_, "turnover")
        facts["has_mirror_turnover"] = m_top is not None
        if m_top is not None:
            facts.update(
                mirror_turnover_period=m_top["period"],
                mirror_turnover_text=money_text(float(m_top["value_usd"]), m_top["qualifier"]),
                mirror_turnover_by=m_top["reported_by"],
            )
    else:
        facts["has_mirror_turnover"] = False

    if facts["has_targets"]:
        money = targets_[targets_["value_usd"].notna() & (targets_["product"] == "all")]
        facts["n_targets"] = len(targets_)
        facts["n_targets_text"] = f"{len(targets_)} goal" + ("" if len(targets_) == 1 else "s")
        facts["first_target_announced"] = f"{targets_['period_start'].min():%B %Y}"
        facts["has_turnover_goal"] = not money.empty
        if not money.empty:
            counts = money.groupby("value_usd").size().sort_index(ascending=False)
            goal = counts.idxmax()
            facts.update(
                usual_goal_text=money_text(float(goal)),
                usual_goal_times=int(counts.max()),
                largest_goal_text=money_text(float(money["value_usd"].max())),
                last_goal_announced=f"{money['period_start'].max():%B %Y}",
            )
            facts["goal_repeated"] = facts["usual_goal_times"] > 1
            facts["largest_is_usual"] = facts["largest_goal_text"] == facts["usual_goal_text"]
            # Compared with every turnover figure, from either side, of whatever period.
            counts = pd.concat([series_, mirror_])
            counts = counts[counts["flow"] == "turnover"]["value_usd"]
            facts["largest_goal_above_all"] = bool(counts.empty or money["value_usd"].max() > counts.max())
        else:
            facts["goal_repeated"] = False
            facts["largest_is_usual"] = False
            facts["largest_goal_above_all"] = False
    else:
        facts["has_turnover_goal"] = False
        facts["goal_repeated"] = False
        facts["largest_is_usual"] = False
        facts["largest_goal_above_all"] = False
    return facts


def reporter_rows(package, reporter: str) -> pd.DataFrame:
    """The trade rows `reporter` reports or is the partner of: all a trade chapter needs of the
    table, and all it records as read, so a figure of another state leaves it cached."""
    rows = pd.concat([package.select("trade", "reporter", [reporter]), package.select("trade", "partner", [reporter])])
    return rows[~rows.index.duplicated()].sort_index()


def pair_rows(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """Every row about the trade between the two, from either side, including figures that lost
    a dispute and targets: what the chapter shows, for its downloads and its disputes."""
    pair = ((trade["reporter"] == reporter) & (trade["partner"] == partner)) | (
        (trade["reporter"] == partner) & (trade["partner"] == reporter))
    return trade[pair].sort_values(["period_start", "trade_id"]).reset_index(drop=True)


def intro_sections(before: dict, later: dict) -> str:
    """What the chapter goes on to read, for its opening paragraph: only the parts this page
    has, so that the introduction never promises a section the data do not fill."""
    parts = []
    if before.get("has_prewar"):
        parts.append("first the last period before the takeover that they break down by product")
    if later.get("has_series") or later.get("has_chart"):
        parts.append("the figures over the years")
    if later.get("has_mirror"):
        parts.append("the other side's own count")
    if later.get("has_targets"):
        parts.append("the goals the governments announced")
    return join(parts) if parts else "what little the data hold"

