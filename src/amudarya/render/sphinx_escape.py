"""Sphinx extension: titles built from the data stay text where the theme and the search page
would insert them as HTML.

Chapter headings glue in names from the data (`# Trade: {glue:text}`reporter_name``). Sphinx
escapes them in the page body, but two places take the heading's plain text and put it into HTML
as it is (Jupyter Book 1.0.4: sphinx-book-theme 1.3, Sphinx 7.4):

- sphinx-book-theme's print header writes `{{ pagetitle }}`, set from `title.astext()`;
- Sphinx's search index keeps every section title as plain text (`alltitles`), and the search
  page puts a matching title into `innerHTML` (fixed upstream in Sphinx 8.2,
  sphinx-doc/sphinx#13356, which Jupyter Book 1 cannot use). The page titles of the index
  (`titles`) are already HTML and stay as they are.

A name such as `<b>bold</b>` would turn bold there, and `<img onerror=...>` would run. Here both
get the title escaped. Registered in _config.yml under `sphinx: extra_extensions`.
"""

from __future__ import annotations

import html

from sphinx.search import IndexBuilder

# Runs after the theme's own handler (default priority 500) has set the page's context.
_AFTER_THEME = 900


def _escape_context(app, pagename, templatename, context, doctree) -> None:
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key], quote=False)


_original_feed = IndexBuilder.feed


def _escaped_feed(self, docname, filename, title, doctree) -> None:
    # Escaped as each page is fed (not when the index is written), so titles loaded back from an
    # earlier build's index are not escaped twice.
    _original_feed(self, docname, filename, title, doctree)
    self._all_titles[docname] = [(html.escape(t, quote=False), anchor) for t, anchor in self._all_titles[docname]]


def setup(app):
    app.connect("html-page-context", _escape_context, priority=_AFTER_THEME)
    IndexBuilder.feed = _escaped_feed
    return {"parallel_read_safe": True, "parallel_write_safe": True}
