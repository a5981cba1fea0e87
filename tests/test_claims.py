"""Claims no stronger than their sources, and charts that show what the data hold.

Each test pins one of the faults a careful reader found in the book: a date of an announcement
read as the date of the act, a figure placed in a period its source does not name, a change
computed between two ministries' counts, a "no side taken" beside a reading that takes one,
disputed figures without their period and flow, dots pushed off their stance level, single
events drawn as a trend, stocks and movements in one panel.
"""

from __future__ import annotations

import re

import pytest

from amudarya.domain import disputes as dp
from amudarya.domain import kinship, policy, refusal, repatriation, stages, stances, trade, tradefigures
from amudarya.domain import timeline as tl
from amudarya.domain.events import takeover as takeover_day
from amudarya.render.chart import plt
from amudarya.render.stance import stance_lines
from amudarya.render.timeline_chart import stance_timeline

# What an assessment says when the book takes a side.
TAKES_A_SIDE = re.compile(r"\bthe book (?:uses|follows|prefers|dates the|treats \S+ as the)\b", re.I)


def test_a_reading_that_takes_a_side_names_the_claim_it_takes(package):
    disputes = package["disputes"]
    wrong = disputes[disputes["preferred_id"].isna() & disputes["assessment"].str.contains(TAKES_A_SIDE)]
    assert wrong.empty, list(wrong["dispute_id"])


@pytest.mark.parametrize(
    "country, turn, date",
    [
        ("KAZ", "contact", "26 September 2021"),
        ("KAZ", "accreditation", "17 April 2023"),
        ("KAZ", "delisting", "29 December 2023"),
        ("TKM", "contact", "18 August 2021"),
    ],
)
def test_a_turn_dated_by_an_announcement_says_so(package, country, turn, date):
    facts = policy.facts(package, country)
    assert f"was announced on {date}" in facts[f"{turn}_sentence"], facts[f"{turn}_sentence"]


def test_a_visit_that_was_the_first_contact_is_not_said_to_follow_it(package):
    facts = policy.facts(package, "UZB")
    assert "followed" not in facts["visit_sentence"] and "also the first visit" in facts["visit_sentence"]


def test_a_month_takes_in_not_on(package):
    facts = policy.facts(package, "TKM")
    assert "in March 2022" in facts["accreditation_sentence"]


def test_a_share_the_source_gives_for_no_period_is_shown_without_one(package):
    rows = trade.products(package["trade"], "KAZ", "AFG", package["disputes"])
    share = rows[rows["quantity_unit"] == "percent of partner's imports of the product"]
    assert list(share["period"]) == [trade.NO_PERIOD]


def test_a_change_is_computed_only_within_one_reporting_body(package):
    for reporter in ("KAZ", "KGZ", "TJK", "TKM", "UZB"):
        pair = tradefigures.like_for_like(trade.series(package["trade"], reporter, "AFG", package["disputes"]))
        if pair is not None:
            assert pair["now"]["reported_by"] == pair["before"]["reported_by"], reporter
    # Kazakhstan's 2024 and 2023 totals come from two ministries: no change between them.
    pair = tradefigures.like_for_like(trade.series(package["trade"], "KAZ", "AFG", package["disputes"]))
    assert pair is None or pair["now"]["period"] != "2024"


def test_disputed_trade_figures_carry_their_flow_and_period(package):
    found = dp.claims(package, ["num-kgz-afg-2024-mirror", "num-tjk-afg-exports-2022q1"])
    trade_claims = found[found["table"] == "trade"]
    assert len(trade_claims) >= 4
    for claim in trade_claims["claim"]:
        assert re.search(r": (turnover|export|import), \S", claim), claim
    assert any("January–May 2022" in c and "turnover" in c for c in trade_claims["claim"])


def test_the_kyrgyz_chapter_does_not_call_the_takeover_year_flat_when_asylum_seekers_rose(package):
    take = takeover_day(package["events"])
    facts = repatriation.chapter_facts(package, "KGZ", "AFG", take)
    assert "asylum-seekers went from" in facts["takeover_counts_text"]
    assert facts["refugees_rose_at_takeover"]
    assert facts["died_persons_count"] == "2 deaths"
    # A source dated to a month is not given a day.
    assert facts["none_arrived_on"] == "in September 2021"


def test_stocks_and_movements_are_charted_apart_oldest_first(package):
    kin = kinship.kin_rows(package["people"], "KGZ", "AFG")
    figures = stages.stage_figures(kin, package["people"], package["disputes"], "AFG")
    data = stages.stage_chart_data(figures, "KGZ", package["countries"])
    stock = data[data["label"].str.startswith("Still in")]
    assert not stock.empty and stock["panel"].str.contains("stock").all()
    assert not data.loc[~data.index.isin(stock.index), "panel"].str.contains("stock").any()
    moves = figures[~figures["measure"].isin(stages.STOCKS) & (figures["unit"] == "persons")]
    labels = data[data["panel"].str.startswith("Movements") & (data["unit"] == "persons")]["label"]
    expected = [
        f"{stages.stage_label(f, 'KGZ', package['countries'])}, {f['when_short']}"
        for _, f in moves.sort_values("date", kind="stable").iterrows()
    ]
    assert list(labels) == expected


def test_stance_dots_sit_on_their_levels(package):
    take = takeover_day(package["events"])
    whole = policy.country_timeline(package, "KAZ")
    rows = policy.chart_rows(whole, take)
    chart = stance_timeline(rows, title="t", source="s", takeover=take, takeover_label="k")
    ys = [y for coll in chart.figure.axes[0].collections for _, y in coll.get_offsets()]
    plt.close(chart.figure)
    assert ys and all(float(y).is_integer() for y in ys)
    assert "of them since the takeover" in chart.alt


def test_a_year_resting_on_one_event_is_not_joined(package):
    yearly = refusal.yearly(package, ["TJK", "KAZ", "KGZ", "TKM", "UZB"])
    chart = stance_lines(yearly, highlight="Tajikistan", title="t", source="s")
    single = {(r["year"], round(r["mean_stance"], 6)) for _, r in yearly.iterrows() if r["events"] < 2}
    assert single, "the data hold a year resting on one event"
    for line in chart.figure.axes[0].get_lines():
        for x, y in zip(*line.get_data(), strict=True):
            assert (x, round(y, 6)) not in single
    plt.close(chart.figure)


def test_every_page_counts_since_the_takeover_by_one_rule(package):
    take = takeover_day(package["events"])
    timeline = policy.country_timeline(package, "KAZ")
    assert policy.facts(package, "KAZ")["n_events"] == len(tl.since_takeover(timeline, take))
    assert len(refusal.state_timeline(package, "KAZ")) == len(tl.since_takeover(timeline, take))
    summary = stances.stance_summary(package["events"], package["disputes"], ["KAZ"], take)
    assert int(summary["events"].iloc[0]) == len(tl.since_takeover(timeline, take))


def test_the_book_says_when_a_date_is_of_an_announcement(built_book):
    text = (built_book / "_build" / "html" / "_generated" / "policy__country-KAZ.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", text)
    assert "announced on 29 December 2023" in re.sub(r"\s+", " ", text)
    assert not re.search(r"took the Taliban off its list of banned organisations on 20 December 2023", text)
    overview = (built_book / "_build" / "html" / "_generated" / "overview.html").read_text(encoding="utf-8")
    assert "first recorded talks" not in overview
