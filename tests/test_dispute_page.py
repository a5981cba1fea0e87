"""The helpers behind "Where the sources disagree", on the real data."""

import html

import pandas as pd

from amudarya.domain import disputes
from amudarya.render import publish

CLAIM_TABLES = {"events": "event_id", "trade": "trade_id", "people": "record_id", "claims": "claim_id"}


def _members(package) -> dict[str, set]:
    """Rows carrying each dispute_id, counted straight from the four tables; an event states a
    claim only in a dispute over a date (elsewhere it is the context of a number or a name)."""
    found: dict[str, set] = {}
    dated = set(package["disputes"].loc[package["disputes"]["compared"] == "date", "dispute_id"])
    for table, id_col in CLAIM_TABLES.items():
        frame = package[table].dropna(subset=["dispute_id"])
        if table == "events":
            frame = frame[frame["dispute_id"].isin(dated)]
        for dispute_id, row_id in zip(frame["dispute_id"], frame[id_col], strict=True):
            found.setdefault(dispute_id, set()).add(row_id)
    return found


def test_overview_has_one_row_per_dispute_with_its_claim_count(package):
    listed = disputes.overview(package)
    members = _members(package)
    assert sorted(listed["dispute_id"]) == sorted(package["disputes"]["dispute_id"])
    for _, row in listed.iterrows():
        assert row["n_claims"] == len(members[row["dispute_id"]]) >= 2


def test_overview_is_sorted_by_country_name_then_subject(package):
    listed = disputes.overview(package)
    keys = list(zip(listed["country_name"].str.casefold(), listed["subject"].str.casefold(), strict=True))
    assert keys == sorted(keys)
    assert set(listed["country_name"]) <= set(package["countries"]["name"])


def test_book_uses_is_the_preferred_claim_or_nothing(package):
    listed = disputes.overview(package).set_index("dispute_id")
    found = disputes.claims(package)
    for dispute_id, preferred in zip(
        package["disputes"]["dispute_id"], package["disputes"]["preferred_id"], strict=True
    ):
        if pd.isna(preferred):
            assert pd.isna(listed.loc[dispute_id, "book_uses"])
        else:
            claim = found[(found["dispute_id"] == dispute_id) & (found["row_id"] == preferred)]["claim"]
            assert listed.loc[dispute_id, "book_uses"] == claim.item()
    # The 2022 Kazakh-Afghan turnover: the statistical 987.9 million, not the rounded restatements.
    assert listed.loc["num-kaz-afg-turnover-2022", "book_uses"] == "US$ 987.9 million: turnover, 2022"


def test_page_facts_add_up(package):
    facts = disputes.page_facts(package)
    listed = disputes.overview(package)
    assert facts["n_disputes"] == len(package["disputes"])
    assert facts["n_claims"] == sum(len(m) for m in _members(package).values())
    assert facts["n_preferred"] == int(package["disputes"]["preferred_id"].notna().sum())
    assert facts["n_preferred"] + facts["n_open"] == facts["n_disputes"]
    assert facts["most_claims"] == listed["n_claims"].max()
    assert facts["has_disputes"] is True


def test_evacuation_flight_claims_keep_both_accounts(package):
    found = disputes.claims(package, ["num-kaz-evacuation-flight-2021-08-18"])
    by_source = found.groupby("source_id")["claim"].apply(sorted).to_dict()
    assert by_source == {
        "astana-times-2021-08-19-kazakhstan-continues-closely": ["14 persons", "25 persons", "42 persons"],
        "moy-gorod-2021-09-10-35-ethnic-kazakhs": ["16 persons", "25 persons"],
    }


def test_a_dispute_section_shows_subject_reading_and_each_claim_linked_to_its_source(package):
    listed = disputes.overview(package)
    dispute = listed[listed["dispute_id"] == "ev-kgz-official-name"].iloc[0]
    rows = disputes.claims(package, ["ev-kgz-official-name"])
    out = publish.dispute_section_html(dispute, rows, package["sources"])
    assert 'id="dispute-ev-kgz-official-name"' in out
    assert html.escape(dispute["subject"]) in out and html.escape(dispute["assessment"]) in out
    for _, claim in rows.iterrows():
        assert f"<td>{html.escape(claim['claim'])}</td>" in out
        assert f'href="sources.html#source-{claim["source_id"]}"' in out
    assert "Japar Mambetov" in out and "Jypara Mambetova" in out
