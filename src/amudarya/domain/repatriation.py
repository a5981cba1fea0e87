"""Bringing ethnic kin home: what the repatriation chapter computes from the `people` table.

Three kinds of people rows meet in this thread and are never added together:

- ethnic kin: a state's own people abroad (the Pamir Kyrgyz, Kazakh qandas), counted at each
  stage of a move home: places offered, families pledged, people planned for, people who set
  out, were stopped, turned back, arrived, were granted status;
- UNHCR context: Afghans who sought protection in the state, a different population;
- other counts (evacuated citizens, UN staff, quotas), listed apart from both.

Units are kept apart as well: persons, families and houses count different things, so no
function adds one to another, and the chart draws each unit in its own panel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from amudarya.domain.citations import short_reference
from amudarya.domain.disputes import claims, for_rows, set_aside
from amudarya.domain.places import country_name
from amudarya.domain.words import CONFIDENCE_RANK, count, date_phrase, date_text, qualified

# ---------------------------------------------------------------------------
# Who counts as kin: the `kin_of` column of the people table, and the words for them in the
# countries table. Nothing here knows a state's people or programme by name.


@dataclass(frozen=True)
class KinWords:
    """What data/countries.csv calls a state's ethnic kin and its programme for them; None
    where no cited source names them (or the state has no row)."""

    name: str | None = None  # plural noun: '300 Kyrgyz', '35 Kazakhs'
    adjective: str | None = None  # 'Kazakh kin'
    programme: str | None = None  # 'kayrylman', 'qandas'

    @property
    def named(self) -> bool:
        return self.name is not None and self.adjective is not None


def kin_words(countries: pd.DataFrame, country: str) -> KinWords:
    row = countries[countries["iso3"] == country]
    if row.empty:
        return KinWords()
    row = row.iloc[0]
    text = lambda field: str(row[field]) if pd.notna(row[field]) else None  # noqa: E731
    return KinWords(text("kin_name"), text("kin_adjective"), text("kin_programme"))


ALL_ORIGINS = "ALL"

# The UNHCR statistics on Afghans in each state: a different population from ethnic kin.
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

# Stages of a move home, in the order a move runs; the chart and the prose follow it.
STAGES = (
    "capacity", "pledged", "planned", "evacuated", "crossed", "blocked", "returned", "died",
    "arrived", "settled", "granted_status", "granted_citizenship", "remaining",
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


def kin_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Every row about `country`'s ethnic kin coming from `origin`, wherever they were counted
    (the Pamir Kyrgyz stopped in Tajikistan are Kyrgyz kin), plus the programme totals over all
    origins (origin ALL)."""
    rows = people[(people["kin_of"] == country).fillna(False) & people["origin"].isin([origin, ALL_ORIGINS])]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


def kin_of_others(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Rows counted in `country` about another state's kin (the Pamir Kyrgyz in Tajikistan, for
    Tajikistan); `kin_of` names that state."""
    rows = people[people["kin_of"].notna() & (people["kin_of"] != country).fillna(False)
                  & (people["country"] == country) & people["origin"].isin([origin, ALL_ORIGINS])]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


def unhcr_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    rows = people[(people["country"] == country) & (people["origin"] == origin)
                  & people["measure"].isin(UNHCR_MEASURES)]
    return rows.sort_values(["date", "measure"]).reset_index(drop=True)


def other_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Counts about people from `origin` in `country` that are neither kin (of any state) nor
    UNHCR statistics: evacuated citizens, UN staff, quotas, a government's own refugee count."""
    rows = people[(people["country"] == country) & (people["origin"] == origin)
                  & ~people["measure"].isin(UNHCR_MEASURES) & people["kin_of"].isna()]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Dates and numbers in words


