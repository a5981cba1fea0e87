"""The method page's codebook, drawn from the data: for every event type and every stance
score an example event, and how the package's dates, confidence marks and disputes break down.

Examples are chosen by rule, not by hand, so they change when the data do: the earliest event
of the kind since the Taliban took Kabul told by a single, high-confidence account, falling back
to any account and then to earlier events.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.events import takeover
from amudarya.domain.timeline import KIND_WORDS, STANCE_WORDS, date_text, stance_scale


def _field(package, resource: str, name: str) -> dict:
    for res in package.descriptor["resources"]:
        if res["name"] == resource:
            for field in res["schema"]["fields"]:
                if field["name"] == name:
                    return field
    raise KeyError(f"{resource}.{name}")


def _example(rows: pd.DataFrame, since) -> pd.Series | None:
    if rows.empty:
        return None
    ranked = rows.assign(
        _recent=rows["date"] >= since, _single=rows["dispute_id"].isna(), _high=rows["confidence"] == "high"
    )
    return ranked.sort_values(
        ["_recent", "_single", "_high", "date", "event_id"], ascending=[False, False, False, True, True]
    ).iloc[0]


def _described(example: pd.Series | None, names: pd.Series) -> dict:
    if example is None:
        return {
            "Example": "no event of this kind in the data yet",
            "Date": "",
            "State": "",
            "source_id": "",
            "event_id": "",
        }
    return {
        "Example": "",  # the summary, read for the examples only (`_with_summaries`)
        "event_id": str(example["event_id"]),
        "Date": date_text(example["date"], example["date_precision"]),
        "State": str(names.get(example["country"], example["country"])),
        "source_id": str(example["source_id"]),
    }


def _without_wording(package) -> pd.DataFrame:
    """events.csv without its summaries: what the counts and the choice of examples read, so a
    reworded event changes the method page only if it is an example (see `_with_summaries`)."""
    fields = [f for f in package.field_names("events") if f != "summary"]
    return package.select("events", columns=fields)


def _with_summaries(package, rows: list[dict]) -> pd.DataFrame:
    """The table's rows with each example's summary, read for those examples only."""
    ids = [r.pop("event_id") for r in rows]
    summaries = package.select("events", "event_id", [i for i in ids if i]).set_index("event_id")["summary"]
    for row, event_id in zip(rows, ids, strict=True):
        if event_id:
            row["Example"] = str(summaries[event_id])
    return pd.DataFrame(rows)


def event_types(package) -> pd.DataFrame:
    """One row per event type the schema allows: Type (in words), code, Events (how many rows
    carry it), and an example (Example, Date, State, source_id)."""
    events = _without_wording(package)
    names = package["countries"].set_index("iso3")["name"]
    since = takeover(events)
    rows = []
    for code in _field(package, "events", "event_type")["constraints"]["enum"]:
        mine = events[events["event_type"] == code]
        rows.append(
            {
                "Type": KIND_WORDS.get(code, code),
                "code": code,
                "Events": len(mine),
                **_described(_example(mine, since), names),
            }
        )
    return _with_summaries(package, rows)


def stance_levels(package) -> pd.DataFrame:
    """One row per stance score, highest first: Score, Meaning, Events, and an anchoring example."""
    events = _without_wording(package)
    names = package["countries"].set_index("iso3")["name"]
    since = takeover(events)
    low, high = stance_scale(package.descriptor)
    rows = []
    for score in range(high, low - 1, -1):
        mine = events[events["stance"] == score]
        rows.append(
            {
                "Score": f"{score:+d}" if score else "0",
                "Meaning": STANCE_WORDS.get(score, ""),
                "Events": len(mine),
                **_described(_example(mine, since), names),
            }
        )
    return _with_summaries(package, rows)


def facts(package) -> dict:
    """Counts the method page states."""
    events = _without_wording(package)
    disputes = package["disputes"]
    precision = events["date_precision"].value_counts()
    out = {
        "cb_n_events": int(len(events)),
        "cb_n_types": int(len(_field(package, "events", "event_type")["constraints"]["enum"])),
        "cb_n_types_used": int(events["event_type"].nunique()),
        "cb_day": int(precision.get("day", 0)),
        "cb_month": int(precision.get("month", 0)),
        "cb_year": int(precision.get("year", 0)),
        "cb_n_actors": int(len(package["actors"])),
        "cb_n_disputes": int(len(disputes)),
        "cb_n_preferred": int(disputes["preferred_id"].notna().sum()),
        "cb_n_open": int(disputes["preferred_id"].isna().sum()),
        "cb_n_context": int(len(package["context"])),
    }
    for field in ("date_of",):
        if field in events.columns:
            counts = events[field].value_counts()
            for value in ("occurred", "announced", "reported"):
                out[f"cb_{value}"] = int(counts.get(value, 0))
            out["cb_has_date_of"] = True
        else:
            out["cb_has_date_of"] = False
    context_of = package["context"]["date_of"].value_counts()
    out["cb_context_announced"] = int(context_of.get("announced", 0))
    return out
