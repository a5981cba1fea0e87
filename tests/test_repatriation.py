"""The repatriation helpers on the real data: kin, stages, programme totals, UNHCR context."""

import pandas as pd
import pytest

from amudarya import events, repatriation

TAKEOVER = "2021-08-15"


def _rows(package, **match):
    rows = package["people"]
    for key, value in match.items():
        rows = rows[rows[key] == value]
    return rows


@pytest.fixture(scope="module")
def kgz(package):
    kin = repatriation.kin_rows(package["people"], "KGZ", "AFG")
    return kin, repatriation.stage_figures(kin, package["people"], package["disputes"], "AFG")


@pytest.fixture(scope="module")
def kgz_facts(package):
    return repatriation.chapter_facts(package, "KGZ", "AFG", events.takeover(package["events"]))


@pytest.mark.parametrize(
    "group, country, kin",
    [
        ("Ethnic Kyrgyz from Afghanistan to be resettled", "KGZ", True),
        ("Pamir Kyrgyz from Andemin, Wakhan", "KGZ", True),
        ("Kayrylman status grants, all countries of origin", "KGZ", True),
        ("Houses for returning Kyrgyz from Afghanistan in Chon-Alai district", "KGZ", True),
        ("Kyrgyz citizens evacuated from Afghanistan", "KGZ", False),
        ("Kazakh citizens evacuated from Afghanistan", "KAZ", False),
        ("Qandas (ethnic Kazakh returnees) from all countries", "KAZ", True),
        # Kyrgyz kin counted in Tajikistan are not Tajik kin: "Tajikistan" is not "Tajik".
        ("Infants in the Pamir Kyrgyz group crossing into Tajikistan", "TJK", False),
        ("Ethnic Kyrgyz from Afghanistan to be resettled", "PAK", False),
    ],
)
def test_kin_are_told_from_citizens_and_from_other_states_kin(group, country, kin):
    assert repatriation.is_kin(group, country) is kin


def test_kin_rows_follow_the_people_wherever_they_were_counted(package, kgz):
    kin, _ = kgz
    assert {"KGZ", "TJK", "AFG"} <= set(kin["country"])
    assert set(kin["origin"]) <= {"AFG", "ALL"}
    assert not kin["measure"].isin(repatriation.UNHCR_MEASURES).any()
    assert "kgz-2021-08-24-kyrgyz-citizens-evacuated" not in set(kin["record_id"])


def test_no_figure_mixes_units_and_none_adds_them(kgz):
    _, figures = kgz
    assert set(figures["unit"]) == {"persons", "families", "houses"}
    for _, figure in figures.iterrows():
        assert figure["unit"] in repatriation.UNITS
    # Families and houses are separate figures, not folded into persons.
    assert len(figures[(figures["measure"] == "planned")]) == 3


def test_a_dispute_that_takes_no_side_is_read_by_its_majority(package, kgz):
    _, figures = kgz
    dispute = "num-kgz-pamir-crossed-tajikistan"
    claims = _rows(package, dispute_id=dispute)
    counts = claims["value"].value_counts()
    assert counts.iloc[0] > counts.iloc[1]  # one value is given more often than any other
    crossed = figures[figures["measure"] == "crossed"].iloc[0]
    assert crossed["value"] == counts.index[0] and crossed["disputed"] and crossed["dispute_id"] == dispute
    assert set(claims["value"]) >= {77, 345, 347}


def test_a_preferred_claim_wins_when_the_data_name_one(package):
    people = package["people"]
    loser_value = 347
    preferred = _rows(package, dispute_id="num-kgz-pamir-crossed-tajikistan", value=loser_value)["record_id"].iloc[0]
    disputes = package["disputes"].copy()
    disputes.loc[disputes["dispute_id"] == "num-kgz-pamir-crossed-tajikistan", "preferred_id"] = preferred
    kin = repatriation.kin_rows(people, "KGZ", "AFG")
    figures = repatriation.stage_figures(kin, people, disputes, "AFG")
    crossed = figures[figures["measure"] == "crossed"]
    assert list(crossed["value"]) == [loser_value]
    # The blocked count lost the same dispute and drops out.
    assert figures[figures["measure"] == "blocked"].empty


