"""Exchange rates: conversions through data/fx.csv only, and clear refusals otherwise."""

import csv

import pytest

from amudarya.domain import fx


@pytest.fixture(scope="module")
def rows(root):
    with open(root / "data" / "fx.csv", encoding="utf-8") as f:
        return {r["currency"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def printed(package):
    return fx.printed_rates(package.path_of("fx"))


def test_currencies_are_dollars_and_those_with_a_rate(package, rows):
    assert fx.currencies(package["fx"]) == ["USD"] + sorted(rows)


def test_a_usd_per_unit_rate_is_inverted(package, rows, printed):
    row = rows["KZT"]
    assert row["quote"] == "USD per unit"
    rate = fx.rate_for(package["fx"], "KZT", printed)
    assert rate.units_per_usd == pytest.approx(1 / float(row["rate"]))
    assert rate.convert(987_900_000) == pytest.approx(987_900_000 * (1 / float(row["rate"])))
    assert rate.as_of == row["as_of"] == "unknown" and not rate.dated
    assert rate.source_id == row["source_id"]


def test_rounding_comes_from_the_digits_the_source_printed(package, rows, printed):
    # 0.00008 printed to five decimals could be anything from 0.000075 to 0.000085.
    text = rows["UZS"]["rate"]
    rate = fx.rate_for(package["fx"], "UZS", printed)
    assert rate.printed_text == text
    decimals = len(text.split(".")[1])
    assert rate.relative_rounding == pytest.approx(0.5 * 10**-decimals / float(text))
    assert fx.rate_for(package["fx"], "KZT", printed).relative_rounding < rate.relative_rounding


def test_dollars_need_no_rate(package):
    assert fx.rate_for(package["fx"], "USD") is None
    assert fx.facts(None, package["sources"]) == {"converted": False, "fx_dated": False}


def test_facts_say_which_rate_and_that_it_has_no_date(package, printed):
    facts = fx.facts(fx.rate_for(package["fx"], "KZT", printed), package["sources"])
    assert facts["converted"] and not facts["fx_dated"]
    assert facts["fx_source"] == "The Times of Central Asia"
    assert facts["fx_quote"] == "US$ per KZT" and facts["currency_name"] == "Tenge"


@pytest.mark.parametrize(
    "code, words",
    [
        ("XYZ", ["not an ISO 4217 currency code"]),
        ("TMT", ["TMT", "Turkmenistan", "no rate"]),
        ("kzt", ["did you mean KZT?"]),
        (978, ["not an ISO 4217 currency code"]),
    ],
)
def test_a_currency_without_a_rate_is_refused_in_words(package, code, words):
    problem = fx.problem_with(code, package["fx"])
    assert problem and all(w in problem for w in words)
    with pytest.raises(ValueError) as info:
        fx.rate_for(package["fx"], code)
    # The notebook's own error names the value and every valid code.
    assert repr(code) in str(info.value)
    assert all(c in str(info.value) for c in fx.currencies(package["fx"]))


def test_amounts_in_words():
    assert fx.amount_text(987_900_000, "USD") == "US$ 987.9 million"
    assert fx.amount_text(1_700_000_000, "USD", "about") == "about US$ 1.7 billion"
    assert fx.amount_text(343_000_000, "USD", "at_least") == "more than US$ 343.0 million"
    assert fx.amount_text(545_700, "USD") == "US$ 545,700"
    assert fx.amount_text(468_199_052_132, "KZT") == "KZT 468.2 billion"
