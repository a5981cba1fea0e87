"""The repatriation helpers on the real data: kin, stages, programme totals, UNHCR context."""

import pandas as pd
import pytest

from amudarya.data import tables
from amudarya.domain import counts, events, kinship, repatriation, stages, unhcr

TAKEOVER = "2021-08-15"


def _rows(package, **match):
    rows = package["people"]
    for key, value in match.items():
        rows = rows[rows[key] == value]
    return rows


@pytest.fixture(scope="module")
def kgz(package):
    kin = kinship.kin_rows(package["people"], "KGZ", "AFG")
    return kin, stages.stage_figures(kin, package["people"], package["disputes"], "AFG")


@pytest.fixture(scope="module")
def kgz_facts(package):
    return repatriation.chapter_facts(package, "KGZ", "AFG", events.takeover(package["events"]))


@pytest.mark.parametrize(
    "record_id, kin_of",
    [
        ("kgz-2022-07-25-pamir-kyrgyz-persons-planned", "KGZ"),  # ethnic Kyrgyz to be resettled
        ("afg-2021-07-pamir-kyrgyz-remaining-cpc", "KGZ"),  # Pamir Kyrgyz still in Afghanistan
        ("kgz-2024-kayrylman-granted-all", "KGZ"),  # programme total over every origin
        ("kgz-2021-09-26-chon-alai-houses-planned", "KGZ"),  # houses for returning Kyrgyz
        ("kgz-2021-08-24-kyrgyz-citizens-evacuated", None),  # citizens, not kin
        ("kaz-2021-08-18-kazakh-citizens-evacuated", None),
        ("kaz-2021-08-18-kyrgyz-citizens-evacuated", None),  # Kyrgyz citizens on a Kazakh flight
        ("kaz-2022-qandas-arrived-jan-sep", "KAZ"),
        # Kyrgyz kin counted in Tajikistan are Kyrgyzstan's kin, not Tajikistan's.
        ("tjk-2021-07-pamir-kyrgyz-infants-died", "KGZ"),
        ("unhcr-kgz-2021-refugees", None),  # UNHCR counts a different population
    ],
)
def test_kin_are_told_from_citizens_and_from_other_states_kin(package, record_id, kin_of):
    people = package["people"]
    row = _rows(package, record_id=record_id).iloc[0]
    assert (row["kin_of"] if pd.notna(row["kin_of"]) else None) == kin_of
    for state in list(package["countries"]["iso3"]) + ["PAK"]:
        found = record_id in set(kinship.kin_rows(people, state, row["origin"])["record_id"])
        assert found is (state == kin_of), state
    others = kinship.other_rows(people, row["country"], row["origin"])
    assert (record_id in set(others["record_id"])) is (kin_of is None and row["measure"] not in unhcr.UNHCR_MEASURES)


def test_kin_are_read_from_kin_of_not_from_the_wording_of_group(package):
    """Rewording `group` changes nothing; setting `kin_of` is what makes a row kin."""
    people = package["people"]
    before = kinship.kin_rows(people, "KGZ", "AFG")
    reworded = people.assign(group=pd.Series("Some people", index=people.index, dtype="string"))
    after = kinship.kin_rows(reworded, "KGZ", "AFG")
    assert list(after["record_id"]) == list(before["record_id"]) and len(before) > 0
    citizens = "kgz-2021-08-24-kyrgyz-citizens-evacuated"
    marked = people.assign(kin_of=people["kin_of"].mask(people["record_id"] == citizens, "KGZ"))
    assert citizens in set(kinship.kin_rows(marked, "KGZ", "AFG")["record_id"])
    assert citizens not in set(kinship.other_rows(marked, "KGZ", "AFG")["record_id"])


def test_every_kin_row_names_a_state_and_none_is_a_unhcr_statistic(package):
    people, countries = package["people"], package["countries"]
    kin = people[people["kin_of"].notna()]
    states = set(countries.loc[countries["kind"] == "state", "iso3"])
    assert set(kin["kin_of"]) <= states and set(kin["kin_of"]) == {"KAZ", "KGZ"}
    assert not kin["measure"].isin(unhcr.UNHCR_MEASURES).any()


def _countries_raw(root):
    return pd.read_csv(root / "data" / "countries.csv", dtype=str, keep_default_na=False).set_index("iso3")


