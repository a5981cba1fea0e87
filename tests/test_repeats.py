"""Template prose: a paragraph that reads the same on many pages belongs on one page.

Caveats, "how to read" notes and rules of counting are said once, on the Method and codebook
page, and the chapters link there. This test reads every page of the session's built book,
masks what legitimately differs from run to run (numbers, dates, the names of states, their
adjectives and their kin) and counts the paragraphs that are left the same on three or more
pages. A handful of short shared lines (a heading's lead-in such as "The figures in this chapter
come from:") is allowed; a repeated caveat is not.

Set AMUDARYA_BUILT_BOOK to a project folder with a built book to read that book instead.
"""

from __future__ import annotations

import csv
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

from amudarya.build.postprocess import GLUE_PREFIX, postprocess
from bookfacts import MONTHS, load

MOST_PAGES = 3  # a paragraph on this many pages or more is repeated
ALLOWED = 5  # how many such paragraphs the book may have


def names(root: Path) -> list[str]:
    """Every word the data use for a state: its name, and the words for its people and kin."""
    with (root / "data" / "countries.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    words = {w for row in rows for w in (row["name"], row["kin_name"], row["kin_adjective"]) if w}
    # The adjectives of states: Kazakh, Kyrgyz, Tajik, Turkmen, Uzbek, Afghan.
    words |= {re.sub(r"(istan|stan)$", "", row["name"]) for row in rows if row["name"].endswith("stan")}
    return sorted(words, key=len, reverse=True)


def masker(root: Path):
    states = re.compile(r"\b(?:" + "|".join(map(re.escape, names(root))) + r")\w*(?:['’]s)?")
    months = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
    digits = re.compile(r"[+−\-–]?\d[\d,.]*%?")

    def mask(text: str) -> str:
        text = states.sub("STATE", text)
        text = months.sub("MONTH", text)
        return digits.sub("N", text)

    return mask


def prose(page) -> list[str]:
    """The page's paragraphs of running text: not table cells, list items, captions or the footer."""
    return [
        re.sub(r"\s+", " ", p.get_text(" ")).strip()
        for p in page.main.find_all("p")
        if not p.find_parent(["table", "li", "figcaption", "caption", "dl", "footer"])
    ]


def repeated(pages: dict, mask) -> dict[str, list[str]]:
    """Masked paragraph -> the pages it appears on, for those on MOST_PAGES pages or more."""
    where = defaultdict(set)
    for name, page in pages.items():
        for paragraph in prose(page):
            if len(paragraph.split()) >= 6:
                where[mask(paragraph)].add(name)
    return {text: sorted(on) for text, on in where.items() if len(on) >= MOST_PAGES}


@pytest.fixture(scope="module")
def pages(request):
    given = os.environ.get("AMUDARYA_BUILT_BOOK")
    project = Path(given) if given else request.getfixturevalue("built_book")
    return load(project)


def test_the_mask_makes_runs_of_one_template_alike(root):
    mask = masker(root)
    assert mask("Kazakhstan sold goods worth US$ 12.5 million in March 2023.") == mask(
        "Uzbekistan's sold goods worth US$ 1,040 million in June 2022."
    )
    assert mask("The Kyrgyz offer") == mask("The Tajik offer")
    assert mask("the stance is a reading") != mask("the stance is a measurement")


def test_few_paragraphs_repeat_across_pages(pages, root):
    assert len(pages) >= 10
    found = repeated(pages, masker(root))
    report = "\n".join(
        f"- on {len(on)} pages ({', '.join(on[:4])}{', …' if len(on) > 4 else ''}): {text[:160]}"
        for text, on in sorted(found.items(), key=lambda kv: -len(kv[1]))
    )
    assert len(found) <= ALLOWED, (
        f"{len(found)} paragraphs repeat on {MOST_PAGES} or more pages (at most {ALLOWED} may); "
        f"say it once on the Method and codebook page and link there:\n{report}"
    )


def test_sentences_shown_on_their_own_conditions_join_into_one_paragraph():
    """`continues` joins a kept Markdown cell to the one before it; a dropped cell leaves no gap."""
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    def flag(key, value):
        return {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": key}},
            "data": {GLUE_PREFIX + "text/plain": repr(value)},
        }

    nb = new_notebook(
        cells=[
            nbformat.v4.new_code_cell("", outputs=[flag("shown", True), flag("hidden", False)]),
            new_markdown_cell("## The answer"),
            new_markdown_cell("First sentence.", metadata={"tags": ["continues"]}),
            new_markdown_cell("Not this one.", metadata={"tags": ["if:hidden", "continues"]}),
            new_markdown_cell("Second sentence.", metadata={"tags": ["if:shown", "continues"]}),
            nbformat.v4.new_code_cell("show_table()"),
            new_markdown_cell("After a table, a paragraph of its own.", metadata={"tags": ["continues"]}),
        ]
    )
    postprocess(nb)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown == ["## The answer\n\nFirst sentence. Second sentence.", "After a table, a paragraph of its own."]
