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
of the project add are covered without changes here. Registered in _config.yml.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from pathlib import Path

import imagesize
import tinycss2
from bs4 import BeautifulSoup
from sphinx.errors import ExtensionError

# Folders of the built book that hold no pages.
NOT_PAGES = {"_static", "_downloads", "_sources", "_images"}
FONTAWESOME = Path("_static") / "scripts" / "fontawesome.js"
# Font Awesome's style classes: they choose a set of icons and are not needed once drawn.
STYLE_CLASSES = {"fa", "fas", "far", "fab", "fa-solid", "fa-regular", "fa-brands"}
STYLE_PREFIX = {"fas": "fas", "fa-solid": "fas", "fa": "fas", "far": "far", "fa-regular": "far",
                "fab": "fab", "fa-brands": "fab"}
DESCRIPTION_CHARS = 155  # what search engines show of a description


# ---------------------------------------------------------------------------
# Icons


_BUNDLE = re.compile(r'var p=\{(.*?)\};.{0,400}?d\("(fas|far|fab)",p\)', re.S)
_ICON = re.compile(r'(?:"([^"]+)"|([\w$]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*","((?:[^"\\]|\\.)*)"\]')


def font_awesome_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(prefix, name) -> (width, height, SVG path) for every icon and alias in the theme's
    fontawesome.js, for the solid, regular and brands sets."""
    icons = {}
    for bundle in _BUNDLE.finditer(script):
        prefix = bundle.group(2)
        for m in _ICON.finditer(bundle.group(1)):
            name = m.group(1) or m.group(2)
            value = (int(m.group(3)), int(m.group(4)), m.group(6))
            icons[(prefix, name)] = value
            for alias in re.findall(r'"([^"]+)"', m.group(5)):
                icons.setdefault((prefix, alias), value)
    return icons


# Empty <i> or <span> elements with a Font Awesome class: the themes write both.
_ICON_TAG = re.compile(r'<(i|span) class="([^"]*\bfa-[^"]*)"([^>]*)>\s*</\1>')


def inline_icons(page: str, icons: dict, where: str) -> str:
    def svg(m: re.Match) -> str:
        tag, classes, attributes = m.group(1), m.group(2).split(), m.group(3)
        if tag == "span" and not STYLE_CLASSES & set(classes):
            return m.group(0)  # a span that merely has a class beginning with fa-
        prefix = next((STYLE_PREFIX[c] for c in classes if c in STYLE_PREFIX), "fas")
        names = [c[3:] for c in classes if c.startswith("fa-") and c not in STYLE_CLASSES and (prefix, c[3:]) in icons]
        if not names:
            raise ExtensionError(f"{where}: no Font Awesome icon for <{tag} class=\"{m.group(2)}\"> "
                                 f"in the theme's {FONTAWESOME.as_posix()}")
        width, height, path = icons[(prefix, names[0])]
        kept = " ".join(["svg-inline--fa"] + [c for c in classes if c not in STYLE_CLASSES])
        if "aria-hidden" not in attributes:
            attributes += ' aria-hidden="true"'
        return (f'<svg class="{kept}"{attributes} focusable="false" viewBox="0 0 {width} {height}">'
                f'<path fill="currentColor" d="{path}"></path></svg>')

    return _ICON_TAG.sub(svg, page)


# ---------------------------------------------------------------------------
# Scripts, images and the description


_FA_SCRIPT = re.compile(r'\s*<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>')
_HEAD_SCRIPT = re.compile(r'<script ((?:(?!defer)[^>])*?)src="([^"]+)"((?:(?!defer)[^>])*)></script>')
_IMG = re.compile(r'<img ([^>]*?)src="([^"]+)"([^>]*)>')


_SEARCH_SCRIPTS = re.compile(r'\s*<script[^>]*src="[^"]*(?:searchtools|language_data|searchindex)\.js[^"]*"[^>]*></script>')


def drop_search_scripts(page: str) -> str:
    """pydata-sphinx-theme loads the search index (73 KB and growing with the book) and its
    tools on every page for search-as-you-type, which this book does not turn on: its search
    field opens search.html, which loads them itself. Dropped only from pages that say so
    (`DOCUMENTATION_OPTIONS.search_as_you_type = false`)."""
    return _SEARCH_SCRIPTS.sub("", page)


_PRELOAD = re.compile(r'\s*<link rel="preload" as="script"[^>]*>')


def drop_script_preloads(page: str) -> str:
    """pydata-sphinx-theme preloads its two scripts (97 KB) in the head, although they run
    deferred, after the page is drawn: on a phone's bandwidth the preloads compete with the
    stylesheet the first paint waits for (Lighthouse: first paint 2.6 s with them, 1.8 without)."""
    return _PRELOAD.sub("", page)


def defer_scripts(page: str) -> str:
    head, sep, body = page.partition("</head>")

    def defer(m: re.Match) -> str:
        before, src, after = m.groups()
        if "documentation_options.js" in src:
            return m.group(0)
        return f'<script defer {before}src="{src}"{after}></script>'

    return _HEAD_SCRIPT.sub(defer, head) + sep + body


def size_images(page: str, page_path: Path) -> str:
    """Width and height from the image file; `loading="lazy"` on every chart but the first."""
    seen = 0

    def attrs(m: re.Match) -> str:
        nonlocal seen
        before, src, after = m.groups()
        if "/_images/" not in "/" + src and not src.startswith("_images/"):
            return m.group(0)
        seen += 1
        extra = ""
        if "width=" not in before + after:
            width, height = imagesize.get(page_path.parent / html.unescape(src))
            if width > 0:
                extra += f' width="{width}" height="{height}"'
        if seen > 1 and "loading=" not in before + after:
            extra += ' loading="lazy"'
        if "decoding=" not in before + after:
            extra += ' decoding="async"'
        return f"<img {before}src=\"{src}\"{extra}{after}>"

    return _IMG.sub(attrs, page)


_TABLE = re.compile(r'<table class="amudarya-table"[^>]*>.*?</table>', re.S)


def table_cards(page: str) -> str:
    """Tables as cards on a phone (amudarya.css): a reading list of five text columns cannot be
    read as a grid 350 pixels wide. Each cell carries its column's name for the card's label.
    (The explicit table roles that keep a table announced as one once CSS displays its parts
    as blocks are added by amudarya.js: HTML forbids them in the markup.)"""
    def cards(m: re.Match) -> str:
        table = BeautifulSoup(m.group(0), "html.parser").table
        names = [th.get_text().strip() for th in table.select("thead th")]
        for row in table.select("tbody tr"):
            for i, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
                if cell.name == "td" and i < len(names) and names[i]:
                    cell["data-label"] = names[i]
        table["class"] = table.get("class", []) + ["amudarya-cards"]
        return str(table)

    return _TABLE.sub(cards, page)


def description(page: str) -> str:
    """The first words of the page's own text: its opening paragraphs, or, on a page without
    any (the search page, the index), its title."""
    soup = BeautifulSoup(page, "html.parser")
    article = soup.select_one("article.bd-article")
    text = ""
    for p in article.select("p") if article is not None else []:
        if p.find_parent(["nav", "table", "figure", "aside"]) or p.find_parent(class_=["cell_output", "admonition", "data-as-of"]):
            continue
        text = " ".join((text + " " + p.get_text()).split())
        if len(text) >= DESCRIPTION_CHARS:
            break
    if len(text) < 50:
        title = soup.title.get_text() if soup.title else ""
        text = " ".join(f"{title} {text}".split())
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return text


def add_description(page: str) -> str:
    if 'name="description"' in page:
        return page
    meta = f'<meta name="description" content="{html.escape(description(page), quote=True)}" />'
    return page.replace("</title>", "</title>\n    " + meta, 1)


# ---------------------------------------------------------------------------
# CSS that some page uses


_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
# A class or id in a selector; one with an escaped character (`.md\:flex`) keeps its backslash
# and its rule (such names are not looked up).
_CLASS_OR_ID = re.compile(r"[.#](-?(?:[_a-zA-Z]|\\.)(?:[\w-]|\\.)*)")
_NOT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")


def used_tokens(texts) -> set[str]:
    tokens = set()
    for text in texts:
        tokens.update(_TOKEN.findall(text))
    return tokens


def _selector_used(selector: str, tokens: set[str]) -> bool:
    # Only what a selector requires: `:not(.x)` matches where .x is absent.
    names = _CLASS_OR_ID.findall(_NOT.sub("", selector))
    return all("\\" in n or n in tokens for n in names)


def _split_selectors(prelude) -> list[str]:
    text = tinycss2.serialize(prelude)
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _prune_rules(rules, tokens: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split_selectors(rule.prelude) if _selector_used(s, tokens)]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer", "container"} \
                and rule.content is not None:
            inner = _prune_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), tokens)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(rule)  # decided below, once the rules that might use it are known
    return kept


def prune_css(css: str, tokens: set[str]) -> str:
    """The rules of `css` whose selectors can match, given the words of every page and script;
    @font-face and @keyframes only if a kept rule names their font or animation."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept = _prune_rules(rules, tokens)
    text = "".join(r for r in kept if isinstance(r, str))
    used_words = used_tokens([text]) | {w.strip("'\"") for w in re.findall(r"font-family:([^;}]+)", text)}
    out = []
    for rule in kept:
        if isinstance(rule, str):
            out.append(rule)
            continue
        body = tinycss2.serialize(rule.content or [])
        if rule.lower_at_keyword == "font-face":
            family = re.search(r"font-family:\s*['\"]?([^;'\"]+)", body)
            if family and family.group(1).strip() not in text:
                continue
        elif rule.lower_at_keyword.endswith("keyframes"):
            if tinycss2.serialize(rule.prelude).strip() not in used_words:
                continue
        out.append(tinycss2.serialize([rule]))
    return "".join(out)


