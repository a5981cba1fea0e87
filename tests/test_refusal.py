"""The refusal thread: peers, the comparison on the real data, the notebook run for every
state and for a country with no data, bad parameters, and the built chapter."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from amudarya.build.parameters import check_parameters
from amudarya.build.postprocess import glued
from amudarya.build.run import Run
from amudarya.domain import disputes as dsp
from amudarya.domain import refusal
from conftest import assert_glue_complete, executed_runs

STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
PEERS = ["KAZ", "KGZ", "TKM", "UZB"]
NO_DATA = "PAK"
TAKEOVER = pd.Timestamp("2021-08-15")


def _once_after(raw, country):
    """A state's events from the takeover on, each event once (accounts sharing a dispute and
    an id stem are one event)."""
    rows = raw[raw["country"] == country]
    # The book's one rule: the whole dated period starts on or after the takeover day.
    rows = rows[rows["date"] >= TAKEOVER]
    stem = rows["event_id"].str.replace(r"-[a-z]$", "", regex=True).where(rows["dispute_id"] != "", rows["event_id"])
    return rows.loc[~(rows["dispute_id"] + "/" + stem).duplicated()]


@pytest.fixture(scope="module")
def executed(tmp_path_factory, root, built_book):
    """The refusal notebook run once for each state (default peers) and for a country with no rows.
    The book's own chapters are read from the built book."""
    runs = {country: Run("refusal", {"country": country}) for country in STATES + [NO_DATA]}
    return executed_runs(root, built_book, tmp_path_factory.mktemp("refusal"), runs)


# ---------------------------------------------------------------------------
# Peers


def test_the_country_is_dropped_from_its_peers_and_repeats_once():
    assert refusal.validate_peers("KAZ", ["KAZ", "KGZ", "KGZ", "UZB"]) == ["KGZ", "UZB"]


@pytest.mark.parametrize(
    "peers, named", [(["KAZ", "XYZ"], "'XYZ'"), (["kaz"], "'kaz'"), (["Uzbekistan"], "'Uzbekistan'")]
)
def test_a_peer_that_is_not_an_iso_code_is_named(peers, named):
    with pytest.raises(ValueError) as info:
        refusal.validate_peers("TJK", peers)
    assert named in str(info.value) and "ISO 3166-1 alpha-3" in str(info.value)


def test_no_peer_left_is_an_error_and_a_bare_string_is_not_a_list():
    with pytest.raises(ValueError, match="at least one state other than the country itself"):
        refusal.validate_peers("TJK", ["TJK"])
    with pytest.raises(ValueError, match="must be a list"):
        refusal.validate_peers("TJK", "KAZ")


def test_runner_checks_every_peer_code_before_a_kernel_starts(root):
    problems = check_parameters(root, "refusal", {"peers": ["KAZ", "QQQ"]})
    assert len(problems) == 1 and "'QQQ'" in str(problems[0]) and "peers" in str(problems[0])
    problems = check_parameters(root, "refusal", {"peer": ["KAZ"]})
    assert len(problems) == 1 and "unknown parameter" in str(problems[0]) and "peers" in str(problems[0])


def test_cli_names_the_bad_peer(root):
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "run", "refusal", "-p", "peers", "[KAZ, QQQ]"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'QQQ'" in result.stderr and "ISO 3166-1 alpha-3" in result.stderr


# ---------------------------------------------------------------------------
# The comparison on the real data


def test_tajikistan_has_the_lowest_mean_stance(package, raw):
    table = refusal.standing(package, ["TJK", *PEERS])
    means = {s: _once_after(raw, s)["stance"].mean() for s in ["TJK", *PEERS]}
    assert table["mean_stance"].tolist() == pytest.approx(sorted(means.values()))
    assert table.iloc[0]["state"] == min(means, key=means.get) == "TJK"


def test_yearly_means_match_the_events(package, raw):
    yearly = refusal.yearly(package, ["TJK", "UZB"])
    for state in ("TJK", "UZB"):
        once = _once_after(raw, state)
        expected = once.groupby(once["date"].dt.year)["stance"].mean()
        got = yearly[yearly["state"] == state].set_index("year")["mean_stance"]
        assert got.to_dict() == pytest.approx(expected.to_dict())


