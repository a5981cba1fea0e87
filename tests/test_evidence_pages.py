"""The two generated evidence pages in the built book: Sources and Where the sources disagree."""

import csv
import html
import re

import nbformat
import pytest

from amudarya.build.postprocess import glued
from amudarya.domain import disputes


def _page(built_book, name: str) -> str:
    return (built_book / "_build" / "html" / "_generated" / f"{name}.html").read_text(encoding="utf-8")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _glued(built_book, name: str) -> dict:
    return glued(nbformat.read(built_book / "book" / "_generated" / f"{name}.ipynb", as_version=4))


@pytest.fixture(scope="module")
def source_ids(root) -> list[str]:
    with open(root / "data" / "sources.csv", encoding="utf-8", newline="") as handle:
        return [row["source_id"] for row in csv.DictReader(handle)]


def test_both_pages_are_in_the_book_and_its_navigation(built_book):
    index = (built_book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    for name in ("sources", "disputes"):
        assert (built_book / "_build" / "html" / "_generated" / f"{name}.html").is_file()
        assert f'href="_generated/{name}.html"' in index


def test_sources_page_has_one_anchor_per_source(built_book, source_ids):
    anchors = re.findall(r'<tr id="source-([^"]+)"', _page(built_book, "sources"))
    assert len(anchors) == len(source_ids)
    assert sorted(html.unescape(a) for a in anchors) == sorted(source_ids)


def test_sources_page_states_its_counts_from_the_data(built_book, source_ids, package):
    from amudarya.domain import catalogue

    glued = _glued(built_book, "sources")
    assert glued["n_sources"] == len(source_ids)
    assert glued["n_rows"] == catalogue.citation_counts(package)["total"].sum()
    text = _text(_page(built_book, "sources"))
    assert f"those sources: {glued['n_sources']:,d} of them" in re.sub(r"\s+", " ", text)
    assert f"({glued['share_high']:.0%})" in text


def test_every_link_to_a_source_entry_lands_on_one(built_book, source_ids):
    """Chapters and the disputes page link to sources.html#source-<id>; each target exists."""
    targets = set()
    for page in (built_book / "_build" / "html" / "_generated").glob("*.html"):
        targets |= set(re.findall(r'href="sources\.html#source-([^"]+)"', page.read_text(encoding="utf-8")))
    assert targets
    assert {html.unescape(t) for t in targets} <= set(source_ids)


def test_disputes_page_shows_every_dispute_and_each_claims_value(built_book, package):
    page = _page(built_book, "disputes")
    text = _text(page)
    for _, dispute in package["disputes"].iterrows():
        assert f'id="dispute-{dispute["dispute_id"]}"' in page
        assert dispute["subject"] in text
    found = disputes.claims(package)
    for _, claim in found.iterrows():
        section = page.split(f'id="dispute-{claim["dispute_id"]}"', 1)[1].split("</section>", 1)[0]
        # A cell may carry its column's name for the phone's card layout (sphinx_lean).
        assert re.search(rf"<td[^>]*>{re.escape(html.escape(claim['claim'], quote=False))}</td>", section), (
            claim["dispute_id"],
            claim["claim"],
        )


def test_disputes_page_states_its_counts_from_the_data(built_book, package):
    glued = _glued(built_book, "disputes")
    assert glued["n_disputes"] == len(package["disputes"])
    assert glued["n_claims"] == len(disputes.claims(package))
    text = re.sub(r"\s+", " ", _text(_page(built_book, "disputes")))
    assert f"records {glued['n_disputes']:,d} such facts" in text
    assert f"with {glued['n_claims']:,d} claims" in text


def test_disputes_summary_links_each_dispute_to_its_entry_and_says_what_the_book_uses(built_book, package):
    page = _page(built_book, "disputes")
    rows = re.findall(r'<tr><td[^>]*>[^<]*</td><td[^>]*><a href="#dispute-([^"]+)">.*?</tr>', page, flags=re.S)
    assert sorted(html.unescape(r) for r in rows) == sorted(package["disputes"]["dispute_id"])
    preferred = package["disputes"].set_index("dispute_id")["preferred_id"]
    for dispute_id in rows:
        row = re.search(rf'<a href="#dispute-{re.escape(dispute_id)}">.*?</tr>', page, flags=re.S).group(0)
        last_cell = _text(re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[-1])
        assert f'id="dispute-{dispute_id}"' in page
        if preferred.isna()[html.unescape(dispute_id)]:
            assert last_cell == "no side taken", (dispute_id, last_cell)
        else:
            assert last_cell not in {"no side taken", ""}, dispute_id
