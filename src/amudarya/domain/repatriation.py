"""Bringing ethnic kin home: the repatriation chapter's facts, in groups that follow the page,
its events, and the rows, sources and disputes it shows.

Three kinds of people rows meet in this thread and are never added together:

- ethnic kin: a state's own people abroad (the Pamir Kyrgyz, Kazakh qandas), counted at each
  stage of a move home: places offered, families pledged, people planned for, people who set
  out, were stopped, turned back, arrived, were granted status;
- UNHCR context: Afghans who sought protection in the state, a different population;
- other counts (evacuated citizens, UN staff, quotas), listed apart from both.

Units are kept apart as well: persons, families and houses count different things, so no
function adds one to another, and the chart draws each unit in its own panel.

Which rows are kin is read in `kinship`, the stages of a move in `stages`, UNHCR's series in
`unhcr`, and the words for counts and dates in `counts`. Each group of facts gives every flag
the page's cells are tagged with, True or False, and its values only where they exist.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.counts import count_text, on, when
from amudarya.domain.disputes import claims, for_rows
from amudarya.domain.kinship import KinWords, kin_of_others, kin_rows, kin_words, other_rows, programme_totals
from amudarya.domain.places import country_name
from amudarya.domain.stages import STAGES, UNITS, figure_actor, stage_figures
from amudarya.domain.unhcr import unhcr_facts, unhcr_rows
from amudarya.domain.words import count, date_phrase, qualified

# The parts of the page, each shown when the data hold rows for it.
PARTS = ("kin", "stages", "programme", "unhcr", "other", "hosted", "events")


def repatriation_rows(package) -> pd.DataFrame:
    """The events of the repatriation thread: all the chapter reads of events.csv, and all it
    records as read, so an event of another thread leaves the chapter cached."""
    return package.select("events", "thread", ["repatriation"])


def repatriation_events(events: pd.DataFrame, country: str) -> pd.DataFrame:
    rows = events[(events["thread"] == "repatriation") & (events["country"] == country)]
    return rows.sort_values("date").reset_index(drop=True)


def events_table(events_: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    names = actors.set_index("actor_id")["name"]
    return pd.DataFrame(
        {
            "When": [when(r) for _, r in events_.iterrows()],
            "Who": [names.get(a, a) for a in events_["actor_id"]],
            "What happened": events_["summary"],
        }
    )


def actor_text(actor: pd.Series, claims: pd.DataFrame) -> str:
    """'Sadyr Japarov (President of Kyrgyzstan)'; the name alone when the sources dispute the
    actor's name or post (the page then shows every version)."""
    disputed = claims["actor_id"].eq(actor["actor_id"]).any()
    if disputed or pd.isna(actor["post"]):
        return str(actor["name"])
    return f"{actor['name']} ({actor['post']})"


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
    parts = {
        "kin": kin,
        "stages": figures,
        "programme": programme_totals(kin, origin),
        "unhcr": unhcr_rows(people, country, origin),
        "other": other_rows(people, country, origin),
        "hosted": kin_of_others(people, country, origin),
        "events": repatriation_events(events, country),
    }
    counted = pd.concat([figures, deaths], ignore_index=True) if not deaths.empty else figures
    stages = _stage_facts(counted, events, actors, package["claims"], names)
    return {
        **_part_facts(parts),
        "has_country_row": bool((countries["iso3"] == country).any()),
        "country_code": country,
        **_kin_name_facts(kin_words(countries, country), names(country)),
        **stages,
        **_arrival_facts(counted, takeover),
        **_unit_facts(figures),
        **_gap_facts(stages),
        **_livestock_facts(kin, origin),
        **_programme_facts(parts["programme"]),
        **unhcr_facts(parts["unhcr"], takeover),
        **_count_facts(parts, countries, names),
    }


def _part_facts(parts: dict[str, pd.DataFrame]) -> dict:
    """Which parts of the page the data hold rows for (`has_kin`, `has_unhcr`, ...)."""
    has = {f"has_{name}": not parts[name].empty for name in PARTS}
    # Stage figures and programme totals are rows about kin: the page has something to say when
    # it has kin or any of the context.
    has_any = any(has[k] for k in ("has_kin", "has_unhcr", "has_other", "has_hosted", "has_events"))
    return {
        **has,
        "has_any": has_any,
        "has_only_context": has_any and not has["has_kin"],
        "programme_only": has["has_kin"] and not has["has_stages"],
    }


