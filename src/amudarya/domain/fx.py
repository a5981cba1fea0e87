"""Exchange rates: US dollars into a local currency, through the rates in `fx.csv` only.

The package holds rates exactly as a source printed them, often without a date. A figure
converted at an undated rate is an illustration at that rate, never the value the trade had in
the local currency at the time; the chapter says so, and these functions return what it needs to
say it (the rate, its date or the lack of one, its source, how precisely it was printed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pycountry

from amudarya.domain.catalogue import source_anchor
from amudarya.domain.citations import short_reference
from amudarya.domain.words import QUALIFIER_WORDS

BASE = "USD"
UNDATED = "unknown"


def currencies(fx: pd.DataFrame) -> list[str]:
    """Every currency a figure can be shown in: US dollars and each currency with a rate."""
    return [BASE] + sorted(c for c in fx["currency"].dropna().unique() if c != BASE)


def currency_name(code: str) -> str:
    """'Tenge' for KZT; the code itself when ISO 4217 does not know it."""
    found = pycountry.currencies.get(alpha_3=code)
    return found.name if found else code


def problem_with(code, fx: pd.DataFrame) -> str | None:
    """Why `code` cannot be the currency of a chapter, in words (without the list of valid
    codes, see `currencies`); None when it can."""
    valid = currencies(fx)
    if isinstance(code, str) and code in valid:
        return None

    if isinstance(code, str) and code.upper() in valid:
        return f"currency codes are written in capitals (did you mean {code.upper()}?)"
    if isinstance(code, str) and len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()):
        return f"{code} ({currency_name(code.upper())}) is an ISO 4217 code, but data/fx.csv has no rate for it"
    return "not an ISO 4217 currency code with a rate in data/fx.csv"


def valid_text(fx: pd.DataFrame) -> str:
    return f"{BASE} or a currency with a rate in data/fx.csv: " + ", ".join(currencies(fx))


@dataclass(frozen=True)
class Rate:
    """One rate from fx.csv, turned into local units per US dollar."""

    currency: str
    units_per_usd: float
    printed: float  # the rate as stored
    printed_text: str  # the rate with the digits the source printed, e.g. '0.00008'
    quote: str  # 'USD per unit' or 'units per USD'
    as_of: str  # YYYY-MM-DD or 'unknown'
    source_id: str
    relative_rounding: float  # how far the true rate may lie from the printed one, as a fraction

    @property
    def dated(self) -> bool:
        return self.as_of != UNDATED

    def convert(self, usd: float) -> float:
        return usd * self.units_per_usd


def _relative_rounding(printed_text: str) -> float:
    """Half a unit of the last printed digit, relative to the rate: 0.00008 printed to five
    decimals may be anything from 0.000075 to 0.000085, i.e. 6.25 % either way."""
    number = Decimal(printed_text.strip())
    if number == 0:
        return float("inf")
    half_unit = Decimal(1).scaleb(number.as_tuple().exponent) / 2
    return float(half_unit / abs(number))


def printed_rates(path: Path) -> pd.DataFrame:
    """fx.csv read as text, so the number of digits each rate was printed with survives."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def rate_for(fx: pd.DataFrame, currency: str, printed: pd.DataFrame | None = None) -> Rate | None:
    """The rate to convert US dollars into `currency`; None for US dollars themselves.

    With several rates for one currency the latest dated one is used, an undated one only when
    there is no other. `printed` (from `printed_rates`) gives the digits as printed; without it
    the precision is taken from the number as stored. Raises ValueError naming the valid codes
    for a currency with no rate.
    """
    if currency == BASE:
        return None
    problem = problem_with(currency, fx)
    if problem:
        raise ValueError(f"currency {currency!r}: {problem}; expected {valid_text(fx)}")
    rows = fx[fx["currency"] == currency].copy()
    rows["_dated"] = rows["as_of"] != UNDATED
    row = rows.sort_values(["_dated", "as_of"]).iloc[-1]
    text = None
    if printed is not None:
        hit = printed[
            (printed["currency"] == currency)
            & (printed["as_of"] == row["as_of"])
            & (printed["source_id"] == row["source_id"])
        ]
        text = hit["rate"].iloc[0] if not hit.empty else None
    rate = float(row["rate"])
    units_per_usd = 1 / rate if row["quote"] == "USD per unit" else rate
    return Rate(
        currency=currency,
        units_per_usd=units_per_usd,
        printed=rate,
        printed_text=text or f"{rate:.10f}".rstrip("0"),
        quote=str(row["quote"]),
        as_of=str(row["as_of"]),
        source_id=str(row["source_id"]),
        relative_rounding=_relative_rounding(text or f"{rate:.10f}".rstrip("0")),
    )


SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def amount_text(value: float, currency: str, qualifier: str = "exact") -> str:
    """'about KZT 468.2 billion', 'US$ 987.9 million', 'more than US$ 343.0 million'."""
    prefix = QUALIFIER_WORDS.get(qualifier, "")
    unit = "US$" if currency == BASE else currency
    for size, word in SCALES:
        if abs(value) >= size and not (word == "thousand" and currency == BASE):
            return f"{prefix}{unit} {value / size:,.1f} {word}"
    return f"{prefix}{unit} {value:,.0f}"


def facts(rate: Rate | None, sources: pd.DataFrame) -> dict:
    """What the chapter says about a conversion: `converted` False for US dollars; else the
    rate as printed, how it reads, local units per dollar, its date or that it has none, its
    source and how precisely it was printed."""
    if rate is None:
        return {"converted": False, "fx_dated": False}

    source = sources.set_index("source_id").loc[rate.source_id]
    return {
        "converted": True,
        "fx_dated": rate.dated,
        "currency_code": rate.currency,
        "currency_name": currency_name(rate.currency),
        "fx_printed": rate.printed_text,
        "fx_quote": {"USD per unit": f"US$ per {rate.currency}", "units per USD": f"{rate.currency} per US$"}[
            rate.quote
        ],
        "fx_units_per_usd": rate.units_per_usd,
        "fx_as_of": rate.as_of,
        "fx_source": short_reference(source.rename({"source_id": rate.source_id})),
        "fx_rounding": rate.relative_rounding,
    }


def _per_dollar(rate: Rate) -> str:
    """Local units per dollar, to no more digits than the printed rate supports: 'about 474 KZT'
    for a rate printed to three figures, '84.03 KGS' for one printed to four or more."""
    if rate.relative_rounding <= 0.001:
        return f"{rate.units_per_usd:,.2f} {rate.currency}"
    decimals = max(0, 2 - math.floor(math.log10(rate.units_per_usd)))
    return f"about {round(rate.units_per_usd, decimals):,.{decimals}f} {rate.currency}"


def rates_table(fx: pd.DataFrame, sources: pd.DataFrame, printed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rate the package holds, for a chapter's currency note: Currency, As printed (the
    digits the source printed and which way the rate reads), Per US dollar (local units per
    dollar, derived), Date ('not given' for undated rates), Source, and `entry` (the source's
    anchor on the Sources page, a link target)."""
    indexed = sources.set_index("source_id")
    rows = []
    for code in currencies(fx)[1:]:
        for _, row in fx[fx["currency"] == code].iterrows():
            rate = rate_for(
                fx[(fx["currency"] == code) & (fx["source_id"] == row["source_id"]) & (fx["as_of"] == row["as_of"])],
                code,
                printed,
            )
            quote = {"USD per unit": f"US$ per {code}", "units per USD": f"{code} per US$"}[rate.quote]
            rows.append(
                {
                    "Currency": f"{currency_name(code)} ({code})",
                    "As printed": f"{rate.printed_text} {quote}",
                    "Per US dollar": _per_dollar(rate),
                    "Date": rate.as_of if rate.dated else "not given",
                    "Source": short_reference(indexed.loc[rate.source_id].rename({"source_id": rate.source_id})),
                    "entry": source_anchor(rate.source_id),
                }
            )
    return pd.DataFrame(rows, columns=["Currency", "As printed", "Per US dollar", "Date", "Source", "entry"])


def rates_caption(table: pd.DataFrame) -> str:
    """What the rates are and are not, in one sentence built from the table."""
    undated = int((table["Date"] == "not given").sum())
    if undated == len(table):
        return (
            "Exchange rates as the source printed them. No date is given for any of them, so a "
            "figure converted at one of them shows the size of the trade at that rate, not its "
            "value in the local currency when the trade took place."
        )
    return (
        f"Exchange rates as the sources printed them; {undated} of the {len(table)} carry no date, "
        "and figures converted at those show size at that rate, not value at the time."
    )
