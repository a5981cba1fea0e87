"""Outside judges of the built book: Lighthouse and the Nu HTML Checker.

Lighthouse (tools/lighthouse, 12.2.3: the last major that runs on Node 20) tests one page of
each kind that the book's table of contents has (home, each notebook's first chapter, every
Markdown page), in the browser the other browser tests drive, over the local server: mobile
emulation with Lighthouse's default simulated throttling. Each must score at least 0.9 for
performance, 1 for accessibility and best practices and 0.95 for SEO, and load at most 600 KB
on a first visit (issue 16); a page that falls short is measured three times and judged by the
median (`browser.lighthouse_median`). `make audit` applies the same thresholds to every page.
Its performance score times the page's scripts on this machine, so those tests are marked
`quiet`: the other test worker waits while they run (tests/conftest.py).

The Nu HTML Checker (tools/vnu, run with Java) reads every page of the book at once and must
find no error. axe-core's audit of every page, at any impact, is in test_browser.py.

The last tests give each judge a page broken on purpose, so a judge that could not fail would
show up here.
"""

from __future__ import annotations

import pytest
import yaml

import browser


@pytest.fixture(scope="session")
def judges():
    missing = browser.missing_judges()
    if missing:
        pytest.fail("missing for the outside judges: " + ", ".join(missing) + "\n" + browser.JUDGES_HINT, pytrace=False)


@pytest.fixture(scope="session")
def kinds(built_book, html) -> dict[str, str]:
    toc = yaml.safe_load((built_book / "book" / "_toc.yml").read_text(encoding="utf-8"))
    found = browser.page_kinds(toc)
    # The book as the run matrix has it today; pages added later join by kind.
    assert {"home", "overview", "policy", "repatriation", "refusal", "trade", "disputes", "sources"} <= set(found)
    missing = [page for page in found.values() if not (html / page).is_file()]
    assert not missing, f"pages in the table of contents but not in the book: {missing}"
    return found


@pytest.fixture(scope="session")
def lighthouse_reports(judges, base_url, kinds) -> dict[str, dict]:
    # A browser of its own, as `make audit` starts: by now the session's browser has held every
    # page of the book at three widths, and a first visit on a phone is what is measured.
    with browser.chromium() as fresh:
        reports = browser.lighthouse_median(fresh, [base_url + page for page in kinds.values()])
    return {kind: reports.get(base_url + page, {"error": "no report"}) for kind, page in kinds.items()}


