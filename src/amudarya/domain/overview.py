"""The comparative overview: the Central Asian states side by side, computed from the data.

Stance is the project's own coding of each event in `events.csv`: the direction of the event
toward engagement with the Taliban, from -2 (strong refusal) through 0 (neutral) to +2 (strong
engagement). Means of it are means of that coding, not a measurement made by a source.

Where sources disagree, rows that lost a dispute (`disputes.preferred_id` names another row)
are left out; rows of a dispute with no side taken all stay, and a date they disagree on is
shown as the range the claims span.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from amudarya.domain import geo
from amudarya.domain.disputes import set_aside
from amudarya.domain.periods import period_label
from amudarya.domain.places import country_name
from amudarya.domain.timeline import TURNS, date_text, first_turns, latest_possible, one_per_event, stance_bounds, when
from amudarya.domain.timeline import since as since_day
from amudarya.domain.words import CONFIDENCE_RANK, count, count_word, join, money, signed  # noqa: F401 (count_word: tests)

STATES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
AFGHANISTAN = "AFG"
NOT_IN_DATA = "not in the data"
MILLION = 1_000_000
# A year with a single event would draw that one event's stance as the year's mean.
MIN_EVENTS_FOR_MEAN = 2


# ---------------------------------------------------------------------------
# Dates and words


def span(first, first_precision: str, last, last_precision: str, short: bool = False) -> str:
    """'2–6 September 2024', '20 December 2023 to 3 July 2024', or one date when they agree."""
    a, b = date_text(first, first_precision, short), date_text(last, last_precision, short)
    if a == b:
        return a
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if first_precision == last_precision == "day" and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{b}"
    return f"{a} to {b}"


def names_text(names: Iterable[str]) -> str:
    """'Kazakhstan', 'Kazakhstan and Kyrgyzstan', 'A, B and C'; 'none' for no names."""
    names = list(names)
    return join(names) if names else "none"


# ---------------------------------------------------------------------------
# Events as the overview reads them: one row per event (`timeline.one_per_event`), counted
# since the takeover by the book's one rule (`timeline.since_takeover`).


def distinct_events(events: pd.DataFrame, disputes: pd.DataFrame) -> pd.DataFrame:
    """One row per event, the account the book's figures use (see `timeline`)."""
    return one_per_event(events, disputes)


def stance_events(events: pd.DataFrame, disputes: pd.DataFrame, states, since) -> pd.DataFrame:
    """The distinct events of `states` that fall on or after `since` (the book's rule), oldest first."""
    rows = distinct_events(events[events["country"].isin(list(states))], disputes)
    return since_day(rows, since).reset_index(drop=True)


def stance_summary(events: pd.DataFrame, disputes: pd.DataFrame, states, takeover) -> pd.DataFrame:
    """Per state, its events since the takeover: count, mean stance, first and last date.

    A state with no events has count 0 and NA for the rest.
    """
    rows = stance_events(events, disputes, states, takeover)
    out = []
    for state in states:
        mine = rows[rows["country"] == state]
        out.append(
            {
                "state": state,
                "events": len(mine),
                "mean_stance": float(mine["stance"].mean()) if len(mine) else pd.NA,
                "first": mine["date"].min() if len(mine) else pd.NaT,
                "last": mine["date"].max() if len(mine) else pd.NaT,
            }
        )
    frame = pd.DataFrame(out)
    frame["mean_stance"] = frame["mean_stance"].astype("Float64")
    return frame


def stance_by_year(events: pd.DataFrame, disputes: pd.DataFrame, states, takeover) -> pd.DataFrame:
    """Mean stance of each state's events per calendar year since the takeover (the takeover
    year counted from the takeover day): state, year, start, end, events, mean_stance."""
    takeover = pd.Timestamp(takeover)
    rows = stance_events(events, disputes, states, takeover)
    if rows.empty:
        return pd.DataFrame(columns=["state", "year", "start", "end", "events", "mean_stance"])
    rows = rows.assign(year=rows["date"].dt.year)
    order = {s: i for i, s in enumerate(states)}
    table = (
        rows.groupby(["country", "year"], as_index=False)
        .agg(events=("stance", "size"), mean_stance=("stance", "mean"))
        .rename(columns={"country": "state"})
    )
    table["start"] = [max(takeover, pd.Timestamp(year=y, month=1, day=1)) for y in table["year"]]
    table["end"] = [pd.Timestamp(year=y, month=12, day=31) for y in table["year"]]
    table["mean_stance"] = table["mean_stance"].astype(float)
    table = table.sort_values(["state", "year"], key=lambda s: s.map(order) if s.name == "state" else s)
    return table[["state", "year", "start", "end", "events", "mean_stance"]].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Who did what first: the turns of `timeline.TURNS`, dated as the chapters date them.