def when(row: pd.Series, short: bool = False) -> str:
    """When a figure applies: '13–14 July 2021', 'January–September 2025', '2025', 'August 2021'."""
    month = "%b" if short else "%B"
    date = pd.Timestamp(row["date"])
    start = row.get("period_start")
    if pd.notna(start) and pd.Timestamp(start) != date:
        start = pd.Timestamp(start)
        whole_months = start.day == 1 and (date + pd.Timedelta(days=1)).day == 1
        if whole_months:
            if start.month == 1 and date.month == 12 and start.year == date.year:
                return f"{date:%Y}"
            if (start.year, start.month) == (date.year, date.month):
                return f"{date:{month} %Y}"
            if start.year == date.year:
                return f"{start:{month}}–{date:{month} %Y}"
            return f"{start:{month} %Y}–{date:{month} %Y}"
        # A period's end known only to the month or year is shown to that precision, never
        # as a day the source does not give.
        end_precision = row.get("date_precision", "day")
        if end_precision != "day":
            return f"{date_text(start, 'day', short)} to {date_text(date, end_precision, short)}"
        if (start.year, start.month) == (date.year, date.month):
            return f"{start.day}–{date.day} {date:{month} %Y}"
        return f"{start.day} {start:{month}} – {date.day} {date:{month} %Y}"
    precision = row.get("date_precision", "day")
    if precision == "year":
        return f"{date:%Y}"
    if precision == "month":
        return f"{date:{month} %Y}"
    return f"{date.day} {date:{month} %Y}"


def count_text(value: float, value_high=None, qualifier: str = "exact") -> str:
    """'1,200', 'about 300', '300–400', 'more than 40'."""
    text = f"{value:,.0f}"
    if value_high is not None and pd.notna(value_high) and value_high != value:
        text += f"–{value_high:,.0f}"
    return qualified(text, qualifier)


# ---------------------------------------------------------------------------
# Stages: one figure per thing counted


def _consensus(claims: pd.DataFrame) -> tuple[float, float | None, bool]:
    """The value most claims give, as (low, high or None, spans). When no value is given more
    often than every other, the span of all claims, low end to high end, with spans True."""
    keys = [(float(v), float(h) if pd.notna(h) else None) for v, h in zip(claims["value"], claims["value_high"], strict=True)]
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
        when_short = (when(first, True) if when(first, True) == when(last, True)
                      else f"{when(first, True)}–{when(last, True)}")
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
    return (outer["start"] <= inner["start"] and outer["date"] >= inner["date"]
            and (outer["date"] - outer["start"]) > (inner["date"] - inner["start"]))


def stage_figures(kin: pd.DataFrame, people: pd.DataFrame, disputes: pd.DataFrame, origin: str,
                  stages=CHART_STAGES) -> pd.DataFrame:
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
        plain = group[group["dispute_id"].isna()].sort_values("date")
        clusters: list[list[int]] = []
        for index, row in plain.iterrows():
            for cluster in clusters:
                first = plain.loc[cluster[0]]
                same = (row["value"] == first["value"]
                        and (pd.isna(row["value_high"]) and pd.isna(first["value_high"])
                             or row["value_high"] == first["value_high"]))
                if same and abs((row["date"] - first["date"]).days) <= 31:
                    cluster.append(index)
                    break
            else:
                clusters.append([index])
        found = []
        for cluster in clusters:
            members = plain.loc[cluster]
            high = members["value_high"].iloc[0]
            found.append(_figure(members, float(members["value"].iloc[0]),
                                 None if pd.isna(high) else float(high), False))
        figures.extend(f for f in found if not any(_contains(o, f) for o in found if o is not f))
    columns = ["measure", "unit", "value", "value_high", "qualifier", "spans", "when", "when_short", "date",
               "date_precision", "start",
               "country", "origin", "dispute_id", "disputed", "record_ids", "source_ids"]
    frame = pd.DataFrame(figures, columns=columns)
    if frame.empty:
        return frame
    frame["_stage"] = frame["measure"].map({s: i for i, s in enumerate(STAGES)})
    frame["_unit"] = frame["unit"].map({u: i for i, u in enumerate(UNITS)})
    return frame.sort_values(["_unit", "_stage", "date"]).drop(columns=["_stage", "_unit"]).reset_index(drop=True)


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
    """Rows for plots.stage_bars: label ('Places offered, Aug 2021'), unit, panel, value,
    value_high, text. Movements are in one panel per unit, oldest first; estimates of how many
    remain are a stock, not a movement, and have a panel of their own."""
    if figures.empty:
        return pd.DataFrame(columns=["label", "unit", "panel", "value", "value_high", "text"])
    figures = figures.assign(_stock=figures["measure"].isin(STOCKS),
                             _unit=figures["unit"].map({u: i for i, u in enumerate(UNITS)}))
    figures = figures.sort_values(["_stock", "_unit", "date"], kind="stable")
    labels = [f"{stage_label(f, country, countries)}, {f['when_short']}" for _, f in figures.iterrows()]
    texts = [count_text(f["value"], f["value_high"], f["qualifier"]) + (" (disputed)" if f["disputed"] else "")
             for _, f in figures.iterrows()]
    panels = [f"Estimates of how many remain (a stock at a date, not a movement), in {u}" if stock
              else f"Movements and promises, in {u}, oldest first"
              for u, stock in zip(figures["unit"], figures["_stock"], strict=True)]
    return pd.DataFrame({
        "label": labels,
        "unit": list(figures["unit"]),
        "panel": panels,
        "value": list(figures["value"].astype(float)),
        "value_high": list(figures["value_high"]),
        "text": texts,
    })


