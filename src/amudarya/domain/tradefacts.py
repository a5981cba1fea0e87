"""What the trade chapter says, as the facts it glues: the last period before the takeover, the
figures over the years, the other side's count and the goals announced.

Each section of the page is one function returning its facts. A section's flags are always
present, True or False, so the page can drop the cells the data do not support; when the data
hold nothing for a section it returns its flags, all False, and nothing else. Money is in US$
million (`*_m`) and, as the book writes money, in `*_text`.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.periods import period_label
from amudarya.domain.tradefigures import (
    PeriodSummary,
    calendar_years,
    composition,
    latest,
    latest_period_before,
    like_for_like,
    summarise_period,
)
from amudarya.domain.tradetables import FLOW_WORDS, MILLION, money_text
from amudarya.domain.words import join, money

# ---------------------------------------------------------------------------
# Before the takeover

PREWAR_FLAGS = (
    "has_prewar",
    "has_turnover",
    "has_balance",
    "exports_derived",
    "has_top_export",
    "has_top_export_share",
    "has_second_export",
    "has_top_import",
)


def before_takeover(flows_: pd.DataFrame, takeover) -> dict:
    """What a reporter's trade with its partner looked like in the last period before the
    takeover that the sources break down by product.

    Returns the facts the chapter states (values in US$ million, shares as fractions), with
    its flags False and nothing else when the data hold no such period.
    """
    period = latest_period_before(flows_, takeover)
    if period is None:
        return dict.fromkeys(PREWAR_FLAGS, False)
    summary = summarise_period(flows_, *period)
    parts = composition(flows_, *period)
    return {
        "has_prewar": True,
        "prewar_period": period_label(*period),
        **_prewar_totals(summary),
        **_top_exports(parts[(parts["flow"] == "export") & ~parts["derived"]], summary.exports),
        **_top_import(parts[(parts["flow"] == "import") & ~parts["derived"]]),
    }


def _in_words(facts: dict, keys: tuple[str, ...]) -> dict:
    """`<key>_text` for each `<key>_m` present: the amount as the book writes money (words.money)."""
    return {f"{key}_text": money(facts[f"{key}_m"] * MILLION) for key in keys if f"{key}_m" in facts}


def _prewar_totals(summary: PeriodSummary) -> dict:
    """Turnover, and exports against imports, for the period."""
    facts = {
        "has_turnover": summary.turnover is not None,
        "has_balance": summary.exports is not None and summary.imports is not None,
        "exports_derived": summary.exports_derived,
    }
    if facts["has_turnover"]:
        facts["turnover_m"] = summary.turnover / MILLION
    if facts["has_balance"]:
        facts.update(
            exports_m=summary.exports / MILLION,
            imports_m=summary.imports / MILLION,
            export_share=summary.export_share,
            exports_per_import=summary.exports_per_dollar_of_imports,
        )
    return facts | _in_words(facts, ("turnover", "exports", "imports"))


def _top_exports(named: pd.DataFrame, exports: float | None) -> dict:
    """The two largest exports the sources name, and the first one's share of all exports."""
    facts = {"has_top_export": not named.empty, "has_second_export": len(named) > 1}
    if not named.empty:
        top = named.iloc[0]
        facts.update(top_export=top["product"], top_export_m=top["value_usd"] / MILLION)
        if exports:
            facts["top_export_share"] = top["value_usd"] / exports
    if len(named) > 1:
        second = named.iloc[1]
        facts.update(second_export=second["product"], second_export_m=second["value_usd"] / MILLION)
    facts["has_top_export_share"] = "top_export_share" in facts
    return facts | _in_words(facts, ("top_export", "second_export"))


def _top_import(named: pd.DataFrame) -> dict:
    """The largest import the sources name, in dollars (it is small beside the exports)."""
    if named.empty:
        return {"has_top_import": False}
    top = named.iloc[0]
    value = float(top["value_usd"])
    return {
        "has_top_import": True,
        "top_import": top["product"],
        "top_import_usd": value,
        "top_import_text": money(value),
    }


