"""The comparative overview's facts: what the chapter's prose says of the Central Asian states
side by side, in groups that follow the page (borders, events, stance, who was first, trade,
UNHCR's counts), and the rows the page reads, for its downloads, sources and disputes.

What each group counts is computed in a module of its own: `stances`, `milestones`,
`turnover`, `unhcr` and `region`. Each group gives every flag its cells are tagged with, True
or False, and its values only where they exist.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.milestones import leader, span
from amudarya.domain.places import country_name
from amudarya.domain.region import AFGHANISTAN, borders
from amudarya.domain.stances import softened, stance_events, stance_summary
from amudarya.domain.timeline import date_text, stance_bounds, when
from amudarya.domain.turnover import figure_text, latest_turnover
from amudarya.domain.unhcr import latest_year, year_end_rows
from amudarya.domain.words import count, count_word, names_text, signed

# The milestones the prose names, with the glue keys' names the prose has always used: talks
# for contact, envoy for accreditation.
FIRST_NAMES = (("contact", "talks"), ("accreditation", "envoy"), ("delisting", "delisting"), ("visit", "visit"))


def facts(package, states, takeover, first: pd.DataFrame, used: dict[str, pd.DataFrame]) -> dict:
    """Everything the chapter's prose states, as glue values; every flag the page's
    conditional cells use is present, True or False. `first` is `milestones.firsts` and `used`
    is `rows_used`, of the same states: the page shows both, so it computes them once."""
    events, disputes, countries = package["events"], package["disputes"], package["countries"]
    names = {s: country_name(s, countries) for s in states}
    summary = stance_summary(events, disputes, states, takeover)
    border = borders(countries, states)
    flags = {s: None if pd.isna(b) else bool(b) for s, b in zip(border["state"], border["borders"], strict=True)}
    ranked = _ranked(summary)
    least = ranked["state"].iloc[-1] if not ranked.empty else None
    return {
        "takeover_day": date_text(takeover, "day"),
        **stance_bounds(package.descriptor),
        "n_states": count_word(len(states)),
        "state_names": names_text(names.values()),
        **_border_facts(flags, names),
        **_event_facts(summary, names),
        **_stance_facts(ranked, flags, names, events, disputes, takeover),
        **_first_facts(first, names),
        **_last_talks_facts(first, names, states),
        **_trade_facts(package["trade"], disputes, states, names, countries),
        **_refugee_facts(package, states, names, least),
        "has_disputes": bool(dispute_ids(first, used)),
    }


def _ranked(summary: pd.DataFrame) -> pd.DataFrame:
    """The states with events, most engaged first; none when fewer than two have events, as
    there is then nothing to compare."""
    with_events = summary[summary["events"] > 0]
    ranked = with_events.sort_values(["mean_stance", "state"], ascending=[False, True])
    return ranked if len(ranked) >= 2 else ranked.iloc[0:0]


def _border_facts(flags: dict, names: dict) -> dict:
    """Which states border Afghanistan, which do not, and which the data do not say."""
    neighbours = [names[s] for s, b in flags.items() if b is True]
    others = [names[s] for s, b in flags.items() if b is False]
    unknown = [names[s] for s, b in flags.items() if b is None]
    return {
        "has_neighbours": bool(neighbours),
        "neighbour_names": names_text(neighbours),
        "n_neighbours": count_word(len(neighbours)),
        "has_non_neighbours": bool(others),
        "non_neighbour_names": names_text(others),
        "has_border_unknown": bool(unknown),
        "border_unknown_names": names_text(unknown),
    }


def _event_facts(summary: pd.DataFrame, names: dict) -> dict:
    """How many events the states have since the takeover, and which have none."""
    total = int(summary["events"].sum())
    no_events = [names[s] for s in summary.loc[summary["events"] == 0, "state"]]
    return {
        "has_no_events": bool(no_events),
        "no_event_names": names_text(no_events),
        "n_events": total,
        "n_events_text": count(total, "event"),
        "has_events": total > 0,
    }


def _stance_facts(
    ranked: pd.DataFrame, flags: dict, names: dict, events: pd.DataFrame, disputes: pd.DataFrame, takeover
) -> dict:
    """The most and the least engaged state, and the states whose mean leans to refusal and
    whether each of them softened since."""
    negative = ranked[ranked["mean_stance"] < 0]
    ends = [ranked.iloc[0], ranked.iloc[-1]] if not ranked.empty else []
    facts = {
        "has_stance": bool(ends),
        "extremes_both_neighbours": bool(ends) and all(flags.get(row["state"]) is True for row in ends),
        "has_negative": len(negative) > 0,
        "one_negative": len(negative) == 1,
        "negative_softened": len(negative) > 0
        and all(softened(events, disputes, s, takeover) for s in negative["state"]),
    }
    if not ends:
        return facts
    top, bottom = ends
    return facts | dict(
        most_engaged=names[top["state"]],
        most_engaged_mean=signed(top["mean_stance"]),
        most_engaged_events=int(top["events"]),
        most_engaged_events_text=count(int(top["events"]), "event"),
        least_engaged=names[bottom["state"]],
        least_engaged_mean=signed(bottom["mean_stance"]),
        least_engaged_events=int(bottom["events"]),
        least_engaged_events_text=count(int(bottom["events"]), "event"),
        n_negative=count_word(len(negative)),
        negative_names=names_text(names[s] for s in negative["state"]),
    )


def _first_facts(first: pd.DataFrame, names: dict) -> dict:
    """Who was first to each milestone the prose names, and whether one state was first to
    both talks and envoys."""
    facts: dict = {}
    for milestone, name in FIRST_NAMES:
        facts |= _milestone_facts(first, milestone, name, names)
    talks_leader, envoy_leader = leader(first, "contact"), leader(first, "accreditation")
    facts["talks_envoy_same"] = (
        talks_leader is not None and envoy_leader is not None and talks_leader["state"] == envoy_leader["state"]
    )
    return facts


def _milestone_facts(first: pd.DataFrame, milestone: str, name: str, names: dict) -> dict:
    """One milestone: the one state first to it and when (with the span of a disputed date),
    how many states reached it and which did not."""
    row = leader(first, milestone)
    rows = first[(first["milestone"] == milestone)]
    facts = {
        f"has_first_{name}": row is not None,
        f"first_{name}_disputed": row is not None and bool(row["date_disputed"]),
        f"n_{name}": count_word(int(rows["found"].sum())),
        f"without_{name}_names": names_text(names[s] for s in rows.loc[~rows["found"], "state"]),
        f"has_without_{name}": bool((~rows["found"]).any()),
    }
    if row is None:
        return facts
    facts[f"first_{name}_state"] = names[row["state"]]
    facts[f"first_{name}_date"] = date_text(row["date"], row["precision"])
    facts[f"first_{name}_when"] = when(row["date"], row["precision"], row["date_of"])
    if row["date_disputed"]:
        facts[f"first_{name}_span"] = span(
            row["earliest"], row["earliest_precision"], row["latest"], row["latest_precision"]
        )
    return facts


def _last_talks_facts(first: pd.DataFrame, names: dict, states) -> dict:
    """The state that waited longest for its first talks, when the data date them for all."""
    talks = first[(first["milestone"] == "contact") & first["found"]]
    facts = {"has_last_talks": len(talks) == len(states) and len(talks) >= 2}
    if facts["has_last_talks"]:
        last = talks.sort_values(["date", "state"]).iloc[-1]
        facts.update(
            last_talks_state=names[last["state"]],
            last_talks_date=date_text(last["date"], last["precision"]),
            last_talks_when=when(last["date"], last["precision"], last["date_of"]),
        )
    return facts


def _trade_facts(trade: pd.DataFrame, disputes: pd.DataFrame, states, names: dict, countries: pd.DataFrame) -> dict:
    """Which states have a full year of turnover with Afghanistan, and the largest."""
    latest = latest_turnover(trade, disputes, states)
    full = latest[latest["kind"] == "full year"]
    facts = {
        "has_trade": not full.empty,
        "n_trade_full_year": count_word(len(full)),
        "without_trade_names": names_text(names[s] for s in states if s not in set(full["state"])),
        "has_without_trade": len(full) < len(states),
    }
    if not full.empty:
        top = full.sort_values(["value_usd", "state"], ascending=[False, True]).iloc[0]
        facts.update(top_trade_state=names[top["state"]], top_trade_text=figure_text(top, countries, detail=False))
    return facts


def _refugee_facts(package, states, names: dict, least: str | None) -> dict:
    """UNHCR's latest year: the state hosting most Afghan refugees (and whether it is the least
    engaged state, `least`), and those where UNHCR counts others in need of protection."""
    people = year_end_rows(package["people"], package["sources"], states)
    year = latest_year(people)
    if year is None:
        return {"has_unhcr": False, "has_oip": False, "least_engaged_hosts_most": False}
    refugees = people[(people["measure"] == "refugees") & (people["date"].dt.year == year)]
    oip = people[(people["measure"] == "other_in_need_of_protection") & (people["date"].dt.year == year)]
    top = refugees.sort_values(["value", "country"], ascending=[False, True]).iloc[0]
    return {
        "has_unhcr": True,
        "unhcr_year": str(year),
        "top_refugees_state": names[top["country"]],
        "top_refugees": int(top["value"]),
        "has_oip": not oip.empty,
        "oip_names": names_text(names[s] for s in oip["country"]),
        "least_engaged_hosts_most": least == top["country"],
    }


# ---------------------------------------------------------------------------
# The rows the page reads


def rows_used(package, states, takeover, first: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of each table the chapter reads, for its downloads and its list of sources:
    events (the chart's and those of `first`, the first-table's `milestones.firsts`), trade
    (the turnover figures shown), people (UNHCR's counts for the two years shown) and
    countries (Afghanistan and the states)."""
    events, disputes = package["events"], package["disputes"]
    start = pd.Timestamp(year=pd.Timestamp(takeover).year, month=1, day=1)
    points = stance_events(events, disputes, states, start)
    ids = set(points["event_id"]) | {i for ids in first["event_ids"] for i in ids}
    used_events = events[events["event_id"].isin(ids)].sort_values(["date", "event_id"])
    latest = latest_turnover(package["trade"], disputes, states)
    used_trade = package["trade"][package["trade"]["trade_id"].isin(set(latest["trade_id"]))]
    people = year_end_rows(package["people"], package["sources"], states)
    year = latest_year(people)
    used_people = people[people["date"].dt.year >= year - 1] if year is not None else people
    used_countries = package["countries"][package["countries"]["iso3"].isin([AFGHANISTAN, *states])]
    return {
        "events": used_events.reset_index(drop=True),
        "trade": used_trade.reset_index(drop=True),
        "people": used_people.reset_index(drop=True),
        "countries": used_countries.reset_index(drop=True),
    }


def source_ids(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every source the given rows cite, in the order the tables list them, without repeats."""
    return list(dict.fromkeys(s for frame in tables.values() for s in frame["source_id"].dropna()))


def dispute_ids(first: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Disputes touching what the chapter shows: the first-table's events and the figures used."""
    found = [d for ids in first["dispute_ids"] for d in ids]
    for name in ("trade", "people"):
        found += list(tables[name]["dispute_id"].dropna())
    return list(dict.fromkeys(found))
