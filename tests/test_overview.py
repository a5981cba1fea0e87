"""The comparative overview: its helpers on the real data, the executed chapter and its page.

Expected values are computed here from data/ independently of amudarya.domain.overview (plain pandas
filters), or are facts checked by hand in data/ and named as such.
"""

import json
import re
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest

from amudarya.build.execution import execute
from amudarya.build.postprocess import glued
from amudarya.build.run import Run
from amudarya.domain import events, geo, milestones, region, stances, turnover, unhcr, words
from amudarya.domain import timeline as tl

STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]


@pytest.fixture(scope="module")
def takeover(package):
    return events.takeover(package["events"])


@pytest.fixture(scope="module")
def first(package, takeover):
    return milestones.firsts(package["events"], package["disputes"], STATES, takeover, package["claims"])


def _not_set_aside(frame, id_col, disputes):
    """Rows that did not lose a dispute, computed without amudarya.domain.disputes."""
    preferred = disputes.dropna(subset=["preferred_id"]).set_index("dispute_id")["preferred_id"]
    winner = frame["dispute_id"].map(preferred)
    return frame[winner.isna() | (winner == frame[id_col])]


def _first_accreditations(package, takeover):
    e = _not_set_aside(package["events"], "event_id", package["disputes"])
    e = e[(e["event_type"] == "accreditation") & (e["date"] >= takeover) & e["country"].isin(STATES)]
    return e.groupby("country")["date"].min()


# ---------------------------------------------------------------------------
# Who did what first


def test_first_envoy_date_is_the_earliest_accreditation_since_the_takeover(package, takeover, first):
    expected = _first_accreditations(package, takeover)
    assert len(expected) >= 2  # the check means something only if several states accepted envoys
    envoy = first[first["milestone"] == "accreditation"].set_index("state")
    for state in STATES:
        if state in expected.index:
            assert envoy.loc[state, "found"]
            assert envoy.loc[state, "date"] == expected[state], state
        else:
            assert not envoy.loc[state, "found"], state


def test_first_table_has_a_text_in_every_cell(package, first):
    table = milestones.first_table(first, package["countries"])
    assert len(table) == len(milestones.MILESTONES)
    assert not table.isna().any().any()
    assert all(isinstance(v, str) and v and v.lower() != "nan" for v in table.to_numpy().ravel())
    # Kyrgyzstan has no accreditation event in data/events.csv (checked by hand): its cell says so.
    envoy = table[table["First …"].str.startswith("Taliban envoy accepted")].iloc[0]
    assert envoy["Kyrgyzstan"] == words.NOT_IN_DATA
    # Turkmenistan's acceptance (March 2022) is the earliest in data/events.csv (checked by hand).
    assert envoy["First …"].endswith("(first: Turkmenistan)")


def test_disputed_delisting_date_is_the_preferred_claim_with_the_span_of_the_claims(package, takeover, first):
    e = package["events"]
    claims = e[(e["dispute_id"] == "ev-kaz-delisting-date") & (e["date"] >= takeover)]
    assert len(claims) >= 2 and claims["date"].nunique() >= 2
    preferred = package["disputes"].set_index("dispute_id").loc["ev-kaz-delisting-date", "preferred_id"]
    row = first[(first["milestone"] == "delisting") & (first["state"] == "KAZ")].iloc[0]
    # The date the chapters give (the preferred claim), and the span all claims allow.
    assert row["date"] == e.set_index("event_id").loc[preferred, "date"]
    assert row["date_disputed"] and row["earliest"] == claims["date"].min() and row["latest"] == claims["date"].max()
    assert "ev-kaz-delisting-date" in row["dispute_ids"]
    # The claims table records which body decided; that dispute touches the same event.
    assert "ev-kaz-delisting-body" in row["dispute_ids"]
    text = milestones.cell_text(row)
    assert text == "29 Dec 2023 (announced; disputed)"


def test_who_was_first_allows_for_month_precision(package, first):
    rows = first[first["milestone"] == "accreditation"].copy()
    leaders = milestones.first_of(rows)
    assert len(leaders) == 1
    # Move another state's acceptance into the leader's month: it might then have been first.
    lead = rows[rows["state"] == leaders[0]].iloc[0]
    assert lead["precision"] == "month"
    other = rows[rows["found"] & (rows["state"] != lead["state"])].index[0]
    rows.loc[other, ["date", "earliest", "latest"]] = lead["date"] + pd.Timedelta(days=10)
    rows.loc[other, ["precision", "earliest_precision", "latest_precision"]] = "day"
    assert set(milestones.first_of(rows)) == {lead["state"], rows.loc[other, "state"]}