def custom_properties_pruned(css: str, outside: set[str]) -> str:
    """`css` without the custom properties (`--name: value`) that no rule reads with var() and
    no page or script names; a property read only by one left out goes too. The theme declares
    about 800, for colours of components this book does not have."""
    while True:
        declared = set(_CUSTOM.findall(css))
        read = set(_VAR.findall(css)) | (declared & outside)
        unread = declared - read
        if not unread:
            break
        css = _DECLARATION.sub(lambda m, unread=unread: "" if m.group(2) in unread else m.group(0), css)
    while True:
        emptied = _EMPTY_RULE.sub("", css)
        if emptied == css:
            return css
        css = emptied


_CUSTOM = re.compile(r"(?<=[{;])\s*(--[\w-]+)\s*:")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")
_DECLARATION = re.compile(r"(?<=[{;])(\s*(--[\w-]+)\s*:[^;{}]*(?:;|(?=})))")
_EMPTY_RULE = re.compile(r"(?<=[{}])[^{}@;]+\{\s*\}|@media[^{}]*\{\s*\}")


# Scripts and styles that serve one kind of element, and the class that marks it: a page
# without such an element does not load them.
ONLY_WITH = {
    "highlight": ("clipboard.min.js", "copybutton.js", "copybutton.css"),  # code blocks
    "toggle": ("togglebutton.js", "togglebutton.css"),
    "sd-tab-set": ("design-tabs.js",),
}
_CLASSES = re.compile(r'class="([^"]*)"')


