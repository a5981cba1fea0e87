"""The catalogue of sources: every source in the data package and the rows that cite it.

This is what the book's Sources page shows. Every other page links to a source's entry
there (`source_anchor`), so each entry carries the anchor id `source-<source_id>`.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.words import count

# What a title note means, in words a reader of the Sources page understands.
TITLE_NOTES = {
    "rebuilt from URL": "title taken from the address",
    "rebuilt from content": "title written from the content",
    "translated": "title translated",
    "not shown": "no headline; a description",
}

# Confidence marks, weakest last; every table with a confidence column uses these three.
CONFIDENCE = ("high", "medium", "low")


# Every chapter sits in book/_generated/ beside the Sources page (the run of notebooks/sources.ipynb).
SOURCES_PAGE = "sources.html"


def anchor_id(source_id: str) -> str:
    """The HTML id of a source's entry on the Sources page (the part after '#')."""
    return f"source-{source_id}"


def source_anchor(source_id: str) -> str:
    """A link to a source's entry on the Sources page, from any chapter."""
    return f"{SOURCES_PAGE}#{anchor_id(source_id)}"


def citing_fields(package) -> dict[str, list[str]]:
    """For each table whose rows cite a source, the fields that do: every field with a foreign
    key to sources (source_id, and e.g. countries.kin_source_id)."""
    found = {}
    for res in package.descriptor["resources"]:
        fields = [
            fk["fields"][0]
            for fk in res["schema"].get("foreignKeys", [])
            if fk["reference"]["resource"] == "sources" and res["name"] != "sources"
        ]
        if fields:
            found[res["name"]] = fields
    return found


def citing_tables(package) -> list[str]:
    """Tables whose rows cite a source."""
    return list(citing_fields(package))


def citation_counts(package) -> pd.DataFrame:
    """Rows citing each source, by table: index source_id (every source, in sources.csv order),
    one column per citing table, and `total`. A source no row cites has zeros."""
    ids = package["sources"]["source_id"]
    counts = pd.DataFrame(index=pd.Index(ids, name="source_id"))
    for table, fields in citing_fields(package).items():
        # A row counts once per source it cites, whichever of its fields cites it.
        # Only the citing columns count as read: a corrected figure leaves the Sources page cached.
        cited = package.select(table, columns=fields).melt(ignore_index=False)["value"].dropna()
        pairs = cited.reset_index().drop_duplicates()
        counts[table] = pairs["value"].value_counts().reindex(ids, fill_value=0).astype(int)
    counts["total"] = counts.sum(axis=1).astype(int)
    return counts


# What one row of each table is, for "2 rows (1 event, 1 claim)".
_ROW_NOUNS = {
    "events": "event",
    "claims": "claim",
    "actors": "actor",
    "people": "count of people",
    "trade": "trade figure",
    "countries": "country",
    "disputes": "dispute",
    "fx": "exchange rate",
}


def _cited_by(row: pd.Series, tables: list[str]) -> str:
    parts = [count(int(row[table]), _ROW_NOUNS.get(table, table)) for table in tables if int(row[table])]
    return f"{count(int(row['total']), 'row')} ({', '.join(parts)})" if parts else "no rows"


def _publisher_key(publisher: pd.Series) -> pd.Series:
    """Sort publishers as a reader looks them up: without a leading 'The', ignoring case."""
    return publisher.str.replace(r"^The\s+", "", regex=True).str.casefold()


def entries(package) -> pd.DataFrame:
    """One row per source for the Sources page, sorted by publisher, then date, then title.

    Columns: anchor (the entry's HTML id), Source (publisher, author where there is one, and
    the date the page shows), Title (with what its title note means), url (the link target,
    empty for saved copies), Kind, Cited by (how many rows, and how many in each table), Note,
    and Rows (the number of citing rows, for downloads).
    """
    sources = package["sources"]
    counts = citation_counts(package)
    tables = citing_tables(package)
    per_source = counts.loc[sources["source_id"]].reset_index(drop=True)
    title = sources["title"].astype(str)
    note = sources["title_note"].map(TITLE_NOTES)
    title = title.where(note.isna(), title + " (" + note.astype("string") + ")")
    author = sources["author"].fillna("")
    published = sources["published"].fillna("no date shown")
    frame = pd.DataFrame(
        {
            "anchor": sources["source_id"].map(anchor_id),
            # One cell for who and when keeps the table narrow enough for the page.
            "Source": sources["publisher"].where(author == "", sources["publisher"] + ", " + author) + ", " + published,
            "Title": title,
            "url": sources["url"].fillna(""),
            "Kind": sources["kind"],
            "Cited by": [_cited_by(row, tables) for _, row in per_source.iterrows()],
            "Note": sources["note"].fillna(""),
            "Rows": per_source["total"].to_numpy(),
        }
    )
    order = pd.DataFrame(
        {
            "publisher": _publisher_key(sources["publisher"].astype(str)),
            # Undated sources after dated ones of the same publisher.
            "published": sources["published"].fillna("9999"),
            "title": frame["Title"].str.casefold(),
        }
    ).sort_values(["publisher", "published", "title"])
    return frame.loc[order.index].reset_index(drop=True)


def facts(package) -> dict:
    """The numbers the Sources page states, for glue."""
    sources = package["sources"]
    counts = citation_counts(package)
    marks = pd.concat(
        [
            package.select(t, columns=["confidence"])["confidence"]
            for t in citing_tables(package)
            if "confidence" in package.field_names(t)
        ],
        ignore_index=True,
    )
    graded = int(marks.notna().sum())
    out = {
        "n_sources": int(len(sources)),
        "n_publishers": int(sources["publisher"].nunique()),
        "n_rows": int(counts["total"].sum()),
        "n_tables": len(citing_tables(package)),
        "n_saved_copies": int(sources["url"].isna().sum()),
        "n_uncited": int((counts["total"] == 0).sum()),
        "n_graded": graded,
    }
    for mark in CONFIDENCE:
        n = int((marks == mark).sum())
        out[f"n_{mark}"] = n
        out[f"share_{mark}"] = n / graded if graded else 0.0
    out["has_uncited"] = out["n_uncited"] > 0
    out["has_saved_copies"] = out["n_saved_copies"] > 0
    return out
