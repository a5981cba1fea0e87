"""Across the Amu Darya: data, analysis and build tools for the book.

Modules hold one job each: `data` reads and validates the data package, the thread
modules (`trade`, ...) compute what a chapter says, `plots` draws charts, `publish`
puts results on a notebook page, `runner` executes notebooks and builds the book,
and `cli` is the `amudarya` command.
"""

__version__ = "0.1.0"
