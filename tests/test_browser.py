"""The built book in a real browser: Debian's Chromium, headless, driven by Selenium.

One browser for the whole session opens every page of the freshly built book (the
`built_book` fixture), served from 127.0.0.1 at a desktop and a phone width and opened from
disk as the README tells readers to, and checks what a reader would meet: the page renders,
the console has no errors, no request leaves the machine, every image has alt text, chapters
offer downloads that exist, the search finds country names, the theme's buttons work, and
axe-core finds no accessibility problem of any impact. The pages are whatever the book
has, so new chapters are checked without changing this file.

The last tests run the same checks on a page broken on purpose, so that a check that could not
fail would show up here.

Nothing is skipped: without Chromium, chromedriver or axe-core these tests fail and say how
to install them (`make test` does it when run as root).
"""

from __future__ import annotations

import csv
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import browser

BOOK_TITLE = "Across the Amu Darya"
TRADE_PAGE = "_generated/trade__partner-AFG__reporter-KAZ.html"
WIDTHS = {"desktop": browser.DESKTOP, "phone": browser.PHONE}
# Words that mean a missing value leaked from pandas or JavaScript into the text.
MISSING_VALUE = re.compile(r"\b(nan|NaN|NaT|null|undefined)\b|<NA>")


# ---------------------------------------------------------------------------
# Fixtures: one browser, one server and one pass over the pages per session


# The browser (`driver`), the built book (`html`) and its server (`base_url`) are in
# conftest.py: tests/test_judges.py runs Lighthouse in the same browser.


@pytest.fixture(scope="session")
def pages(html) -> list[str]:
    found = browser.book_pages(html)
    # The pass below must cover the book, not an empty folder.
    assert {"index.html", "search.html", TRADE_PAGE} <= set(found), found
    return found


@pytest.fixture(scope="session")
def reports(driver, base_url, html, pages) -> dict[tuple[str, str], browser.PageReport]:
    """Every page at each width over http with axe, and at desktop width from disk (file://),
    which is how the README tells a reader to open the book. Keyed by (how, page)."""
    found = {}
    for name, size in WIDTHS.items():
        browser.set_width(driver, size)
        for page in pages:
            found[(name, page)] = browser.audit(driver, base_url + page)
    browser.set_width(driver, browser.DESKTOP)
    for page in pages:
        found[("file", page)] = browser.audit(driver, (html / page).as_uri(), axe=False)
    return found


def _problems(reports, what) -> list[str]:
    return [f"[{how}] {page}: {problem}" for (how, page), r in reports.items() for problem in what(r)]


