"""A count of people and its date as the chapters write them: '13–14 July 2021', 'about
300', 'on 9 September 2021'."""

from __future__ import annotations

import pandas as pd

from amudarya.domain.words import date_text, qualified


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


def on(when_text: str) -> str:
    """The preposition a date takes: 'on 9 September 2021', 'in July 2021', 'in 2025',
    'between July 2021 and March 2023'."""
    if " to " in when_text:
        return "between " + when_text.replace(" to ", " and ", 1)
    return ("on " if when_text[:1].isdigit() and not when_text[:4].isdigit() else "in ") + when_text