@pytest.mark.parametrize("country", ["KAZ", "KGZ", "TJK", "TKM", "UZB", "PAK"])
def test_the_words_for_kin_come_from_the_countries_table(package, root, country):
    raw = _countries_raw(root)
    words = kinship.kin_words(package["countries"], country)
    if country not in raw.index:
        assert words == kinship.KinWords() and not words.named
        return
    row = raw.loc[country]
    assert (words.name or "", words.adjective or "", words.programme or "") == (
        row["kin_name"],
        row["kin_adjective"],
        row["kin_programme"],
    )
    # Every word the chapter uses for kin cites a source that exists.
    if words.name or words.programme:
        assert row["kin_source_id"] in set(package["sources"]["source_id"])


def test_kin_without_a_sourced_name_are_called_ethnic_kin(package):
    """A state whose kin the data count but whose row names no source for what to call them
    (Turkmenistan: no cited source names Turkmens abroad) gets plain words, never a guess."""
    assert not kinship.kin_words(package["countries"], "TKM").named
    people = package["people"]
    moved = people[people["kin_of"] == "KGZ"]
    moved = moved.assign(
        kin_of="TKM", country=moved["country"].replace("KGZ", "TKM"), record_id="trial-" + moved["record_id"]
    )
    trial = tables.Package(
        package.folder, package.descriptor, {**package.tables, "people": pd.concat([people, moved], ignore_index=True)}
    )
    facts = repatriation.chapter_facts(trial, "TKM", "AFG", TAKEOVER)
    assert facts["has_kin"] and facts["has_stages"] and not facts["has_kin_name"]
    assert facts["kin_many"] == "ethnic kin" and facts["kin_label"] == "ethnic kin of Turkmenistan"
    assert not facts["has_programme_name"] and "programme" not in facts
    assert stages.stage_chart_title(facts, "Afghanistan").startswith("Ethnic kin of Turkmenistan from")
    kin = kinship.kin_rows(trial["people"], "TKM", "AFG")
    figures = stages.stage_figures(kin, trial["people"], trial["disputes"], "AFG")
    granted = figures[figures["measure"] == "granted_status"].iloc[0]
    assert stages.stage_label(granted, "TKM", trial["countries"]) == "Granted returnee status"


def test_kin_rows_follow_the_people_wherever_they_were_counted(package, kgz):
    kin, _ = kgz
    assert {"KGZ", "TJK", "AFG"} <= set(kin["country"])
    assert set(kin["origin"]) <= {"AFG", "ALL"}
    assert not kin["measure"].isin(unhcr.UNHCR_MEASURES).any()
    assert "kgz-2021-08-24-kyrgyz-citizens-evacuated" not in set(kin["record_id"])


def test_no_figure_mixes_units_and_none_adds_them(kgz):
    _, figures = kgz
    assert set(figures["unit"]) == {"persons", "families", "houses"}
    for _, figure in figures.iterrows():
        assert figure["unit"] in stages.UNITS
    # Families and houses are separate figures, not folded into persons.
    assert len(figures[(figures["measure"] == "planned")]) == 3


def test_a_dispute_that_takes_no_side_is_read_by_its_majority(package, kgz):
    _, figures = kgz
    dispute = "num-kgz-pamir-crossed-tajikistan"
    claims = _rows(package, dispute_id=dispute)
    given = claims["value"].value_counts()
    assert given.iloc[0] > given.iloc[1]  # one value is given more often than any other
    crossed = figures[figures["measure"] == "crossed"].iloc[0]
    assert crossed["value"] == given.index[0] and crossed["disputed"] and crossed["dispute_id"] == dispute
    assert set(claims["value"]) >= {77, 345, 347}


def test_a_preferred_claim_wins_when_the_data_name_one(package):
    people = package["people"]
    loser_value = 347
    preferred = _rows(package, dispute_id="num-kgz-pamir-crossed-tajikistan", value=loser_value)["record_id"].iloc[0]
    disputes = package["disputes"].copy()
    disputes.loc[disputes["dispute_id"] == "num-kgz-pamir-crossed-tajikistan", "preferred_id"] = preferred
    kin = kinship.kin_rows(people, "KGZ", "AFG")
    figures = stages.stage_figures(kin, people, disputes, "AFG")
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
    # The seed's explicit "none had arrived" is a sourced zero, reported as such, not an arrival.
    zero = package["people"][
        (package["people"]["country"] == "KGZ")
        & (package["people"]["measure"] == "arrived")
        & (package["people"]["value"] == 0)
    ]
    assert kgz_facts["has_none_arrived_reported"] == (not zero.empty)
    assert kgz_facts["programme"] == "kayrylman"
    assert kgz_facts["kin_label"] == "Kyrgyz kin" and kgz_facts["kin_many"] == "Kyrgyz"


