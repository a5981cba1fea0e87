"""The PDF edition, printed from the book this test session built: a cover that says which
edition it is, a table of contents whose page numbers are right, every chapter and every chart,
a sane number of pages, and a link to it on every page once it exists (and none before).

Read back with pypdf. Like the browser tests, these need Debian's Chromium and chromedriver
(`make test` installs them as root) and fail, never skip, without them.
"""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from amudarya.render import edition, pdf


def _text(s: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", s).replace("\u00ad", "").split())


@pytest.fixture(scope="module")
def printed(built_book, tmp_path_factory):
    """A copy of the built book's HTML, printed and linked as `make pdf` does."""
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not shutil.which(p)]
    if missing:
        pytest.fail("the PDF is printed by Chromium; missing: " + ", ".join(missing))
    html = tmp_path_factory.mktemp("pdf") / "html"
    shutil.copytree(built_book / "_build" / "html", html)
    out = pdf.publish(built_book, html)
    return html, out


@pytest.fixture(scope="module")
def reader(printed):
    from pypdf import PdfReader

    return PdfReader(printed[1])


@pytest.fixture(scope="module")
def page_texts(reader) -> list[str]:
    return [_text(p.extract_text() or "") for p in reader.pages]


@pytest.fixture(scope="module")
def chapters(built_book, printed):
    html, _ = printed
    found = []
    for chapter in pdf.chapters(built_book, html):
        soup = BeautifulSoup(chapter.html.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article", class_="bd-article")
        title = _text(article.find("h1").get_text(" ", strip=True).replace("#", ""))
        charts = [img for img in article.find_all("img") if "_images/" in img.get("src", "")]
        found.append((chapter, title, charts))
    return found


def test_cover_says_which_edition(built_book, page_texts, package):
    ed = edition.edition(built_book, package)
    cover = page_texts[0]
    assert ed.title in cover
    assert f"Sources up to {ed.sources_to_text}" in cover
    assert ed.built_text in cover
    # The copy a test builds has no git history, and the cover says so rather than inventing one.
    assert "unversioned copy (no git history)" in cover


def test_every_chapter_is_in_the_pdf_where_the_contents_say(chapters, page_texts):
    contents = page_texts[1]
    assert contents.startswith("Contents")
    for _chapter, title, _ in chapters:
        entry = re.search(re.escape(title) + r"\s*(\d+)", contents)
        assert entry, f"{title!r} is not in the table of contents"
        start = int(entry.group(1))
        assert title in page_texts[start - 1], f"{title!r} does not start on page {start}, as the contents say"


def test_every_chart_is_in_the_pdf(chapters, reader, printed):
    from PIL import Image

    html, _ = printed
    wanted = []
    for chapter, _, charts in chapters:
        for img in charts:
            with Image.open((chapter.html.parent / img["src"]).resolve()) as image:
                wanted.append(image.size)
    assert wanted, "the book has charts; none were found in its pages"
    # The sizes as the PDF declares them (inside forms too), without decoding every image.
    printed_sizes = []

    def walk(resources):
        for ref in ((resources or {}).get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                printed_sizes.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    for size in set(wanted):
        assert printed_sizes.count(size) >= wanted.count(size), f"a chart of {size} px is missing from the PDF"


def test_every_chart_keeps_its_alt_text_in_the_pdf(chapters, reader):
    """The PDF is tagged: each chart's alt text, written from the data, travels with it."""
    alts = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif hasattr(node, "get"):
            if "/Alt" in node:
                alts.append(_text(str(node["/Alt"])))
            kids = node.get("/K")
            if kids is not None and not isinstance(kids, int):
                walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    for chapter, _, charts in chapters:
        for img in charts:
            assert _text(img["alt"]) in alts, f"{chapter.docname}: a chart's alt text is not in the PDF"


def test_page_count_is_sane(reader, chapters):
    n = len(reader.pages)
    # A cover, the contents, and each chapter on pages of its own; a chapter of more than 40
    # pages would mean something (a table, an image) broke the layout.
    assert len(chapters) + 2 <= n <= 40 * len(chapters), n
    assert reader.outline, "the PDF has no outline (bookmarks)"


def test_every_page_links_to_the_pdf_once_it_exists(printed, built_book):
    html, out = printed
    pages = [p for p in html.rglob("*.html") if "</main>" in p.read_text(encoding="utf-8")]
    assert {"index.html", "search.html", "cite.html"} <= {p.name for p in pages}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = soup.select(f"p.{pdf.LINK_MARK} a")
        assert len(links) == 1, page
        assert (page.parent / links[0]["href"]).resolve() == out.resolve()
    # The book as built has no such link: it appears only with the file it points to.
    for page in (built_book / "_build" / "html").rglob("*.html"):
        assert pdf.LINK_MARK not in page.read_text(encoding="utf-8"), page


def test_a_second_run_replaces_the_link(printed):
    html, out = printed
    pdf.link_pages(html, out)
    index = (html / "index.html").read_text(encoding="utf-8")
    assert index.count(pdf.LINK_MARK) == 1


def test_no_book_no_pdf(tmp_path):
    with pytest.raises(pdf.PdfError, match="run `make book` first"):
        pdf.publish(tmp_path, tmp_path / "html")
    assert not (tmp_path / "html").exists()


# ---------------------------------------------------------------------------
# How to cite: the block on the book's page, generated at build time


def test_how_to_cite_page_gives_version_and_newest_source(built_book, package):
    ed = edition.edition(built_book, package)
    page = BeautifulSoup((built_book / "_build" / "html" / "cite.html").read_text(encoding="utf-8"), "html.parser")
    text = _text(page.find("article").get_text(" "))
    assert ed.reference() in text
    assert f"sources up to {ed.sources_to_text}" in text
    bibtex = page.find("article").find("pre").get_text()
    assert bibtex.startswith("@misc{") and f"Sources up to {ed.sources_to_text}" in bibtex
    # "Data as of" is the chapters' line (the latest dated row about their states), another
    # date: the edition's newest source never goes by that name.
    assert "as of" not in text.lower()


def test_sources_up_to_is_the_newest_source():
    import pandas as pd

    sources = pd.DataFrame({"published": ["2025-12-17", "2025-12", "2024", None]})
    as_of, text = edition.sources_to(sources)
    # A month counts from its last day: "December 2025" is newer than 17 December 2025.
    assert (as_of, text) == (pd.Timestamp("2025-12-31"), "December 2025")
    with pytest.raises(edition.EditionError, match="no row has a `published` date"):
        edition.sources_to(pd.DataFrame({"published": [None]}))


def test_version_is_the_commit_in_a_clone_and_none_without_git(root, tmp_path):
    import subprocess

    expected = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    assert expected[:7] in edition.version(root)
    assert edition.version(tmp_path) is None


def test_citation_file_is_required(tmp_path):
    with pytest.raises(edition.EditionError, match="CITATION.cff is missing"):
        edition.citation(tmp_path)
    (tmp_path / "CITATION.cff").write_text("cff-version: 1.2.0\ntitle: x\n", encoding="utf-8")
    with pytest.raises(edition.EditionError, match="`authors` is missing"):
        edition.citation(tmp_path)


def test_a_table_wider_than_the_page_is_an_error(tmp_path):
    """The check that tables fit can fail: a cell of one unbreakable word too long for A4."""
    import datetime as dt

    import pandas as pd

    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_toc.yml").write_text("root: index\n", encoding="utf-8")
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text(
        '<html><body><article class="bd-article"><h1>Wide</h1><table><caption>too wide</caption>'
        f"<tr><td>{'W' * 400}</td></tr></table></article></body></html>",
        encoding="utf-8",
    )
    ed = edition.Edition(
        title="T",
        subtitle="",
        authors=["A"],
        version=None,
        sources_to=pd.Timestamp("2026-01-01"),
        sources_to_text="1 January 2026",
        built=dt.date(2026, 1, 2),
    )
    with pytest.raises(pdf.PdfError, match="tables wider than the page: ch-index: too wide"):
        pdf.make_pdf(tmp_path, html, tmp_path / "out.pdf", ed)
    assert not (tmp_path / "out.pdf").exists()
