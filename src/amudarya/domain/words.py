"""Words the book generates: counts, agreement, ordinals, lists, dates by their precision,
money, qualifiers and signed means. One definition of each, used by every page.

Plurals, agreement and ordinals come from `inflect`, never from adding an "s".
"""

from __future__ import annotations

from collections.abc import Iterable

import inflect
import pandas as pd

_ENGINE = inflect.engine()


# What a row's `qualifier` puts in front of its figure (data/README.md, *Qualifier*).
QUALIFIER_WORDS = {"exact": "", "about": "about ", "at_least": "more than "}

# How sure a row is, best first (data/README.md, *Confidence marks*): sorting by this rank
# puts the best-sourced account of a fact first.
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def plural(noun: str, n: int = 2) -> str:
    """The noun as it agrees with `n`: plural('event', 1) -> 'event', plural('event', 3) -> 'events'."""
    return _ENGINE.plural_noun(noun, int(n)) if int(n) != 1 else noun


def count(n: int, noun: str) -> str:
    """'1 event', '27 events', '0 events', '1,234 people': a figure and its noun in agreement."""
    n = int(n)
    return f"{n:,} {plural(noun, n)}"


def verb(singular: str, n: int) -> str:
    """The verb agreeing with `n` things: verb('is', 1) -> 'is', verb('is', 0) -> 'are'."""
    return _ENGINE.plural_verb(singular, int(n)) if int(n) != 1 else singular


def count_word(n: int) -> str:
    """Small counts spelt out for prose ('three', 'no'), larger ones as digits ('27')."""
    n = int(n)
    if n == 0:
        return "no"
    if 0 < n <= 10:
        return _ENGINE.number_to_words(n)
    return f"{n:,}"


def ordinal_word(n: int) -> str:
    """2 -> 'second', 11 -> 'eleventh'."""
    return _ENGINE.number_to_words(_ENGINE.ordinal(int(n)))


def join(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c' (no serial comma, the book's house style)."""
    items = [str(i) for i in items]
    if not items:
        return ""
    return _ENGINE.join(items, final_sep="")


def names_text(names: Iterable[str]) -> str:
    """'Kazakhstan', 'Kazakhstan and Kyrgyzstan', 'A, B and C'; 'none' for no names."""
    names = list(names)
    return join(names) if names else "none"


# What a table cell or a list says where the data hold nothing.
NOT_IN_DATA = "not in the data"


def indefinite(noun_phrase: str) -> str:
    """'a statement', 'an evacuation', 'a UN body'."""
    return _ENGINE.a(noun_phrase)


# ---------------------------------------------------------------------------
# Dates


def date_text(date, precision: str, short: bool = False) -> str:
    """A date as precise as the source: '26 September 2021', 'June 2024', '2005';
    `short` abbreviates the month ('26 Sep 2021') for tables."""
    date = pd.Timestamp(date)
    month = "%b" if short else "%B"
    if precision == "year":
        return f"{date:%Y}"
    if precision == "month":
        return f"{date:{month} %Y}"
    return f"{date.day} {date:{month} %Y}"


def date_phrase(date, precision: str) -> str:
    """A date with the preposition its precision takes: 'on 7 October 2021', 'in March 2022',
    'in 2005'. Never 'on March 2022'."""
    return ("on " if precision == "day" else "in ") + date_text(date, precision)


# What a date is of (events.date_of), as the verb phrase that goes before the date.
DATE_OF_WORDS = {"occurred": "", "announced": "announced", "reported": "reported"}


# ---------------------------------------------------------------------------
# Numbers


def _trim(text: str) -> str:
    """'6.0' -> '6', '1.70' -> '1.7', '545.2' -> '545.2'."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value_usd: float, qualifier: str = "exact") -> str:
    """One money formatter for the whole book: 'US$ 1.7 billion', 'about US$ 545.2 million',
    'more than US$ 51.2 million', 'US$ 900,000'. Never 'US$ 1,700.0 million'."""
    value = float(value_usd)
    if abs(value) >= 1e9:
        text = f"{_trim(f'{value / 1e9:,.2f}')} billion"
    elif abs(value) >= 1e6:
        text = f"{_trim(f'{value / 1e6:,.1f}')} million"
    else:
        text = f"{value:,.0f}"
    return QUALIFIER_WORDS.get(qualifier, "") + "US$ " + text


def qualified(text: str, qualifier: str) -> str:
    """A figure with the words its qualifier asks for: 'about 300', 'more than 40'."""
    return QUALIFIER_WORDS.get(qualifier, "") + text


def signed(value: float, decimals: int = 1) -> str:
    """'+1.2', '−0.5', '0.0': a sign on everything but zero, and a true minus."""
    text = f"{float(value):+.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace("-", "−")


def spoken(value: float) -> str:
    """A number as a reader says it, for alt text: '1,700', '0.9', '12.5', never '0.900'."""
    value = float(value)
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) < 1:
        return f"{value:.2g}"
    return _trim(f"{value:,.1f}")
