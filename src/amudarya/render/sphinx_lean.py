"""Sphinx extension: pages that load fast on a phone, and say what they are about.

Lighthouse (mobile) found each page of the book loading 2.5 MB, most of it the theme's: a
1.5 MB Font Awesome script that turns a dozen `<i class="fa-...">` tags into SVG icons, and
0.4 MB of CSS of which nearly all went unused. When the HTML build has finished, this rewrites
what it wrote:

- each `<i class="fa-...">` (or `<span>`) becomes the inline SVG the script would have made, its path taken
  from the theme's own copy of that script (Font Awesome Free, icons under CC BY 4.0); the
  script is no longer loaded, and the build fails on an icon the script does not have;
- each CSS file a page links to keeps only the rules whose classes and ids occur in some page
  or in a script the pages load (the way PurgeCSS decides, so classes that scripts add later,
  such as a dialog's `show`, are kept), and the fonts and animations those rules still use;
- the CSS files a page links to become one file (`_static/styles/amudarya-bundle.css`: one
  request where there were eleven, one of them chained by an `@import`), custom properties no
  kept rule reads left out;
- scripts that serve one kind of element (the copy button of code blocks, toggles, tabs) are
  loaded only by pages that have one;
- scripts in the head are deferred, except Sphinx's options script, which inline scripts read
  as the page is parsed, and the theme's preloads of its deferred scripts are dropped;
- charts get their width and height (no layout shift when they arrive) and every chart after a
  page's first is loaded lazily, when the reader scrolls near it;
- tables from publish.show_table get, in the HTML, what amudarya.css needs to show each row
  as a card on a phone (each cell's column name and the class), work a script did on every
  page load, after the page was laid out;
- each page gets a meta description: the opening words of its own text.

Everything is recomputed from all pages at every build, so pages and scripts that other parts
of the project add are covered without changes here. Registered in _config.yml. What is done to
each page on its own is in `lean_pages`, the CSS in `lean_css`; this module puts them together.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from amudarya.render.lean_css import (
    BUNDLE,
    PRUNED,
    bundle_text,
    custom_properties_pruned,
    link_bundle,
    prune_css,
    stylesheets,
    used_tokens,
)
from amudarya.render.lean_pages import FONTAWESOME, font_awesome_icons, lean_page

# Folders of the built book that hold no pages.
NOT_PAGES = {"_static", "_downloads", "_sources", "_images"}
_LINKED = re.compile(r'<(?:link[^>]*href|script[^>]*src)="([^"?#]+)')


def pages_of(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.rglob("*.html") if not NOT_PAGES & set(p.relative_to(outdir).parts[:-1]))


def lean(outdir: Path, originals: Path, static_dirs: list[Path] = ()) -> None:
    script = outdir / FONTAWESOME
    icons = font_awesome_icons(script.read_text(encoding="utf-8")) if script.is_file() else {}
    pages = {}
    order_file = originals / "stylesheets.txt"
    order = order_file.read_text(encoding="utf-8").split() if order_file.is_file() else []
    written = {}  # each page as Sphinx (or an earlier build) left it
    for path in pages_of(outdir):
        page = written[path] = path.read_text(encoding="utf-8")
        new = lean_page(page, path, icons, path.relative_to(outdir).as_posix())
        # The stylesheets, in the order pages link them, as paths in the book; a page Sphinx did
        # not write again in this build links the bundle already.
        for href in stylesheets(new):
            linked = (path.parent / href).resolve().relative_to(outdir.resolve()).as_posix()
            if linked != BUNDLE.as_posix() and linked not in order:
                order.append(linked)
        pages[path] = new
    css = _bundle_css(outdir, originals, static_dirs, pages, order)
    bundle = outdir / BUNDLE
    bundle.write_text(css, encoding="utf-8")
    order_file.parent.mkdir(parents=True, exist_ok=True)
    order_file.write_text("\n".join(order), encoding="utf-8")
    version = hashlib.sha256(css.encode()).hexdigest()[:12]
    for path, page in pages.items():
        href = Path(os.path.relpath(bundle, path.parent)).as_posix() + f"?v={version}"
        new = link_bundle(page, href)
        if new != written[path]:
            path.write_text(new, encoding="utf-8")
    for leftover in (script, script.with_name(script.name + ".map")):
        leftover.unlink(missing_ok=True)


def _bundle_css(outdir: Path, originals: Path, static_dirs, pages: dict[Path, str], order: list[str]) -> str:
    """The one stylesheet of every page, pruned to what the pages and the scripts they load use."""
    linked = {
        (path.parent / href).resolve()
        for path, page in pages.items()
        for href in _LINKED.findall(page)
        if not href.startswith(("http:", "https:", "data:"))
    }
    scripts = [p.read_text(encoding="utf-8") for p in linked if p.suffix == ".js" and p.is_file()]
    tokens = used_tokens(list(pages.values()) + scripts)
    files = [outdir / name for name in order if (outdir / name).is_file()]
    css = prune_css(bundle_text(files, outdir, originals, static_dirs), tokens)
    return custom_properties_pruned(css, tokens) + PRUNED


def _build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static_dirs = [Path(app.confdir) / d for d in app.config.html_static_path]
        lean(Path(app.outdir), Path(app.doctreedir) / "amudarya-css-originals", static_dirs)


def setup(app):
    # After the themes' own handlers: pydata-sphinx-theme writes pygments.css at build-finished.
    app.connect("build-finished", _build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