def test_rows_telling_one_event_are_counted_once(package):
    e, d = package["events"], package["disputes"]
    once = stances.distinct_events(e, d)
    # One visit told twice (a dispute over the number of agreements, same day): one event.
    aripov = e.loc[e["dispute_id"] == "ev-uzb-aripov-agreements-count", "event_id"]
    assert len(aripov) == 2 and once["event_id"].isin(aripov).sum() == 1
    # Two statements on different days that a disputed number links: two events.
    staff = e.loc[e["dispute_id"] == "num-kaz-un-staff-admitted-2021", "event_id"]
    assert len(staff) == 2 and once["event_id"].isin(staff).sum() == 2


def test_stance_summary_counts_and_averages_distinct_events(package, takeover):
    e = package["events"]
    rows = e[(e["country"] == "KGZ") & (e["date"] >= takeover)]
    # Both of Kyrgyzstan's disputed events (delisting date; the value of the Kabul deals, one
    # day) are one event told by two rows: keep one row per dispute.
    distinct = pd.concat(
        [rows[rows["dispute_id"].isna()], rows.dropna(subset=["dispute_id"]).drop_duplicates("dispute_id")]
    )
    summary = stances.stance_summary(e, package["disputes"], STATES, takeover).set_index("state")
    assert summary.loc["KGZ", "events"] == len(distinct) < len(rows)
    assert summary.loc["KGZ", "mean_stance"] == pytest.approx(float(distinct["stance"].mean()))


# ---------------------------------------------------------------------------
# Trade and refugees


def test_latest_full_year_turnover_per_state(package):
    t = _not_set_aside(package["trade"], "trade_id", package["disputes"])
    full_year = (
        (t["period_start"].dt.strftime("%m-%d") == "01-01")
        & (t["period_end"].dt.strftime("%m-%d") == "12-31")
        & (t["period_start"].dt.year == t["period_end"].dt.year)
    )
    totals = t[(t["flow"] == "turnover") & (t["product"] == "all") & t["value_usd"].notna() & full_year]
    latest = turnover.latest_turnover(package["trade"], package["disputes"], STATES)
    for state in STATES:
        mine = totals[
            ((totals["reporter"] == state) & (totals["partner"] == "AFG"))
            | ((totals["reporter"] == "AFG") & (totals["partner"] == state))
        ]
        shown = latest[(latest["state"] == state) & (latest["kind"] == "full year")]
        if mine.empty:
            assert shown.empty, state
        else:
            assert len(shown) == 1 and shown["period_end"].iloc[0] == mine["period_end"].max(), state
    table = turnover.trade_table(latest, STATES, package["countries"]).set_index("State")
    assert not table.isna().any().any()
    kaz = latest[(latest["state"] == "KAZ") & (latest["kind"] == "full year")].iloc[0]
    assert (
        f"US$ {kaz['value_usd'] / 1e6:,.1f} million in {kaz['period_end']:%Y}"
        in table.loc["Kazakhstan", "Latest full year"]
    )


def test_unhcr_table_gives_the_latest_year(package):
    by_unhcr = set(package["sources"].query("publisher == 'UNHCR'")["source_id"])
    p = package["people"]
    refugees = p[
        p["source_id"].isin(by_unhcr)
        & (p["measure"] == "refugees")
        & (p["origin"] == "AFG")
        & p["country"].isin(STATES)
    ]
    year = int(refugees["date"].dt.year.max())
    rows = unhcr.year_end_rows(p, package["sources"], STATES)
    table = unhcr.year_end_table(rows, STATES, package["countries"]).set_index("State")
    tjk = refugees[(refugees["country"] == "TJK") & (refugees["date"].dt.year == year)]["value"].iloc[0]
    assert table.loc["Tajikistan", f"Refugees, end of {year}"] == f"{tjk:,.0f}"
    assert not table.isna().any().any()


# ---------------------------------------------------------------------------
# The map


@pytest.fixture(scope="module")
def world(root):
    return geo.read_countries(geo.boundaries_path(root))


def test_boundaries_are_read_offline_with_iso_codes(world):
    assert world.crs.to_epsg() == 4326
    assert {"AFG", *STATES} <= set(world["iso3"])


