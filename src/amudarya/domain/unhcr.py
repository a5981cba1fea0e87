"""UNHCR's statistics on Afghans in the states: a different population from ethnic kin.

Two readings of the `people` table: one state's yearly series of stocks and flows (the
repatriation chapter's context, with its facts), and the states' year-end counts side by side
(the overview), from UNHCR's own publications only.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.places import country_name
from amudarya.domain.region import AFGHANISTAN
from amudarya.domain.words import NOT_IN_DATA

UNHCR_STOCKS = {
    "refugees": "Refugees",
    "asylum_seekers": "Asylum-seekers",
    "other_in_need_of_protection": "Others in need of international protection",
}
UNHCR_FLOWS = {
    "asylum_applications": "New asylum applications",
    "returned_refugees": "Refugees who went back",
    "naturalised": "Refugees naturalised",
}
UNHCR_MEASURES = tuple(UNHCR_STOCKS) + tuple(UNHCR_FLOWS)


# ---------------------------------------------------------------------------
# One state's series


def unhcr_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    rows = people[
        (people["country"] == country) & (people["origin"] == origin) & people["measure"].isin(UNHCR_MEASURES)
    ]
    return rows.sort_values(["date", "measure"]).reset_index(drop=True)


def unhcr_by_year(unhcr: pd.DataFrame, measures) -> pd.DataFrame:
    """One row per year, one column per measure present (values in persons; NA where UNHCR gives
    no figure for that year, which is not a zero)."""
    rows = unhcr[unhcr["measure"].isin(list(measures))]
    if rows.empty:
        return pd.DataFrame(columns=["year"])
    table = rows.assign(year=rows["date"].dt.year).pivot_table(
        index="year", columns="measure", values="value", aggfunc="first"
    )
    ordered = [m for m in measures if m in table.columns]
    return table[ordered].reset_index().rename_axis(columns=None)


def unhcr_flows_table(unhcr: pd.DataFrame) -> pd.DataFrame:
    """Movements over each year (blank where UNHCR gives no figure, which is not a zero)."""
    table = unhcr_by_year(unhcr, UNHCR_FLOWS)
    out = pd.DataFrame({"Year": table["year"].astype(int)})
    for measure, label in UNHCR_FLOWS.items():
        if measure in table.columns:
            out[label] = [f"{v:,.0f}" if pd.notna(v) else "" for v in table[measure]]
    return out


def unhcr_facts(unhcr: pd.DataFrame, takeover: pd.Timestamp) -> dict:
    """What the repatriation chapter says of one state's UNHCR series: refugees first, last and
    at their peak, the counts either side of the takeover, others in need of protection."""
    stocks = unhcr_by_year(unhcr, UNHCR_STOCKS)
    flows = unhcr_by_year(unhcr, UNHCR_FLOWS)
    has_stocks = "refugees" in stocks.columns
    # Years with a refugee count; none when UNHCR gives the state no refugee count at all.
    stocks = stocks.dropna(subset=["refugees"]) if has_stocks else stocks.iloc[0:0]
    return {
        "has_unhcr_stocks": has_stocks,
        "has_unhcr_flows": len(flows.columns) > 1,
        **_refugee_facts(stocks),
        **_takeover_facts(stocks, takeover),
        **_oip_facts(stocks),
    }


def _refugee_facts(stocks: pd.DataFrame) -> dict:
    """Refugees in the first, last and peak year, and asylum-seekers in the last year."""
    last = stocks.iloc[-1] if not stocks.empty else pd.Series(dtype=object)
    asylum = int(last["asylum_seekers"]) if pd.notna(last.get("asylum_seekers")) else None
    facts = {"has_asylum_last": (asylum or 0) > 0, "no_asylum_last": asylum == 0}
    if asylum is not None:
        facts["asylum_last"] = asylum
    if not stocks.empty:
        first = stocks.iloc[0]
        peak = stocks.sort_values(["refugees", "year"], ascending=[False, True]).iloc[0]
        facts.update(
            unhcr_first_year=int(first["year"]),
            unhcr_last_year=int(last["year"]),
            refugees_first=int(first["refugees"]),
            refugees_last=int(last["refugees"]),
            refugees_peak=int(peak["refugees"]),
            refugees_peak_year=int(peak["year"]),
        )
    return facts


def _takeover_facts(stocks: pd.DataFrame, takeover: pd.Timestamp) -> dict:
    """The counts at the end of the year before the takeover and of the takeover's year."""
    before = stocks[stocks["year"] == takeover.year - 1]
    after = stocks[stocks["year"] == takeover.year]
    if before.empty or after.empty:
        return {"has_unhcr_takeover_pair": False, "refugees_rose_at_takeover": False}
    r0, r1 = int(before["refugees"].iloc[0]), int(after["refugees"].iloc[0])
    # Refugees are one of UNHCR's counts: the sentence gives asylum-seekers beside them, so
    # that a flat refugee count is not read as a takeover that changed nothing.
    text = f"At the end of {takeover.year - 1} UNHCR counted {r0:,} Afghan refugees, a year later {r1:,}"
    rose = r1 > r0
    asylum = "asylum_seekers" in stocks.columns
    if asylum and pd.notna(before["asylum_seekers"].iloc[0]) and pd.notna(after["asylum_seekers"].iloc[0]):
        a0, a1 = int(before["asylum_seekers"].iloc[0]), int(after["asylum_seekers"].iloc[0])
        text += f"; asylum-seekers went from {a0:,} to {a1:,}"
        rose = rose or a1 > a0
    return {
        "has_unhcr_takeover_pair": True,
        "refugees_rose_at_takeover": rose,
        "refugees_before_takeover": r0,
        "refugees_takeover_year": r1,
        "year_before_takeover": takeover.year - 1,
        "takeover_year": takeover.year,
        "takeover_counts_text": text + ".",
    }