def test_a_tie_shows_the_span_of_every_estimate(package, kgz):
    _, figures = kgz
    claims = _rows(package, dispute_id="num-afg-pamir-kyrgyz-community")
    remaining = figures[figures["measure"] == "remaining"].iloc[0]
    assert remaining["spans"]
    assert remaining["value"] == claims["value"].min()
    assert remaining["value_high"] == claims["value_high"].fillna(claims["value"]).max()


def test_the_same_count_from_two_sources_is_one_figure(package, kgz):
    _, figures = kgz
    returned = figures[figures["measure"] == "returned"]
    source_rows = _rows(package, measure="returned", unit="persons", origin="AFG", country="TJK")
    assert len(returned) == 1 and len(returned.iloc[0]["record_ids"]) == len(source_rows) == 2
    assert returned.iloc[0]["when"] == "17–18 July 2021"


def test_a_whole_year_replaces_its_first_nine_months(package, kgz):
    _, figures = kgz
    grants = figures[figures["measure"] == "granted_status"]
    year = _rows(package, country="KGZ", origin="AFG", measure="granted_status")
    year = year[(year["period_start"] == "2025-01-01") & (year["date"] == "2025-12-31")]
    assert list(grants["record_ids"]) == [tuple(year["record_id"])]
    assert grants["value"].iloc[0] == year["value"].iloc[0]


def test_facts_for_the_kyrgyz_thread(package, kgz_facts):
    def value(record_id):
        return float(_rows(package, record_id=record_id)["value"].iloc[0])

    assert kgz_facts["capacity_persons"] == value("kgz-2021-08-pamir-kyrgyz-capacity-todaykg")
    assert kgz_facts["pledged_families"] == value("kgz-2021-10-23-pamir-kyrgyz-families-pledged")
    assert kgz_facts["pledged_families_text"] == "about 300"
    assert kgz_facts["planned_persons"] == value("kgz-2022-07-25-pamir-kyrgyz-persons-planned")
    assert kgz_facts["planned_families"] == value("kgz-2022-07-25-pamir-kyrgyz-families-planned")
    assert kgz_facts["granted_status_persons"] == value("kgz-2025-kayrylman-granted-afg")
    assert kgz_facts["gap_share"] == pytest.approx(kgz_facts["granted_status_persons"] / kgz_facts["planned_persons"])
    # Who made the offer, pledge and plan comes from the events of the same month.
    assert kgz_facts["capacity_persons_by"] == "Jypara Mambetova"  # her post is disputed: name only
    assert kgz_facts["pledged_families_by"].startswith("Sadyr Japarov (")
    assert kgz_facts["planned_persons_by"].startswith("Kudaibergen Bazarbaev (")
    assert not kgz_facts["has_arrived_since"] and kgz_facts["has_arrived_before"]
    assert kgz_facts["programme"] == "kayrylman"


def test_programme_totals_break_out_the_origin_only_where_a_source_does(package, kgz):
    kin, _ = kgz
    totals = repatriation.programme_totals(kin, "AFG")
    all_rows = _rows(package, country="KGZ", origin="ALL", measure="granted_status")
    assert sorted(totals["all_origins"]) == sorted(all_rows["value"].astype(float))
    year_2024 = totals[totals["period"] == "2024"].iloc[0]
    assert pd.isna(year_2024["from_origin"])
    year_2025 = totals[totals["period"] == "2025"].iloc[0]
    assert year_2025["from_origin"] == float(_rows(package, record_id="kgz-2025-kayrylman-granted-afg")["value"].iloc[0])


def test_kazakh_kin_figures(package):
    facts = repatriation.chapter_facts(package, "KAZ", "AFG", TAKEOVER)
    assert facts["evacuated_persons"] == float(_rows(package, record_id="kaz-2021-09-09-ethnic-kazakhs-evacuated-seed")["value"].iloc[0])
    assert facts["remaining_persons_text"] == "about 200"
    assert facts["settled_families"] == 4 and facts["has_arrived_since"]
    assert facts["programme"] == "qandas" and not facts["programme_origin_broken_out"]
    assert not facts["has_gap"]


