"""The Sources page's helpers on the real data: counts of citing rows, entries, anchors."""

import collections

import pandas as pd

from amudarya.domain import catalogue
from amudarya.render import publish


def _citations_counted_by_hand(package) -> collections.Counter:
    """Each row counts once for every distinct source it names in a column ending in source_id
    (source_id itself, and countries.kin_source_id for the words used for a state's kin)."""
    counted = collections.Counter()
    for res in package.descriptor["resources"]:
        frame = package[res["name"]]
        columns = [c for c in frame.columns if c.endswith("source_id")]
        if res["name"] == "sources" or not columns:
            continue
        for _, row in frame.iterrows():
            for source_id in {row[c] for c in columns if isinstance(row[c], str)}:
                counted[(source_id, res["name"])] += 1
    return counted


def test_citing_tables_are_every_table_with_a_source_column(package):
    assert set(catalogue.citing_tables(package)) == {
        "countries",
        "actors",
        "events",
        "trade",
        "people",
        "claims",
        "fx",
        "context",
        "names",
        "places",
    }


def test_citation_counts_match_the_rows_of_each_table(package):
    counts = catalogue.citation_counts(package)
    by_hand = _citations_counted_by_hand(package)
    assert list(counts.index) == list(package["sources"]["source_id"])
    for (source_id, table), n in by_hand.items():
        assert counts.loc[source_id, table] == n
    assert counts["total"].sum() == sum(by_hand.values())
    # The Jamestown article (seed 004) carries the first-half-2021 trade figures.
    assert counts.loc["jamestown-2021-09-voloshin", "trade"] == 7


def test_entries_list_every_source_once_with_its_anchor(package):
    entries = catalogue.entries(package)
    sources = package["sources"]
    assert len(entries) == len(sources)
    assert sorted(entries["anchor"]) == sorted("source-" + sources["source_id"])
    assert entries["anchor"].is_unique


def test_entries_are_sorted_by_publisher_without_a_leading_the(package):
    entries = catalogue.entries(package)
    publishers = package["sources"].set_index("source_id").loc[entries["anchor"].str[len("source-") :], "publisher"]
    keys = list(publishers.str.replace(r"^The\s+", "", regex=True).str.casefold())
    assert keys == sorted(keys)
    # "The Astana Times" files under A, before "Atlas Press", not under T.
    assert list(publishers).index("The Astana Times") < list(publishers).index("Atlas Press")


def test_entries_show_titles_links_and_rows(package):
    entries = catalogue.entries(package).set_index("anchor")
    sources = package["sources"].set_index("source_id")
    counts = catalogue.citation_counts(package)
    for source_id, source in sources.iterrows():
        entry = entries.loc[f"source-{source_id}"]
        assert entry["Title"].startswith(source["title"])
        assert entry["url"] == ("" if pd.isna(source["url"]) else source["url"])
        assert entry["Rows"] == counts.loc[source_id, "total"]
    # A title the page did not show as a headline says how it was made.
    ticker = entries.loc["source-timesca-ticker"]
    assert catalogue.TITLE_NOTES["not shown"] in ticker["Title"]
    jamestown = entries.loc["source-jamestown-2021-09-voloshin"]
    assert jamestown["Source"] == "The Jamestown Foundation, George Voloshin, 2021-09"
    assert jamestown["Cited by"].startswith(f"{jamestown['Rows']} rows (") and "7 trade" in jamestown["Cited by"]


def test_facts_add_up(package):
    facts = catalogue.facts(package)
    counts = catalogue.citation_counts(package)
    assert facts["n_sources"] == len(package["sources"])
    assert facts["n_rows"] == counts["total"].sum()
    assert facts["n_high"] + facts["n_medium"] + facts["n_low"] == facts["n_graded"]
    graded = sum(
        int(package[t]["confidence"].notna().sum()) for t in ("events", "trade", "people", "claims", "context")
    )
    assert facts["n_graded"] == graded
    # Every source now has an address; a saved copy without one would be counted here.
    assert facts["n_saved_copies"] == int(package["sources"]["url"].isna().sum())
    assert facts["has_saved_copies"] is (facts["n_saved_copies"] > 0)
    assert facts["has_uncited"] is (facts["n_uncited"] > 0)


def test_table_rows_carry_escaped_ids_and_the_id_column_is_hidden():
    frame = pd.DataFrame({"anchor": ['source-a"><script>', "source-b"], "Name": ["<b>x</b>", "y"]})
    out = publish.table_html(frame, row_ids="anchor")
    assert '<tr id="source-a&quot;&gt;&lt;script&gt;">' in out
    assert '<tr id="source-b">' in out
    assert "<th>anchor</th>" not in out and "<script>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
