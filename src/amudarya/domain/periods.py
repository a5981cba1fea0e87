"""Periods a figure covers: their length in months and their name in the prose.

Sources give figures for periods of different lengths (half-years, January-May, calendar
years). Nothing here annualises or adds periods: a figure keeps its own period and its length,
and only periods of equal span are compared. Used by the trade chapter, the overview and the
disputes page alike.
"""

from __future__ import annotations

import pandas as pd


def period_label(start, end) -> str:
    """'January–June 2021', 'January 2022–May 2023', '2020' (a calendar year)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return str(start.year)
    if start.year == end.year:
        if start.month == end.month:
            return f"{start:%B %Y}"
        return f"{start:%B}–{end:%B %Y}"
    return f"{start:%B %Y}–{end:%B %Y}"


def months(start, end) -> int:
    """Length of a period in whole months (a half-year is 6, a calendar year 12)."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
    return max(1, round(days / 30.4375))


def with_periods(rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` (with period_start and period_end) with `months` and `period` (a label) added."""
    rows = rows.copy()
    rows["months"] = [months(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    rows["period"] = [period_label(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    return rows
