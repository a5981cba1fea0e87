"""The one HTML document the PDF edition is printed from (`render.pdf` prints it).

The built pages, in the order of the book's table of contents, become one document: a cover
(title, edition date, version and the publication date of the newest source, and how to cite
it), a table of contents, then every chapter's article, charts and tables included, down to
the list of sources and the "How to cite" page. Links between pages become links inside the
document; links to files next to the HTML (downloads) keep their text only. Nothing is fetched:
images are referred to by their paths on the disk.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from amudarya.render import edition as editions


class PdfError(RuntimeError):
    """The PDF could not be made; the message says what is missing or what did not fit."""


@dataclass(frozen=True)
class Chapter:
    docname: str  # as in the toc: "index", "_generated/overview", "cite"
    part: str | None  # the part's caption; None for the root page
    html: Path

    @property
    def anchor(self) -> str:
        return "ch-" + re.sub(r"[^a-z0-9]+", "-", self.docname.lower()).strip("-")


def chapters(root: Path, html_dir: Path) -> list[Chapter]:
    """The book's pages in reading order, from the toc the build wrote (book/_toc.yml)."""
    toc_path = root / "book" / "_toc.yml"
    if not toc_path.is_file():
        raise PdfError(f"{toc_path} is missing: build the book first (`make book`)")
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    entries = [(str(toc["root"]), None)]
    for part in toc.get("parts", []):
        entries += [(str(c["file"]), part.get("caption")) for c in part.get("chapters", [])]
    found = []
    for docname, part in entries:
        page = html_dir / f"{docname}.html"
        if not page.is_file():
            raise PdfError(
                f"{page} is missing: the toc lists {docname!r} but the built book has no such page; "
                "run `make book` again"
            )
        found.append(Chapter(docname, part, page))
    return found


PRINT_CSS = """
@page { size: A4; }
html { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.45; color: #111;
       font-variant-ligatures: none; /* text copied or searched in the PDF reads "fi", not a ligature */ }
body { margin: 0; }
h1, h2, h3, h4, .cover, .toc, caption, th { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }
h1 { font-size: 20pt; line-height: 1.2; margin: 0 0 0.6em; }
h2 { font-size: 14pt; margin: 1.2em 0 0.4em; break-after: avoid; }
h3 { font-size: 12pt; margin: 1em 0 0.3em; break-after: avoid; }
p, li { orphans: 3; widows: 3; }
a { color: #0b4f8a; text-decoration: none; }
.chapter { break-before: page; }
.part-title { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 9pt; letter-spacing: 0.08em;
              text-transform: uppercase; color: #555; margin: 0 0 0.4em; }
img { max-width: 100%; height: auto; display: block; margin: 0.6em auto; break-inside: avoid; }
/* Tables fit the text width: words stay whole, but a link (an address, a long title) may
   break anywhere, which is what lets a table of sources narrow to the page. */
table { width: 100%; border-collapse: collapse; font-size: 8pt; line-height: 1.3; margin: 0.8em 0; }
th, td { border-bottom: 0.5pt solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; hyphens: auto; }
td a, td code { overflow-wrap: anywhere; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
caption { caption-side: top; text-align: left; font-weight: bold; font-size: 9pt; padding-bottom: 3pt; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 8.5pt; background: #f4f4f4; padding: 6pt; }
blockquote { margin: 0.6em 1.5em; }
.cover { height: 9.6in; display: flex; flex-direction: column; justify-content: center; }
.cover h1 { font-size: 30pt; margin-bottom: 0.2em; }
.cover .subtitle { font-size: 13pt; color: #333; margin: 0 0 2em; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 4pt 14pt; font-size: 11pt; }
.cover dt { color: #555; }
.cover dd { margin: 0; }
.cover .cite { margin-top: 2.5em; font-size: 9.5pt; }
.toc { break-before: page; }
.toc h2 { font-size: 9.5pt; text-transform: uppercase; letter-spacing: 0.08em; color: #555; margin: 1.1em 0 0.3em; }
.toc ol { list-style: none; margin: 0; padding: 0; }
.toc li { display: flex; align-items: baseline; margin: 0.2em 0; }
.toc li a { color: #111; }
.toc li .dots { flex: 1; border-bottom: 1pt dotted #999; margin: 0 0.4em; }
.toc li .page { font-variant-numeric: tabular-nums; min-width: 2.5em; text-align: right; }
"""

