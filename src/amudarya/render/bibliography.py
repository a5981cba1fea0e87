"""The book's bibliography: a BibTeX file written from data/sources.csv when Sphinx starts,
read by sphinxcontrib-bibtex, and printed in one standard form.

`{cite}` roles in the prose take a source's `source_id` as their key. The `.bib` file holds
one `@online` entry per row of `sources.csv` (author, title, publisher, date, address, and the
day the address was last read where the data record it); the bibliography page lists the
sources the book cites, sorted by author or, where a page has no byline, by publisher.

A Sphinx extension (listed in `_config.yml` before `sphinxcontrib.bibtex`): the file is
written on `config-inited`, before sphinxcontrib-bibtex reads it, and only when its content
changed, since sphinxcontrib-bibtex re-reads a `.bib` whose modification time moved.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import unquote

BIB_FILE = Path("_build") / "bibliography" / "sources.bib"
STYLE = "amudarya"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Columns of sources.csv that become BibTeX fields (the source's column: the field).
FIELDS = {
    "author": "author",
    "title": "title",
    "publisher": "publisher",
    "published": "date",
    "url": "url",
    "accessed": "urldate",
    "title_note": "titlenote",
}


def _braced(text: str) -> str:
    """A field value BibTeX can hold whatever the text: braces balanced, nothing else changed
    (the style reads fields raw, so '&' or '%' need no escaping)."""
    text = " ".join(text.split())
    if text.count("{") != text.count("}"):
        text = text.replace("{", "(").replace("}", ")")
    return "{" + text + "}"


def entries(rows: list[dict]) -> str:
    """BibTeX text for rows of sources.csv."""
    out = []
    for row in rows:
        fields = []
        for column, name in FIELDS.items():
            value = (row.get(column) or "").strip()
            if not value:
                continue
            if name == "author":
                # One byline is one name: BibTeX would split 'A and B' or reorder 'Surname, Given'.
                value = "{" + value + "}"
            fields.append(f"  {name} = {_braced(value)},")
        out.append(f"@online{{{row['source_id']},\n" + "\n".join(fields) + "\n}\n")
    return "\n".join(out)


def write(root: Path, target: Path | None = None) -> Path:
    """Write the .bib for root/data/sources.csv (to root/_build/bibliography/sources.bib unless
    told otherwise); leave the file alone if nothing changed."""
    source = root / "data" / "sources.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        text = entries(list(csv.DictReader(handle)))
    target = target or root / BIB_FILE
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    return target


def date_words(value: str) -> str:
    """'2021-09-26' → '26 September 2021', '2021-09' → 'September 2021', '2021' → '2021'."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not match:
        return value
    year, month, day = match.groups()
    if not month:
        return year
    if not day:
        return f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


# ---------------------------------------------------------------------------
# The printed form


TITLE_NOTES = {
    "translated": "title translated",
    "rebuilt from URL": "title rebuilt from the address",
    "rebuilt from content": "title written from the content",
    "not shown": "no headline shown; a description",
}


def _note(value: str) -> str:
    return TITLE_NOTES.get(value, value)


def _style():
    # pybtex's template names (join, node, sentence, ...) stay local to the style built here.
    from pybtex.richtext import Text
    from pybtex.style.formatting.unsrt import Style as Unsrt
    from pybtex.style.template import href, join, node, optional, sentence

    @node
    def raw(children, context, name, apply=None):
        value = context["entry"].fields.get(name, "")
        if not value:
            from pybtex.style.template import FieldIsMissing

            raise FieldIsMissing(name, context["entry"])
        value = value.strip("{}") if name == "author" else value
        return Text(apply(value) if apply else value)

    class Style(Unsrt):
        """Author (or, with no byline, publisher). Title. Publisher, date. Address (accessed date)."""

        default_label_style = "number"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.sort = self._sort

        @staticmethod
        def _sort(entries):
            def key(entry):
                lead = entry.fields.get("author", "") or entry.fields.get("publisher", "")
                return (lead.strip("{}").lower(), entry.fields.get("date", ""), entry.fields.get("title", "").lower())

            return sorted(entries, key=key)

        def get_online_template(self, e):
            url = raw(name="url")
            dated = optional[raw(name="date", apply=date_words)]
            bylined = bool(e.fields.get("author"))
            return join(sep=" ")[
                sentence[raw(name="author") if bylined else raw(name="publisher")],
                sentence[
                    join(sep=" ")[raw(name="title"), optional[join["(", raw(name="titlenote", apply=_note), ")"]]]
                ],
                sentence[raw(name="publisher"), dated] if bylined else sentence[dated],
                # The address as a reader reads it: percent-escapes shown as the letters they stand for.
                optional[
                    join(sep=" ")[
                        href(url=url, external=True)[raw(name="url", apply=unquote)],
                        optional[join["(accessed ", raw(name="urldate", apply=date_words), ")"]],
                    ]
                ],
            ]

    return Style


def _rewrite_when_numbers_change(app, env) -> list[str]:
    """The pages to write again when the set of cited sources, or their numbers, changed.

    sphinxcontrib-bibtex numbers every citation across the book but reports no page as
    changed, so an incremental build that adds a citation to one chapter would leave the
    bibliography and the other chapters' numbers as they were. Rewriting (not re-reading) the
    pages that cite or list sources is cheap."""
    domain = env.get_domain("cite")
    labels = {citation.key: citation.formatted_entry.label for citation in domain.citations}
    if getattr(env, "amudarya_citation_labels", None) == labels:
        return []
    env.amudarya_citation_labels = labels
    pages = {ref.docname for ref in domain.citation_refs} | {key.docname for key in domain.bibliographies}
    return sorted(pages & set(env.found_docs))


def _translator():
    from sphinx.writers.html5 import HTML5Translator  # imported when Sphinx sets the extension up

    class Translator(HTML5Translator):
        """docutils wraps bibliography entries in role="list" but gives each the role
        doc-biblioentry, which a list may not contain (axe: aria-required-children, critical);
        each entry is a list item."""

        def visit_citation(self, node):
            super().visit_citation(node)
            self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')

    return Translator


def setup(app):
    from pybtex.plugin import register_plugin  # with the style it registers

    # The theme mixes its own translator into this one when the builder starts.
    app.set_translator("html", _translator(), override=True)

    register_plugin("pybtex.style.formatting", STYLE, _style(), force=True)

    def written(app, config):
        # The project root holds data/: the parent of book/ in an amudarya build, the source
        # folder itself in a plain Jupyter Book of the same pages (the benchmark's).
        source = Path(app.srcdir)
        root = source if (source / "data" / "sources.csv").is_file() else source.parent
        # Exactly where sphinxcontrib-bibtex will look for it.
        write(root, (Path(app.confdir) / config.bibtex_bibfiles[0]).resolve())

    app.connect("config-inited", written)
    # After sphinxcontrib-bibtex has numbered the citations (its own handler runs first).
    app.connect("env-updated", _rewrite_when_numbers_change, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
