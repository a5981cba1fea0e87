"""Which sources a page used, for its source lines and its closing list of sources."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def cited(sources: pd.DataFrame, source_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of `sources` for the given ids, in the order first cited, without repeats."""
    order = list(dict.fromkeys(source_ids))
    rows = sources.set_index("source_id").loc[order].reset_index()
    return rows


def short_reference(row: pd.Series) -> str:
    """'Publisher (Author, 2021-09)': enough to find the source in the list of sources."""
    details = [str(v) for v in (row.get("author"), row.get("published")) if isinstance(v, str) and v]
    return f"{row['publisher']} ({', '.join(details)})" if details else str(row["publisher"])


def source_line(sources: pd.DataFrame, source_ids: Iterable[str]) -> str:
    return "; ".join(short_reference(r) for _, r in cited(sources, source_ids).iterrows())


def reading_list(sources: pd.DataFrame, source_ids: Iterable[str]) -> pd.DataFrame:
    """The closing list of a chapter: who published what, when, and where to find it."""
    rows = cited(sources, source_ids)
    return pd.DataFrame(
        {
            "Publisher": rows["publisher"],
            "Author": rows["author"].fillna(""),
            "Published": rows["published"].fillna("not shown"),
            "Title": rows["title"],
            "Address": rows["url"].fillna("no address recorded: " + rows["note"].fillna("")),
        }
    )


def summary_source_line(sources: pd.DataFrame, source_ids: Iterable[str], what: str, limit: int = 3) -> str:
    """A chart's source line when it may rest on many sources: the sources themselves when
    there are at most `limit`, else what the chart plots and how many sources it draws on
    (the chapter's closing list names them)."""
    ids = list(dict.fromkeys(source_ids))
    if len(ids) <= limit:
        return source_line(sources, ids)
    return f"{what}, from {len(ids)} sources listed at the end of this chapter"
