"""Full-page screenshots of every page of the built book, at desktop and phone widths.

    make book && make screenshots        # or: .venv/bin/python tools/screenshots.py [HTML_DIR]

Writes _build/screenshots/<width>/<page>.png (1280 and 390 CSS pixels wide) and prints each
path, so a person (or a session with an image viewer) can look at what a reader sees. Uses the
same headless Chromium set-up as the browser tests (tests/browser.py), over a local server on
127.0.0.1. Nothing here asserts anything; the checks are in tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import browser  # noqa: E402

WIDTHS = {"desktop-1280": browser.DESKTOP, "phone-390": browser.PHONE}
# Besides every page: the search page with results, which only a query shows.
EXTRA = ["search.html?q=Kazakhstan"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", default=str(ROOT / "_build" / "html"), help="the built book")
    parser.add_argument("--out", default=str(ROOT / "_build" / "screenshots"), help="where the PNGs go")
    parser.add_argument("--page", action="append", help="only this page (repeatable), e.g. index.html")
    args = parser.parse_args(argv)

    html = Path(args.html)
    if not (html / "index.html").is_file():
        print(f"screenshots: no book at {html}; run `make book` first", file=sys.stderr)
        return 2
    missing = browser.missing_tools()
    if missing:
        print("screenshots: missing " + ", ".join(missing) + "\n" + browser.INSTALL_HINT, file=sys.stderr)
        return 2
    pages = args.page or browser.book_pages(html) + EXTRA
    out = Path(args.out)
    with browser.serve(html) as base, browser.chromium() as driver:
        for name, size in WIDTHS.items():
            browser.set_width(driver, size)
            for page in pages:
                driver.get(base + page)
                browser.wait_until_loaded(driver)
                if page.startswith("search.html?"):
                    browser.search_results(driver)
                stem = page.replace("/", "__").replace(".html?q=", "-").removesuffix(".html")
                path = out / name / f"{stem}.png"
                browser.screenshot(driver, path, size)
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