def figure_actor(figure: pd.Series, events: pd.DataFrame, actors: pd.DataFrame) -> pd.Series | None:
    """The actor of the one repatriation event that records this figure's announcement or act:
    same country, same month, a matching kind of event. None when no single event fits."""
    kinds = STAGE_EVENTS.get(figure["measure"])
    if not kinds:
        return None
    day = pd.Timestamp(figure["date"])
    hits = events[(events["thread"] == "repatriation") & (events["country"] == figure["country"])
                  & events["event_type"].isin(kinds)
                  & (events["date"].dt.year == day.year) & (events["date"].dt.month == day.month)]
    if len(hits) != 1:
        return None
    found = actors[actors["actor_id"] == hits["actor_id"].iloc[0]]
    return None if found.empty else found.iloc[0]


# ---------------------------------------------------------------------------
# Programme totals, UNHCR context, events


def programme_totals(kin: pd.DataFrame, origin: str) -> pd.DataFrame:
    """The return programme's counts over all origins, period by period, beside the count for
    `origin` where the source breaks it out. Columns: measure, unit, period, start, end, months,
    all_origins, from_origin (NA when not broken out), source_ids."""
    totals = kin[kin["origin"] == ALL_ORIGINS]
    rows = []
    for _, t in totals.iterrows():
        same = kin[(kin["origin"] == origin) & (kin["measure"] == t["measure"]) & (kin["unit"] == t["unit"])
                   & (kin["date"] == t["date"])
                   & ((kin["period_start"] == t["period_start"]) | (kin["period_start"].isna() & pd.isna(t["period_start"])))]
        start = t["period_start"] if pd.notna(t["period_start"]) else t["date"]
        rows.append({
            "measure": t["measure"],
            "unit": t["unit"],
            "period": when(t),
            "start": start,
            "end": t["date"],
            "months": max(1, round(((t["date"] - start).days + 1) / 30.4375)),
            "all_origins": float(t["value"]),
            "from_origin": float(same["value"].iloc[0]) if not same.empty else pd.NA,
            "source_ids": tuple(dict.fromkeys(list(same["source_id"]) + [t["source_id"]])),
        })
    return pd.DataFrame(rows, columns=["measure", "unit", "period", "start", "end", "months", "all_origins",
                                       "from_origin", "source_ids"])