# Parts of a built page that mean nothing on paper: heading permalinks, buttons and scripts.
DROP = [
    "script",
    "style",
    "button",
    "form",
    "nav",
    "a.headerlink",
    ".toggle-details",
    ".copybtn",
    "#searchbox",
    ".prev-next-area",
]


def _title(article) -> str:
    h1 = article.find("h1")
    if h1 is None:
        raise PdfError("a built page has no heading (h1) to title its chapter")
    return " ".join(h1.get_text(" ", strip=True).replace("#", "").split())


def _article(chapter: Chapter, by_page: dict[Path, Chapter]):
    """The chapter's article, made to stand inside the one document: ids prefixed with the
    chapter's anchor, links between pages pointing inside it, images by absolute path."""
    soup = BeautifulSoup(chapter.html.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article", class_="bd-article") or soup.find("main")
    if article is None:
        raise PdfError(f"{chapter.html}: no article element; is this a page of the built book?")
    for selector in DROP:
        for node in article.select(selector):
            node.decompose()
    prefix = chapter.anchor + "--"
    for node in article.find_all(id=True):
        node["id"] = prefix + node["id"]
    for img in article.find_all("img"):
        src = img.get("src", "")
        if src and not re.match(r"^[a-z]+:", src):
            img["src"] = (chapter.html.parent / src).resolve().as_uri()
        img.attrs.pop("loading", None)  # every image must be there when Chromium prints
    for link in article.find_all("a", href=True):
        href = link["href"]
        if re.match(r"^(https?|mailto):", href):
            continue
        path, _, fragment = href.partition("#")
        if not path:
            link["href"] = "#" + prefix + fragment if fragment else "#" + chapter.anchor
            continue
        target = by_page.get((chapter.html.parent / path).resolve())
        if target is None:
            link.unwrap()  # a download or a file beside the HTML: not in the PDF
        else:
            link["href"] = "#" + (target.anchor + "--" + fragment if fragment else target.anchor)
    return article


def assemble(chs: list[Chapter], ed: editions.Edition, pages: dict[str, int] | None = None) -> str:
    """The whole book as one HTML document; `pages` gives each chapter's first page for the
    table of contents (None on the first pass: placeholders of the same width)."""
    by_page = {c.html.resolve(): c for c in chs}
    articles = [(c, _article(c, by_page)) for c in chs]
    e = htmlmod.escape
    cover = (
        f'<section class="cover"><h1>{e(ed.title)}</h1>'
        f'<p class="subtitle">{e(ed.subtitle)}</p>'
        "<dl>"
        f"<dt>Edition</dt><dd>{e(ed.built_text)}</dd>"
        f"<dt>Version</dt><dd>{e(ed.version or 'unversioned copy (no git history)')}</dd>"
        f"<dt>Sources up to</dt><dd>{e(ed.sources_to_text)} (the newest source in the data package)</dd>"
        f"<dt>Authors</dt><dd>{e(' and '.join(ed.authors))}</dd>"
        "</dl>"
        f'<p class="cite"><strong>How to cite:</strong> {e(ed.reference())}</p></section>'
    )
    toc = ['<section class="toc"><h1>Contents</h1>']
    groups: list[tuple[str | None, list]] = []
    for chapter, article in articles:
        if not groups or groups[-1][0] != chapter.part:
            groups.append((chapter.part, []))
        groups[-1][1].append((chapter, article))
    for part, members in groups:
        toc.append((f"<h2>{e(part)}</h2>" if part else "") + "<ol>")
        for chapter, article in members:
            number = str(pages[chapter.anchor]) if pages else "000"
            toc.append(
                f'<li><a href="#{chapter.anchor}">{e(_title(article))}</a><span class="dots"></span>'
                f'<span class="page">{number}</span></li>'
            )
        toc.append("</ol>")
    toc.append("</section>")
    body = []
    for chapter, article in articles:
        caption = f'<p class="part-title">{e(chapter.part)}</p>' if chapter.part else ""
        body.append(f'<section class="chapter" id="{chapter.anchor}">{caption}{article.decode_contents()}</section>')
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(ed.title)}</title>'
        f"<style>{PRINT_CSS}</style></head><body>{cover}{''.join(toc)}{''.join(body)}</body></html>"
    )
