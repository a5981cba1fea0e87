"""The policy thread: helpers on the real data, the notebook run for every state and for a
country with no data, bad parameters, and the built chapter."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from amudarya.build.parameters import check_parameters
from amudarya.build.postprocess import glued
from amudarya.build.run import Run
from amudarya.domain import disputes as dsp
from amudarya.domain import policy
from amudarya.domain import timeline as tl
from conftest import assert_glue_complete, executed_runs

STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
NO_DATA = "PAK"
TAKEOVER = pd.Timestamp("2021-08-15")


def _after(raw, country):
    rows = raw[raw["country"] == country]
    # The book's one rule: the whole dated period starts on or after the takeover day.
    return rows[rows["date"] >= TAKEOVER]


def _once(rows):
    """Each event once: accounts sharing a dispute and an id stem count as one (the data give
    them one stance, checked below)."""
    key = rows["event_id"].str.replace(r"-[a-z]$", "", regex=True).where(rows["dispute_id"] != "", rows["event_id"])
    key = rows["dispute_id"] + "/" + key
    assert (rows.groupby(key)["stance"].nunique() == 1).all()
    return rows.loc[~key.duplicated()]


@pytest.fixture(scope="module")
def executed(tmp_path_factory, root, built_book):
    """The policy notebook run once for each state and for a country with no rows.
    The book's own chapters are read from the built book."""
    runs = {country: Run("policy", {"country": country}) for country in STATES + [NO_DATA]}
    return executed_runs(root, built_book, tmp_path_factory.mktemp("policy"), runs)


# ---------------------------------------------------------------------------
# The helpers on the real data


def test_kazakh_turns_are_the_first_of_each_kind_after_the_takeover(package, raw):
    turns = policy.firsts(policy.country_timeline(package, "KAZ"), TAKEOVER)
    assert list(turns["turn"]) == ["contact", "visit", "accreditation", "delisting"]
    after = _after(raw, "KAZ")
    by_turn = turns.set_index("turn")["date"]
    assert by_turn["accreditation"] == after[after["event_type"] == "accreditation"]["date"].min()
    assert by_turn["visit"] == after[after["event_type"] == "visit"]["date"].min()
    contacts = after[after["event_type"].isin(["meeting", "visit"]) & (after["stance"] > 0)]
    assert by_turn["contact"] == contacts["date"].min()
    # The ambassador's meeting with Muttaqi, not the calls with Washington and Moscow.
    assert turns.set_index("turn").loc["contact", "event_id"] == "KAZ-2021-09-26-ambassador-muttaqi"


def test_delisting_keeps_every_date_the_sources_give(package, raw):
    facts = policy.facts(package, "KAZ")
    rows = raw[(raw["country"] == "KAZ") & (raw["event_type"] == "delisting")]
    texts = [tl.date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)]
    assert facts["delisting_disputed"] and facts["delisting_n_dates"] == len(set(texts)) == 4
    for text in texts:
        assert text in facts["delisting_dates"]
    # The dispute names the Foreign Ministry's announcement as the account the book uses.
    preferred = package["disputes"].set_index("dispute_id").loc["ev-kaz-delisting-date", "preferred_id"]
    assert facts["delisting_date"] == f"{rows.set_index('event_id').loc[preferred, 'date']:%Y-%m-%d}" == "2023-12-29"
    # The date and the body that decided are both in dispute, and both are shown beside the turn.
    assert policy.dispute_groups(package, "KAZ")["delisting"] == ["ev-kaz-delisting-date", "ev-kaz-delisting-body"]


def test_stance_by_year_is_the_mean_of_each_years_events(package, raw):
    facts = policy.facts(package, "KAZ")
    once = _once(_after(raw, "KAZ"))
    means = once.groupby(once["date"].dt.year)["stance"].mean()
    for year, mean in means.items():
        assert facts[f"stance_{year}"] == pytest.approx(mean)
    assert facts["first_year"] == means.index.min() and facts["last_year"] == means.index.max()
    assert facts["n_events"] == len(once)


def test_a_listing_of_another_group_is_not_the_taliban_listing(package):
    # Tajikistan's 2015 ban of a domestic party is a listing, but not of the Taliban.
    assert policy.facts(package, "TJK")["has_listing"] is False
    assert policy.facts(package, "KAZ")["listing_day"] == "15 March 2005"


def test_a_country_without_events_has_every_flag_false_and_no_values(package):
    facts = policy.facts(package, NO_DATA)
    assert facts["country_name"] == "Pakistan" and facts["has_events"] is False
    flags = {k: v for k, v in facts.items() if k.startswith("has_") or k == "delisting_disputed"}
    assert flags and not any(flags.values())
    assert "n_events" not in facts and "mean_stance" not in facts


def test_chart_marks_share_a_label_when_turns_fall_on_one_event(package):
    turns = policy.firsts(policy.country_timeline(package, "TJK"), TAKEOVER)
    marks = policy.chart_marks(turns)
    assert len(turns) == 2 and len(marks) == 1
    assert marks.iloc[0]["text"].startswith("First contact and first visit")


