"""A scan of every built page, its text and its charts' alt text, for the slips generated prose
makes when it is assembled rather than written: a count that does not agree with its noun or
verb ("1 events", "1 are neutral"), a month with the preposition of a day ("on March 2022"), a
missing value printed as "nan", "None" or "NaT", and money padded with digits the source never
gave ("US$ 1,700.0 million", "0.900").

Set AMUDARYA_BUILT_BOOK to a project folder with a built book to scan that book instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bookfacts import MONTHS, load

NOUNS = (
    "event|claim|row|source|figure|death|state|year|month|day|account|dispute|agreement|country|group|panel"
    "|house|famil|person|refusal|move|chapter|step|turn"
)

SLIPS = {
    "a count of one with a plural noun": re.compile(rf"(?<![\d.,\-–+−])\b1 (?:more )?(?:{NOUNS})(?:s|ies)\b"),
    "a count of one with a plural verb": re.compile(r"(?<![\d.,\-–+−])\b1 (?:are|were|have|lean|belong)\b"),
    # Years (2024 agreement) are not counts: two or three digits, or thousands with a comma.
    "a plural count with a singular noun": re.compile(
        rf"(?<![\d.,\-–+−])\b(?:[02-9]|[1-9]\d{{1,2}}|\d{{1,3}}(?:,\d{{3}})+) (?:{NOUNS})\b(?![-'’])"
    ),
    "a month or year with 'on'": re.compile(r"\bon (?:" + "|".join(MONTHS) + r") \d{4}\b|\bon \d{4}\b(?! (?:and|to))"),
    "a missing value in the text": re.compile(r"\b(?:nan|NaN|None|NaT)\b|<NA>"),
    "money padded to a thousand millions": re.compile(r"\d,\d{3}(?:\.\d+)? million"),
    "a number padded with zeros": re.compile(r"(?<![\d.])\d+\.\d0{2,}\b"),
}


@pytest.fixture(scope="module")
def pages(request):
    given = os.environ.get("AMUDARYA_BUILT_BOOK")
    project = Path(given) if given else request.getfixturevalue("built_book")
    return load(project)


def scan(pages) -> list[str]:
    found = []
    for name, page in pages.items():
        for where, text in [("text", page.text)] + [("alt text", alt) for alt in page.alts]:
            for slip, pattern in SLIPS.items():
                for m in pattern.finditer(text):
                    context = text[max(0, m.start() - 50) : m.end() + 30]
                    found.append(f"{name} ({where}): {slip}: …{context}…")
    return found


def test_the_scan_reads_every_page_and_its_alt_text(pages):
    assert len(pages) >= 10
    assert sum(len(p.alts) for p in pages.values()) >= 10
    # The patterns catch what they are for.
    assert SLIPS["a count of one with a plural noun"].search("(1 events, 1 claims)")
    assert SLIPS["a count of one with a plural verb"].search("and 1 are neutral")
    assert SLIPS["a month or year with 'on'"].search("first accredited on March 2022")
    assert SLIPS["money padded to a thousand millions"].search("about US$ 1,700.0 million")
    assert SLIPS["a number padded with zeros"].search("Bars 0.900 and")
    assert not SLIPS["a count of one with a plural noun"].search("1 event, 21 events, 2.1 events")


def test_no_page_has_a_generated_slip(pages):
    found = scan(pages)
    assert not found, "\n" + "\n".join(found)


def test_an_introduction_promises_only_sections_the_page_has(pages):
    """A chapter's opening paragraph names what it goes on to read; each of those sections is there."""
    promises = {
        "the goals the governments announced": "Goals announced",
        "the other side's own count": "The other side's count",
        "the figures over the years": "The figures over the years",
    }
    broken = []
    for name, page in pages.items():
        if not page.paragraphs:
            continue
        opening = next((p for p in page.paragraphs if len(p) > 150), "")
        headings = {h.get_text(" ", strip=True).rstrip("#").strip() for h in page.main.find_all(["h2", "h3"])}
        for words, heading in promises.items():
            if words in opening and not any(h.startswith(heading) for h in headings):
                broken.append(f"{name}: promises '{words}' but has no section '{heading}'")
    assert not broken, "\n" + "\n".join(broken)