def test_refusals_and_moves_split_by_the_sign_of_the_stance(package, raw):
    facts = refusal.facts(package, "TJK", PEERS)
    once = _once_after(raw, "TJK")
    assert facts["n_refusals"] == int((once["stance"] < 0).sum())
    assert facts["n_moves"] == int((once["stance"] > 0).sum())
    first_move = once[once["stance"] > 0].sort_values("date").iloc[0]
    assert facts["first_move_day"] == f"{first_move['date'].day} {first_move['date']:%B %Y}"
    # Every peer engaged before Tajikistan's first move: the markets reopened in 2023.
    peers_first = min(_once_after(raw, p).query("stance > 0")["date"].min() for p in PEERS)
    assert facts["moved_after_peers"] is True and peers_first < first_move["date"]


def test_the_disputed_award_rank_is_shown_beside_the_refusals(package):
    groups = refusal.dispute_groups(package, "TJK")
    assert "ev-tjk-massoud-order-rank" in groups["refusals"]
    assert "ev-tjk-csto-drills-2021" in groups["refusals"]


# ---------------------------------------------------------------------------
# The notebook, executed


@pytest.mark.parametrize("country", STATES)
def test_every_state_gets_a_comparison_chart(executed, package, raw, country):
    nb = executed[country]
    values = glued(nb)
    assert values["has_events"] is True
    assert values["n_events"] == len(_once_after(raw, country))
    assert values["mean_stance"] == pytest.approx(_once_after(raw, country)["stance"].mean())
    alts = [c.metadata["mystnb"]["image"]["alt"] for c in nb.cells if "mystnb" in c.metadata]
    assert len(alts) == 1 and f"{values['country_name']} highlighted" in alts[0]


@pytest.mark.parametrize("country", STATES + [NO_DATA])
def test_every_glue_the_prose_uses_was_glued(executed, country):
    assert_glue_complete(executed[country], country)


def test_the_country_in_its_default_peers_is_dropped_and_said(executed):
    values = glued(executed["KAZ"])
    assert values["country_in_peers"] is True and values["n_peers"] == 3
    assert "Kazakhstan" not in values["peer_names"]
    text = "\n".join(c.source for c in executed["KAZ"].cells if c.cell_type == "markdown")
    assert "was left out of them" in text


def test_tajik_chapter_glues_its_refusals_and_its_moves(executed, raw):
    values = glued(executed["TJK"])
    once = _once_after(raw, "TJK")
    assert values["rank_words"] == "the lowest"
    assert values["n_compared"] == "five"  # in words, as prose says it ("the lowest of the five states")
    assert values["n_refusals"] == int((once["stance"] < 0).sum())
    assert values["stance_2021"] == pytest.approx(once[once["date"].dt.year == 2021]["stance"].mean())
    assert values["has_refusal_disputes"] is True and values["moved_after_peers"] is True
    # Tajikistan still refuses in the last year its events cover.
    refused = once[once["stance"] < 0]
    assert values["refusals_persist"] is bool(refused["date"].dt.year.max() == once["date"].dt.year.max())


def test_country_without_data_says_so_and_shows_no_chart(executed, package):
    nb = executed[NO_DATA]
    values = glued(nb)
    assert values["has_events"] is False and values["country_name"] == "Pakistan"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Nothing recorded yet" in text and "data/events.csv" in text
    assert "Against its peers" not in text
    # The scale's ends in the how-to-add text come from the schema, not from typing.
    fields = next(r for r in package.descriptor["resources"] if r["name"] == "events")["schema"]["fields"]
    bounds = next(f for f in fields if f["name"] == "stance")["constraints"]
    assert values["stance_low"] == str(bounds["minimum"]).replace("-", "−")
    assert values["stance_high"] == f"+{bounds['maximum']}"
    assert "a stance score from {glue:text}`stance_low` to {glue:text}`stance_high`" in text


# ---------------------------------------------------------------------------
# The built chapter


def test_built_refusal_chapter_shows_the_comparison_and_the_disputed_rank(built_book, package):
    page = (built_book / "_build" / "html" / "_generated" / "refusal__country-TJK.html").read_text()
    alts = re.findall(r'<img[^>]*alt="([^"]*Tajikistan highlighted[^"]*)"', page)
    assert len(alts) == 1
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for claim in dsp.claims(package, ["ev-tjk-massoud-order-rank"])["claim"]:
        assert claim in text
