"""Lighthouse on every page of the built book, against the thresholds of issue 16.

    make book && make audit        # or: .venv/bin/python tools/audit.py [HTML_DIR] [--page P ...]

Serves the book on 127.0.0.1, starts the same headless Chromium as the browser tests
(tests/browser.py) and runs Lighthouse (tools/lighthouse, mobile emulation, simulated
throttling) on each page in it. Prints one line per page (scores, kilobytes of the first load,
largest contentful paint) and every shortfall; exits 1 if any page falls short. `make test`
runs the same checks on one page of each kind (tests/test_judges.py). The scores depend on the
machine: other work on its cores slows the page and lowers the performance score.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import browser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", default=str(ROOT / "_build" / "html"), help="the built book")
    parser.add_argument("--page", action="append", help="only this page (repeatable), e.g. index.html")
    parser.add_argument("--json", help="also write every report to this file")
    args = parser.parse_args(argv)

    html = Path(args.html)
    if not (html / "index.html").is_file():
        print(f"audit: no book at {html}; run `make book` first", file=sys.stderr)
        return 2
    missing = browser.missing_tools() + browser.missing_judges()
    if missing:
        print("audit: missing " + ", ".join(missing) + "\n" + browser.JUDGES_HINT, file=sys.stderr)
        return 2
    pages = args.page or browser.book_pages(html)
    with browser.serve(html) as base, browser.chromium() as driver:
        reports = browser.lighthouse_median(driver, [base + page for page in pages])
    failed = 0
    print(f"{'page':<52} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'KB':>6} {'LCP s':>6}")
    for page in pages:
        report = reports.get(base + page) or {"error": "no report"}
        if report.get("error"):
            print(f"{page:<52} {report['error']}")
        else:
            s = report["scores"]
            print(
                f"{page:<52} {s['performance']:>5.2f} {s['accessibility']:>5.2f} {s['best-practices']:>5.2f} "
                f"{s['seo']:>5.2f} {report['bytes'] / 1024:>6.0f} {report['lcp_ms'] / 1000:>6.1f}"
            )
        problems = browser.lighthouse_problems(report)
        failed += bool(problems)
        for problem in problems:
            print(f"    {problem}")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1), encoding="utf-8")
    print(f"audit: {len(pages) - failed} of {len(pages)} pages meet the thresholds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
