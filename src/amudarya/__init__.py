"""Across the Amu Darya: data, analysis and build tools for the book.

Four layers, each a sub-package, and the command on top; a layer imports only the layers
below it (pyproject.toml's import-linter contract, checked by `make test`):

- `cli`: the `amudarya` command.
- `build`: from the run matrix to the published book (`runner`, `schedule`, `cache`, ...).
- `render`: charts, tables and glued values on a page, the Sphinx extensions, the PDF.
- `domain`: what a chapter says, computed from the loaded tables (`trade`, `timeline`, `words`, ...).
- `data`: reading and validating the data package (`tables.load()`), and content keys.

ARCHITECTURE.md, at the repository's root, has one line per module and the way from CSV to page.
"""

__version__ = "0.1.0"
