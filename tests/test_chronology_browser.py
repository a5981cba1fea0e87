"""The chronology's filter in a real browser: choosing a state shows only its entries, the
context choice only the context, "All" everything, with nothing loaded from the network.
Uses tests/browser.py's helpers; the page is the one the session's book build produced."""

from __future__ import annotations

import pytest

import browser


@pytest.fixture(scope="module")
def page(built_book):
    missing = browser.missing_tools()
    if missing:
        pytest.fail("missing for the browser tests: " + ", ".join(missing) + "\n" + browser.INSTALL_HINT, pytrace=False)
    html = built_book / "_build" / "html"
    with browser.serve(html) as url, browser.chromium() as driver:
        yield driver, url + "_generated/chronology.html"


COUNT = "return [...document.querySelectorAll('li[data-group]')].filter(li => !li.hidden).length"


def test_filter_shows_one_group_at_a_time(page):
    driver, url = page
    report = browser.audit(driver, url, axe=False)
    assert not report.external_requests, report.external_requests
    assert not report.console, report.console
    browser.wait_for(driver, "document.querySelector('.chronology-filter input')", what="the filter")
    total = driver.execute_script("return document.querySelectorAll('li[data-group]').length")
    assert driver.execute_script(COUNT) == total > 0
    kaz = driver.execute_script("return document.querySelectorAll('li[data-group=\"KAZ\"]').length")
    driver.find_element("id", "chronology-filter-KAZ").click()
    assert driver.execute_script(COUNT) == kaz > 0
    assert driver.execute_script(
        "return [...document.querySelectorAll('li[data-group]')].filter(li => !li.hidden)"
        ".every(li => li.dataset.group === 'KAZ')"
    )
    context = driver.execute_script("return document.querySelectorAll('li[data-group=\"context\"]').length")
    driver.find_element("id", "chronology-filter-context").click()
    assert driver.execute_script(COUNT) == context > 0
    driver.find_element("id", "chronology-filter-all").click()
    assert driver.execute_script(COUNT) == total
    assert f"{total} of {total}" in driver.find_element("css selector", ".chronology-status").text