MILESTONES = TURNS


def _claim_disputes(claims: pd.DataFrame | None, event_ids) -> list[str]:
    """Disputes recorded in the claims table about the given events (a name, a deciding body)."""
    if claims is None:
        return []
    hit = claims[claims["event_id"].isin(list(event_ids))]
    return list(dict.fromkeys(hit["dispute_id"].dropna()))


def firsts(events: pd.DataFrame, disputes: pd.DataFrame, states, takeover,
           claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each turn and state, the first event since the takeover that meets the turn's rule
    (`timeline.first_turns`, the same choice the policy chapters make); one row per turn and
    state.

    Columns: milestone, state, found, date, precision, date_of, earliest, earliest_precision,
    latest, latest_precision, date_disputed, event_ids, dispute_ids. `date` is the date of the
    account the book uses; `earliest` and `latest` the first and last day any account of the
    event allows (for who may have been first, and for the span of a disputed date).
    """
    out = []
    per_state = {s: first_turns(one_per_event(events[events["country"] == s], disputes), takeover) for s in states}
    for m in TURNS:
        for state in states:
            found = per_state[state]
            hit = found[found["turn"] == m.key] if not found.empty else found
            if hit.empty:
                out.append({"milestone": m.key, "state": state, "found": False, "date": pd.NaT,
                            "precision": pd.NA, "date_of": pd.NA, "earliest": pd.NaT, "earliest_precision": pd.NA,
                            "latest": pd.NaT, "latest_precision": pd.NA,
                            "date_disputed": False, "event_ids": (), "dispute_ids": ()})
                continue
            row = hit.iloc[0]
            ids = tuple(row["accounts"])
            accounts = events[events["event_id"].isin(ids)]
            dispute_ids = list(dict.fromkeys(accounts["dispute_id"].dropna()))
            dispute_ids += [d for d in _claim_disputes(claims, ids) if d not in dispute_ids]
            first_account = accounts.sort_values(["date", "event_id"]).iloc[0]
            out.append({
                "milestone": m.key, "state": state, "found": True,
                "date": row["date"], "precision": row["date_precision"], "date_of": row.get("date_of", "occurred"),
                "earliest": first_account["date"], "earliest_precision": first_account["date_precision"],
                "latest": latest_possible(row, events), "latest_precision": "day",
                "date_disputed": bool(row["dates_disputed"]),
                "event_ids": ids, "dispute_ids": tuple(dispute_ids),
            })
    return pd.DataFrame(out)


def cell_text(row: pd.Series) -> str:
    """A cell of the 'who did what first' table: the date the book uses (marked when it is the
    date of an announcement or a report, or disputed), or 'not in the data'."""
    if not row["found"]:
        return NOT_IN_DATA
    text = date_text(row["date"], row["precision"], short=True)
    marks = [str(row["date_of"])] if str(row["date_of"]) in ("announced", "reported") else []
    marks += ["disputed"] if row["date_disputed"] else []
    return text + (f" ({'; '.join(marks)})" if marks else "")


def first_of(rows: pd.DataFrame) -> list[str]:
    """The states that may have been first to a milestone: those whose earliest possible date
    is not after every other state's latest possible date.

    A month-precision date may stand for any day of its month, and a disputed date for any
    day its claims span, so two states whose windows overlap are both named.
    """
    found = rows[rows["found"]]
    if found.empty:
        return []
    settled_by = min(found["latest"])
    return [s for s, d in zip(found["state"], found["earliest"], strict=True) if d <= settled_by]


def first_table(firsts_: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Milestones as rows (each naming who was first), states as columns; every cell is text."""
    states = list(dict.fromkeys(firsts_["state"]))
    out = []
    for m in TURNS:
        rows = firsts_[firsts_["milestone"] == m.key]
        leaders = first_of(rows)
        who = names_text(country_name(s, countries) for s in leaders) if leaders else NOT_IN_DATA
        # Who was first shares the milestone's cell: a seventh column would not fit a book page.
        record = {"First …": f"{m.label} (first: {who})"}
        by_state = rows.set_index("state")
        for state in states:
            record[country_name(state, countries)] = cell_text(by_state.loc[state])
        out.append(record)
    return pd.DataFrame(out)


def milestone_rules() -> pd.DataFrame:
    """How each milestone of the 'first' table is read from the events table."""
    return pd.DataFrame({"First …": [m.label for m in TURNS],
                         "Counted from": [m.rule for m in TURNS]})


def leader(firsts_: pd.DataFrame, milestone: str) -> pd.Series | None:
    """The row of the one state first to a milestone, or None when none or several may be."""
    rows = firsts_[firsts_["milestone"] == milestone]
    leaders = first_of(rows)
    if len(leaders) != 1:
        return None
    return rows[rows["state"] == leaders[0]].iloc[0]


# ---------------------------------------------------------------------------
# Trade and refugees


def turnover_figures(trade: pd.DataFrame, disputes: pd.DataFrame, state: str) -> pd.DataFrame:
    """Total trade turnover between `state` and Afghanistan as either side reports it, with a
    money value, less figures that lost a dispute."""
    rows = trade[~set_aside(trade, "trade_id", disputes)]
    pair = ((rows["reporter"] == state) & (rows["partner"] == AFGHANISTAN)) | (
        (rows["reporter"] == AFGHANISTAN) & (rows["partner"] == state)
    )
    rows = rows[pair & (rows["flow"] == "turnover") & (rows["product"] == "all") & rows["value_usd"].notna()]
    return rows.copy()


def _is_full_year(start, end) -> bool:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year


def _pick_latest(rows: pd.DataFrame, state: str) -> pd.Series:
    # The latest period wins; for one period a state's own statistics come before the Afghan
    # mirror figure, then the more confident source.
    ranked = rows.assign(
        _own=(rows["reporter"] != state).astype(int),
        _conf=rows["confidence"].map(CONFIDENCE_RANK).astype(int),
    ).sort_values(["period_end", "period_start", "_own", "_conf", "trade_id"], ascending=[False, False, True, True, True])
    return ranked.iloc[0]


def latest_turnover(trade: pd.DataFrame, disputes: pd.DataFrame, states) -> pd.DataFrame:
    """Per state: its latest full calendar year of turnover with Afghanistan, and the latest
    shorter period ending after that year (or the latest shorter period when there is no full
    year). Columns: state, kind ('full year' / 'part year'), trade_id, reporter, reported_by,
    period_start, period_end, value_usd, qualifier, source_id, dispute_id."""
    out = []
    for state in states:
        rows = turnover_figures(trade, disputes, state)
        if rows.empty:
            continue
        full = rows[[_is_full_year(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]]
        part = rows.drop(full.index)
        if not full.empty:
            pick = _pick_latest(full, state)
            out.append(pick.to_dict() | {"kind": "full year"})
            part = part[part["period_end"] > pick["period_end"]]
        if not part.empty:
            out.append(_pick_latest(part, state).to_dict() | {"kind": "part year"})
    columns = ["state", "kind", "trade_id", "reporter", "reported_by", "period_start", "period_end",
               "value_usd", "qualifier", "source_id", "dispute_id"]
    if not out:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(out)
    frame["state"] = [r if r != AFGHANISTAN else p for r, p in zip(frame["reporter"], frame["partner"], strict=True)]
    return frame[columns].reset_index(drop=True)


def figure_text(row: pd.Series, countries: pd.DataFrame, detail: bool = True) -> str:
    """One turnover figure with its period and whose figure it is; with `detail`, who reported it."""
    whose = country_name(row["reporter"], countries)
    text = (f"{money(row['value_usd'], row['qualifier'])} in {period_label(row['period_start'], row['period_end'])}, "
            f"by {whose}'s count")
    return text + (f", reported by {row['reported_by']}" if detail else "")


def trade_table(latest: pd.DataFrame, states, countries: pd.DataFrame) -> pd.DataFrame:
    """One row per state: latest full-year turnover and any later part-year figure, as text."""
    out = []
    for state in states:
        mine = latest[latest["state"] == state]
        full = mine[mine["kind"] == "full year"]
        part = mine[mine["kind"] == "part year"]
        out.append({
            "State": country_name(state, countries),
            "Latest full year": figure_text(full.iloc[0], countries) if len(full) else NOT_IN_DATA,
            "Latest shorter period after it": figure_text(part.iloc[0], countries) if len(part) else NOT_IN_DATA,
        })
    return pd.DataFrame(out)


UNHCR_MEASURES = {
    "refugees": "Refugees",
    "asylum_seekers": "Asylum-seekers",
    "other_in_need_of_protection": "Others in need of international protection",
}


def unhcr_rows(people: pd.DataFrame, sources: pd.DataFrame, states) -> pd.DataFrame:
    """UNHCR's year-end counts of Afghans in each state (refugees, asylum-seekers, others in
    need of protection); figures from other publishers (a ministry's own count) are left out."""
    unhcr = set(sources.loc[sources["publisher"] == "UNHCR", "source_id"])
    rows = people[
        people["source_id"].isin(unhcr)
        & (people["origin"] == AFGHANISTAN)
        & people["country"].isin(list(states))
        & people["measure"].isin(list(UNHCR_MEASURES))
    ]
    return rows.sort_values(["country", "measure", "date"]).reset_index(drop=True)


def unhcr_latest_year(rows: pd.DataFrame) -> int | None:
    return None if rows.empty else int(rows["date"].dt.year.max())


def unhcr_table(rows: pd.DataFrame, states, countries: pd.DataFrame) -> pd.DataFrame:
    """Per state, UNHCR's counts at the end of the latest year in the data, and the refugee
    count a year before (UNHCR moved many Afghans between categories)."""
    year = unhcr_latest_year(rows)
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
            for measure, label in UNHCR_MEASURES.items():
                record[f"{label}, end of {year}"] = value(measure, year)
        out.append(record)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------
# The chapter's facts


def borders(countries: pd.DataFrame, states) -> pd.DataFrame:
    """state, name, borders (True/False/NA when the data do not say)."""
    table = countries.set_index("iso3")
    out = []
    for state in states:
        value = table["borders_afghanistan"].get(state, pd.NA)
        out.append({"state": state, "name": country_name(state, countries), "borders": value})
    frame = pd.DataFrame(out)
    frame["borders"] = frame["borders"].astype("boolean")
    return frame


def _events_text(n: int) -> str:
    return count(n, "event")


def glance_table(summary: pd.DataFrame, borders_: pd.DataFrame, yearly: pd.DataFrame) -> pd.DataFrame:
    """The states at a glance: border, events since the takeover, mean stance overall and in
    the latest year of the data."""
    latest_year = int(yearly["year"].max()) if not yearly.empty else None
    out = []
    for (_, s), (_, b) in zip(summary.iterrows(), borders_.iterrows(), strict=False):
        record = {
            "State": b["name"],
            "Borders Afghanistan": NOT_IN_DATA if pd.isna(b["borders"]) else ("yes" if b["borders"] else "no"),
            "Events since the takeover": f"{s['events']:,}",
            "Mean stance since the takeover": signed(s["mean_stance"]) if s["events"] else NOT_IN_DATA,
        }
        if latest_year is not None:
            hit = yearly[(yearly["state"] == s["state"]) & (yearly["year"] == latest_year)]
            record[f"Mean stance in {latest_year}"] = (
                f"{signed(hit['mean_stance'].iloc[0])} ({_events_text(int(hit['events'].iloc[0]))})" if len(hit)
                else NOT_IN_DATA
            )
        out.append(record)
    return pd.DataFrame(out)


def facts(package, states, takeover) -> dict:
    """Everything the chapter's prose states, as glue values; every flag the page's
    conditional cells use is present, True or False."""
    events, disputes, countries = package["events"], package["disputes"], package["countries"]
    names = {s: country_name(s, countries) for s in states}
    summary = stance_summary(events, disputes, states, takeover)
    with_events = summary[summary["events"] > 0]
    border = borders(countries, states)
    flags = {s: None if pd.isna(b) else bool(b) for s, b in zip(border["state"], border["borders"], strict=True)}
    neighbours = [names[s] for s, b in flags.items() if b is True]
    others = [names[s] for s, b in flags.items() if b is False]
    unknown = [names[s] for s, b in flags.items() if b is None]
    no_events = [names[s] for s in summary.loc[summary["events"] == 0, "state"]]

    out = {
        "takeover_day": date_text(takeover, "day"),
        **stance_bounds(package.descriptor),
        "n_states": count_word(len(states)),
        "state_names": names_text(names.values()),
        "has_neighbours": bool(neighbours),
        "neighbour_names": names_text(neighbours),
        "n_neighbours": count_word(len(neighbours)),
        "has_non_neighbours": bool(others),
        "non_neighbour_names": names_text(others),
        "has_border_unknown": bool(unknown),
        "border_unknown_names": names_text(unknown),
        "has_no_events": bool(no_events),
        "no_event_names": names_text(no_events),
        "n_events": int(summary["events"].sum()),
        "n_events_text": count(int(summary["events"].sum()), "event"),
        "has_events": bool(summary["events"].sum() > 0),
        "has_stance": len(with_events) >= 2,
    }
    if out["has_stance"]:
        ranked = with_events.sort_values(["mean_stance", "state"], ascending=[False, True])
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        negative = ranked[ranked["mean_stance"] < 0]
        out.update(
            most_engaged=names[top["state"]], most_engaged_mean=signed(top["mean_stance"]),
            most_engaged_events=int(top["events"]), most_engaged_events_text=count(int(top["events"]), "event"),
            least_engaged=names[bottom["state"]], least_engaged_mean=signed(bottom["mean_stance"]),
            least_engaged_events=int(bottom["events"]), least_engaged_events_text=count(int(bottom["events"]), "event"),
            n_negative=count_word(len(negative)), negative_names=names_text(names[s] for s in negative["state"]),
        )
        out["extremes_both_neighbours"] = flags.get(top["state"]) is True and flags.get(bottom["state"]) is True
        out["has_negative"] = len(negative) > 0
        out["one_negative"] = len(negative) == 1
        out["negative_softened"] = len(negative) > 0 and all(
            _softened(events, disputes, s, takeover) for s in negative["state"]
        )
        least = bottom["state"]
    else:
        out.update(extremes_both_neighbours=False, has_negative=False, one_negative=False, negative_softened=False)
        least = None

    first = firsts(events, disputes, states, takeover, package["claims"])
    # Glue keys keep the names the prose has always used: talks for contact, envoy for accreditation.
    for key, name in (("contact", "talks"), ("accreditation", "envoy"), ("delisting", "delisting"), ("visit", "visit")):
        row = leader(first, key)
        rows = first[(first["milestone"] == key)]
        out[f"has_first_{name}"] = row is not None
        out[f"first_{name}_disputed"] = row is not None and bool(row["date_disputed"])
        out[f"n_{name}"] = count_word(int(rows["found"].sum()))
        out[f"without_{name}_names"] = names_text(names[s] for s in rows.loc[~rows["found"], "state"])
        out[f"has_without_{name}"] = bool((~rows["found"]).any())
        if row is not None:
            out[f"first_{name}_state"] = names[row["state"]]
            out[f"first_{name}_date"] = date_text(row["date"], row["precision"])
            out[f"first_{name}_when"] = when(row["date"], row["precision"], row["date_of"])
            if row["date_disputed"]:
                out[f"first_{name}_span"] = span(row["earliest"], row["earliest_precision"], row["latest"],
                                                 row["latest_precision"])
    talks_leader, envoy_leader = leader(first, "contact"), leader(first, "accreditation")
    out["talks_envoy_same"] = (talks_leader is not None and envoy_leader is not None
                               and talks_leader["state"] == envoy_leader["state"])
    # The state that waited longest for its first talks, when the data date them for all.
    talks = first[(first["milestone"] == "contact") & first["found"]]
    out["has_last_talks"] = len(talks) == len(states) and len(talks) >= 2
    if out["has_last_talks"]:
        last = talks.sort_values(["date", "state"]).iloc[-1]
        out.update(last_talks_state=names[last["state"]], last_talks_date=date_text(last["date"], last["precision"]),
                   last_talks_when=when(last["date"], last["precision"], last["date_of"]))

    latest = latest_turnover(package["trade"], disputes, states)
    full = latest[latest["kind"] == "full year"]
    out["has_trade"] = not full.empty
    out["n_trade_full_year"] = count_word(len(full))
    out["without_trade_names"] = names_text(names[s] for s in states if s not in set(full["state"]))
    out["has_without_trade"] = len(full) < len(states)
    if not full.empty:
        top = full.sort_values(["value_usd", "state"], ascending=[False, True]).iloc[0]
        out.update(top_trade_state=names[top["state"]], top_trade_text=figure_text(top, countries, detail=False))

    people = unhcr_rows(package["people"], package["sources"], states)
    year = unhcr_latest_year(people)
    out["has_unhcr"] = year is not None
    if year is not None:
        refugees = people[(people["measure"] == "refugees") & (people["date"].dt.year == year)]
        oip = people[(people["measure"] == "other_in_need_of_protection") & (people["date"].dt.year == year)]
        top = refugees.sort_values(["value", "country"], ascending=[False, True]).iloc[0]
        out.update(
            unhcr_year=str(year),
            top_refugees_state=names[top["country"]], top_refugees=int(top["value"]),
            has_oip=not oip.empty,
            oip_names=names_text(names[s] for s in oip["country"]),
            least_engaged_hosts_most=least == top["country"],
        )
    else:
        out.update(has_oip=False, least_engaged_hosts_most=False)
    out["has_disputes"] = bool(dispute_ids(first, rows_used(package, states, takeover)))
    return out


def _softened(events: pd.DataFrame, disputes: pd.DataFrame, state: str, takeover) -> bool:
    """Whether the state's latest year of events leans less toward refusal than its first year
    after the takeover (years with at least MIN_EVENTS_FOR_MEAN events)."""
    years = stance_by_year(events, disputes, [state], takeover)
    years = years[years["events"] >= MIN_EVENTS_FOR_MEAN]
    return len(years) >= 2 and years["mean_stance"].iloc[-1] > years["mean_stance"].iloc[0]


# ---------------------------------------------------------------------------
# Charts' data

MAP_COLOURS = {
    "Afghanistan": "#CC79A7",
    "Borders Afghanistan": "#E69F00",
    "No border with Afghanistan": "#56B4E9",
    "Border not recorded in the data": "#F0E442",
}


def map_layers(world, states, countries: pd.DataFrame, summary: pd.DataFrame):
    """The map's countries (Afghanistan and `states`, projected, with name, category and a
    note giving the mean stance) and the land around them; see `geo.region`."""
    focus, context = geo.region(world, [AFGHANISTAN, *states])
    border = borders(countries, states).set_index("state")["borders"]
    stance = summary.set_index("state")
    focus["name"] = [country_name(c, countries) for c in focus["iso3"]]
    categories, notes = [], []
    for code in focus["iso3"]:
        if code == AFGHANISTAN:
            categories.append("Afghanistan")
            notes.append("")
            continue
        flag = border.get(code, pd.NA)
        categories.append("Border not recorded in the data" if pd.isna(flag)
                          else "Borders Afghanistan" if flag else "No border with Afghanistan")
        events = int(stance.loc[code, "events"]) if code in stance.index else 0
        notes.append(f"mean stance {signed(stance.loc[code, 'mean_stance'])}" if events else "no events in the data")
    focus["category"] = categories
    focus["note"] = notes
    return focus, context


def stance_chart_data(events: pd.DataFrame, disputes: pd.DataFrame, states, takeover, since) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dots (panel, date, stance: every distinct event since `since`) and lines (panel,
    start, end, mean_stance: each year's mean since the takeover, for years with at least
    MIN_EVENTS_FOR_MEAN events) for the stance chart."""
    points = stance_events(events, disputes, states, since).rename(columns={"country": "panel"})
    means = stance_by_year(events, disputes, states, takeover).rename(columns={"state": "panel"})
    means = means[means["events"] >= MIN_EVENTS_FOR_MEAN].reset_index(drop=True)
    return points[["panel", "date", "stance", "event_id", "source_id"]], means


def chart_window(takeover, points: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From 1 January of the takeover year to the end of the last year with an event."""
    takeover = pd.Timestamp(takeover)
    start = pd.Timestamp(year=takeover.year, month=1, day=1)
    last = points["date"].max() if not points.empty else takeover
    return start, pd.Timestamp(year=max(last.year, takeover.year), month=12, day=31)


def rows_used(package, states, takeover) -> dict[str, pd.DataFrame]:
    """The rows of each table the chapter reads, for its downloads and its list of sources:
    events (the chart's and the first-table's), trade (the turnover figures shown), people
    (UNHCR's counts for the two years shown) and countries (Afghanistan and the states)."""
    events, disputes = package["events"], package["disputes"]
    start = pd.Timestamp(year=pd.Timestamp(takeover).year, month=1, day=1)
    points = stance_events(events, disputes, states, start)
    first = firsts(events, disputes, states, takeover, package["claims"])
    ids = set(points["event_id"]) | {i for ids in first["event_ids"] for i in ids}
    used_events = events[events["event_id"].isin(ids)].sort_values(["date", "event_id"])
    latest = latest_turnover(package["trade"], disputes, states)
    used_trade = package["trade"][package["trade"]["trade_id"].isin(set(latest["trade_id"]))]
    people = unhcr_rows(package["people"], package["sources"], states)
    year = unhcr_latest_year(people)
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
