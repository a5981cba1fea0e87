"""The run matrix, `notebooks/runs.yml`: the book's parts and chapters, checked, and its toc.

A chapter is a notebook run with parameters or a prose page in `book/`. The whole file is
checked before anything runs, and every problem in it is reported at once: its shape, each
chapter's notebook or page, each run's parameters and timeout, a run listed twice, and a page
a chapter links to that the book leaves out. The table of contents Jupyter Book reads,
`book/_toc.yml`, is written from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from amudarya.build import analysis, paths, timeouts
from amudarya.build.parameters import check_parameters, declared, did_you_mean
from amudarya.build.run import Run, notebook_path
from amudarya.data.errors import InputError, Problem
from amudarya.domain import coverage, words

RUNS_FILE = Path("notebooks") / "runs.yml"
CHAPTER_KEYS = ("notebook", "parameters", "page", "timeout")

# Kinds of problem (Problem.kind); data/README.md explains each.
BAD_ENTRY = "bad run matrix entry"
NOT_YAML = "not valid YAML"
KINDS = (BAD_ENTRY, NOT_YAML)

# A link to another chapter: from a notebook, beside it in book/_generated; from a page in book/.
LINK = re.compile(r"\]\((?:_generated/)?([A-Za-z][\w-]*)\.ipynb(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Entry:
    """One chapter of the book: a notebook run or a prose page in book/."""

    run: Run | None = None
    page: str | None = None

    @property
    def toc_file(self) -> str:
        return f"_generated/{self.run.name}" if self.run else self.page


@dataclass(frozen=True)
class Part:
    caption: str
    chapters: list[Entry]


@dataclass(frozen=True)
class Matrix:
    root_page: str
    parts: list[Part]

    @property
    def runs(self) -> list[Run]:
        return [e.run for p in self.parts for e in p.chapters if e.run]


def _bad(where: str, message: str, **fields) -> Problem:
    return Problem(where, f"{BAD_ENTRY}: {message}", kind=BAD_ENTRY, **fields)


def _read(root: Path) -> dict:
    """runs.yml as YAML, with 'parts' a list; anything else stops here, as one problem."""
    path = root / RUNS_FILE
    where = str(RUNS_FILE)
    if not path.is_file():
        raise InputError(_bad(where, "the run matrix is missing", expected="notebooks/runs.yml listing the chapters"))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            Problem(
                where,
                f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                line=mark.line + 1 if mark else None,
                expected="YAML indented with spaces (no tabs), as in the file's other entries",
                kind=NOT_YAML,
            )
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("parts"), list):
        raise InputError(_bad(where, "the file must be a mapping with 'root' (a page in book/) and 'parts' (a list)"))
    return raw


def _page_problem(root: Path, where: str, field: str, page, missing: str, root_page=None) -> Problem | None:
    outside = paths.page_problem(root, where, field, page, root_page)
    if outside:
        return outside
    if not (root / "book" / f"{page}.md").is_file():
        return _bad(
            where, missing, field=field, value=page, expected="the name of a Markdown file in book/ without .md"
        )
    return None


class _Reader:
    """Reads the chapters of runs.yml, collecting every problem rather than stopping at one."""

    def __init__(self, root: Path, root_page):
        self.root = root
        self.root_page = root_page
        self.problems: list[Problem] = []
        self.located: list[tuple[str, Entry]] = []  # each entry with where runs.yml lists it
        self.seen: dict[tuple, str] = {}  # each run, counting its defaults, with where it is

    def part(self, where: str, part) -> Part | None:
        if not isinstance(part, dict) or not isinstance(part.get("chapters"), list) or not part.get("caption"):
            self.problems.append(_bad(where, "a part needs a 'caption' and a list of 'chapters'", value=part))
            return None
        chapters = []
        for number, chapter in enumerate(part["chapters"], start=1):
            entry = self.chapter(f"{where} ('{part['caption']}'), chapter {number}", chapter)
            if entry:
                chapters.append(entry)
        return Part(str(part["caption"]), chapters)

    def chapter(self, where: str, chapter) -> Entry | None:
        unknown = sorted(set(chapter) - set(CHAPTER_KEYS)) if isinstance(chapter, dict) else []
        if unknown:
            self.problems.append(
                _bad(
                    where,
                    "unknown key in a chapter",
                    field=str(unknown[0]),
                    value=chapter[unknown[0]],
                    expected="the keys notebook and parameters, or page"
                    + did_you_mean(unknown[0], ["notebook", "parameters", "page"]),
                )
            )
            return None
        if not isinstance(chapter, dict) or ("notebook" in chapter) == ("page" in chapter):
            self.problems.append(_bad(where, "a chapter needs exactly one of 'notebook' or 'page'", value=chapter))
            return None
        if "page" in chapter:
            found = _page_problem(self.root, where, "page", chapter["page"], "no such page in book/", self.root_page)
            self.problems += [found] if found else []
            return self._located(where, Entry(page=str(chapter["page"])))
        return self.run(where, chapter)

    def run(self, where: str, chapter: dict) -> Entry | None:
        params = chapter.get("parameters") or {}
        if not isinstance(params, dict):
            self.problems.append(
                _bad(
                    where,
                    "parameters must be a mapping of name: value",
                    field="parameters",
                    value=params,
                    expected="parameters: {name: value, ...}",
                )
            )
            return None
        run = Run(str(chapter["notebook"]), dict(params), timeout=chapter.get("timeout"))
        found = check_parameters(self.root, run.thread, run.parameters, where=where)
        if "timeout" in chapter:
            found += [p for p in [timeouts.problem(where, "timeout", chapter["timeout"])] if p]
        self.problems.extend(found)
        if found:
            return None
        same = paths.identity(declared(self.root, notebook_path(self.root, run.thread)), run.parameters)
        if (run.thread, same) in self.seen:
            self.problems.append(
                _bad(
                    where,
                    f"the same run (counting default parameters) is already listed at {self.seen[run.thread, same]}",
                    value=run.describe(),
                    expected="each run once",
                )
            )
        self.seen[run.thread, same] = where
        return self._located(where, Entry(run=run))

    def _located(self, where: str, entry: Entry) -> Entry:
        self.located.append((where, entry))
        return entry


def load_matrix(root: Path) -> Matrix:
    """Read and check notebooks/runs.yml; every problem in it is reported at once."""
    raw = _read(root)
    where = str(RUNS_FILE)
    root_page = raw.get("root", "index")
    reader = _Reader(root, root_page)
    found = _page_problem(root, where, "root", root_page, "the root page does not exist")
    reader.problems += [found] if found else []
    parts = [reader.part(f"{where}, part {number}", part) for number, part in enumerate(raw["parts"], start=1)]
    matrix = Matrix(root_page=str(root_page), parts=[p for p in parts if p])
    problems = reader.problems or _unlinked(root, matrix, reader.located)
    if problems:
        raise InputError(problems, summary=f"{RUNS_FILE} has {words.count(len(problems), 'problem')}")
    return matrix


def _links(root: Path, entry: Entry, notebooks: dict[str, str]) -> list[str]:
    """The pages `entry` links to or cites from (`notebooks`: each notebook's text, read once)."""
    run = entry.run
    if run is None:
        text = (root / "book" / f"{entry.page}.md").read_text(encoding="utf-8")
    else:
        if run.thread not in notebooks:
            notebooks[run.thread] = notebook_path(root, run.thread).read_text(encoding="utf-8")
        found = analysis.find(root, run.thread, run.parameters)
        text = notebooks[run.thread] + (found.body if found else "")
    targets = LINK.findall(text)
    targets += [coverage.PAGE.removesuffix(".ipynb")] if run and coverage.is_chapter(run.thread) else []
    targets += ["bibliography"] if "{cite}" in text else []
    return targets


def _unlinked(root: Path, matrix: Matrix, located: list[tuple[str, Entry]]) -> list[Problem]:
    """Pages a chapter links to, or cites from, that the book leaves out: one problem per page,
    at the first chapter that needs it. A narrowed runs.yml would otherwise end in a screen of
    Sphinx warnings about missing targets and bibtex keys."""
    present = {e.run.name if e.run else e.page for p in matrix.parts for e in p.chapters} | {matrix.root_page}
    needed: dict[str, str] = {}
    notebooks: dict[str, str] = {}  # five trade chapters, one notebook
    for where, entry in located:
        for target in _links(root, entry, notebooks):
            needed.setdefault(target, where)
    from_pages = {where for where, entry in located if entry.run is None}
    return [
        _bad(
            needed[page],
            "this chapter links to a page the book leaves out",
            field="page" if needed[page] in from_pages else "notebook",
            value=page,
            expected=f"'{page}' kept in the book, as the project's runs.yml has it, or this chapter left out",
        )
        for page in sorted(set(needed) - present)
    ]


def with_timeout(matrix: Matrix, timeout: float) -> Matrix:
    """The matrix with `timeout` for every run that has none of its own."""
    return replace(
        matrix,
        parts=[
            replace(
                part,
                chapters=[
                    replace(e, run=replace(e.run, timeout=timeout)) if e.run and e.run.timeout is None else e
                    for e in part.chapters
                ],
            )
            for part in matrix.parts
        ],
    )


def write_toc(root: Path, matrix: Matrix) -> Path:
    """book/_toc.yml from the matrix, rewritten only when it changes (Sphinx watches its date)."""
    toc = {
        "format": "jb-book",
        "root": matrix.root_page,
        "parts": [
            {"caption": part.caption, "chapters": [{"file": e.toc_file} for e in part.chapters]}
            for part in matrix.parts
        ],
    }
    path = root / "book" / "_toc.yml"
    text = "# Written by `amudarya build` from notebooks/runs.yml: edit that file, not this one.\n"
    text += yaml.safe_dump(toc, sort_keys=False)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
