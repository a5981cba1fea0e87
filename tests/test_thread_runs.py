"""The repatriation and trade chapters, executed for the five states and for a country with no
data (Pakistan), and their parameters checked before any kernel starts.

Runs that are chapters of the book are read from the session's built book; the others are
executed here once per module, two at a time.
"""

import subprocess
import sys

import pandas as pd
import pytest

from amudarya.build.matrix import load_matrix
from amudarya.build.parameters import check_parameters, notebook_parameters
from amudarya.build.postprocess import glued
from amudarya.build.run import Run
from amudarya.domain import disputes, places
from conftest import assert_glue_complete, executed_runs

STATES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
NO_DATA = "PAK"


@pytest.fixture(scope="module")
def trade_runs(root, built_book, tmp_path_factory):
    runs = {c: Run("trade", {"reporter": c, "partner": "AFG"}) for c in STATES + (NO_DATA,)}
    runs["KAZ-KZT"] = Run("trade", {"reporter": "KAZ", "partner": "AFG", "currency": "KZT"})
    return executed_runs(root, built_book, tmp_path_factory.mktemp("trade"), runs)


@pytest.fixture(scope="module")
def repatriation_runs(root, built_book, tmp_path_factory):
    runs = {c: Run("repatriation", {"country": c, "origin": "AFG"}) for c in STATES + (NO_DATA,)}
    return executed_runs(root, built_book, tmp_path_factory.mktemp("repatriation"), runs)


@pytest.fixture(scope="module")
def raw(root):
    """The CSV files read directly, as text, so expected values do not pass through the package."""
    return {
        name: pd.read_csv(root / "data" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("trade", "people", "fx", "disputes", "claims")
    }


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _html(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))


