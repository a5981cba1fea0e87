"""Which sources a page used, for its source lines and its closing list of sources."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# How sources.csv titles a software package that distributes a dataset:
# 'refugees: UNHCR Refugee Population Statistics Database (R package, version 2025.12.1)'.
PACKAGED = re.compile(r"^(?P<package>[^:]+): (?P<title>.+) \((?P<language>\w+) package, version (?P<version>[^)]+)\)$")


def cited(sources: pd.DataFrame, source_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of `sources` for the given ids, in the order first cited, without repeats."""
    order = list(dict.fromkeys(source_ids))
    rows = sources.set_index("source_id").loc[order].reset_index()
    return rows


def dataset_name(row: pd.Series) -> str:
    """A dataset as a chart's reader needs it named: its title without the publisher's name
    repeated, and the package it came through ('Refugee Population Statistics Database, via the
    R package refugees 2025.12.1')."""
    title = str(row["title"])
    packaged = PACKAGED.match(title)
    if packaged:
        title = packaged["title"]
    publisher = str(row["publisher"])
    if title.startswith(publisher + " "):
        title = title[len(publisher) + 1 :]
    if packaged:
        return f"{title}, via the {packaged['language']} package {packaged['package']} {packaged['version']}"
    return title


def short_reference(row: pd.Series) -> str:
    """'Publisher (Author, 2021-09)': enough to find the source in the list of sources. A
    dataset is named too, as one publisher's datasets are told apart by name, not by date."""
    name = str(row["publisher"])
    if row.get("kind") == "dataset":
        name = f"{name}, {dataset_name(row)}"
    details = [str(v) for v in (row.get("author"), row.get("published")) if isinstance(v, str) and v]
    return f"{name} ({', '.join(details)})" if details else name


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