# ---------------------------------------------------------------------------
# The notebook, executed


@pytest.mark.parametrize("country", STATES)
def test_every_state_gets_a_chapter_with_one_chart(executed, package, raw, country):
    nb = executed[country]
    values = glued(nb)
    assert values["has_events"] is True
    assert values["country_name"] == package["countries"].set_index("iso3").loc[country, "name"]
    assert values["n_events"] == len(_once(_after(raw, country)))
    alts = [c.metadata["mystnb"]["image"]["alt"] for c in nb.cells if "mystnb" in c.metadata]
    assert len(alts) == 1 and values["country_name"] in alts[0]


@pytest.mark.parametrize("country", STATES + [NO_DATA])
def test_every_glue_the_prose_uses_was_glued(executed, country):
    assert_glue_complete(executed[country], country)


def test_kazakh_chapter_glues_the_turns_from_the_data(executed, raw):
    values = glued(executed["KAZ"])
    after = _after(raw, "KAZ")
    assert values["accreditation_date"] == f"{after[after['event_type'] == 'accreditation']['date'].min():%Y-%m-%d}"
    assert values["accreditation_day"] == "17 April 2023"
    assert values["delisting_n_dates"] == 4
    assert values["has_delisting_disputes"] is True and values["has_listing"] is True
    text = "\n".join(c.source for c in executed["KAZ"].cells if c.cell_type == "markdown")
    assert "That date is disputed" in text and "Off the banned list" in text


def test_country_without_data_says_so_and_shows_no_chart(executed, package):
    nb = executed[NO_DATA]
    values = glued(nb)
    assert values["has_events"] is False and values["country_name"] == "Pakistan"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Nothing recorded yet" in text and "data/events.csv" in text and "amudarya check" in text
    assert "The timeline" not in text and "The answer" not in text
    # The scale's ends in the how-to-add text come from the schema, not from typing.
    fields = next(r for r in package.descriptor["resources"] if r["name"] == "events")["schema"]["fields"]
    bounds = next(f for f in fields if f["name"] == "stance")["constraints"]
    assert values["stance_low"] == str(bounds["minimum"]).replace("-", "−")
    assert values["stance_high"] == f"+{bounds['maximum']}"
    assert "a stance score from {glue:text}`stance_low` to {glue:text}`stance_high`" in text


# ---------------------------------------------------------------------------
# Bad parameters


def test_unknown_parameter_names_the_valid_one(root):
    problems = check_parameters(root, "policy", {"countri": "KAZ"})
    assert len(problems) == 1
    text = str(problems[0])
    assert "'countri'" in text and "unknown parameter" in text and "country" in text.split("expected")[1]


def test_country_must_be_an_iso_code(root):
    problems = check_parameters(root, "policy", {"country": "Kazakstan"})
    assert len(problems) == 1 and "'Kazakstan'" in str(problems[0]) and "ISO 3166-1 alpha-3" in str(problems[0])


def test_cli_rejects_a_bad_code_and_an_unknown_name_before_running(root):
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "run", "policy", "-p", "country", "KZ", "-p", "countri", "KAZ"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'KZ'" in result.stderr and "not an ISO 3166-1 alpha-3 country code" in result.stderr
    assert "field 'countri'" in result.stderr and "unknown parameter" in result.stderr
    assert "kernel" not in result.stderr.lower()


# ---------------------------------------------------------------------------
# The built chapter


def _page(built_book, name):
    return (built_book / "_build" / "html" / "_generated" / f"{name}.html").read_text()


def test_built_policy_chapter_shows_its_chart_with_alt_text(built_book, package):
    page = _page(built_book, "policy__country-KAZ")
    alts = re.findall(r'<img[^>]+alt="([^"]*)"[^>]*src="[^"]*_images/', page) or re.findall(
        r'<img[^>]+src="[^"]*_images/[^"]*"[^>]*alt="([^"]*)"', page
    )
    assert len(alts) == 1
    alt = alts[0].replace("&#x27;", "'")
    facts = policy.facts(package, "KAZ")
    assert "Kazakhstan's stance toward the Taliban" in alt
    assert f"Envoys accredited {pd.Timestamp(facts['accreditation_date']).day} Apr 2023" in alt
    for text in facts["delisting_dates"].replace(" and ", ", ").split(", "):
        assert text in alt


def test_built_policy_chapter_shows_the_disputed_delisting(built_book, package):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _page(built_book, "policy__country-KAZ")))
    claims = dsp.claims(package, ["ev-kaz-delisting-date", "ev-kaz-delisting-body"])
    assert len(claims) >= 4
    for claim in claims["claim"]:
        assert claim.replace("'", "&#x27;") in text or claim in text
    assert "Supreme Court" in text and "Security Council" in text
    assert " nan " not in text.lower()