# ---------------------------------------------------------------------------
# The figures over the years, the other side's count and the goals

LATEST_FLAGS = ("has_latest_turnover", "latest_after_takeover")
LIKE_FOR_LIKE_FLAGS = ("has_like_for_like", "like_for_like_rose", "lfl_approximate")
FULL_YEAR_FLAGS = ("has_full_years", "last_year_is_peak")
GOAL_FLAGS = ("has_turnover_goal", "goal_repeated", "largest_is_usual", "largest_goal_above_all")


def series_facts(
    series_: pd.DataFrame, mirror_: pd.DataFrame, targets_: pd.DataFrame, products_: pd.DataFrame, takeover, rate=None
) -> dict:
    """The facts the chapter states about the series, its mirror and the targets; every flag is
    always present (True/False) so the page can drop what the data do not support. Money is in
    US$ million (`*_m`) and, as text with its qualifier, in `*_text`; with `rate`, `*_local`
    (the amount in the rate's currency) and `*_local_text` as well."""
    return {
        **_what_there_is(series_, mirror_, targets_, products_),
        **_spans(series_),
        **_latest_turnover(series_, takeover, rate),
        **_like_for_like(series_),
        **_full_years(series_),
        **_mirror(mirror_),
        **_goals(targets_, series_, mirror_),
    }


def _what_there_is(
    series_: pd.DataFrame, mirror_: pd.DataFrame, targets_: pd.DataFrame, products_: pd.DataFrame
) -> dict:
    """Which kinds of figure the data hold, and so which sections the page has."""
    has = {
        "has_series": not series_.empty,
        "has_mirror": not mirror_.empty,
        "has_targets": not targets_.empty,
        "has_products": not products_.empty,
    }
    return has | {
        "has_any_figures": any(has.values()),
        "has_chart": has["has_series"] or has["has_mirror"],
        "mirror_only": has["has_mirror"] and not has["has_series"],
    }


def _spans(series_: pd.DataFrame) -> dict:
    """How many figures the reporter's side gives, over what periods and of what lengths."""
    if series_.empty:
        return {"mixed_spans": False}
    n_spans = int(series_["months"].nunique())
    return {
        "n_figures": len(series_),
        "first_period": series_.sort_values(["period_start", "period_end"]).iloc[0]["period"],
        "last_period": series_.sort_values(["period_end", "period_start"]).iloc[-1]["period"],
        "n_spans": n_spans,
        "shortest_months": int(series_["months"].min()),
        "longest_months": int(series_["months"].max()),
        "mixed_spans": n_spans > 1,
    }


def _latest_turnover(series_: pd.DataFrame, takeover, rate=None) -> dict:
    """The most recent turnover figure, whether its period began after the takeover, and with
    `rate` the amount in the rate's currency."""
    top = latest(series_, "turnover")
    if top is None:
        return dict.fromkeys(LATEST_FLAGS, False)
    value = float(top["value_usd"])
    facts = {
        "has_latest_turnover": True,
        "latest_turnover_period": top["period"],
        "latest_turnover_months": int(top["months"]),
        "latest_turnover_m": value / MILLION,
        "latest_turnover_text": money_text(value, top["qualifier"]),
        "latest_turnover_by": top["reported_by"],
        "latest_turnover_id": top["trade_id"],
        "latest_after_takeover": bool(top["period_start"] >= pd.Timestamp(takeover)),
    }
    if rate is not None:
        facts.update(
            latest_turnover_local=rate.convert(value),
            latest_turnover_local_text=money_text(value, top["qualifier"], rate=rate),
        )
    return facts