@pytest.mark.parametrize("country", ["TJK", "TKM", "UZB"])
def test_states_without_kin_figures_get_unhcr_context(package, country):
    facts = repatriation.chapter_facts(package, country, "AFG", TAKEOVER)
    assert not facts["has_kin"] and facts["has_unhcr"] and facts["has_only_context"]
    refugees = _rows(package, country=country, origin="AFG", measure="refugees").sort_values("date")
    assert facts["refugees_last"] == int(refugees["value"].iloc[-1])
    assert facts["unhcr_last_year"] == refugees["date"].iloc[-1].year


def test_tajikistan_hosts_kyrgyz_kin(package):
    facts = repatriation.chapter_facts(package, "TJK", "AFG", TAKEOVER)
    hosted = repatriation.kin_of_others(package["people"], "TJK", "AFG")
    assert facts["has_hosted"] and facts["hosted_kin_of"] == "Kyrgyzstan"
    assert facts["n_hosted"] == len(hosted) == len(_rows(package, country="TJK", origin="AFG")[
        lambda r: r["group"].str.contains("Kyrgyz")])


def test_a_new_unhcr_category_is_not_read_as_departures(package):
    facts = repatriation.chapter_facts(package, "UZB", "AFG", TAKEOVER)
    oip = _rows(package, country="UZB", measure="other_in_need_of_protection")
    assert facts["has_oip"] and facts["oip_last"] == int(oip["value"].iloc[0])
    assert facts["refugees_fell_with_oip"]
    stocks = repatriation.unhcr_by_year(repatriation.unhcr_rows(package["people"], "UZB", "AFG"), repatriation.UNHCR_STOCKS)
    # A year without the category has no value, not a zero.
    assert stocks["other_in_need_of_protection"].isna().sum() == len(stocks) - 1


def test_other_counts_are_neither_kin_nor_unhcr(package):
    others = repatriation.other_rows(package["people"], "KGZ", "AFG")
    assert "kgz-2021-08-24-kyrgyz-citizens-evacuated" in set(others["record_id"])
    assert not others["measure"].isin(repatriation.UNHCR_MEASURES).any()
    assert not others["group"].map(lambda g: repatriation.is_kin(g, "KGZ")).any()


def test_a_country_with_no_rows_has_every_flag_false_and_nothing_missing(package):
    facts = repatriation.chapter_facts(package, "PAK", "AFG", TAKEOVER)
    assert not any(v for k, v in facts.items() if k.startswith("has_"))
    assert all(v is not None and v == v for v in facts.values())


def test_the_chapter_shows_each_dispute_where_it_matters(package, kgz, kgz_facts):
    _, figures = kgz
    used = repatriation.used_rows(package, "KGZ", "AFG")
    shown = repatriation.dispute_groups(package, figures, kgz_facts, used)
    assert shown["offer"] == ["ev-kgz-official-name", "ev-kgz-official-post"]
    assert shown["crossing"] == ["num-kgz-pamir-crossed-tajikistan"]
    assert shown["remaining"] == ["num-afg-pamir-kyrgyz-community"]
    assert "num-kgz-afghan-refugees-2021" in shown["context"]


@pytest.mark.parametrize(
    "row, text",
    [
        ({"date": "2021-07-14", "period_start": "2021-07-13", "date_precision": "day"}, "13–14 July 2021"),
        ({"date": "2025-09-30", "period_start": "2025-01-01", "date_precision": "day"}, "January–September 2025"),
        ({"date": "2025-12-31", "period_start": "2025-01-01", "date_precision": "day"}, "2025"),
        ({"date": "2021-08-01", "period_start": None, "date_precision": "month"}, "August 2021"),
    ],
)
def test_when_a_figure_applies(row, text):
    row = pd.Series({k: pd.Timestamp(v) if v and k != "date_precision" else v for k, v in row.items()})
    assert repatriation.when(row) == text
    assert repatriation.on(text).split(" ", 1)[1] == text
