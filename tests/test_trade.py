"""The trade helpers on the real data: the Jamestown figures for January-June 2021."""

import pandas as pd
import pytest

from amudarya import events, trade

TAKEOVER = "2021-08-15"


@pytest.fixture(scope="module")
def kaz(package):
    return trade.flows(package["trade"], "KAZ", "AFG")


def _value(package, **match) -> float:
    t = package["trade"]
    rows = t
    for key, value in match.items():
        rows = rows[rows[key] == value]
    assert len(rows) >= 1, match
    return float(rows.sort_values("trade_id")["value_usd"].iloc[0])


def test_flows_leave_out_targets_and_rows_without_money(kaz):
    assert not kaz.empty
    assert (kaz["flow"] != "target").all()
    assert kaz["value_usd"].notna().all()
    assert (kaz["reporter"] == "KAZ").all() and (kaz["partner"] == "AFG").all()


def test_latest_period_before_the_takeover_is_first_half_2021(kaz):
    start, end = trade.latest_period_before(kaz, TAKEOVER)
    assert (start, end) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-06-30"))
    assert trade.period_label(start, end) == "January–June 2021"


def test_summary_derives_exports_from_turnover_and_imports(package, kaz):
    s = trade.summarise_period(kaz, "2021-01-01", "2021-06-30")
    period = dict(period_start=pd.Timestamp("2021-01-01"), period_end=pd.Timestamp("2021-06-30"), product="all")
    turnover = _value(package, flow="turnover", reporter="KAZ", **period)
    imports = _value(package, flow="import", reporter="KAZ", **period)
    assert s.turnover == turnover == 229_700_000
    assert s.imports == imports == 1_700_000
    assert s.exports_derived and s.exports == pytest.approx(turnover - imports)
    # The source says 99 percent of turnover was exports: the derived figure agrees.
    assert round(s.export_share, 2) == 0.99


def test_composition_adds_the_unexplained_remainder(kaz):
    parts = trade.composition(kaz, "2021-01-01", "2021-06-30")
    exports = parts[parts["flow"] == "export"]
    assert list(exports["product"])[:2] == ["flour", "wheat"]
    assert exports["value_usd"].sum() == pytest.approx(228_000_000)
    rest = exports[exports["derived"]]
    assert len(rest) == 1 and rest["value_usd"].iloc[0] == pytest.approx(228_000_000 - 123_000_000 - 72_800_000)


def test_before_takeover_facts_for_kazakhstan(kaz):
    facts = trade.before_takeover(kaz, TAKEOVER)
    assert facts["has_prewar"] and facts["exports_derived"]
    assert facts["turnover_m"] == pytest.approx(229.7)
    assert facts["top_export"] == "flour"
    assert facts["top_export_share"] == pytest.approx(123.0 / 228.0)
    assert facts["top_import"] == "raisins" and facts["top_import_usd"] == 545_700


def test_before_takeover_for_a_pair_with_no_rows_sets_every_flag_false(package):
    facts = trade.before_takeover(trade.flows(package["trade"], "PAK", "AFG"), TAKEOVER)
    assert facts and not any(facts.values())


def test_takeover_day_comes_from_the_events_table(package):
    assert events.takeover(package["events"]) == pd.Timestamp(TAKEOVER)


def test_flows_drop_figures_that_lost_a_dispute(package):
    kept = trade.flows(package["trade"], "KAZ", "AFG", package["disputes"])
    year_2022 = kept[(kept["period_start"] == "2022-01-01") & (kept["period_end"] == "2022-12-31")
                     & (kept["flow"] == "turnover") & (kept["product"] == "all")]
    preferred = package["disputes"].set_index("dispute_id").loc["num-kaz-afg-turnover-2022", "preferred_id"]
    assert list(year_2022["trade_id"]) == [preferred]
    everything = trade.flows(package["trade"], "KAZ", "AFG")
    assert len(everything) > len(kept)
