"""What `sphinx_lean` does to each page on its own: Font Awesome icons drawn as inline SVG,
scripts deferred or left out where nothing on the page needs them, charts sized and loaded
lazily, tables made into cards for a phone, and a meta description from the page's own text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import imagesize
from bs4 import BeautifulSoup
from sphinx.errors import ExtensionError

FONTAWESOME = Path("_static") / "scripts" / "fontawesome.js"
# Font Awesome's style classes: they choose a set of icons and are not needed once drawn.
STYLE_CLASSES = {"fa", "fas", "far", "fab", "fa-solid", "fa-regular", "fa-brands"}
STYLE_PREFIX = {
    "fas": "fas",
    "fa-solid": "fas",
    "fa": "fas",
    "far": "far",
    "fa-regular": "far",
    "fab": "fab",
    "fa-brands": "fab",
}
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
            raise ExtensionError(
                f'{where}: no Font Awesome icon for <{tag} class="{m.group(2)}"> '
                f"in the theme's {FONTAWESOME.as_posix()}"
            )
        width, height, path = icons[(prefix, names[0])]
        kept = " ".join(["svg-inline--fa"] + [c for c in classes if c not in STYLE_CLASSES])
        if "aria-hidden" not in attributes:
            attributes += ' aria-hidden="true"'
        return (
            f'<svg class="{kept}"{attributes} focusable="false" viewBox="0 0 {width} {height}">'
            f'<path fill="currentColor" d="{path}"></path></svg>'
        )

    return _ICON_TAG.sub(svg, page)


# ---------------------------------------------------------------------------
# Scripts, images and the description


_FA_SCRIPT = re.compile(r'\s*<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>')
_HEAD_SCRIPT = re.compile(r'<script ((?:(?!defer)[^>])*?)src="([^"]+)"((?:(?!defer)[^>])*)></script>')
_IMG = re.compile(r'<img ([^>]*?)src="([^"]+)"([^>]*)>')


_SEARCH_SCRIPTS = re.compile(
    r'\s*<script[^>]*src="[^"]*(?:searchtools|language_data|searchindex)\.js[^"]*"[^>]*></script>'
)


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
        return f'<img {before}src="{src}"{extra}{after}>'

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
        if p.find_parent(["nav", "table", "figure", "aside"]) or p.find_parent(
            class_=["cell_output", "admonition", "data-as-of"]
        ):
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
                head = re.sub(
                    r'\s*<(?:script|link)\b[^>]*(?:src|href)="[^"]*\b'
                    + re.escape(name)
                    + r'(?:\?[^"]*)?"[^>]*>(?:</script>)?',
                    "",
                    head,
                )
    return head + sep + body


def lean_page(page: str, path: Path, icons: dict, where: str) -> str:
    """The page as the book publishes it, but for its stylesheets (`lean_css`): `where` is its
    path in the book, for messages."""
    new = inline_icons(_FA_SCRIPT.sub("", page), icons, where)
    if where.removesuffix(".html") != "search" and "DOCUMENTATION_OPTIONS.search_as_you_type = false" in new:
        new = drop_search_scripts(new)
    return add_description(size_images(defer_scripts(drop_script_preloads(drop_unused_kinds(table_cards(new)))), path))