def _oip_facts(stocks: pd.DataFrame) -> dict:
    """Others in need of protection in the latest year UNHCR counts them, and whether refugees
    fell that year (UNHCR moved many Afghans from one count to the other)."""
    column = "other_in_need_of_protection"
    oip = stocks.dropna(subset=[column]) if column in stocks.columns else stocks.iloc[0:0]
    if oip.empty:
        return {"has_oip": False, "refugees_fell_with_oip": False}
    year = int(oip["year"].iloc[-1])
    year_before, that_year = stocks[stocks["year"] == year - 1], stocks[stocks["year"] == year]
    return {
        "has_oip": True,
        "oip_last": int(oip[column].iloc[-1]),
        "oip_year": year,
        "refugees_fell_with_oip": bool(
            not year_before.empty
            and not that_year.empty
            and that_year["refugees"].iloc[0] < year_before["refugees"].iloc[0]
        ),
    }


# ---------------------------------------------------------------------------
# The states side by side


def year_end_rows(people: pd.DataFrame, sources: pd.DataFrame, states) -> pd.DataFrame:
    """UNHCR's year-end counts of Afghans in each state (refugees, asylum-seekers, others in
    need of protection); figures from other publishers (a ministry's own count) are left out."""
    unhcr = set(sources.loc[sources["publisher"] == "UNHCR", "source_id"])
    rows = people[
        people["source_id"].isin(unhcr)
        & (people["origin"] == AFGHANISTAN)
        & people["country"].isin(list(states))
        & people["measure"].isin(list(UNHCR_STOCKS))
    ]
    return rows.sort_values(["country", "measure", "date"]).reset_index(drop=True)


def latest_year(rows: pd.DataFrame) -> int | None:
    return None if rows.empty else int(rows["date"].dt.year.max())


def year_end_table(rows: pd.DataFrame, states, countries: pd.DataFrame) -> pd.DataFrame:
    """Per state, UNHCR's counts at the end of the latest year in the data, and the refugee
    count a year before (UNHCR moved many Afghans between categories)."""
    year = latest_year(rows)
    out = []
    for state in states:
        mine = rows[rows["country"] == state]
        record = {"State": country_name(state, countries)}

        def value(measure, y, mine=mine):
            hit = mine[(mine["measure"] == measure) & (mine["date"].dt.year == y)]
            return f"{hit['value'].iloc[0]:,.0f}" if len(hit) else NOT_IN_DATA

        if year is None:
            record["UNHCR counts"] = NOT_IN_DATA
        else:
            record[f"Refugees, end of {year - 1}"] = value("refugees", year - 1)
            for measure, label in UNHCR_STOCKS.items():
                record[f"{label}, end of {year}"] = value(measure, year)
        out.append(record)
    return pd.DataFrame(out)