def unhcr_by_year(unhcr: pd.DataFrame, measures) -> pd.DataFrame:
    """One row per year, one column per measure present (values in persons; NA where UNHCR gives
    no figure for that year, which is not a zero)."""
    rows = unhcr[unhcr["measure"].isin(list(measures))]
    if rows.empty:
        return pd.DataFrame(columns=["year"])
    table = rows.assign(year=rows["date"].dt.year).pivot_table(index="year", columns="measure", values="value",
                                                                aggfunc="first")
    ordered = [m for m in measures if m in table.columns]
    return table[ordered].reset_index().rename_axis(columns=None)


def repatriation_rows(package) -> pd.DataFrame:
    """The events of the repatriation thread: all the chapter reads of events.csv, and all it
    records as read, so an event of another thread leaves the chapter cached."""
    return package.select("events", "thread", ["repatriation"])


def repatriation_events(events: pd.DataFrame, country: str) -> pd.DataFrame:
    rows = events[(events["thread"] == "repatriation") & (events["country"] == country)]
    return rows.sort_values("date").reset_index(drop=True)


def events_table(events_: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    names = actors.set_index("actor_id")["name"]
    return pd.DataFrame({
        "When": [when(r) for _, r in events_.iterrows()],
        "Who": [names.get(a, a) for a in events_["actor_id"]],
        "What happened": events_["summary"],
    })


# ---------------------------------------------------------------------------
# What the chapter says


def on(when_text: str) -> str:
    """The preposition a date takes: 'on 9 September 2021', 'in July 2021', 'in 2025',
    'between July 2021 and March 2023'."""
    if " to " in when_text:
        return "between " + when_text.replace(" to ", " and ", 1)
    return ("on " if when_text[:1].isdigit() and not when_text[:4].isdigit() else "in ") + when_text


def actor_text(actor: pd.Series, claims: pd.DataFrame) -> str:
    """'Sadyr Japarov (President of Kyrgyzstan)'; the name alone when the sources dispute the
    actor's name or post (the page then shows every version)."""
    disputed = claims["actor_id"].eq(actor["actor_id"]).any()
    if disputed or pd.isna(actor["post"]):
        return str(actor["name"])
    return f"{actor['name']} ({actor['post']})"


def _figure_facts(figures: pd.DataFrame, takeover: pd.Timestamp, events: pd.DataFrame,
                  actors: pd.DataFrame, claims: pd.DataFrame, country_names) -> dict:
    """For each stage and unit, e.g. `planned_persons`: has_*, the value, *_text, *_when (the
    latest such figure), and *_by where one event names who made it."""
    facts: dict = {}
    for stage in STAGES:
        for unit in UNITS:
            key = f"{stage}_{unit}"
            rows = figures[(figures["measure"] == stage) & (figures["unit"] == unit)] if not figures.empty else figures
            facts[f"has_{key}"] = not rows.empty
            facts[f"has_{key}_by"] = False
            facts[f"{key}_disputed"] = False
            if rows.empty:
                continue
            latest = rows.sort_values("date").iloc[-1]
            facts[key] = float(latest["value"])
            facts[f"{key}_text"] = count_text(latest["value"], latest["value_high"], latest["qualifier"])
            if stage == "died":
                facts[f"{key}_count"] = qualified(count(int(latest["value"]), "death"), latest["qualifier"])
            facts[f"{key}_when"] = latest["when"]
            facts[f"{key}_on"] = on(latest["when"])
            facts[f"{key}_where"] = country_names(latest["country"])
            facts[f"{key}_disputed"] = bool(latest["disputed"])
            actor = figure_actor(latest, events, actors)
            if actor is not None:
                facts[f"has_{key}_by"] = True
                facts[f"{key}_by"] = actor_text(actor, claims)
    # Arrivals after the takeover, and the last one before it, are what became of the promises.
    arrivals = figures[figures["measure"] == "arrived"] if not figures.empty else figures
    # A sourced zero ("none had arrived") is evidence of no arrival, not an arrival.
    nobody = arrivals[(arrivals["value"] == 0) & (arrivals["date"] >= takeover)] if not arrivals.empty else arrivals
    arrivals = arrivals[arrivals["value"] > 0] if not arrivals.empty else arrivals
    after = arrivals[arrivals["date"] >= takeover] if not arrivals.empty else arrivals
    before = arrivals[arrivals["date"] < takeover] if not arrivals.empty else arrivals
    facts["has_arrived_since"] = not after.empty
    facts["has_arrived_before"] = not before.empty
    facts["has_none_arrived_reported"] = not nobody.empty
    if not nobody.empty:
        latest_zero = nobody.sort_values("date").iloc[-1]
        # The source's own date, not the period its zero covers.
        facts["none_arrived_on"] = date_phrase(latest_zero["date"], latest_zero["date_precision"])
    if not before.empty:
        last = before.sort_values("date").iloc[-1]
        facts["arrived_before_text"] = count_text(last["value"], last["value_high"], last["qualifier"])
        facts["arrived_before_unit"] = last["unit"]
        facts["arrived_before_when"] = last["when"]
        facts["arrived_before_on"] = on(last["when"])
    if not after.empty:
        first = after.sort_values("date").iloc[0]
        facts["arrived_since_text"] = count_text(first["value"], first["value_high"], first["qualifier"])
        facts["arrived_since_unit"] = first["unit"]
        facts["arrived_since_when"] = first["when"]
        facts["arrived_since_on"] = on(first["when"])
    return facts


def chapter_facts(package, country: str, origin: str, takeover) -> dict:
    """Every fact the repatriation chapter states, with every flag it tags cells with always
    present (True/False), and nothing missing or NaN among the values it glues."""
    people, actors, countries = package["people"], package["actors"], package["countries"]
    events = repatriation_rows(package)
    takeover = pd.Timestamp(takeover)
    names = lambda code: country_name(code, countries)  # noqa: E731
    kin = kin_rows(people, country, origin)
    figures = stage_figures(kin, people, package["disputes"], origin)
    deaths = stage_figures(kin, people, package["disputes"], origin, stages=("died",))
    programme = programme_totals(kin, origin)
    unhcr = unhcr_rows(people, country, origin)
    others = other_rows(people, country, origin)
    hosted = kin_of_others(people, country, origin)
    timeline = repatriation_events(events, country)
    words = kin_words(countries, country)

    facts: dict = {
        "has_kin": not kin.empty,
        "has_stages": not figures.empty,
        "has_programme": not programme.empty,
        "has_unhcr": not unhcr.empty,
        "has_other": not others.empty,
        "has_hosted": not hosted.empty,
        "has_events": not timeline.empty,
        "has_country_row": bool((countries["iso3"] == country).any()),
        "has_kin_name": words.named,
        "has_programme_name": words.programme is not None,
        "country_code": country,
    }
    facts["has_any"] = any(facts[k] for k in ("has_kin", "has_unhcr", "has_other", "has_hosted", "has_events"))
    facts["has_only_context"] = facts["has_any"] and not facts["has_kin"]
    facts["programme_only"] = facts["has_kin"] and not facts["has_stages"]
    # Without a sourced name for them, the chapter calls them what the data show they are.
    facts["kin_label"] = f"{words.adjective} kin" if words.named else f"ethnic kin of {names(country)}"
    facts["kin_many"] = words.name if words.named else "ethnic kin"
    if words.programme is not None:
        facts["programme"] = words.programme

    facts.update(_figure_facts(pd.concat([figures, deaths], ignore_index=True) if not deaths.empty else figures,
                               takeover, events, actors, package["claims"], names))
    facts["has_promises"] = any(facts[f"has_{stage}_{unit}"] for stage in ("pledged", "planned") for unit in UNITS)
    if not figures.empty:
        facts["n_stage_figures"] = len(figures)
        units = list(dict.fromkeys(figures["unit"]))
        facts["n_units"] = len(units)
        facts["units_text"] = units[0] if len(units) == 1 else ", ".join(units[:-1]) + " and " + units[-1]
    facts["several_units"] = facts.get("n_units", 0) > 1

    # The gap: people planned for against people the data show arriving or granted status since.
    granted = facts.get("granted_status_persons")
    planned = facts.get("planned_persons")
    facts["has_gap"] = bool(planned and facts["has_granted_status_persons"])
    if facts["has_gap"]:
        facts["gap_share"] = granted / planned

    livestock = kin[(kin["origin"] == origin) & (kin["unit"] == "head of livestock")]
    facts["has_livestock"] = not livestock.empty
    if not livestock.empty:
        row = livestock.iloc[-1]
        facts["livestock_text"] = count_text(row["value"], row["value_high"], row["qualifier"])

    if not programme.empty:
        last = programme.sort_values(["end", "months"]).iloc[-1]
        facts["programme_last_period"] = last["period"]
        facts["programme_last_all"] = float(last["all_origins"])
        facts["programme_origin_broken_out"] = pd.notna(last["from_origin"])
        if pd.notna(last["from_origin"]):
            facts["programme_last_origin"] = float(last["from_origin"])
            facts["programme_origin_share"] = float(last["from_origin"]) / float(last["all_origins"])
        facts["n_programme_periods"] = len(programme)
        facts["programme_mixed_spans"] = programme["months"].nunique() > 1
    else:
        facts["programme_origin_broken_out"] = False
        facts["programme_mixed_spans"] = False

    facts.update(_unhcr_facts(unhcr, takeover))
    if not others.empty:
        facts["n_other"] = len(others)
    if not hosted.empty:
        facts["n_hosted"] = len(hosted)
        owners = list(dict.fromkeys(hosted["kin_of"]))
        facts["hosted_kin_of"] = " and ".join(names(c) for c in owners)
        owner_words = [kin_words(countries, c) for c in owners]
        facts["hosted_people"] = ("ethnic " + " and ".join(w.name for w in owner_words)
                                  if all(w.named for w in owner_words) else "people")
        facts["hosted_when"] = f"{hosted['date'].min():%B %Y}"
    if not timeline.empty:
        facts["n_events"] = len(timeline)
    return facts


def _unhcr_facts(unhcr: pd.DataFrame, takeover: pd.Timestamp) -> dict:
    stocks = unhcr_by_year(unhcr, UNHCR_STOCKS)
    flows = unhcr_by_year(unhcr, UNHCR_FLOWS)
    facts = {
        "has_unhcr_stocks": "refugees" in stocks.columns,
        "has_unhcr_flows": len(flows.columns) > 1,
        "has_oip": "other_in_need_of_protection" in stocks.columns,
        "has_unhcr_takeover_pair": False,
        "refugees_rose_at_takeover": False,
        "refugees_fell_with_oip": False,
        "has_asylum_last": False,
        "no_asylum_last": False,
    }
    if not facts["has_unhcr_stocks"]:
        facts["has_oip"] = False
        return facts
    stocks = stocks.dropna(subset=["refugees"])
    first, last = stocks.iloc[0], stocks.iloc[-1]
    peak = stocks.sort_values(["refugees", "year"], ascending=[False, True]).iloc[0]
    facts.update(
        unhcr_first_year=int(first["year"]),
        unhcr_last_year=int(last["year"]),
        refugees_first=int(first["refugees"]),
        refugees_last=int(last["refugees"]),
        refugees_peak=int(peak["refugees"]),
        refugees_peak_year=int(peak["year"]),
    )
    if "asylum_seekers" in stocks.columns and pd.notna(last.get("asylum_seekers")):
        facts["asylum_last"] = int(last["asylum_seekers"])
    facts["has_asylum_last"] = facts.get("asylum_last", 0) > 0
    facts["no_asylum_last"] = facts.get("asylum_last") == 0
    before = stocks[stocks["year"] == takeover.year - 1]
    after = stocks[stocks["year"] == takeover.year]
    if not before.empty and not after.empty:
        facts.update(
            has_unhcr_takeover_pair=True,
            refugees_before_takeover=int(before["refugees"].iloc[0]),
            refugees_takeover_year=int(after["refugees"].iloc[0]),
            year_before_takeover=takeover.year - 1,
            takeover_year=takeover.year,
        )
        facts["refugees_rose_at_takeover"] = facts["refugees_takeover_year"] > facts["refugees_before_takeover"]
        # Refugees are one of UNHCR's counts: the sentence gives asylum-seekers beside them, so
        # that a flat refugee count is not read as a takeover that changed nothing.
        text = (f"At the end of {takeover.year - 1} UNHCR counted {facts['refugees_before_takeover']:,} Afghan "
                f"refugees, a year later {facts['refugees_takeover_year']:,}")
        asylum = "asylum_seekers" in stocks.columns
        if asylum and pd.notna(before["asylum_seekers"].iloc[0]) and pd.notna(after["asylum_seekers"].iloc[0]):
            a0, a1 = int(before["asylum_seekers"].iloc[0]), int(after["asylum_seekers"].iloc[0])
            text += f"; asylum-seekers went from {a0:,} to {a1:,}"
            facts["refugees_rose_at_takeover"] = facts["refugees_rose_at_takeover"] or a1 > a0
        facts["takeover_counts_text"] = text + "."
    if facts["has_oip"]:
        oip = stocks.dropna(subset=["other_in_need_of_protection"])
        if oip.empty:
            facts["has_oip"] = False
        else:
            facts["oip_last"] = int(oip["other_in_need_of_protection"].iloc[-1])
            facts["oip_year"] = int(oip["year"].iloc[-1])
            year_before = stocks[stocks["year"] == facts["oip_year"] - 1]
            that_year = stocks[stocks["year"] == facts["oip_year"]]
            facts["refugees_fell_with_oip"] = bool(
                not year_before.empty and not that_year.empty
                and that_year["refugees"].iloc[0] < year_before["refugees"].iloc[0])
    facts.setdefault("refugees_fell_with_oip", False)
    return facts


def used_rows(package, country: str, origin: str) -> dict[str, pd.DataFrame]:
    """The rows of each table the chapter reads, for its downloads and its list of sources."""
    people = package["people"]
    parts = [kin_rows(people, country, origin), unhcr_rows(people, country, origin),
             other_rows(people, country, origin), kin_of_others(people, country, origin)]
    people_used = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
        not p.empty for p in parts) else people.iloc[0:0]
    people_used = people_used.drop_duplicates("record_id").sort_values(["date", "record_id"]).reset_index(drop=True)
    return {"people": people_used, "events": repatriation_events(repatriation_rows(package), country)}