def _like_for_like(series_: pd.DataFrame) -> dict:
    """The latest figure set against the same months a year earlier, and the change."""
    pair = like_for_like(series_)
    if pair is None:
        return dict.fromkeys(LIKE_FOR_LIKE_FLAGS, False)
    now, before, rose = pair["now"], pair["before"], pair["change"] > 0
    return {
        "has_like_for_like": True,
        "like_for_like_rose": bool(rose),
        "lfl_flow": FLOW_WORDS[pair["flow"]],
        "lfl_period": now["period"],
        "lfl_before_period": before["period"],
        "lfl_now_text": money_text(float(now["value_usd"]), now["qualifier"]),
        "lfl_before_text": money_text(float(before["value_usd"]), before["qualifier"]),
        "lfl_change": abs(pair["change"]),
        "lfl_rise_or_fall": "rise" if rose else "fall",
        "lfl_higher_or_lower": "higher" if rose else "lower",
        "lfl_months": int(now["months"]),
        # A change computed from a lower bound or a rounded figure is itself approximate.
        "lfl_approximate": bool({now["qualifier"], before["qualifier"]} - {"exact"}),
    }


def _full_years(series_: pd.DataFrame) -> dict:
    """Turnover in whole calendar years, when there are two or more: the first, the last and
    the highest."""
    years = calendar_years(series_)
    if len(years) < 2:
        return dict.fromkeys(FULL_YEAR_FLAGS, False)
    peak = years.sort_values(["value_usd", "period_start"], ascending=[False, True]).iloc[0]
    last = years.iloc[-1]
    return {
        "has_full_years": True,
        "n_full_years": len(years),
        "full_years_first": f"{years.iloc[0]['period_start']:%Y}",
        "full_years_last": f"{last['period_start']:%Y}",
        "peak_year": f"{peak['period_start']:%Y}",
        "peak_year_text": money_text(float(peak["value_usd"]), peak["qualifier"]),
        "last_year_text": money_text(float(last["value_usd"]), last["qualifier"]),
        "last_year_is_peak": peak["trade_id"] == last["trade_id"],
    }


def _mirror(mirror_: pd.DataFrame) -> dict:
    """How many figures the partner gives for the same trade, and its latest turnover figure."""
    if mirror_.empty:
        return {"has_mirror_turnover": False}
    top = latest(mirror_, "turnover")
    facts = {"n_mirror": len(mirror_), "has_mirror_turnover": top is not None}
    if top is not None:
        facts.update(
            mirror_turnover_period=top["period"],
            mirror_turnover_text=money_text(float(top["value_usd"]), top["qualifier"]),
            mirror_turnover_by=top["reported_by"],
        )
    return facts


def _goals(targets_: pd.DataFrame, series_: pd.DataFrame, mirror_: pd.DataFrame) -> dict:
    """How many goals were announced and when the first was, then the turnover goals."""
    if targets_.empty:
        return dict.fromkeys(GOAL_FLAGS, False)
    return {
        "n_targets": len(targets_),
        "n_targets_text": f"{len(targets_)} goal" + ("" if len(targets_) == 1 else "s"),
        "first_target_announced": f"{targets_['period_start'].min():%B %Y}",
        **_turnover_goals(targets_, series_, mirror_),
    }


def _turnover_goals(targets_: pd.DataFrame, series_: pd.DataFrame, mirror_: pd.DataFrame) -> dict:
    """The turnover goal named most often and the largest, set against every turnover figure."""
    goals = targets_[targets_["value_usd"].notna() & (targets_["product"] == "all")]
    if goals.empty:
        return dict.fromkeys(GOAL_FLAGS, False)
    counts = goals.groupby("value_usd").size().sort_index(ascending=False)
    usual, largest = money_text(float(counts.idxmax())), money_text(float(goals["value_usd"].max()))
    # Compared with every turnover figure, from either side, of whatever period.
    figures = pd.concat([series_, mirror_])
    figures = figures[figures["flow"] == "turnover"]["value_usd"]
    return {
        "has_turnover_goal": True,
        "usual_goal_text": usual,
        "usual_goal_times": int(counts.max()),
        "largest_goal_text": largest,
        "last_goal_announced": f"{goals['period_start'].max():%B %Y}",
        "goal_repeated": int(counts.max()) > 1,
        "largest_is_usual": largest == usual,
        "largest_goal_above_all": bool(figures.empty or goals["value_usd"].max() > figures.max()),
    }


# ---------------------------------------------------------------------------
# The opening paragraph


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
