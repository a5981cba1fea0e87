"""Where a run may read from and write to, checked before anything runs.

A notebook or page named in `notebooks/runs.yml` is a file inside `notebooks/` or `book/`, named
the way the run matrix names it (no folders going up, no absolute paths), so the build never
writes outside `book/_generated/`. An executed notebook (`amudarya run -o`) is never written over
the project's sources (`notebooks/`, `data/`, `book/`), nor to a folder or a place that cannot
take a file. Each mistake is one Problem that says what would be valid.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from amudarya.data.errors import Problem

# Kinds of problem (Problem.kind); data/README.md explains each.
BAD_OUTPUT = "bad output path"
OUTSIDE = "path outside the project"
REPEATED = "repeated parameter"
KINDS = (BAD_OUTPUT, OUTSIDE, REPEATED)

# The folders whose files a person edits: a run never writes there.
SOURCES = ("notebooks", "data", "book")

# What the build writes, relative to the project folder.
BUILD = Path("_build")
FAILED = BUILD / "failed"  # the executed notebook of a run that failed, kept for inspection
GENERATED = Path("book") / "_generated"  # the executed runs, as the book's pages

# A notebook is named as in notebooks/, without .ipynb; a page as its path in book/ without .md.
_NOTEBOOK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_PAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*")

# File names longer than this (before .ipynb) are shortened with a hash: most file systems
# refuse names over 255 bytes, and Sphinx adds to them.
LONGEST_NAME = 120


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def notebook_problem(root: Path, where: str, name: object) -> Problem | None:
    """A `notebook:` (or `amudarya run` thread) must name a notebook directly in notebooks/."""
    text = str(name)
    if _NOTEBOOK_NAME.fullmatch(text):
        return None
    # A notebook named with .ipynb is the common slip, and the unknown-notebook message says so.
    if _NOTEBOOK_NAME.fullmatch(text.removesuffix(".ipynb")):
        return None
    return Problem(
        where,
        f"{OUTSIDE}: a notebook is named by its file name in notebooks/, without folders",
        field="notebook",
        value=name,
        expected="the name of a notebook in notebooks/, without .ipynb, such as trade",
        kind=OUTSIDE,
    )


def page_problem(root: Path, where: str, field: str, name: object, root_page: object | None = None) -> Problem | None:
    """A `page:` or `root:` must name a Markdown file inside book/ (not one the build writes),
    and a chapter cannot be the root page again."""
    text = str(name)
    book = (root / "book").resolve()
    target = (book / f"{text}.md").resolve()
    if not _PAGE_NAME.fullmatch(text) or not _inside(target, book) or _inside(target, book / "_generated"):
        return Problem(
            where,
            f"{OUTSIDE}: a page is named by its path inside book/, without .md",
            field=field,
            value=name,
            expected="the name of a Markdown file in book/ without .md, such as index",
            kind=OUTSIDE,
        )
    if root_page is not None and text == str(root_page):
        return Problem(
            where,
            "bad run matrix entry: this page is the book's root page already",
            field=field,
            value=name,
            expected=f"a page other than the root page '{root_page}'",
            kind="bad run matrix entry",
        )
    return None


def output_problem(root: Path, where: str, output: str) -> Problem | None:
    """Where `amudarya run -o` may write the executed notebook: a .ipynb file outside the
    project's sources, in a folder that exists (or can be made) and takes new files."""
    path = Path(output).expanduser()
    resolved = path.resolve()

    def problem(message: str, expected: str) -> Problem:
        return Problem(where, f"{BAD_OUTPUT}: {message}", field="-o", value=output, expected=expected, kind=BAD_OUTPUT)

    outside = "a .ipynb file outside notebooks/, data/ and book/, such as /tmp/run.ipynb"
    for folder in SOURCES:
        if _inside(resolved, (root / folder).resolve()):
            return problem(f"it is inside {folder}/, which holds the project's sources", outside)
    if resolved.is_dir() or str(output).endswith(("/", os.sep)):
        return problem("it is a folder; the executed notebook is one file", "a file name ending in .ipynb")
    if resolved.suffix != ".ipynb":
        return problem("an executed notebook is a .ipynb file", "a file name ending in .ipynb")
    if resolved.exists() and not resolved.is_file():
        return problem("it exists and is not a regular file", outside)
    # The notebook is written beside its target and renamed, with its downloads/ folder next
    # to it: the nearest existing folder must take new files.
    folder = resolved.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return problem(f"{folder} is not a folder", outside)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".amudarya-probe-"):
            pass
    except OSError as exc:
        return problem(f"cannot write to {folder} ({exc.strerror or exc})", outside)
    return None


def repeated_parameters(where: str, pairs: list[tuple[str, str]]) -> list[Problem]:
    """`-p NAME VALUE` given twice for one name: which value was meant cannot be guessed."""
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return [
        Problem(
            where,
            f"{REPEATED}: -p {name} is given {len(given)} times",
            field=name,
            value=", ".join(given),
            expected=f'-p {name} once (a list is one value: -p {name} "[{", ".join(given)}]")',
            kind=REPEATED,
        )
        for name, given in values.items()
        if len(given) > 1
    ]


def short_name(name: str) -> str:
    """A run's file name, no longer than LONGEST_NAME: a long one keeps its start and ends in a
    hash of the whole, so two runs never share a name."""
    if len(name.encode("utf-8")) <= LONGEST_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    head = name.encode("utf-8")[: LONGEST_NAME - len(digest) - 2].decode("utf-8", errors="ignore")
    return f"{head}__{digest}"


def identity(declared: dict, parameters: dict) -> tuple:
    """What a run computes from: its parameters with every default filled in, so the same run
    written with and without its defaults is recognised as one."""
    full = {name: p.default for name, p in declared.items()}
    full.update(parameters)
    return tuple(sorted((k, repr(v)) for k, v in full.items()))
