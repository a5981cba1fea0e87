"""The PDF edition: the whole built book in one file, printed offline by Chromium.

`make pdf` builds the book, then runs `python -m amudarya.render.pdf`, which

1. assembles one HTML document from the built pages, in the order of the book's table of
   contents (`render.pdf_document`): a cover, a table of contents, then every chapter's
   article, charts and tables included. Links between pages become links inside the PDF;
2. prints it with Debian's Chromium (the browser the tests drive) through chromedriver and
   DevTools' `Page.printToPDF`: A4, page numbers in the footer, headings as the PDF's outline,
   tagged so that the charts keep their alt text. It prints twice: the first pass tells on which
   page each chapter starts (from the PDF's own link targets), the second writes those numbers
   into the table of contents, whose length does not change between the passes;
3. writes the file to `_build/html/_downloads/pdf/across-the-amu-darya.pdf` and adds a link
   to it on every page of `_build/html`.

Why the link is added afterwards rather than by a template: the PDF is printed from the
built pages, so it exists only after them. A link added by the build would dangle whenever
the PDF has not been made; added by `make pdf` to the same `_build/html` that holds the PDF, it
exists exactly when the file does. A new build replaces `_build/html` wholesale, PDF and
links together, until `make pdf` runs again.

Nothing here fetches anything: pages, images and fonts come from the disk, and Chromium
resolves no host name but the machine's own.
"""

from __future__ import annotations

import base64
import contextlib
import html as htmlmod
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from amudarya.data.tables import project_root
from amudarya.render import edition as editions
from amudarya.render.pdf_document import Chapter, PdfError, assemble, chapters

PDF_NAME = "across-the-amu-darya.pdf"
PDF_DIR = Path("_downloads") / "pdf"
LINK_MARK = "amudarya-pdf-link"  # the class of the link on every page, and what replaces it
# A4 in inches, as DevTools wants it; margins leave room for the page number in the footer.
PAPER = {
    "paperWidth": 8.27,
    "paperHeight": 11.69,
    "marginTop": 0.6,
    "marginBottom": 0.75,
    "marginLeft": 0.65,
    "marginRight": 0.65,
}
# The width the text has on that paper, in CSS pixels (96 per inch): tables are checked at it.
TEXT_WIDTH_PX = round((PAPER["paperWidth"] - PAPER["marginLeft"] - PAPER["marginRight"]) * 96)


# ---------------------------------------------------------------------------
# Printing


@contextlib.contextmanager
def chromium():
    """Headless Chromium under chromedriver, both from Debian (CHROMIUM and CHROMEDRIVER
    point elsewhere), given by path so that Selenium Manager never downloads a browser."""
    # Selenium and pypdf (below) are needed to print the PDF, not to import this module.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver_path = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    missing = [p for p in (binary, driver_path) if not os.access(p, os.X_OK)]
    if missing:
        raise PdfError(
            "the PDF is printed by Chromium, and this machine lacks "
            + ", ".join(missing)
            + ". Install them with `sudo apt-get install -y chromium chromium-driver` "
            "(or run `make pdf` as root, which does), or set CHROMIUM= and CHROMEDRIVER=."
        )
    profile = tempfile.mkdtemp(prefix="amudarya-pdf-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.set_page_load_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


_OVERFLOW_JS = """
const out = [];
for (const t of document.querySelectorAll('table')) {
  const box = t.parentElement.getBoundingClientRect();
  if (t.getBoundingClientRect().width > box.width + 1) {
    const chapter = t.closest('section.chapter');
    const caption = t.querySelector('caption');
    out.push((chapter ? chapter.id : '?') + ': ' + (caption ? caption.innerText : t.innerText.slice(0, 60)));
  }
}
return out;
"""

_IMAGES_JS = "return Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).map(i => i.src);"


def _print(driver, document: Path, final: bool = True) -> bytes:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": TEXT_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.get(document.as_uri())
    broken = driver.execute_script(_IMAGES_JS)
    if broken:
        raise PdfError("images that did not load into the PDF: " + ", ".join(broken))
    wide = driver.execute_script(_OVERFLOW_JS)
    if wide:
        raise PdfError("tables wider than the page: " + "; ".join(wide))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    footer = (
        '<div style="font-size:8pt;width:100%;text-align:center;color:#555;font-family:sans-serif">'
        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
    )
    result = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            **PAPER,
            "printBackground": True,
            "displayHeaderFooter": True,
            "headerTemplate": "<div></div>",
            "footerTemplate": footer,
            # The first pass only counts pages: the outline and the tags (which carry the charts'
            # alt text) do not change the layout, and cost time on a book of a hundred pages.
            "generateDocumentOutline": final,
            "generateTaggedPDF": final,
        },
    )
    return base64.b64decode(result["data"])