def _chart_alts(nb) -> list[str]:
    alts = []
    for cell in nb.cells:
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            alts.append(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", ""))
    return alts


def _claim_texts(package, dispute_id) -> list[str]:
    return list(disputes.claims(package, [dispute_id])["claim"])


# ---------------------------------------------------------------------------
# Both threads


@pytest.mark.parametrize("thread", ["trade", "repatriation"])
def test_every_glued_reference_is_there_and_no_value_is_missing(thread, trade_runs, repatriation_runs):
    runs = trade_runs if thread == "trade" else repatriation_runs
    for key, nb in runs.items():
        assert_glue_complete(nb, key)


@pytest.mark.parametrize("thread", ["trade", "repatriation"])
def test_every_chart_has_alt_text_and_a_cell_of_its_own(thread, trade_runs, repatriation_runs):
    runs = trade_runs if thread == "trade" else repatriation_runs
    for key, nb in runs.items():
        for alt in _chart_alts(nb):
            assert len(alt) > 60 and "," in alt, (key, alt)


# ---------------------------------------------------------------------------
# Trade


def _latest_turnover(raw, reporter, partner):
    """The latest turnover row for the pair in trade.csv, leaving out rows that lost a dispute."""
    t = raw["trade"]
    preferred = dict(zip(raw["disputes"]["dispute_id"], raw["disputes"]["preferred_id"], strict=True))
    rows = t[
        (t["reporter"] == reporter)
        & (t["partner"] == partner)
        & (t["flow"] == "turnover")
        & (t["product"] == "all")
        & (t["value_usd"] != "")
    ]
    rows = rows[
        [
            not (d and preferred.get(d) and preferred[d] != i)
            for d, i in zip(rows["dispute_id"], rows["trade_id"], strict=True)
        ]
    ]
    if rows.empty:
        return None
    rows = rows.assign(_start=pd.to_datetime(rows["period_start"]), _end=pd.to_datetime(rows["period_end"]))
    return rows.sort_values(["_end", "_start"], ascending=[False, True]).iloc[0]


@pytest.mark.parametrize("reporter", STATES + (NO_DATA,))
def test_trade_runs_for_each_state(reporter, trade_runs, raw, package):
    values = glued(trade_runs[reporter])
    assert values["reporter_name"] == places.country_name(reporter, package["countries"])
    assert values["partner_name"] == "Afghanistan"
    latest = _latest_turnover(raw, reporter, "AFG")
    assert values["has_latest_turnover"] is (latest is not None)
    if latest is not None:
        assert values["latest_turnover_id"] == latest["trade_id"]
        assert values["latest_turnover_m"] == pytest.approx(float(latest["value_usd"]) / 1e6)


def test_uzbek_latest_turnover_is_the_row_for_the_latest_period(trade_runs, raw):
    values = glued(trade_runs["UZB"])
    t = raw["trade"]
    rows = t[(t["reporter"] == "UZB") & (t["partner"] == "AFG") & (t["flow"] == "turnover")]
    last = rows[rows["period_end"] == rows["period_end"].max()]
    assert len(last) == 1
    assert values["latest_turnover_m"] == pytest.approx(float(last["value_usd"].iloc[0]) / 1e6)
    assert values["latest_turnover_period"] == pd.Timestamp(last["period_end"].iloc[0]).strftime("%Y")


def test_kzt_conversion_uses_the_fx_row_and_says_its_date_is_unknown(trade_runs, raw):
    values = glued(trade_runs["KAZ-KZT"])
    row = raw["fx"][raw["fx"]["currency"] == "KZT"].iloc[0]
    assert row["quote"] == "USD per unit"
    latest = _latest_turnover(raw, "KAZ", "AFG")
    assert values["latest_turnover_local"] == pytest.approx(float(latest["value_usd"]) * (1 / float(row["rate"])))
    assert values["converted"] is True and values["fx_dated"] is (row["as_of"] != "unknown")
    assert values["fx_printed"] == row["rate"]
    text = _markdown(trade_runs["KAZ-KZT"])
    assert "gives no date for this rate" in text and "not what the trade was worth" in text
    # The figures table gains a column in the local currency.
    assert "KZT million (illustration)" in _html(trade_runs["KAZ-KZT"])
    # A run in dollars says nothing about rates.
    assert glued(trade_runs["KAZ"])["converted"] is False
    assert "The exchange rate" not in _markdown(trade_runs["KAZ"])


def test_kazakh_2022_dispute_is_shown_beside_the_figures(trade_runs, package):
    tables = _html(trade_runs["KAZ"])
    claims = _claim_texts(package, "num-kaz-afg-turnover-2022")
    assert len(claims) == 3
    for claim in claims:
        assert claim in tables
    for claim in _claim_texts(package, "num-kaz-afg-turnover-2023"):
        assert claim in tables


def test_uzbek_and_afghan_counts_are_set_side_by_side(trade_runs, package, raw):
    nb = trade_runs["UZB"]
    values = glued(nb)
    mirror = raw["trade"][(raw["trade"]["reporter"] == "AFG") & (raw["trade"]["partner"] == "UZB")]
    assert values["has_mirror"] and values["n_mirror"] == len(mirror)
    tables = _html(nb)
    for claim in _claim_texts(package, "num-uzb-afg-2023-mirror") + _claim_texts(
        package, "num-uzb-afg-turnover-2023h1"
    ):
        assert claim in tables
    [series_alt] = [a for a in _chart_alts(nb) if a.startswith("Chart of figures by period")]
    assert "as Afghanistan reports it" in series_alt


def test_turkmenistan_has_only_the_afghan_count(trade_runs, raw):
    nb = trade_runs["TKM"]
    values = glued(nb)
    assert values["mirror_only"] and not values["has_series"]
    afghan = raw["trade"][(raw["trade"]["reporter"] == "AFG") & (raw["trade"]["partner"] == "TKM")]
    from amudarya.domain.words import money, spoken

    assert values["mirror_turnover_text"] == money(float(afghan["value_usd"].iloc[0]))
    assert "data hold no figures from" in _markdown(nb)
    [alt] = _chart_alts(nb)
    assert spoken(float(afghan["value_usd"].iloc[0]) / 1e6) in alt


def test_tajikistan_has_figures_but_no_product_baseline(trade_runs):
    values = glued(trade_runs["TJK"])
    assert values["has_prewar"] is False and values["has_series"] is True
    assert "no breakdown by product" in _markdown(trade_runs["TJK"])


def test_pakistan_trade_is_a_plain_no_data_chapter(trade_runs):
    nb = trade_runs[NO_DATA]
    values = glued(nb)
    assert values["has_any_figures"] is False and values["has_chart"] is False
    assert not _chart_alts(nb)
    text = _markdown(nb)
    assert "No figures yet" in text and "data/trade.csv" in text and "The answer" not in text


# ---------------------------------------------------------------------------
# Repatriation


def _people_value(raw, **match) -> float:
    rows = raw["people"]
    for key, value in match.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, match
    return float(rows["value"].iloc[0])


def test_kyrgyz_kayrylman_grants_from_afghanistan_in_2025(repatriation_runs, raw):
    values = glued(repatriation_runs["KGZ"])
    expected = _people_value(
        raw, country="KGZ", origin="AFG", measure="granted_status", period_start="2025-01-01", date="2025-12-31"
    )
    assert values["granted_status_persons"] == expected
    assert values["planned_persons"] == _people_value(
        raw, country="KGZ", origin="AFG", measure="planned", unit="persons"
    )
    assert values["planned_families"] == _people_value(
        raw, country="KGZ", origin="AFG", measure="planned", unit="families"
    )
    assert values["pledged_families"] == _people_value(raw, country="KGZ", origin="AFG", measure="pledged")
    assert values["gap_share"] == pytest.approx(expected / values["planned_persons"])


def test_kyrgyz_stage_chart_keeps_units_apart(repatriation_runs, raw):
    [stages] = [a for a in _chart_alts(repatriation_runs["KGZ"]) if a.startswith("Bar chart in")]
    assert "in persons, oldest first:" in stages and "in families, oldest first:" in stages
    assert "in houses, oldest first:" in stages
    pledged = _people_value(raw, country="KGZ", origin="AFG", measure="pledged")
    families = stages.split("in families, oldest first:")[1].split("in houses")[0]
    assert f"about {pledged:,.0f}" in families


def test_kyrgyz_disputes_are_shown_where_they_matter(repatriation_runs, raw, package):
    nb = repatriation_runs["KGZ"]
    tables = _html(nb)
    for dispute_id in ("num-kgz-pamir-crossed-tajikistan", "num-afg-pamir-kyrgyz-community"):
        for claim in _claim_texts(package, dispute_id):
            assert claim in tables, claim
    names = raw["claims"][raw["claims"]["dispute_id"].isin(["ev-kgz-official-name", "ev-kgz-official-post"])]
    for value in names["value"]:
        assert value.replace("'", "&#x27;") in tables, value
    # Each disagreement follows the text it concerns: the offer before the crossing, the crossing
    # before those who stayed behind.
    order = [
        tables.find(_claim_texts(package, d)[0])
        for d in ("ev-kgz-official-name", "num-kgz-pamir-crossed-tajikistan", "num-afg-pamir-kyrgyz-community")
    ]
    assert order == sorted(order) and -1 not in order


def test_kazakh_kin_chapter(repatriation_runs, raw):
    values = glued(repatriation_runs["KAZ"])
    assert values["evacuated_persons"] == _people_value(
        raw, country="KAZ", origin="AFG", measure="evacuated", group="Ethnic Kazakhs flown out of Afghanistan"
    )
    assert (
        values["remaining_persons_text"] == "about " + f"{_people_value(raw, country='KAZ', measure='remaining'):,.0f}"
    )
    assert values["settled_families"] == _people_value(raw, country="KAZ", measure="settled")
    assert len(_chart_alts(repatriation_runs["KAZ"])) == 2


@pytest.mark.parametrize("country", ["TJK", "TKM", "UZB"])
def test_states_without_kin_figures_say_so_and_show_unhcr_context(country, repatriation_runs, raw):
    nb = repatriation_runs[country]
    values = glued(nb)
    assert values["has_kin"] is False and values["has_unhcr"] is True
    text = _markdown(nb)
    assert "No figures on kin" in text and "data/people.csv" in text
    assert "`kin_of`" in text and values["country_code"] == country
    assert "cannot answer its question" in text
    refugees = raw["people"][(raw["people"]["country"] == country) & (raw["people"]["measure"] == "refugees")]
    last = refugees.sort_values("date").iloc[-1]
    assert values["refugees_last"] == int(float(last["value"]))
    [alt] = _chart_alts(nb)
    assert alt.startswith("Column chart") and f"{int(float(last['value'])):,}" in alt


def test_pakistan_repatriation_is_a_plain_no_data_chapter(repatriation_runs):
    nb = repatriation_runs[NO_DATA]
    values = glued(nb)
    assert values["has_any"] is False
    assert not _chart_alts(nb)
    text = _markdown(nb)
    assert "No figures yet" in text and "data/people.csv" in text and "The answer" not in text
    # How to add kin figures: rows with kin_of, and first a row for the country itself.
    assert values["has_country_row"] is False and values["country_code"] == NO_DATA
    assert "`kin_of`" in text and "`data/countries.csv` has no row for" in text and "KIN" not in text


def test_a_state_without_a_sourced_name_for_its_kin_says_how_to_add_one(repatriation_runs, root):
    countries = pd.read_csv(root / "data" / "countries.csv", dtype=str, keep_default_na=False).set_index("iso3")
    for country in STATES:
        values = glued(repatriation_runs[country])
        text = _markdown(repatriation_runs[country])
        named = countries.loc[country, "kin_name"] != ""
        assert values["has_kin_name"] is named
        assert ("`kin_name`" in text) is (not named), country


# ---------------------------------------------------------------------------
# Bad parameters, refused before any kernel starts


@pytest.mark.parametrize(
    "thread, given, words",
    [
        ("repatriation", {"contry": "KGZ"}, ["unknown parameter", "contry", "country, origin"]),
        ("repatriation", {"country": "Kyrgyzstan"}, ["'Kyrgyzstan'", "ISO 3166-1 alpha-3", "KGZ"]),
        ("repatriation", {"origin": "AF"}, ["'AF'", "ISO 3166-1 alpha-3"]),
        ("trade", {"currency": "XYZ"}, ["'XYZ'", "not an ISO 4217", "USD", "KZT", "UZS"]),
        ("trade", {"currency": "TMT"}, ["'TMT'", "no rate", "USD", "KGS", "TJS"]),
        ("trade", {"currency": "kzt"}, ["did you mean KZT?"]),
    ],
)
def test_bad_parameters_are_named_with_what_is_valid(root, thread, given, words):
    problems = check_parameters(root, thread, given)
    assert len(problems) == 1
    text = str(problems[0])
    for word in words:
        assert word in text, (word, text)


def test_both_notebooks_declare_typed_parameters(root):
    rep = notebook_parameters(root / "notebooks" / "repatriation.ipynb")
    assert rep["country"].default == "KGZ" and rep["origin"].default == "AFG"
    assert rep["country"].is_country and rep["origin"].is_country
    trade_params = notebook_parameters(root / "notebooks" / "trade.ipynb")
    assert trade_params["currency"].default == "USD" and trade_params["currency"].is_currency
    assert check_parameters(root, "trade", {"currency": "KZT"}) == []


def test_cli_refuses_an_unknown_currency_without_a_traceback(root, tmp_path):
    out = tmp_path / "never.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "run", "trade", "-p", "currency", "TMT", "-o", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'TMT'" in result.stderr and "KZT" in result.stderr
    assert not out.exists()


def test_run_matrix_has_the_repatriation_part_and_a_trade_chapter_per_state(root):
    matrix = load_matrix(root)
    parts = {p.caption: [e.run for e in p.chapters if e.run] for p in matrix.parts}
    assert [r.parameters for r in parts["Kyrgyz repatriation"]] == [{"country": "KGZ", "origin": "AFG"}]
    assert [r.parameters["reporter"] for r in parts["Trade"] if r.thread == "trade"] == list(STATES)