def test_map_layers_hold_the_six_countries_with_valid_shapes(package, takeover, world):
    summary = stances.stance_summary(package["events"], package["disputes"], STATES, takeover)
    focus, context = region.map_layers(world, STATES, package["countries"], summary)
    assert sorted(focus["iso3"]) == sorted(["AFG", *STATES])
    assert focus.geometry.is_valid.all() and not focus.geometry.is_empty.any()
    assert focus.crs.is_projected and context.crs == focus.crs
    assert not set(context["iso3"].dropna()) & {"AFG", *STATES}
    border = package["countries"].set_index("iso3")["borders_afghanistan"]
    for _, row in focus[focus["iso3"] != "AFG"].iterrows():
        expected = "Borders Afghanistan" if border[row["iso3"]] else "No border with Afghanistan"
        assert row["category"] == expected


def test_missing_boundaries_say_how_to_install_them(tmp_path):
    with pytest.raises(geo.MissingBoundaries, match="make book"):
        geo.boundaries_path(tmp_path)


# ---------------------------------------------------------------------------
# The executed chapter and its page


@pytest.fixture(scope="module")
def executed(built_book):
    nb = nbformat.read(built_book / "book" / "_generated" / "overview.ipynb", as_version=4)
    return nb, glued(nb)


def test_overview_opens_the_book(built_book):
    toc = (built_book / "book" / "_toc.yml").read_text()
    assert toc.index("caption: Overview") < toc.index("caption: Trade")
    assert "_generated/overview" in toc


def test_glued_headlines_come_from_the_data(package, takeover, executed, root):
    _, values = executed
    accepted = _first_accreditations(package, takeover)
    names = package["countries"].set_index("iso3")["name"]
    assert values["first_envoy_state"] == names[accepted.idxmin()]
    # Turkmenistan's acceptance is dated to a month in data/events.csv (checked by hand).
    assert values["first_envoy_date"] == f"{accepted.min():%B %Y}"
    assert values["n_envoy"] == words.count_word(len(accepted))
    border = package["countries"].set_index("iso3")["borders_afghanistan"]
    assert values["neighbour_names"] == words.names_text(names[s] for s in STATES if border[s])
    by_unhcr = set(package["sources"].query("publisher == 'UNHCR'")["source_id"])
    p = package["people"]
    refugees = p[p["source_id"].isin(by_unhcr) & (p["measure"] == "refugees") & p["country"].isin(STATES)]
    latest = refugees[refugees["date"].dt.year == refugees["date"].dt.year.max()]
    assert values["top_refugees"] == int(latest["value"].max())
    assert values["top_refugees_state"] == names[latest.loc[latest["value"].idxmax(), "country"]]
    lock = json.loads((root / "tools" / "geo" / "package-lock.json").read_text())
    assert values["atlas_version"] == lock["packages"]["node_modules/world-atlas"]["version"]
    assert values["first_delisting_disputed"] is True


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.captions, self._in_caption = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        self._in_caption = tag == "caption"

    def handle_data(self, data):
        if self._in_caption:
            self.captions.append(data)

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False


def test_page_shows_the_map_and_chart_with_alt_text_and_the_first_table(built_book, package, first):
    page = (built_book / "_build" / "html" / "_generated" / "overview.html").read_text()
    parser = _Page()
    parser.feed(page)
    charts = [img for img in parser.images if "_images/" in img.get("src", "")]
    assert len(charts) == 2
    names = package["countries"].set_index("iso3")["name"]
    map_alt = next(img["alt"] for img in charts if img["alt"].startswith("Map"))
    assert all(names[c] in map_alt for c in ["AFG", *STATES]) and "Borders Afghanistan" in map_alt
    stance_alt = next(img["alt"] for img in charts if img["alt"].startswith("Small multiples:"))
    summary = stances.stance_summary(package["events"], package["disputes"], STATES, events.takeover(package["events"]))
    for _, row in summary.iterrows():
        assert f"{names[row['state']]}: {row['events']} events since the takeover" in stance_alt
    assert any("Who did what first" in c for c in parser.captions)
    text = re.sub(r"<[^>]+>", " ", page)
    kaz_envoy = first[(first["milestone"] == "accreditation") & (first["state"] == "KAZ")].iloc[0]
    assert tl.date_text(kaz_envoy["date"], kaz_envoy["precision"], short=True) in text
    assert "nan" not in text.lower().split()


def test_a_country_with_no_data_gets_a_plain_chapter(root, tmp_path):
    out = tmp_path / "overview_pak.ipynb"
    execute(root, Run("overview", {"states": ["KAZ", "PAK"]}), out)
    nb = nbformat.read(out, as_version=4)
    values = glued(nb)
    assert values["no_event_names"] == "Pakistan" and values["border_unknown_names"] == "Pakistan"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "States with no events in the data" in text and "data/events.csv" in text
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
