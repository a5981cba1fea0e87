"""One truth per fact: a figure that appears on more than one page of the built book is the
same on every page, in the text, the tables, the charts' alt text and the CSV downloads.

The test reads the book the session builds (`built_book`) as a reader gets it, never the
package's functions, so that two pages computing one figure two ways cannot both pass.

How it works: each *reader* below turns one place in the book into observations, a fact (what
is counted, about whom) and the value shown there. The test groups observations by fact and
fails on any fact with two values that do not agree (numbers agree within the rounding shown).

To add a new kind of repeated figure, write a reader that yields `Seen(...)` for it, or, for a
glued value, add its key to SHARED_GLUE with the fact it states, and append nothing else: the
comparison is the same for all facts.

Set AMUDARYA_BUILT_BOOK to a project folder with a built book (`_build/html` and
`book/_generated`) to read that book instead of building one, e.g. to check an old commit.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bookfacts import Number, date_key, load, money, number, run_params


@dataclass(frozen=True)
class Seen:
    fact: str  # what: "events since the takeover"
    subject: str  # about whom: "Kazakhstan", "Kazakhstan 2021", "Kazakhstan / first visit"
    value: object  # a Number, or a canonical string (a date key)
    where: str  # page and place, for the failure message


@pytest.fixture(scope="module")
def pages(request):
    given = os.environ.get("AMUDARYA_BUILT_BOOK")
    project = Path(given) if given else request.getfixturevalue("built_book")
    return load(project)


def _name_of(pages, code: str) -> str:
    """A country's name as the book prints it (the policy chapter's title glue, else the code)."""
    for page in pages.values():
        if page.glue.get("country_code") == code and "country_name" in page.glue:
            return page.glue["country_name"]
    return code


def _chapters(pages, notebook: str):
    return [
        (n, p, run_params(n))
        for n, p in pages.items()
        if n.startswith("_generated/") and run_params(n)["notebook"] == notebook
    ]


# ---------------------------------------------------------------------------
# Glued values that state a fact another page states too: (notebook, key) -> fact.

SHARED_GLUE = {
    ("policy", "n_events"): "events since the takeover",
    ("policy", "mean_stance"): "mean stance since the takeover",
    ("refusal", "n_events"): "events since the takeover",
    ("refusal", "mean_stance"): "mean stance since the takeover",
}


def glued(pages) -> Iterator[Seen]:
    for notebook in ("policy", "refusal"):
        for name, page, params in _chapters(pages, notebook):
            who = page.glue.get("country_name", params.get("country"))
            for (nb, key), fact in SHARED_GLUE.items():
                if nb == notebook and key in page.glue:
                    yield Seen(fact, who, Number(float(page.glue[key])), f"{name}: glue {key}")


# ---------------------------------------------------------------------------
# Readers of tables, alt text and downloads


def overview_glance(pages) -> Iterator[Seen]:
    page = pages.get("_generated/overview")
    if page is None:
        return
    for row in page.table_with("State", "Events since the takeover"):
        where = "_generated/overview: table 'The states at a glance'"
        yield Seen("events since the takeover", row["State"], number(row["Events since the takeover"]), where)
        mean = number(row.get("Mean stance since the takeover", ""))
        if mean is not None:
            yield Seen("mean stance since the takeover", row["State"], mean, where)
        for head, cell in row.items():
            m = re.fullmatch(r"Mean stance in (\d{4})", head)
            hit = re.match(r"([+\-−]?\d+\.\d+) \((\d+) events?\)", cell)
            if m and hit:
                yield Seen("mean stance in the year", f"{row['State']} {m.group(1)}", number(hit.group(1)), where)
                yield Seen("events in the year", f"{row['State']} {m.group(1)}", Number(float(hit.group(2))), where)


def overview_panels(pages) -> Iterator[Seen]:
    page = pages.get("_generated/overview")
    if page is None:
        return
    for alt in page.alts:
        for m in re.finditer(
            r"(?:^|; |\. )([A-Z][a-z]+): (\d+) events? since the takeover; means ([^;.]*(?:\.\d[^;.]*)*)", alt
        ):
            where = "_generated/overview: stance chart, alt text"
            yield Seen("events since the takeover", m.group(1), Number(float(m.group(2))), where)
            for year, mean in re.findall(r"(\d{4}) ([+\-−]?\d+\.\d)", m.group(3)):
                yield Seen("mean stance in the year", f"{m.group(1)} {year}", number(mean), where)


def refusal_standing(pages) -> Iterator[Seen]:
    for name, page, _ in _chapters(pages, "refusal"):
        where = f"{name}: table of the states compared"
        peers = 0.0
        for row in page.table_with("State", "Events since the takeover", "Mean stance"):
            state = row["State"].replace(" (this chapter)", "")
            events = number(row["Events since the takeover"])
            yield Seen("events since the takeover", state, events, where)
            yield Seen("mean stance since the takeover", state, number(row["Mean stance"]), where)
            if "(this chapter)" not in row["State"]:
                peers += events.value
        if "n_peer_events" in page.glue:
            who = page.glue.get("country_name")
            yield Seen(
                "events of the peers since the takeover",
                who,
                Number(float(page.glue["n_peer_events"])),
                f"{name}: glue n_peer_events",
            )
            yield Seen("events of the peers since the takeover", who, Number(peers), f"{where}, summed")


def _year_means(text: str, who: str, where: str) -> Iterator[Seen]:
    """'2021 +0.4 (17 events); 2022 +1.0 (3 events)'."""
    for year, mean, n in re.findall(r"(\d{4}) ([+\-−]?\d+\.\d+) \((\d+) events?\)", text):
        yield Seen("mean stance in the year", f"{who} {year}", number(mean), where)
        yield Seen("events in the year", f"{who} {year}", Number(float(n)), where)


def stance_alts(pages) -> Iterator[Seen]:
    for name, page, _ in _chapters(pages, "policy"):
        who = page.glue.get("country_name", "")
        for alt in page.alts:
            if alt.startswith("Timeline chart"):
                m = re.search(r"Mean stance by year[^:]*: (.*?)\. A dashed", alt)
                if m:
                    yield from _year_means(m.group(1), who, f"{name}: timeline chart, alt text")
                m = re.search(r"(\d+) of them since the takeover", alt)
                if m:
                    yield Seen(
                        "events since the takeover", who, Number(float(m.group(1))), f"{name}: timeline chart, alt text"
                    )
    for name, page, _ in _chapters(pages, "refusal"):
        for alt in page.alts:
            if alt.startswith("Line chart"):
                for state, years in re.findall(r"([A-Z][a-z]+): ((?:\d{4} [+\-−]?\d+\.\d+ \(\d+ events?\),? ?)+)", alt):
                    yield from _year_means(years, state, f"{name}: line chart, alt text")


def year_tables(pages) -> Iterator[Seen]:
    for name, page, _ in _chapters(pages, "policy"):
        who = page.glue.get("country_name", "")
        for row in page.table_with("Year", "Events", "Mean stance"):
            where = f"{name}: table year by year"
            yield Seen("events in the year", f"{who} {row['Year']}", number(row["Events"]), where)
            yield Seen("mean stance in the year", f"{who} {row['Year']}", number(row["Mean stance"]), where)
        for row in page.downloads.get("stance_by_year", []):
            where = f"{name}: download stance_by_year.csv"
            yield Seen("events in the year", f"{who} {row['year']}", Number(float(row["events"])), where)
            yield Seen("mean stance in the year", f"{who} {row['year']}", Number(float(row["mean_stance"])), where)
    for name, page, _ in _chapters(pages, "refusal"):
        for row in page.downloads.get("stance_by_year", []):
            where = f"{name}: download stance_by_year.csv"
            yield Seen("events in the year", f"{row['name']} {row['year']}", Number(float(row["events"])), where)
            yield Seen(
                "mean stance in the year", f"{row['name']} {row['year']}", Number(float(row["mean_stance"])), where
            )
        for row in page.downloads.get("standing", []):
            where = f"{name}: download standing.csv"
            yield Seen("events since the takeover", row["name"], Number(float(row["events"])), where)
            yield Seen("mean stance since the takeover", row["name"], Number(float(row["mean_stance"])), where)


# The turns as each page names them: the overview's row labels and the policy chapters' words.
TURN_WORDS = {
    "first contact": (r"^(Talks with Taliban|Meeting or visit)", r"^First contact"),
    "first visit": (r"^Official visit", r"^First visit"),
    "first envoys accepted": (r"^Taliban envoy", r"^First accreditation"),
    "off the banned list": (r"^Taliban off", r"^Removal of the Taliban"),
}


def turn_dates(pages) -> Iterator[Seen]:
    overview = pages.get("_generated/overview")
    if overview is not None:
        for row in overview.table_with("First …"):
            for turn, (label, _) in TURN_WORDS.items():
                if re.match(label, row["First …"]):
                    for state, cell in row.items():
                        key = date_key(cell) if state != "First …" else None
                        if key:
                            yield Seen(
                                "date of the turn",
                                f"{state} / {turn}",
                                key,
                                "_generated/overview: table 'who did what first'",
                            )
    for name, page, _ in _chapters(pages, "policy"):
        who = page.glue.get("country_name", "")
        for row in page.table_with("Turn", "Date"):
            for turn, (_, words) in TURN_WORDS.items():
                if re.match(words, row["Turn"]):
                    yield Seen("date of the turn", f"{who} / {turn}", date_key(row["Date"]), f"{name}: table of turns")


def _flow(label: str) -> str:
    return "turnover" if label.startswith("Turnover") else "exports" if label.startswith("Exports") else "imports"


def trade_totals(pages) -> Iterator[Seen]:
    for name, page, params in _chapters(pages, "trade"):
        reporter = page.glue.get("reporter_name", params.get("reporter"))
        for row in page.table_with("Period", "Flow", "Counted by", "US$ million"):
            subject = f"{reporter}, {_flow(row['Flow'])} by {row['Counted by']}'s count, {row['Period']}"
            yield Seen("trade figure (US$ million)", subject, money(row["US$ million"]), f"{name}: table of figures")
    overview = pages.get("_generated/overview")
    if overview is not None:
        for row in overview.table_with("State", "Latest full year"):
            for column in ("Latest full year", "Latest shorter period after it"):
                m = re.match(
                    r"(.*?US\$ [\d.,]+(?: (?:million|billion))?) in (.+?), by (.+?)'s count", row.get(column, "")
                )
                if m:
                    subject = f"{row['State']}, turnover by {m.group(3)}'s count, {m.group(2)}"
                    yield Seen(
                        "trade figure (US$ million)",
                        subject,
                        money(m.group(1)),
                        f"_generated/overview: trade table, {column}",
                    )


def unhcr_counts(pages) -> Iterator[Seen]:
    overview = pages.get("_generated/overview")
    if overview is not None:
        for table in overview.tables:
            for row in table["rows"]:
                for head, cell in row.items():
                    m = re.fullmatch(r"(Refugees|Asylum-seekers), end of (\d{4})", head)
                    if m and re.fullmatch(r"[\d,]+", cell):
                        yield Seen(
                            f"UNHCR: {m.group(1).lower()} at the end of the year",
                            f"{row['State']} {m.group(2)}",
                            number(cell),
                            "_generated/overview: UNHCR table",
                        )
    for name, page, _ in _chapters(pages, "repatriation"):
        who = page.glue.get("country_name", "")
        for alt in page.alts:
            if alt.startswith("Column chart") and "UNHCR" in alt:
                for label, values in re.findall(r"(Refugees|Asylum-seekers): ([^.]*)", alt):
                    for year, value in re.findall(r"(\d{4}) ([\d,]+)", values):
                        yield Seen(
                            f"UNHCR: {label.lower()} at the end of the year",
                            f"{who} {year}",
                            number(value),
                            f"{name}: UNHCR chart, alt text",
                        )
        for key, year_key in (("refugees_last", "unhcr_last_year"), ("refugees_first", "unhcr_first_year")):
            if key in page.glue:
                yield Seen(
                    "UNHCR: refugees at the end of the year",
                    f"{who} {page.glue[year_key]}",
                    Number(float(page.glue[key])),
                    f"{name}: glue {key}",
                )


READERS: list[Callable[[dict], Iterable[Seen]]] = [
    glued,
    overview_glance,
    overview_panels,
    refusal_standing,
    stance_alts,
    year_tables,
    turn_dates,
    trade_totals,
    unhcr_counts,
]


def observations(pages) -> list[Seen]:
    return [seen for reader in READERS for seen in reader(pages) if seen.value is not None]


def _agree(a, b) -> bool:
    if isinstance(a, Number) and isinstance(b, Number):
        return a.agrees(b)
    return a == b


def disagreements(seen: list[Seen]) -> list[str]:
    by_fact: dict[tuple[str, str], list[Seen]] = defaultdict(list)
    for s in seen:
        by_fact[(s.fact, s.subject)].append(s)
    problems = []
    for (fact, subject), found in sorted(by_fact.items()):
        if any(not _agree(a.value, b.value) for a in found for b in found):
            places = "; ".join(f"{s.value} ({s.where})" for s in found)
            problems.append(f"{fact}, {subject}: {places}")
    return problems


def test_the_readers_find_the_figures_the_book_repeats(pages):
    """The test would pass vacuously if a reader found nothing: every kind of fact is seen on
    more than one page."""
    seen = observations(pages)
    places = defaultdict(set)
    for s in seen:
        places[s.fact].add(s.where.split(":")[0])
    for fact in (
        "events since the takeover",
        "mean stance since the takeover",
        "events in the year",
        "date of the turn",
        "trade figure (US$ million)",
        "UNHCR: refugees at the end of the year",
    ):
        assert len(places[fact]) >= 2, (fact, places[fact])


def test_every_repeated_figure_is_the_same_on_every_page(pages):
    problems = disagreements(observations(pages))
    assert not problems, "\n" + "\n".join(problems)
