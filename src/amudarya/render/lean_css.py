"""The CSS of `sphinx_lean`: the stylesheets pages link made one file, keeping only the rules
whose classes and ids occur in some page or script (the way PurgeCSS decides), the fonts and
animations those rules use, and the custom properties they read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import tinycss2
from sphinx.errors import ExtensionError

# ---------------------------------------------------------------------------
# The rules some page or script can use


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
        elif (
            rule.type == "at-rule"
            and rule.lower_at_keyword in {"media", "supports", "layer", "container"}
            and rule.content is not None
        ):
            inner = _prune_rules(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), tokens
            )
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


# ---------------------------------------------------------------------------
# One stylesheet for every page, made from the files as they were shipped


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
    rest = _STYLESHEET.sub("", head[first.start() :])
    return f'{head[: first.start()]}\n    <link rel="stylesheet" href="{href}" />{rest}{sep}{body}'


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
            return (
                _rebased(original_css(inner, outdir, originals, static_dirs), inner, target_dir)
                if inner.is_file()
                else ""
            )

        text = _IMPORT.sub(imported, text)
        parts.append(_rebased(text.replace('@charset "UTF-8";', ""), css, target_dir))
    return "".join(parts)


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
        raise ExtensionError(
            f"{css}: pruned by an earlier build, and its original is not in {originals}; "
            "delete the build folder and build again"
        )
    return kept.read_text(encoding="utf-8")
