"""Stages of ethnic kin's move home: one figure per thing counted at each stage (places
offered, people planned for, crossed, stopped, arrived, granted status), in persons, families
or houses, never added across units; the chart's rows, its note and its table.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from amudarya.domain.citations import short_reference
from amudarya.domain.counts import count_text, when
from amudarya.domain.disputes import set_aside
from amudarya.domain.kinship import kin_words
from amudarya.domain.places import country_name
from amudarya.domain.words import CONFIDENCE_RANK

# Stages of a move home, in the order a move runs; the chart and the prose follow it.
STAGES = (
    "capacity",
    "pledged",
    "planned",
    "evacuated",
    "crossed",
    "blocked",
    "returned",
    "died",
    "arrived",
    "settled",
    "granted_status",
    "granted_citizenship",
    "remaining",
)
CHART_STAGES = tuple(s for s in STAGES if s != "died")
UNITS = ("persons", "families", "houses")
# Which kinds of event record who offered, pledged, planned or flew people out (to name them).
STAGE_EVENTS = {
    "capacity": ("statement",),
    "pledged": ("resettlement", "statement"),
    "planned": ("resettlement", "symbolic", "statement"),
    "evacuated": ("evacuation",),
}


def _consensus(claims: pd.DataFrame) -> tuple[float, float | None, bool]:
    """The value most claims give, as (low, high or None, spans). When no value is given more
    often than every other, the span of all claims, low end to high end, with spans True."""
    keys = [
        (float(v), float(h) if pd.notna(h) else None)
        for v, h in zip(claims["value"], claims["value_high"], strict=True)
    ]
    ranked = Counter(keys).most_common()
    if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
        low, high = ranked[0][0]
        return low, high, False
    low = min(k[0] for k in keys)
    high = max(k[1] if k[1] is not None else k[0] for k in keys)
    return low, high, True


def _precision_rank(row) -> int:
    return {"day": 3, "month": 2, "year": 1}.get(row["date_precision"], 0)


def _best(rows: pd.DataFrame) -> pd.Series:
    """The row to date a figure by: the most precisely dated, then the most confident."""
    ranked = rows.assign(_p=rows.apply(_precision_rank, axis=1), _c=rows["confidence"].map(CONFIDENCE_RANK))
    return ranked.sort_values(["_p", "_c", "record_id"], ascending=[False, True, True]).iloc[0]


def _figure(rows: pd.DataFrame, value: float, high: float | None, spans: bool, dispute_id=None) -> dict:
    anchor = _best(rows)
    if spans:
        first, last = rows.sort_values("date").iloc[0], rows.sort_values("date").iloc[-1]
        when_long = when(first) if when(first) == when(last) else f"{when(first)} to {when(last)}"
        when_short = (
            when(first, True) if when(first, True) == when(last, True) else f"{when(first, True)}–{when(last, True)}"
        )
        qualifier = "exact"
    else:
        when_long, when_short = when(anchor), when(anchor, short=True)
        qualifier = anchor["qualifier"]
    return {
        "measure": anchor["measure"],
        "unit": anchor["unit"],
        "value": value,
        "value_high": high,
        "qualifier": qualifier,
        "spans": spans,
        "when": when_long,
        "when_short": when_short,
        "date": anchor["date"],
        "date_precision": anchor["date_precision"],
        "start": anchor["period_start"] if pd.notna(anchor["period_start"]) else anchor["date"],
        "country": anchor["country"],
        "origin": anchor["origin"],
        "dispute_id": dispute_id,
        "disputed": dispute_id is not None,
        "record_ids": tuple(rows["record_id"]),
        "source_ids": tuple(dict.fromkeys(rows["source_id"])),
    }


def _contains(outer: dict, inner: dict) -> bool:
    """Whether `outer`'s period covers `inner`'s and is longer (a year covers its first nine months)."""
    return (
        outer["start"] <= inner["start"]
        and outer["date"] >= inner["date"]
        and (outer["date"] - outer["start"]) > (inner["date"] - inner["start"])
    )


def stage_figures(
    kin: pd.DataFrame, people: pd.DataFrame, disputes: pd.DataFrame, origin: str, stages=CHART_STAGES
) -> pd.DataFrame:
    """One row per thing counted at a stage of the move home, for kin from `origin` (not the
    all-origin programme totals), in persons, families or houses, in the order of STAGES.

    - A figure that lost a dispute is left out.
    - Claims in a dispute that takes no side become one figure: the value most of the dispute's
      claims give, or, when none is given more often than the rest, the span of all of them
      (`spans` True); `disputed` marks it so the page can show every claim.
    - Rows giving the same value within a month of each other are one figure with several
      sources.
    - A count for part of a period is dropped when a count for the whole period exists (the
      year's grants replace those of its first nine months).
    """
    rows = kin[(kin["origin"] == origin) & kin["unit"].isin(UNITS) & kin["measure"].isin(list(stages))]
    rows = rows[~set_aside(rows, "record_id", disputes)]
    pool = people[~set_aside(people, "record_id", disputes)]
    figures = []
    for (_measure, unit), group in rows.groupby(["measure", "unit"], sort=False):
        figures.extend(_disputed_figures(group, pool, unit))
        figures.extend(_plain_figures(group[group["dispute_id"].isna()].sort_values("date")))
    columns = [
        "measure",
        "unit",
        "value",
        "value_high",
        "qualifier",
        "spans",
        "when",
        "when_short",
        "date",
        "date_precision",
        "start",
        "country",
        "origin",
        "dispute_id",
        "disputed",
        "record_ids",
        "source_ids",
    ]
    frame = pd.DataFrame(figures, columns=columns)
    if frame.empty:
        return frame
    frame["_stage"] = frame["measure"].map({s: i for i, s in enumerate(STAGES)})
    frame["_unit"] = frame["unit"].map({u: i for i, u in enumerate(UNITS)})
    return frame.sort_values(["_unit", "_stage", "date"]).drop(columns=["_stage", "_unit"]).reset_index(drop=True)


def _disputed_figures(group: pd.DataFrame, pool: pd.DataFrame, unit: str) -> list[dict]:
    """One figure per dispute among the rows of one stage and unit: the value most of the
    dispute's claims (`pool`) give, or the span of them all."""
    figures = []
    for dispute_id, claimed in group[group["dispute_id"].notna()].groupby("dispute_id"):
        claims = pool[(pool["dispute_id"] == dispute_id) & (pool["unit"] == unit)]
        low, high, spans = _consensus(claims)
        same_high = claimed["value_high"].isna() if high is None else claimed["value_high"] == high
        mine = claimed[((claimed["value"] == low) & same_high).fillna(False).astype(bool)]
        if spans or mine.empty:
            if mine.empty and not spans:
                low, high, spans = _consensus(claimed)
            mine = claimed if spans else claimed[claimed["value"] == low]
        figures.append(_figure(mine, low, high, spans, dispute_id))
    return figures


def _plain_figures(plain: pd.DataFrame) -> list[dict]:
    """Figures from rows in no dispute (oldest first): rows giving the same value within a month
    of each other are one figure; a count for part of a period gives way to the whole period's."""
    clusters: list[list[int]] = []
    for index, row in plain.iterrows():
        for cluster in clusters:
            first = plain.loc[cluster[0]]
            same = row["value"] == first["value"] and (
                pd.isna(row["value_high"]) and pd.isna(first["value_high"]) or row["value_high"] == first["value_high"]
            )
            if same and abs((row["date"] - first["date"]).days) <= 31:
                cluster.append(index)
                break
        else:
            clusters.append([index])
    found = []
    for cluster in clusters:
        members = plain.loc[cluster]
        high = members["value_high"].iloc[0]
        found.append(_figure(members, float(members["value"].iloc[0]), None if pd.isna(high) else float(high), False))
    return [f for f in found if not any(_contains(o, f) for o in found if o is not f)]


def stage_label(figure: pd.Series, country: str, countries: pd.DataFrame | None = None) -> str:
    """What a stage figure counts, in words: 'Stopped in Tajikistan', 'Granted kayrylman status'."""
    where = country_name(figure["country"], countries)
    origin = country_name(figure["origin"], countries)
    programme = kin_words(countries, country).programme if countries is not None else None
    return {
        "capacity": "Places offered",
        "pledged": "Pledged to move",
        "planned": "Planned to be built" if figure["unit"] == "houses" else "Planned to move",
        "evacuated": f"Flown out of {origin}",
        "crossed": f"Crossed into {where}",
        "blocked": f"Stopped in {where}",
        "returned": f"Went back to {origin}",
        "died": "Died on the way",
        "arrived": f"Arrived in {where}",
        "settled": "Settled in new homes",
        "granted_status": f"Granted {programme} status" if programme else "Granted returnee status",
        "granted_citizenship": "Granted citizenship",
        "remaining": f"Still in {origin} ({'estimates' if figure.get('spans') else 'estimate'})",
    }[figure["measure"]]


def stage_chart_title(facts: dict, origin_name: str) -> str:
    """'Kyrgyz kin from Afghanistan: from promise to arrival'."""
    label = facts["kin_label"]
    return f"{label[:1].upper()}{label[1:]} from {origin_name}: from promise to arrival"


# A stock (how many are still there) is not a stage of a move: it gets its own panel.
STOCKS = ("remaining",)


def stage_chart_data(figures: pd.DataFrame, country: str, countries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows for bars.stage_bars: label ('Places offered, Aug 2021'), unit, panel, value,
    value_high, text. Movements are in one panel per unit, oldest first; estimates of how many
    remain are a stock, not a movement, and have a panel of their own."""
    if figures.empty:
        return pd.DataFrame(columns=["label", "unit", "panel", "value", "value_high", "text"])
    figures = figures.assign(
        _stock=figures["measure"].isin(STOCKS), _unit=figures["unit"].map({u: i for i, u in enumerate(UNITS)})
    )
    figures = figures.sort_values(["_stock", "_unit", "date"], kind="stable")
    labels = [f"{stage_label(f, country, countries)}, {f['when_short']}" for _, f in figures.iterrows()]
    texts = [
        count_text(f["value"], f["value_high"], f["qualifier"]) + (" (disputed)" if f["disputed"] else "")
        for _, f in figures.iterrows()
    ]
    panels = [
        f"Estimates of how many remain (a stock at a date, not a movement), in {u}"
        if stock
        else f"Movements and promises, in {u}, oldest first"
        for u, stock in zip(figures["unit"], figures["_stock"], strict=True)
    ]
    return pd.DataFrame(
        {
            "label": labels,
            "unit": list(figures["unit"]),
            "panel": panels,
            "value": list(figures["value"].astype(float)),
            "value_high": list(figures["value_high"]),
            "text": texts,
        }
    )


def figure_actor(figure: pd.Series, events: pd.DataFrame, actors: pd.DataFrame) -> pd.Series | None:
    """The actor of the one repatriation event that records this figure's announcement or act:
    same country, same month, a matching kind of event. None when no single event fits."""
    kinds = STAGE_EVENTS.get(figure["measure"])
    if not kinds:
        return None
    day = pd.Timestamp(figure["date"])
    hits = events[
        (events["thread"] == "repatriation")
        & (events["country"] == figure["country"])
        & events["event_type"].isin(kinds)
        & (events["date"].dt.year == day.year)
        & (events["date"].dt.month == day.month)
    ]
    if len(hits) != 1:
        return None
    found = actors[actors["actor_id"] == hits["actor_id"].iloc[0]]
    return None if found.empty else found.iloc[0]


def stage_note(figures: pd.DataFrame) -> str:
    """The line under the stages chart: units never added; what 'disputed' and a range mean."""
    units = list(dict.fromkeys(figures["unit"]))
    parts = []
    if len(units) > 1:
        parts.append(
            ", ".join(u.capitalize() if i == 0 else u for i, u in enumerate(units[:-1]))
            + f" and {units[-1]} are counted apart and never added."
        )
    if figures["disputed"].any():
        parts.append("\u201cDisputed\u201d: the sources give other counts, listed in the chapter.")
    if figures["value_high"].notna().any():
        parts.append("A lighter bar runs on to the high end of a range.")
    return " ".join(parts)


def stage_table(figures: pd.DataFrame, country: str, countries: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The figures behind the stages chart, each with when, its unit and its sources."""
    by_id = sources.set_index("source_id")
    return pd.DataFrame(
        {
            "Stage": [stage_label(f, country, countries) for _, f in figures.iterrows()],
            "When": figures["when"],
            "Count": [count_text(f["value"], f["value_high"], f["qualifier"]) for _, f in figures.iterrows()],
            "Unit": figures["unit"],
            "Sources": [
                "; ".join(short_reference(by_id.loc[s].rename({"source_id": s})) for s in ids)
                for ids in figures["source_ids"]
            ],
        }
    )
