"""The states' stance since the takeover, side by side: per state, per state and year, the
stance chart's data and the table of the states at a glance.

Stance is the project's own coding of each event in `events.csv`: the direction of the event
toward engagement with the Taliban, from -2 (strong refusal) through 0 (neutral) to +2 (strong
engagement). Means of it are means of that coding, not a measurement made by a source.

Events are read as the overview reads them: one row per event (`timeline.one_per_event`),
counted since the takeover by the book's one rule (`timeline.since_takeover`).
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.timeline import one_per_event
from amudarya.domain.timeline import since as since_day
from amudarya.domain.words import NOT_IN_DATA, count, signed

# A year with a single event would draw that one event's stance as the year's mean.
MIN_EVENTS_FOR_MEAN = 2


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


def softened(events: pd.DataFrame, disputes: pd.DataFrame, state: str, takeover) -> bool:
    """Whether the state's latest year of events leans less toward refusal than its first year
    after the takeover (years with at least MIN_EVENTS_FOR_MEAN events)."""
    years = stance_by_year(events, disputes, [state], takeover)
    years = years[years["events"] >= MIN_EVENTS_FOR_MEAN]
    return len(years) >= 2 and years["mean_stance"].iloc[-1] > years["mean_stance"].iloc[0]


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
                f"{signed(hit['mean_stance'].iloc[0])} ({_events_text(int(hit['events'].iloc[0]))})"
                if len(hit)
                else NOT_IN_DATA
            )
        out.append(record)
    return pd.DataFrame(out)


def stance_chart_data(
    events: pd.DataFrame, disputes: pd.DataFrame, states, takeover, since
) -> tuple[pd.DataFrame, pd.DataFrame]:
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