def start_pages(pdf: bytes, chs: list[Chapter]) -> dict[str, int]:
    """The page (from 1) on which each chapter starts, read from the PDF's link targets: each
    chapter's section is the target of its entry in the table of contents."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    named = reader.named_destinations
    pages = {}
    for chapter in chs:
        # Chromium names each link target after the element's id, as a PDF name ("/ch-...").
        target = named.get("/" + chapter.anchor, named.get(chapter.anchor))
        if target is None:
            raise PdfError(
                f"the printed PDF has no link target for {chapter.docname!r}; "
                "cannot number its entry in the table of contents"
            )
        pages[chapter.anchor] = reader.get_destination_page_number(target) + 1
    return pages


def make_pdf(root: Path, html_dir: Path, out: Path, ed: editions.Edition | None = None) -> Path:
    """Print the built book in `html_dir` (of the project at `root`) to `out`."""
    from pypdf import PdfReader, PdfWriter

    chs = chapters(root, html_dir)
    ed = ed or editions.edition(root)
    with tempfile.TemporaryDirectory(prefix="amudarya-pdf-") as tmp, chromium() as driver:
        document = Path(tmp) / "book.html"
        document.write_text(assemble(chs, ed), encoding="utf-8")
        first = _print(driver, document, final=False)
        pages = start_pages(first, chs)
        document.write_text(assemble(chs, ed, pages), encoding="utf-8")
        final = _print(driver, document)
    if start_pages(final, chs) != pages:
        raise PdfError("the table of contents changed the page breaks between the two passes")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(final)))
    writer.add_metadata(
        {
            "/Title": ed.title,
            "/Author": " and ".join(ed.authors),
            "/Subject": f"{ed.version_text}; sources up to {ed.sources_to_text}",
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".pdf.partial")
    with partial.open("wb") as handle:
        writer.write(handle)
    partial.replace(out)  # never a half-written PDF where the link points
    return out


# ---------------------------------------------------------------------------
# The link on every page

_LINK_RE = re.compile(r'\s*<p class="' + LINK_MARK + r'">.*?</p>', re.S)
# The link ends the page's article; the search page has none, and gets it at the end of main.
_ANCHORS = ("</article>", "</main>")


def link_pages(html_dir: Path, pdf: Path) -> list[Path]:
    """Add (or refresh) a link to `pdf` at the end of every page's article (or main part);
    returns the pages."""
    from pypdf import PdfReader

    pages_n = len(PdfReader(pdf).pages)
    size = f"{pdf.stat().st_size / 1e6:.1f} MB"
    linked = []
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        anchor = next((a for a in _ANCHORS if a in text), None)
        if anchor is None:
            continue  # not a page of the book (the theme's macro files under _static)
        href = os.path.relpath(pdf, page.parent).replace(os.sep, "/")
        link = (
            f'\n<p class="{LINK_MARK}"><a href="{htmlmod.escape(href)}" download>'
            f"The whole book as a PDF</a> ({pages_n} pages, {size})</p>"
        )
        text = _LINK_RE.sub("", text)
        text = text.replace(anchor, link + anchor, 1)
        page.write_text(text, encoding="utf-8")
        linked.append(page)
    return linked


def publish(root: Path | None = None, html_dir: Path | None = None) -> Path:
    """`make pdf`: print the built book and link every page to the result."""
    root = root or project_root()
    html_dir = html_dir or root / "_build" / "html"
    if not (html_dir / "index.html").is_file():
        raise PdfError(f"{html_dir} holds no built book: run `make book` first")
    out = make_pdf(root, html_dir, html_dir / PDF_DIR / PDF_NAME)
    link_pages(html_dir, out)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]).resolve() if args else None
    try:
        out = publish(root)
    except (PdfError, editions.EditionError) as error:
        print(f"amudarya pdf: {error}", file=sys.stderr)
        return 1
    print(f"pdf: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