@pytest.mark.quiet
def test_lighthouse_every_kind_of_page_is_fast_accessible_and_findable(lighthouse_reports):
    problems = [
        f"{kind}: {p}" for kind, report in lighthouse_reports.items() for p in browser.lighthouse_problems(report)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.quiet
def test_lighthouse_tested_the_pages_themselves(lighthouse_reports, kinds):
    """Scores of pages that did not load would mean nothing: each report is of the page asked
    for, which loaded its text and nothing from another machine."""
    for kind, report in lighthouse_reports.items():
        assert not report.get("error"), (kind, report.get("error"))
        urls = [url for url, _, _ in report["requests"]]
        assert urls and urls[0].endswith(kinds[kind]), (kind, urls[:3])
        assert all(browser.is_local(url) for url in urls), (kind, [u for u in urls if not browser.is_local(u)])


def test_every_page_is_valid_html(judges, html):
    pages = [html / page for page in browser.book_pages(html)]
    assert len(pages) > 10
    errors = browser.validate_html(pages)
    assert not errors, "\n".join(
        f"{e.get('url', '').rsplit('/html/', 1)[-1]}:{e.get('lastLine')}: {e.get('message')}" for e in errors
    )


# ---------------------------------------------------------------------------
# The judges on a page broken on purpose

BROKEN_PAGE = """<!DOCTYPE html>
<html><head><title>Broken</title></head><body>
<p><span><div>A block inside an inline element.</div></span></p>
<img src="big.png">
<table><tr><td rowspan="x">bad attribute</td></tr></table>
</body></html>
"""


@pytest.fixture(scope="module")
def broken_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("judged")
    (folder / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    # An image of 700 KB that the page loads at once: more than a first load may weigh.
    import os

    from PIL import Image

    Image.frombytes("RGB", (500, 500), os.urandom(500 * 500 * 3)).save(folder / "big.png")
    return folder


def test_vnu_finds_errors_in_a_broken_page(judges, broken_folder):
    errors = browser.validate_html([broken_folder / "broken.html"])
    messages = " ".join(e["message"] for e in errors)
    assert "alt" in messages and "rowspan" in messages


def test_lighthouse_fails_a_heavy_page_without_description_or_alt(judges, driver, broken_folder):
    with browser.serve(broken_folder) as url:
        report = browser.lighthouse(driver, [url + "broken.html"])[url + "broken.html"]
    problems = " ".join(browser.lighthouse_problems(report))
    assert "first load" in problems and "big.png" in problems
    assert "meta-description" in problems and "image-alt" in problems and "html-has-lang" in problems


# ---------------------------------------------------------------------------
# What amudarya.render.sphinx_lean did to the built pages, page by page


def test_pages_draw_icons_inline_and_load_no_icon_script(html):
    import re

    icon_font = re.compile(r'class="(?:[^"]*\s)?(fa|fas|far|fab|fa-solid|fa-regular|fa-brands)(?:\s[^"]*)?"')
    for page in browser.book_pages(html):
        text = (html / page).read_text(encoding="utf-8")
        assert "fontawesome.js" not in text and not icon_font.search(text), page
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "svg-inline--fa fa-magnifying-glass" in index and "svg-inline--fa fa-bars" in index
    assert not (html / "_static" / "scripts" / "fontawesome.js").exists()


def test_every_page_has_a_description_from_its_own_text(html):
    from bs4 import BeautifulSoup

    seen = set()
    for page in browser.book_pages(html):
        soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
        meta = soup.select('meta[name="description"]')
        assert len(meta) == 1, page
        text = meta[0]["content"]
        assert 20 <= len(text) <= 160, (page, text)
        body = " ".join(soup.get_text().split())
        assert text.rstrip("…")[:40] in body, (page, text)
        seen.add(text)
    assert len(seen) == len(browser.book_pages(html)), "two pages share a description"


def test_charts_are_sized_and_all_but_the_first_load_lazily(html):
    import re

    checked = 0
    for page in browser.book_pages(html):
        charts = re.findall(r"<img [^>]*_images/[^>]*>", (html / page).read_text(encoding="utf-8"))
        for i, tag in enumerate(charts):
            assert re.search(r'width="\d+" height="\d+"', tag), (page, tag[-200:])
            assert ('loading="lazy"' in tag) == (i > 0), (page, i)
            checked += 1
    assert checked > 5


def test_every_page_links_one_pruned_stylesheet_and_only_the_scripts_its_elements_need(html):
    import re

    from amudarya.render.lean_css import BUNDLE

    css = (html / BUNDLE).read_text(encoding="utf-8")
    assert len(css) < 120_000  # 0.4 MB in eleven files as the themes ship them
    assert "@import" not in css and ".fa-" + "stroopwafel" not in css  # an icon no page shows
    assert ".bd-sidebar-primary" in css and ".show" in css  # the layout; a class bootstrap.js adds
    assert "table.amudarya-cards" in css and "--pst-color-primary:" in css
    assert "--bs-purple:" not in css  # a colour no kept rule reads
    copy_button = set()
    for page in browser.book_pages(html):
        text = (html / page).read_text(encoding="utf-8")
        head = text.partition("</head>")[0]
        assert len(re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', head)) == 1, page
        assert "amudarya-bundle.css?v=" in head, page
        if "copybutton.js" in head:
            copy_button.add(page)
        assert ("copybutton.js" in head) == ('class="highlight' in text), page
        assert "togglebutton.js" not in head or 'class="toggle' in text, page
    assert "cite.html" in copy_button  # the BibTeX block can be copied


def test_css_pruning_keeps_every_rule_a_used_class_can_match():
    from amudarya.render.lean_css import prune_css

    css = (
        "@charset \"UTF-8\";.a:hover{color:red}.b::before{content:'x'}.zz{color:blue}.a:not(.zz){margin:0}"
        ".a .zz,.b{padding:0}@media (max-width:5px){.zz{top:0}.a{top:1px}}@media print{.zz{top:0}}"
        "@font-face{font-family:Gone;src:url(g.woff2)}@font-face{font-family:Kept;src:url(k.woff2)}"
        ".b{font-family:Kept;animation:spin 1s}@keyframes spin{to{opacity:0}}@keyframes unused{to{opacity:1}}"
    )
    out = prune_css(css, {"a", "b"})
    for kept in (
        '@charset "UTF-8";',
        ".a:hover{",
        ".b::before{",
        ".a:not(.zz){",
        ".b{padding",
        "@media (max-width:5px){.a{",
        "font-family:Kept;src",
        "@keyframes spin",
    ):
        assert kept in out, kept
    for dropped in (".zz{", ".a .zz", "@media print", "Gone", "unused"):
        assert dropped not in out, dropped