def test_programme_totals_break_out_the_origin_only_where_a_source_does(package, kgz):
    kin, _ = kgz
    totals = kinship.programme_totals(kin, "AFG")
    all_rows = _rows(package, country="KGZ", origin="ALL", measure="granted_status")
    assert sorted(totals["all_origins"]) == sorted(all_rows["value"].astype(float))
    year_2024 = totals[totals["period"] == "2024"].iloc[0]
    assert pd.isna(year_2024["from_origin"])
    year_2025 = totals[totals["period"] == "2025"].iloc[0]
    assert year_2025["from_origin"] == float(
        _rows(package, record_id="kgz-2025-kayrylman-granted-afg")["value"].iloc[0]
    )


def test_kazakh_kin_figures(package):
    facts = repatriation.chapter_facts(package, "KAZ", "AFG", TAKEOVER)
    assert facts["evacuated_persons"] == float(
        _rows(package, record_id="kaz-2021-09-09-ethnic-kazakhs-evacuated-seed")["value"].iloc[0]
    )
    assert facts["remaining_persons_text"] == "about 200"
    assert facts["settled_families"] == 4 and facts["has_arrived_since"]
    assert facts["programme"] == "qandas" and not facts["programme_origin_broken_out"]
    assert facts["kin_label"] == "Kazakh kin" and facts["kin_many"] == "Kazakhs"
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
    hosted = kinship.kin_of_others(package["people"], "TJK", "AFG")
    assert facts["has_hosted"] and facts["hosted_kin_of"] == "Kyrgyzstan"
    assert facts["hosted_people"] == "ethnic Kyrgyz"
    assert set(hosted["kin_of"]) == {"KGZ"}
    assert (
        facts["n_hosted"]
        == len(hosted)
        == len(_rows(package, country="TJK", origin="AFG")[lambda r: r["group"].str.contains("Kyrgyz")])
    )


def test_a_new_unhcr_category_is_not_read_as_departures(package):
    facts = repatriation.chapter_facts(package, "UZB", "AFG", TAKEOVER)
    oip = _rows(package, country="UZB", measure="other_in_need_of_protection")
    assert facts["has_oip"] and facts["oip_last"] == int(oip["value"].iloc[0])
    assert facts["refugees_fell_with_oip"]
    stocks = unhcr.unhcr_by_year(unhcr.unhcr_rows(package["people"], "UZB", "AFG"), unhcr.UNHCR_STOCKS)
    # A year without the category has no value, not a zero.
    assert stocks["other_in_need_of_protection"].isna().sum() == len(stocks) - 1


def test_other_counts_are_neither_kin_nor_unhcr(package):
    others = kinship.other_rows(package["people"], "KGZ", "AFG")
    assert "kgz-2021-08-24-kyrgyz-citizens-evacuated" in set(others["record_id"])
    assert not others["measure"].isin(unhcr.UNHCR_MEASURES).any()
    assert others["kin_of"].isna().all()


def test_a_country_with_no_rows_has_every_flag_false_and_nothing_missing(package):
    facts = repatriation.chapter_facts(package, "PAK", "AFG", TAKEOVER)
    assert not any(v for k, v in facts.items() if k.startswith("has_"))
    assert "has_country_row" in facts and facts["country_code"] == "PAK"
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
        ({"date": "2026-01-31", "period_start": "2026-01-01", "date_precision": "day"}, "January 2026"),
        ({"date": "2021-08-01", "period_start": None, "date_precision": "month"}, "August 2021"),
    ],
)
def test_when_a_figure_applies(row, text):
    row = pd.Series({k: pd.Timestamp(v) if v and k != "date_precision" else v for k, v in row.items()})
    assert counts.when(row) == text
    assert counts.on(text).split(" ", 1)[1] == text