def chapter_disputes(package, people_used: pd.DataFrame, events_used: pd.DataFrame) -> list[str]:
    """Disputes touching what the chapter shows: its people rows and events, and claims about
    the actors of those events (a name or a post the sources give differently)."""
    ids = list(for_rows(people_used, package["disputes"])["dispute_id"])
    ids += list(for_rows(events_used, package["disputes"])["dispute_id"])
    claims = package["claims"]
    ids += list(claims[claims["actor_id"].isin(events_used["actor_id"])
                       | claims["event_id"].isin(events_used["event_id"])]["dispute_id"])
    return list(dict.fromkeys(ids))


def actor_disputes(package, name: str) -> list[str]:
    """Disputes about the actor called `name` (their name, their post)."""
    actors, claims = package["actors"], package["claims"]
    ids = actors.loc[actors["name"] == name, "actor_id"]
    return list(dict.fromkeys(claims.loc[claims["actor_id"].isin(ids), "dispute_id"]))


def dispute_groups(package, figures: pd.DataFrame, facts: dict, used: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """The chapter's disputes by where the page shows them: `offer` (the official who made the
    offer), `crossing` (the group that crossed, was stopped, went back), `remaining` (how many
    are left) and `context` (the rest: UNHCR and other counts)."""
    every = chapter_disputes(package, used["people"], used["events"])
    offer = actor_disputes(package, facts["capacity_persons_by"]) if facts.get("has_capacity_persons_by") else []
    moved = figures[figures["measure"].isin(["crossed", "blocked", "returned"])] if not figures.empty else figures
    crossing = list(dict.fromkeys(moved["dispute_id"].dropna())) if not moved.empty else []
    left = figures[figures["measure"] == "remaining"] if not figures.empty else figures
    remaining = list(dict.fromkeys(left["dispute_id"].dropna())) if not left.empty else []
    shown = set(offer) | set(crossing) | set(remaining)
    return {"offer": offer, "crossing": crossing, "remaining": remaining,
            "context": [d for d in every if d not in shown]}


def chapter_sources(package, used: dict[str, pd.DataFrame], dispute_ids) -> list[str]:
    """Every source the page cites: its people rows, its events, and each claim in the
    disagreements it shows, in the order first cited."""
    ids = list(used["people"]["source_id"]) + list(used["events"]["source_id"])
    if dispute_ids:
        ids += list(claims(package, dispute_ids)["source_id"])
    return list(dict.fromkeys(ids))


def stage_note(figures: pd.DataFrame) -> str:
    """The line under the stages chart: units never added; what 'disputed' and a range mean."""
    units = list(dict.fromkeys(figures["unit"]))
    parts = []
    if len(units) > 1:
        parts.append(", ".join(u.capitalize() if i == 0 else u for i, u in enumerate(units[:-1]))
                     + f" and {units[-1]} are counted apart and never added.")
    if figures["disputed"].any():
        parts.append("\u201cDisputed\u201d: the sources give other counts, listed in the chapter.")
    if figures["value_high"].notna().any():
        parts.append("A lighter bar runs on to the high end of a range.")
    return " ".join(parts)


def stage_table(figures: pd.DataFrame, country: str, countries: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The figures behind the stages chart, each with when, its unit and its sources."""
    by_id = sources.set_index("source_id")
    return pd.DataFrame({
        "Stage": [stage_label(f, country, countries) for _, f in figures.iterrows()],
        "When": figures["when"],
        "Count": [count_text(f["value"], f["value_high"], f["qualifier"]) for _, f in figures.iterrows()],
        "Unit": figures["unit"],
        "Sources": ["; ".join(short_reference(by_id.loc[s].rename({"source_id": s})) for s in ids)
                    for ids in figures["source_ids"]],
    })


def programme_table(programme: pd.DataFrame, origin_name: str) -> pd.DataFrame:
    return pd.DataFrame({
        "Period": programme["period"],
        "Months": programme["months"],
        "Counted": programme["measure"].map({"granted_status": "granted status", "arrived": "arrived"}).fillna(
            programme["measure"].str.replace("_", " ")),
        "All countries of origin": [f"{v:,.0f}" for v in programme["all_origins"]],
        f"From {origin_name}": [f"{v:,.0f}" if pd.notna(v) else "not broken out" for v in programme["from_origin"]],
        "Unit": programme["unit"],
    })


def unhcr_flows_table(unhcr: pd.DataFrame) -> pd.DataFrame:
    """Movements over each year (blank where UNHCR gives no figure, which is not a zero)."""
    table = unhcr_by_year(unhcr, UNHCR_FLOWS)
    out = pd.DataFrame({"Year": table["year"].astype(int)})
    for measure, label in UNHCR_FLOWS.items():
        if measure in table.columns:
            out[label] = [f"{v:,.0f}" if pd.notna(v) else "" for v in table[measure]]
    return out


def other_table(others: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "When": [when(r) for _, r in others.iterrows()],
        "Who is counted": others["group"],
        "Counted as": others["measure"].str.replace("_", " "),
        "Count": [count_text(r["value"], r["value_high"], r["qualifier"]) for _, r in others.iterrows()],
        "Unit": others["unit"],
    })
