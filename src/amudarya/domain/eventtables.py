"""A timeline (`timeline.one_per_event`) as the reader's tables: its events with dates,
kinds, stance and sources; its years; and how the book reads each dispute it touches."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from amudarya.domain.citations import short_reference
from amudarya.domain.timeline import KIND_WORDS, STANCE_WORDS, date_cell
from amudarya.domain.words import signed


def stance_text(value: int) -> str:
    """'+1 leans to engagement', '0 neutral', '−2 strong refusal'."""
    value = int(value)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value)} {STANCE_WORDS[value]}"


def readable(timeline: pd.DataFrame, sources: pd.DataFrame, link=None) -> pd.DataFrame:
    """A timeline as a reader's table: Date (as precise as the source, with any other dates
    the sources give), Kind, Stance, What happened, Source, and `entry` (the link target of
    the source, from `link(source_id)`, when given)."""
    by_id = sources.set_index("source_id")
    dates = []
    for _, row in timeline.iterrows():
        text = date_cell(row["date"], row["date_precision"], row.get("date_of", "occurred"))
        if row["other_dates"]:
            text += " (other sources: " + "; ".join(row["other_dates"]) + ")"
        dates.append(text)
    table = pd.DataFrame(
        {
            "Date": dates,
            "Kind": [KIND_WORDS.get(k, k) for k in timeline["event_type"]],
            "Stance": [stance_text(s) for s in timeline["stance"]],
            "What happened": list(timeline["summary"]),
            "Source": [short_reference(by_id.loc[s].rename({"source_id": s})) for s in timeline["source_id"]],
        }
    )
    if link is not None:
        table["entry"] = [link(s) for s in timeline["source_id"]]
    return table


def readings(disputes: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    """How the book reads each dispute (its assessment), as a reader's table."""
    rows = disputes.set_index("dispute_id").loc[list(ids)]
    return pd.DataFrame({"Disputed": list(rows["subject"]), "How this book reads it": list(rows["assessment"])})


def years_table(years: pd.DataFrame) -> pd.DataFrame:
    """`by_year` as a reader's table."""
    return pd.DataFrame(
        {
            "Year": years["year"].astype(int).astype(str),
            "Events": years["events"].astype(int).astype(str),
            "Mean stance": [signed(v) for v in years["mean_stance"]],
            "Leaning to engagement": years["engaging"].astype(int).astype(str),
            "Leaning to refusal": years["refusing"].astype(int).astype(str),
        }
    )