def drop_unused_kinds(page: str) -> str:
    head, sep, body = page.partition("</head>")
    classes = {c for value in _CLASSES.findall(body) for c in value.split()}
    if "admonition" in classes and "dropdown" in classes:
        classes.add("toggle")  # togglebutton also opens dropdown admonitions
    for kind, files in ONLY_WITH.items():
        if not any(c == kind or c.startswith(kind + "-") for c in classes):
            for name in files:
                head = re.sub(r'\s*<(?:script|link)\b[^>]*(?:src|href)="[^"]*\b' + re.escape(name) + r'(?:\?[^"]*)?"[^>]*>(?:</script>)?',
                              "", head)
    return head + sep + body


BUNDLE = Path("_static") / "styles" / "amudarya-bundle.css"
_STYLESHEET = re.compile(r'\s*<link\b(?=[^>]*\brel="stylesheet")[^>]*\bhref="([^"?#]+)[^"]*"[^>]*>')
_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?([^"')]+)["']?\)?\s*;""")
_URL = re.compile(r"""url\(\s*(["']?)(?!data:|https?:|/|#)([^"')]+)\1\s*\)""")


def stylesheets(page: str) -> list[str]:
    head = page.partition("</head>")[0]
    return _STYLESHEET.findall(head)


def link_bundle(page: str, href: str) -> str:
    """The page with its stylesheet links replaced by one link to the bundle, where the first was."""
    head, sep, body = page.partition("</head>")
    first = _STYLESHEET.search(head)
    if first is None:
        return page
    rest = _STYLESHEET.sub("", head[first.start():])
    return f'{head[:first.start()]}\n    <link rel="stylesheet" href="{href}" />{rest}{sep}{body}'


def _rebased(css: str, source: Path, target_dir: Path) -> str:
    """url(...) in a file at `source` rewritten to hold from a file in `target_dir`."""
    def rebase(m: re.Match) -> str:
        path = os.path.relpath((source.parent / m.group(2)).resolve(), target_dir.resolve())
        return f'url("{Path(path).as_posix()}")'

    return _URL.sub(rebase, css)


def bundle_text(files: list[Path], outdir: Path, originals: Path, static_dirs: list[Path]) -> str:
    """The stylesheets in the order pages link them, each as shipped, imports in place."""
    target_dir = (outdir / BUNDLE).parent
    parts = []
    for css in files:
        text = original_css(css, outdir, originals, static_dirs)

        def imported(m: re.Match, css=css) -> str:
            inner = (css.parent / m.group(1)).resolve()
            return _rebased(original_css(inner, outdir, originals, static_dirs), inner, target_dir) if inner.is_file() else ""

        text = _IMPORT.sub(imported, text)
        parts.append(_rebased(text.replace('@charset "UTF-8";', ""), css, target_dir))
    return "".join(parts)


# ---------------------------------------------------------------------------


def pages_of(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.rglob("*.html") if not NOT_PAGES & set(p.relative_to(outdir).parts[:-1]))


_LINKED = re.compile(r'<(?:link[^>]*href|script[^>]*src)="([^"?#]+)')


PRUNED = "\n/* Pruned by amudarya.render.sphinx_lean: only the rules some page of the book can use. */\n"


def original_css(css: Path, outdir: Path, originals: Path, static_dirs: list[Path] = ()) -> str:
    """The file as the theme or extension shipped it. Sphinx copies static files again only
    when they differ from its source, so a file pruned by an earlier build may still be there;
    pruning that again would lose rules that a page added since needs. Each pristine copy is
    kept in `originals` (outside the book) and pruning always starts from it."""
    text = css.read_text(encoding="utf-8")
    kept = originals / css.relative_to(outdir)
    # A build in which no page changed does not copy static files again: the book's own
    # (html_static_path) are read from their source, which may have changed since.
    relative = css.relative_to(outdir / "_static") if css.is_relative_to(outdir / "_static") else None
    source = next((d / relative for d in static_dirs if relative and (d / relative).is_file()), None)
    if source is not None:
        text = source.read_text(encoding="utf-8")
    if not text.endswith(PRUNED):
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(text, encoding="utf-8")
        return text
    if not kept.is_file():
        raise ExtensionError(f"{css}: pruned by an earlier build, and its original is not in {originals}; "
                             "delete the build folder and build again")
    return kept.read_text(encoding="utf-8")


def lean(outdir: Path, originals: Path, static_dirs: list[Path] = ()) -> None:
    script = outdir / FONTAWESOME
    icons = font_awesome_icons(script.read_text(encoding="utf-8")) if script.is_file() else {}
    pages = {}
    order_file = originals / "stylesheets.txt"
    order = order_file.read_text(encoding="utf-8").split() if order_file.is_file() else []
    written = {}  # each page as Sphinx (or an earlier build) left it
    for path in pages_of(outdir):
        page = written[path] = path.read_text(encoding="utf-8")
        where = path.relative_to(outdir).as_posix()
        page_name = where.removesuffix(".html")
        new = inline_icons(_FA_SCRIPT.sub("", page), icons, where)
        if page_name != "search" and "DOCUMENTATION_OPTIONS.search_as_you_type = false" in new:
            new = drop_search_scripts(new)
        new = add_description(size_images(defer_scripts(drop_script_preloads(drop_unused_kinds(table_cards(new)))), path))
        # The stylesheets, in the order pages link them, as paths in the book; a page Sphinx did
        # not write again in this build links the bundle already.
        for href in stylesheets(new):
            linked = (path.parent / href).resolve().relative_to(outdir.resolve()).as_posix()
            if linked != BUNDLE.as_posix() and linked not in order:
                order.append(linked)
        pages[path] = new
    # What the pages load, by file in the book.
    linked = {(path.parent / href).resolve() for path, page in pages.items() for href in _LINKED.findall(page)
              if not href.startswith(("http:", "https:", "data:"))}
    scripts = [p.read_text(encoding="utf-8") for p in linked if p.suffix == ".js" and p.is_file()]
    tokens = used_tokens(list(pages.values()) + scripts)
    files = [outdir / name for name in order if (outdir / name).is_file()]
    css = prune_css(bundle_text(files, outdir, originals, static_dirs), tokens)
    css = custom_properties_pruned(css, tokens) + PRUNED
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


def _build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static_dirs = [Path(app.confdir) / d for d in app.config.html_static_path]
        lean(Path(app.outdir), Path(app.doctreedir) / "amudarya-css-originals", static_dirs)


def setup(app):
    # After the themes' own handlers: pydata-sphinx-theme writes pygments.css at build-finished.
    app.connect("build-finished", _build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