def _kin_name_facts(words: KinWords, country: str) -> dict:
    """What the page calls the state's kin and its programme (`country`: the state's name)."""
    facts = {
        "has_kin_name": words.named,
        "has_programme_name": words.programme is not None,
        # Without a sourced name for them, the chapter calls them what the data show they are.
        "kin_label": f"{words.adjective} kin" if words.named else f"ethnic kin of {country}",
        "kin_many": words.name if words.named else "ethnic kin",
    }
    if words.programme is not None:
        facts["programme"] = words.programme
    return facts


def _stage_facts(
    figures: pd.DataFrame, events: pd.DataFrame, actors: pd.DataFrame, claims: pd.DataFrame, country_names
) -> dict:
    """For each stage and unit, e.g. `planned_persons`: has_*, the value, *_text, *_when (the
    latest such figure), and *_by where one event names who made it; and whether anything was
    promised (pledged or planned)."""
    facts: dict = {}
    for stage in STAGES:
        for unit in UNITS:
            rows = figures[(figures["measure"] == stage) & (figures["unit"] == unit)] if not figures.empty else figures
            facts |= _one_stage_facts(rows, stage, f"{stage}_{unit}", events, actors, claims, country_names)
    facts["has_promises"] = any(facts[f"has_{stage}_{unit}"] for stage in ("pledged", "planned") for unit in UNITS)
    return facts


def _one_stage_facts(
    rows: pd.DataFrame,
    stage: str,
    key: str,
    events: pd.DataFrame,
    actors: pd.DataFrame,
    claims: pd.DataFrame,
    country_names,
) -> dict:
    """The latest figure of one stage in one unit (`key`), and who made it where one event says."""
    latest = rows.sort_values("date").iloc[-1] if not rows.empty else None
    actor = figure_actor(latest, events, actors) if latest is not None else None
    facts = {
        f"has_{key}": latest is not None,
        f"has_{key}_by": actor is not None,
        f"{key}_disputed": latest is not None and bool(latest["disputed"]),
    }
    if latest is None:
        return facts
    facts[key] = float(latest["value"])
    facts[f"{key}_text"] = count_text(latest["value"], latest["value_high"], latest["qualifier"])
    if stage == "died":
        facts[f"{key}_count"] = qualified(count(int(latest["value"]), "death"), latest["qualifier"])
    facts[f"{key}_when"] = latest["when"]
    facts[f"{key}_on"] = on(latest["when"])
    facts[f"{key}_where"] = country_names(latest["country"])
    if actor is not None:
        facts[f"{key}_by"] = actor_text(actor, claims)
    return facts


def _arrival_facts(figures: pd.DataFrame, takeover: pd.Timestamp) -> dict:
    """Arrivals after the takeover, and the last one before it: what became of the promises."""
    arrivals = figures[figures["measure"] == "arrived"] if not figures.empty else figures
    # A sourced zero ("none had arrived") is evidence of no arrival, not an arrival.
    nobody = arrivals[(arrivals["value"] == 0) & (arrivals["date"] >= takeover)] if not arrivals.empty else arrivals
    arrivals = arrivals[arrivals["value"] > 0] if not arrivals.empty else arrivals
    after = arrivals[arrivals["date"] >= takeover] if not arrivals.empty else arrivals
    before = arrivals[arrivals["date"] < takeover] if not arrivals.empty else arrivals
    facts = {
        "has_arrived_since": not after.empty,
        "has_arrived_before": not before.empty,
        "has_none_arrived_reported": not nobody.empty,
    }
    if not nobody.empty:
        latest_zero = nobody.sort_values("date").iloc[-1]
        # The source's own date, not the period its zero covers.
        facts["none_arrived_on"] = date_phrase(latest_zero["date"], latest_zero["date_precision"])
    # The last arrival before the takeover, the first since.
    for name, rows, pick in (("before", before, -1), ("since", after, 0)):
        if not rows.empty:
            row = rows.sort_values("date").iloc[pick]
            facts[f"arrived_{name}_text"] = count_text(row["value"], row["value_high"], row["qualifier"])
            facts[f"arrived_{name}_unit"] = row["unit"]
            facts[f"arrived_{name}_when"] = row["when"]
            facts[f"arrived_{name}_on"] = on(row["when"])
    return facts


def _unit_facts(figures: pd.DataFrame) -> dict:
    """How many stage figures there are, and in which units (never added across them)."""
    units = list(dict.fromkeys(figures["unit"])) if not figures.empty else []
    facts = {"several_units": len(units) > 1}
    if units:
        facts["n_stage_figures"] = len(figures)
        facts["n_units"] = len(units)
        facts["units_text"] = units[0] if len(units) == 1 else ", ".join(units[:-1]) + " and " + units[-1]
    return facts


