"""Dated events: the timeline every chapter is read against."""

from __future__ import annotations

import pandas as pd

# The event every chapter dates "before" and "after" from: the Taliban entering Kabul.
TAKEOVER_EVENT = "AFG-2021-08-15-kabul-taken"


def takeover_of(package) -> pd.Timestamp:
    """The takeover's day, reading only its row's date from the loaded package, so that a
    chapter which needs no other event is not executed again when another event changes."""
    return takeover(package.select("events", "event_id", [TAKEOVER_EVENT], columns=["event_id", "date"]))


def takeover(events: pd.DataFrame) -> pd.Timestamp:
    """The day the Taliban took Kabul, as the data record it."""
    hit = events.loc[events["event_id"] == TAKEOVER_EVENT, "date"]
    if hit.empty:
        raise KeyError(f"data/events.csv has no row {TAKEOVER_EVENT}; every chapter dates from it")
    return pd.Timestamp(hit.iloc[0])