@pytest.fixture(scope="session")
def country_codes(root) -> set[str]:
    """ISO codes a reader should see as names: the five states and Afghanistan, and every
    country the data package describes."""
    with open(root / "data" / "countries.csv", newline="", encoding="utf-8") as f:
        codes = {row["iso3"] for row in csv.DictReader(f)}
    return codes | {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"}


# ---------------------------------------------------------------------------
# Every page


def test_every_page_renders_with_a_title_a_heading_and_text(reports):
    def problems(r):
        if not r.title.endswith(BOOK_TITLE):
            yield f"title {r.title!r} does not end with the book's title"
        if not any(r.h1):
            yield "no visible level-one heading"
        if len(r.text.split()) < 5:
            yield f"almost no text in the main part: {r.text!r}"

    assert not _problems(reports, problems)


def test_no_console_errors_on_any_page(reports):
    assert not _problems(reports, lambda r: r.console)


def test_no_request_leaves_the_machine(reports):
    # Each page did load its theme from the book itself, so the log was recorded at all.
    assert all(len(r.requests) >= 5 for r in reports.values())
    assert not _problems(reports, lambda r: r.external_requests)


def test_every_image_has_alt_text_and_loads(reports):
    assert not _problems(reports, lambda r: r.images_without_alt + [f"did not load: {s}" for s in r.broken_images])


def test_no_page_scrolls_sideways_as_a_whole(reports):
    """Wide things (tables, charts on a phone) scroll inside their own box, not the page."""
    assert not _problems(reports, lambda r: [f"the page is {r.overflow}px too wide"] if r.overflow > 1 else [])


def test_charts_are_shown_wide_enough_to_read(reports):
    """Charts are drawn 7.5 inches wide with 10-point labels: shown narrower than about 540
    CSS pixels their labels fall below 10 pixels (on a phone they were 6)."""

    def problems(r):
        for img in r.images:
            wanted = min(540, img["natural_width"])
            if img in r.charts and img["visible"] and img["width"] < wanted - 1:
                yield f"{img['src']} shown {img['width']:.0f}px wide"

    assert not _problems(reports, problems)


def test_charts_have_alt_text_written_from_the_data(reports):
    """Charts are the PNGs Sphinx puts in _images/; their alt text is a sentence with numbers."""
    charts = [(page, img) for (how, page), r in reports.items() if how == "desktop" for img in r.charts]
    assert any(page == TRADE_PAGE for page, _ in charts)
    bad = [
        f"{page}: {img['alt']!r}"
        for page, img in charts
        if len((img["alt"] or "").split()) < 6 or not re.search(r"\d", img["alt"] or "")
    ]
    assert not bad
    trade_alts = [img["alt"] for page, img in charts if page == TRADE_PAGE]
    assert any("US$ million" in alt and re.search(r"\b(Flour|Wheat flour) \d", alt) for alt in trade_alts)


def test_no_missing_values_or_raw_country_codes_in_the_text(reports, country_codes):
    codes = re.compile(r"\b(" + "|".join(sorted(country_codes)) + r")\b")

    def problems(r):
        for pattern in (MISSING_VALUE, codes):
            for match in pattern.finditer(r.text):
                yield f"{match.group(0)!r} in ...{r.text[max(0, match.start() - 40) : match.end() + 40]!r}..."

    assert not _problems({k: r for k, r in reports.items() if k[0] == "desktop"}, problems)


def test_no_accessibility_violation_of_any_impact(reports):
    assert not _problems({k: r for k, r in reports.items() if k[0] != "file"}, lambda r: r.axe_violations())


# ---------------------------------------------------------------------------
# Downloads


def _local_path(href: str, html: Path) -> Path | None:
    """The file in the built book that a link on a page served from it (or opened from disk)
    leads to; None for links that leave the book (sources on the web)."""
    parts = urlsplit(href)
    if not browser.is_local(href) or parts.scheme not in {"http", "file"}:
        return None
    path = Path(unquote(parts.path)) if parts.scheme == "file" else html / unquote(parts.path).lstrip("/")
    return path / "index.html" if path.is_dir() else path


def _download_problems(report: browser.PageReport, html: Path) -> list[str]:
    """Download links whose file is missing from the built book or, over http, not served."""
    problems = []
    for href in report.downloads:
        parts = urlsplit(href)
        path = _local_path(href, html)
        if path is None or not path.is_file() or path.stat().st_size == 0:
            problems.append(f"{href}: no such file in the book")
            continue
        if parts.scheme == "http":
            # Straight to 127.0.0.1, never through a proxy from the environment.
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(href, timeout=10) as response:
                if response.status != 200 or response.read() != path.read_bytes():
                    problems.append(f"{href}: served as {response.status}, not the file")
    return problems


def _chapters_missing_downloads(reports) -> list[str]:
    """A page built from a notebook (under _generated/) that shows a chart or a table must
    offer the rows as CSV and the executed notebook (publish.offer_downloads). A chapter whose
    data hold nothing yet shows neither, and has nothing to offer."""
    problems = []
    for (how, page), r in sorted(reports.items()):
        if how != "desktop" or not page.startswith("_generated/") or not (r.charts or r.tables):
            continue
        names = [unquote(h.rsplit("/", 1)[-1]) for h in r.downloads]
        if not any(n.endswith(".csv") for n in names):
            problems.append(f"{page} shows data but offers no CSV: {names}")
        if not any(n.endswith(".ipynb") for n in names):
            problems.append(f"{page} shows data but does not offer its notebook: {names}")
    return problems


def test_every_chapter_that_shows_data_offers_it_and_its_notebook(reports):
    trade = reports[("desktop", TRADE_PAGE)]
    assert trade.charts and trade.tables  # the rule below applies to it
    assert not _chapters_missing_downloads(reports)


def test_every_download_link_works(reports, html):
    assert sum(len(r.downloads) for r in reports.values()) >= 3
    problems = [
        f"[{how}] {page}: {p}"
        for (how, page), r in reports.items()
        if how in {"desktop", "file"}
        for p in _download_problems(r, html)
    ]
    assert not problems


def test_every_link_within_the_book_leads_to_a_file_that_exists(reports, html):
    """Navigation, next/previous, the theme's download menu: a link to a page or file of the
    book must find it. Links to sources elsewhere are not followed."""

    def problems(r):
        for href in r.links:
            path = _local_path(href, html)
            if path is not None and not path.is_file():
                yield f"link to {href}: no such file"

    assert sum(len(r.links) for r in reports.values()) > 20
    assert not _problems({k: r for k, r in reports.items() if k[0] in {"desktop", "file"}}, problems)


# ---------------------------------------------------------------------------
# Search


def test_typing_a_country_into_the_search_finds_its_chapter(driver, base_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_width(driver, browser.DESKTOP)
    driver.get(base_url + "index.html")
    browser.wait_until_loaded(driver)
    browser.visible(driver, ".search-button__button")[0].click()
    field = driver.find_element(By.CSS_SELECTOR, "#pst-search-dialog input[name=q]")
    field.send_keys("Kazakhstan", Keys.ENTER)
    state = browser.search_results(driver)
    assert urlsplit(driver.current_url).path.endswith("/search.html")
    assert "found" in state["summary"]
    assert any(url.split("#")[0].endswith(TRADE_PAGE) for url in state["results"]), state


def test_search_results_with_their_summaries_fit_a_phone(driver, base_url):
    """Served over http, each result quotes a summary of its page; the bibliography's holds web
    addresses that are one long word, which made the whole results page twice a phone's width."""
    browser.set_width(driver, browser.PHONE)
    driver.get(base_url + "search.html?q=Kazakhstan")
    browser.search_results(driver)
    browser.wait_until_loaded(driver)  # the summaries are fetched page by page after the list
    assert driver.execute_script("return document.querySelectorAll('#search-results p.context').length") > 0
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the search results page scrolls {overflow} px sideways on a phone"


def test_search_works_from_disk_and_finds_nothing_for_nonsense(driver, html):
    browser.set_width(driver, browser.DESKTOP)
    report = browser.audit(driver, (html / "search.html").as_uri() + "?q=Uzbekistan", axe=False)
    state = browser.search_results(driver)
    assert any(url.split("#")[0].endswith("/index.html") for url in state["results"]), state
    # Result summaries, if the page fetched any, fail within moments; an absence cannot be
    # waited for, so this one wait is a fixed time.
    time.sleep(0.5)
    assert not report.console + [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    driver.get((html / "search.html").as_uri() + "?q=Qzxjvwk")
    state = browser.search_results(driver)
    assert state["results"] == [] and "did not match" in state["summary"]


# ---------------------------------------------------------------------------
# The theme's controls: they work, and stay accessible once opened


def _open(driver, url, size):
    browser.set_width(driver, size)
    driver.get(url)
    browser.wait_until_loaded(driver)


def _serious(violations) -> list[str]:
    return browser.PageReport(url="", axe=violations).serious_axe()


@pytest.mark.parametrize(
    "toggle, dialog",
    [("primary-toggle", "pst-primary-sidebar-modal"), ("secondary-toggle", "pst-secondary-sidebar-modal")],
)
def test_phone_navigation_buttons_open_their_drawers(driver, base_url, toggle, dialog):
    _open(driver, base_url + TRADE_PAGE, browser.PHONE)
    buttons = browser.visible(driver, "." + toggle)
    assert len(buttons) == 1
    buttons[0].click()
    browser.wait_for(driver, f"document.getElementById('{dialog}').open", what=f"the {toggle} drawer to open")
    links = driver.execute_script(f"return document.getElementById('{dialog}').querySelectorAll('a[href]').length")
    assert links >= 2
    assert not _serious(browser.run_axe(driver))


def test_desktop_sidebar_button_folds_the_sidebar(driver, base_url):
    _open(driver, base_url + TRADE_PAGE, browser.DESKTOP)
    assert browser.visible(driver, "#pst-primary-sidebar .bd-docs-nav")
    browser.visible(driver, ".primary-toggle")[0].click()
    browser.wait_for(
        driver,
        "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility === 'hidden'",
        what="the sidebar to fold away",
    )
    assert not browser.visible(driver, "#pst-primary-sidebar .bd-docs-nav")


def test_search_dialog_is_accessible_when_open(driver, base_url):
    _open(driver, base_url + "index.html", browser.DESKTOP)
    browser.visible(driver, ".search-button__button")[0].click()
    browser.wait_for(driver, "document.getElementById('pst-search-dialog').open", what="the search dialog")
    assert not _serious(browser.run_axe(driver))


def test_colour_mode_button_says_the_mode_and_dark_mode_is_accessible(driver, base_url):
    _open(driver, base_url + TRADE_PAGE, browser.DESKTOP)
    driver.execute_script("localStorage.clear()")
    seen = []
    try:
        for _ in range(3):
            mode = driver.execute_script("return document.documentElement.dataset.mode")
            label = browser.visible(driver, ".theme-switch-button")[0].get_attribute("aria-label")
            seen.append(mode)
            assert label.startswith("Colour mode: ")
            if mode == "dark":
                assert not _serious(browser.run_axe(driver))
            browser.visible(driver, ".theme-switch-button")[0].click()
            browser.wait_for(driver, f"document.documentElement.dataset.mode !== '{mode}'", what="the mode to change")
        assert "dark" in seen and len(set(seen)) == 3
    finally:
        driver.execute_script("localStorage.clear()")


# ---------------------------------------------------------------------------
# The checks themselves, on a page broken on purpose

BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Broken — Across the Amu Darya</title>
<script src="https://cdn.example.invalid/tracker.js"></script>
<link rel="stylesheet" href="//fonts.example.invalid/font.css">
</head><body><main>
<h1>A broken page</h1>
<p>Trade with KGZ was nan in 2021, see <a href="https://example.invalid/source">the source</a>.</p>
<img src="chart.png">
<img src="_images/abc123.png" alt="abc123.png">
<button aria-label="Search">Search Ctrl+K</button>
<a class="download" download href="_downloads/missing.csv">missing.csv</a>
<div style="width: 2000px">A box wider than any screen.</div>
<script>console.error("something broke");</script>
</main></body></html>
"""


@pytest.fixture(scope="module")
def broken(driver, tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken")
    (folder / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    with browser.serve(folder) as url:
        browser.set_width(driver, browser.DESKTOP)
        yield browser.audit(driver, url + "broken.html"), folder


def test_checker_sees_requests_that_leave_the_machine(broken):
    report, _ = broken
    external = report.external_requests
    assert "https://cdn.example.invalid/tracker.js" in external
    assert any(u.startswith("http://fonts.example.invalid/") for u in external)
    # A link to a source is not a load.
    assert not any("example.invalid/source" in u for u in report.requests)


def test_checker_sees_console_errors_and_images_without_alt(broken):
    report, _ = broken
    assert any("something broke" in line for line in report.console)
    bad = report.images_without_alt
    assert any("chart.png (alt=None)" in b for b in bad)
    assert any("alt='abc123.png'" in b for b in bad)


def test_checker_sees_axe_violations(broken):
    report, _ = broken
    found = {line.split(" ", 1)[0] for line in report.serious_axe()}
    assert {"image-alt", "label-content-name-mismatch"} <= found


def test_checker_sees_missing_values_codes_overflow_and_broken_downloads(broken):
    report, folder = broken
    assert report.overflow > 500
    assert MISSING_VALUE.search(report.text)
    assert re.search(r"\bKGZ\b", report.text)
    assert _download_problems(report, folder)
    assert [h for h in report.links if _local_path(h, folder) and not _local_path(h, folder).is_file()]


def test_checker_sees_a_chapter_that_offers_no_downloads(reports):
    import dataclasses

    trade = reports[("desktop", TRADE_PAGE)]
    stripped = dataclasses.replace(trade, downloads=[h for h in trade.downloads if not h.endswith(".ipynb")])
    assert _chapters_missing_downloads({("desktop", TRADE_PAGE): stripped}) == [
        f"{TRADE_PAGE} shows data but does not offer its notebook: ['trade.csv', 'sources.csv']"
    ]