def _gap_facts(stages: dict) -> dict:
    """The gap: people planned for against people the data show granted status since."""
    planned = stages.get("planned_persons")
    if not (planned and stages["has_granted_status_persons"]):
        return {"has_gap": False}
    return {"has_gap": True, "gap_share": stages["granted_status_persons"] / planned}


def _livestock_facts(kin: pd.DataFrame, origin: str) -> dict:
    """The livestock the kin from `origin` brought, where the data count it."""
    livestock = kin[(kin["origin"] == origin) & (kin["unit"] == "head of livestock")]
    if livestock.empty:
        return {"has_livestock": False}
    row = livestock.iloc[-1]
    return {"has_livestock": True, "livestock_text": count_text(row["value"], row["value_high"], row["qualifier"])}


def _programme_facts(programme: pd.DataFrame) -> dict:
    """The programme's latest period over all origins, and the share from the chapter's origin
    where the source breaks it out."""
    last = programme.sort_values(["end", "months"]).iloc[-1] if not programme.empty else None
    broken_out = last is not None and bool(pd.notna(last["from_origin"]))
    facts = {"programme_origin_broken_out": broken_out, "programme_mixed_spans": programme["months"].nunique() > 1}
    if last is None:
        return facts
    facts.update(
        programme_last_period=last["period"],
        programme_last_all=float(last["all_origins"]),
        n_programme_periods=len(programme),
    )
    if broken_out:
        facts["programme_last_origin"] = float(last["from_origin"])
        facts["programme_origin_share"] = float(last["from_origin"]) / float(last["all_origins"])
    return facts


def _count_facts(parts: dict[str, pd.DataFrame], countries: pd.DataFrame, names) -> dict:
    """How many other counts, kin of other states and events the page lists."""
    others, hosted, timeline = parts["other"], parts["hosted"], parts["events"]
    facts: dict = {}
    if not others.empty:
        facts["n_other"] = len(others)
    if not hosted.empty:
        facts["n_hosted"] = len(hosted)
        owners = list(dict.fromkeys(hosted["kin_of"]))
        facts["hosted_kin_of"] = " and ".join(names(c) for c in owners)
        owner_words = [kin_words(countries, c) for c in owners]
        facts["hosted_people"] = (
            "ethnic " + " and ".join(w.name for w in owner_words) if all(w.named for w in owner_words) else "people"
        )
        facts["hosted_when"] = f"{hosted['date'].min():%B %Y}"
    if not timeline.empty:
        facts["n_events"] = len(timeline)
    return facts


def used_rows(package, country: str, origin: str) -> dict[str, pd.DataFrame]:
    """The rows of each table the chapter reads, for its downloads and its list of sources."""
    people = package["people"]
    parts = [
        kin_rows(people, country, origin),
        unhcr_rows(people, country, origin),
        other_rows(people, country, origin),
        kin_of_others(people, country, origin),
    ]
    people_used = (
        pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else people.iloc[0:0]
    )
    people_used = people_used.drop_duplicates("record_id").sort_values(["date", "record_id"]).reset_index(drop=True)
    return {"people": people_used, "events": repatriation_events(repatriation_rows(package), country)}


def chapter_disputes(package, people_used: pd.DataFrame, events_used: pd.DataFrame) -> list[str]:
    """Disputes touching what the chapter shows: its people rows and events, and claims about
    the actors of those events (a name or a post the sources give differently)."""
    ids = list(for_rows(people_used, package["disputes"])["dispute_id"])
    ids += list(for_rows(events_used, package["disputes"])["dispute_id"])
    claims = package["claims"]
    ids += list(
        claims[claims["actor_id"].isin(events_used["actor_id"]) | claims["event_id"].isin(events_used["event_id"])][
            "dispute_id"
        ]
    )
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
    return {
        "offer": offer,
        "crossing": crossing,
        "remaining": remaining,
        "context": [d for d in every if d not in shown],
    }


def chapter_sources(package, used: dict[str, pd.DataFrame], dispute_ids) -> list[str]:
    """Every source the page cites: its people rows, its events, and each claim in the
    disagreements it shows, in the order first cited."""
    ids = list(used["people"]["source_id"]) + list(used["events"]["source_id"])
    if dispute_ids:
        ids += list(claims(package, dispute_ids)["source_id"])
    return list(dict.fromkeys(ids))
