"""Timeline helpers on the real events: one row per event, dates as text, stance in words."""

import pandas as pd
import pytest

from amudarya.domain import events as ev
from amudarya.domain import eventtables
from amudarya.domain import timeline as tl


@pytest.mark.parametrize(
    "date, precision, text",
    [("2021-09-26", "day", "26 September 2021"), ("2024-06-01", "month", "June 2024"), ("2015-01-01", "year", "2015")],
)
def test_date_text_is_as_precise_as_the_source(date, precision, text):
    assert tl.date_text(date, precision) == text


def test_elapsed_text_counts_days_then_months():
    assert tl.elapsed_text("2021-08-15", "2021-08-18", "day") == "3 days after the takeover"
    assert tl.elapsed_text("2021-08-15", "2023-04-17", "day") == "about 20 months after the takeover"
    assert tl.elapsed_text("2021-08-15", "2021-08-01", "month") == "in the month of the takeover"


def test_disputed_accounts_of_one_event_fold_into_one_row(package, raw):
    # Without a preferred claim (the data name one; it is taken away here) the best-sourced
    # account stands.
    neutral = package["disputes"].assign(
        preferred_id=package["disputes"]["preferred_id"].where(
            package["disputes"]["dispute_id"] != "ev-kaz-delisting-date"
        )
    )
    kaz = tl.one_per_event(tl.for_country(package["events"], "KAZ"), neutral)
    accounts = raw[(raw["country"] == "KAZ") & (raw["event_type"] == "delisting")]
    assert len(accounts) == 4
    folded = kaz[kaz["event_type"] == "delisting"]
    assert len(folded) == 1
    row = folded.iloc[0]
    assert sorted(row["accounts"]) == sorted(accounts["event_id"])
    # No preferred claim, so the earliest of the high-confidence accounts stands.
    best = accounts[accounts["confidence"] == "high"].sort_values("date").iloc[0]
    assert row["event_id"] == best["event_id"] and row["basis"] == "best sourced"
    others = {tl.date_text(d, p) for d, p in zip(accounts["date"], accounts["date_precision"], strict=True)} - {
        tl.date_text(best["date"], best["date_precision"])
    }
    assert set(row["other_dates"]) == others and row["dates_disputed"]


def test_a_preferred_claim_stands_for_its_event(package):
    disputes = package["disputes"].set_index("dispute_id")
    kaz = tl.one_per_event(tl.for_country(package["events"], "KAZ"), package["disputes"])
    forum = kaz[kaz["dispute_id"] == "ev-kaz-astana-forum-date"]
    assert list(forum["event_id"]) == [disputes.loc["ev-kaz-astana-forum-date", "preferred_id"]]
    assert forum.iloc[0]["basis"] == "preferred"


def test_different_events_sharing_a_dispute_stay_apart(package, raw):
    # Two different events disagree about a count of UN staff: both remain on the timeline.
    ids = raw.loc[raw["dispute_id"] == "num-kaz-un-staff-admitted-2021", "event_id"]
    assert len(ids) == 2
    kaz = tl.one_per_event(tl.for_country(package["events"], "KAZ"), package["disputes"])
    assert set(ids) <= set(kaz["event_id"])


def test_since_leaves_out_month_dated_events_of_the_takeover_month(package, raw):
    """The book's one rule: an event counts as since the takeover only when its whole dated
    period starts on or after the takeover day; 'August 2021' may precede 15 August 2021."""
    taken = ev.takeover(package["events"])
    after = tl.since(tl.for_country(package["events"], "TJK"), taken)
    expected = raw[(raw["country"] == "TJK") & (raw["date"] >= taken)]
    assert sorted(after["event_id"]) == sorted(expected["event_id"])
    assert "TJK-2021-08-01-border-closed" not in set(after["event_id"])
    assert "TJK-2021-08-01-border-closed" in set(tl.around(tl.for_country(package["events"], "TJK"), taken)["event_id"])


def test_readable_table_shows_words_not_codes(package):
    kaz = tl.one_per_event(tl.for_country(package["events"], "KAZ"), package["disputes"])
    table = eventtables.readable(kaz, package["sources"])
    assert list(table.columns) == ["Date", "Kind", "Stance", "What happened", "Source"]
    assert set(table["Kind"]) <= set(tl.KIND_WORDS.values())
    assert not set(table["Kind"]) & {"meeting", "accreditation", "delisting", "listing", "military", "symbolic"}
    delisting = table[table["Kind"] == "removed from the banned list"].iloc[0]
    assert "June 2024" in delisting["Date"] and "3 July 2024" in delisting["Date"]
    assert set(table["Stance"]) <= {eventtables.stance_text(s) for s in range(-2, 3)}


def test_stance_definition_comes_from_the_data_package(package):
    text = tl.stance_definition(package.descriptor)
    assert "-2" in text and "+2" in text


def test_stance_text_uses_words_and_a_true_minus():
    assert eventtables.stance_text(-2) == "−2 strong refusal"
    assert eventtables.stance_text(1) == "+1 leans to engagement"


def test_the_kazakh_delisting_is_dated_by_the_announcement_the_book_prefers(package):
    """The best-attested event is the Foreign Ministry's announcement of 29 December 2023, and
    the data say that date is of an announcement; the chapter says 'announced on'."""
    from amudarya.domain import policy

    kaz = tl.one_per_event(tl.for_country(package["events"], "KAZ"), package["disputes"])
    row = kaz[kaz["event_type"] == "delisting"].iloc[0]
    assert (row["event_id"], row["basis"], row["date_of"]) == ("KAZ-2023-12-29-delisting-a", "preferred", "announced")
    facts = policy.facts(package, "KAZ")
    assert "was announced on 29 December 2023" in facts["delisting_sentence"]
    assert "20 December" not in facts["delisting_sentence"]


def test_since_the_takeover_counts_only_periods_that_start_on_or_after_it(package):
    """One rule on every page: an event dated only 'August 2021' may precede 15 August 2021."""
    events = package["events"]
    take = pd.Timestamp("2021-08-15")
    month = events[(events["date_precision"] == "month") & (events["date"] == "2021-08-01")]
    assert not month.empty
    assert tl.since_takeover(month, take).empty
    assert len(tl.around(month, take)) == len(month)
    assert tl.before(month, take).empty
