"""From the run matrix to the book: check parameters, execute notebooks, post-process, build.

`notebooks/runs.yml` lists the book's parts and chapters; a chapter is a notebook run with
parameters (or a prose page in `book/`). Each run is executed by papermill, in the build
process or on a Dask cluster (`schedule`), post-processed (alt text into cell metadata,
plumbing cells hidden, conditional cells resolved) and kept in the cache (`cache`), keyed on
its recipe and on what its kernel read (`depfile`); a run whose stored entry still matches
both is not executed again. The runs are copied into
`book/_generated/` and the table of contents is written from the matrix. Jupyter Book then
builds into a work folder, unless nothing the book is made of changed, and the result
replaces `_build/html` only when the whole build succeeded.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import pycountry
import yaml

from amudarya.build import analysis, cache, lock, paths, schedule, timeouts
from amudarya.build.schedule import sockets_folder
from amudarya.data import depfile, keys, tables
from amudarya.data.errors import InputError, Problem, RunError
from amudarya.domain import coverage, fx
from amudarya.render import ALT_KEY, bounds
from amudarya.render.jupyterbook import JupyterBook

RUNS_FILE = Path("notebooks") / "runs.yml"
GENERATED = Path("book") / "_generated"
BUILD = Path("_build")
FAILED = BUILD / "failed"
GLUE_PREFIX = "application/papermill.record/"
COUNTRY_HINT = "ISO 3166"
CURRENCY_HINT = "ISO 4217"

# Kinds of problem (Problem.kind) with runs and parameters; data/README.md explains each.
UNKNOWN_NOTEBOOK = "unknown notebook"
UNKNOWN_PARAMETER = "unknown parameter"
WRONG_TYPE = "wrong parameter type"
NOT_A_COUNTRY = "not a country code"
BAD_ENTRY = "bad run matrix entry"
BAD_NOTEBOOK = "not a notebook"
NOT_YAML = "not valid YAML"
RUN_FAILED = "notebook failed"
BOOK_FAILED = "Jupyter Book failed"
KINDS = (UNKNOWN_NOTEBOOK, UNKNOWN_PARAMETER, WRONG_TYPE, NOT_A_COUNTRY, BAD_ENTRY, BAD_NOTEBOOK, NOT_YAML,
         RUN_FAILED, BOOK_FAILED)


# ---------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Parameter:
    name: str
    default: object
    type_name: str
    help: str

    @property
    def is_country(self) -> bool:
        return COUNTRY_HINT in self.help

    @property
    def is_currency(self) -> bool:
        return CURRENCY_HINT in self.help


def notebook_path(root: Path, thread: str) -> Path:
    return root / "notebooks" / f"{thread}.ipynb"


def threads(root: Path) -> list[str]:
    """Notebooks that can be run: every notebook in notebooks/ with a parameters cell."""
    return sorted(p.stem for p in (root / "notebooks").glob("*.ipynb"))


def _inspect(path: Path) -> dict:
    import papermill  # slow to import (see _declared), so only when a run needs it

    try:
        return papermill.inspect_notebook(str(path))
    except ValueError as exc:  # nbformat's NotJSONError and friends: a hand-edited notebook
        raise InputError(Problem(str(Path("notebooks") / path.name), f"not a notebook: the file cannot be read as one: {exc}"[:300],
                                 expected="a Jupyter notebook (restore it with git, or re-save it from Jupyter)",
                                 kind=BAD_NOTEBOOK)) from None


def notebook_parameters(path: Path) -> dict[str, Parameter]:
    """The parameters a notebook declares in its cell tagged `parameters`, with defaults."""
    return _parameters(_inspect(path))


def _declared(root: Path, path: Path) -> dict[str, Parameter]:
    """notebook_parameters(), remembered by the notebook's content: importing papermill alone
    takes longer than a whole build with nothing to do."""
    key = keys.digest(path.read_bytes(), keys.versions(("papermill",)))
    return _parameters(keys.remembered(root, "parameters", key, lambda: _inspect(path)))


def _parameters(found: dict) -> dict[str, Parameter]:
    params = {}
    for name, info in found.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        type_name = info.get("inferred_type_name") or type(default).__name__
        if type_name == "None":
            type_name = type(default).__name__
        params[name] = Parameter(name, default, type_name, info.get("help") or "")
    return params


def _country_problem(where: str, name: str, value) -> Problem | None:
    if isinstance(value, str) and len(value) == 3 and value.isupper() and pycountry.countries.get(alpha_3=value):
        return None
    suggestion = ""
    if isinstance(value, str):
        try:
            guess = pycountry.countries.lookup(value)
            suggestion = f" (did you mean {guess.alpha_3}, {guess.name}?)"
        except LookupError:
            pass
    return Problem(
        where,
        "not a country code: not an ISO 3166-1 alpha-3 country code" + suggestion,
        field=name,
        value=value,
        expected="three capital letters such as KAZ, KGZ, TJK, TKM, UZB, AFG or PAK",
        kind=NOT_A_COUNTRY,
    )


def _currency_problem(root: Path, where: str, name: str, value) -> Problem | None:
    """A currency must be US dollars or have a rate in data/fx.csv (the only rates the book uses)."""
    if value == fx.BASE:
        return None
    rates = tables.load(tables.data_dir(root))["fx"]
    message = fx.problem_with(value, rates)
    if message is None:
        return None
    return Problem(where, message, field=name, value=value, expected=fx.valid_text(rates))


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
_TYPE_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
               "list": "a list", "dict": "a mapping", "NoneType": "nothing"}


def _close(value, choices) -> str:
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_parameters(root: Path, thread: str, given: dict, where: str | None = None) -> list[Problem]:
    """Problems with `given` parameters for a thread: unknown names, wrong types, bad codes.

    Runs before any kernel starts, against the notebook's own parameters cell.
    """
    where = where or f"run of '{thread}'"
    outside = paths.notebook_problem(root, where, thread)
    if outside:
        return [outside]
    path = notebook_path(root, thread)
    if not path.is_file():
        known = threads(root)
        return [
            Problem(
                where,
                f"unknown notebook: notebooks/{thread}.ipynb does not exist",
                field="notebook",
                value=thread,
                expected="the name of a notebook in notebooks/, without .ipynb: " + ", ".join(known)
                + _close(str(thread).removesuffix(".ipynb"), known),
                kind=UNKNOWN_NOTEBOOK,
            )
        ]
    declared = _declared(root, path)
    problems = []
    for name, value in given.items():
        if name not in declared:
            problems.append(
                Problem(
                    where,
                    f"unknown parameter: notebook '{thread}' has no parameter '{name}'",
                    field=name,
                    value=value,
                    expected="one of " + ", ".join(sorted(declared)) + _close(name, declared),
                    kind=UNKNOWN_PARAMETER,
                )
            )
            continue
        param = declared[name]
        wanted = _TYPES.get(param.type_name)
        if wanted and (not isinstance(value, wanted) or (param.type_name != "bool" and isinstance(value, bool))):
            problems.append(
                Problem(
                    where,
                    f"wrong parameter type: '{name}' takes {_TYPE_WORDS.get(param.type_name, 'a ' + param.type_name)},"
                    f" not {_TYPE_WORDS.get(type(value).__name__, 'a ' + type(value).__name__)}",
                    field=name,
                    value=value,
                    expected=f"{_TYPE_WORDS.get(param.type_name, 'a ' + param.type_name)} like its default {param.default!r}"
                    + (f" ({param.help})" if param.help else ""),
                    kind=WRONG_TYPE,
                )
            )
            continue
        if param.is_country:
            values = value if isinstance(value, list) else [value]
            for item in values:
                problem = _country_problem(where, name, item)
                if problem:
                    problems.append(problem)
        if param.is_currency:
            problem = _currency_problem(root, where, name, value)
            if problem:
                problems.append(problem)
    return problems


def parse_cli_value(text: str):
    """A command-line parameter value: YAML, so `KAZ` is text, `3` a number, `[KAZ, KGZ]` a list."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


# ---------------------------------------------------------------------------
# The run matrix


@dataclass(frozen=True)
class Run:
    thread: str
    parameters: dict = field(default_factory=dict)
    # Seconds a cell may run (None: timeouts.DEFAULT); not part of what the run computes.
    timeout: float | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        parts = [self.thread]
        for key in sorted(self.parameters):
            value = self.parameters[key]
            text = "+".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}-{text}")
        return paths.short_name("__".join(parts))

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.parameters.items()))
        return f"{self.thread}({args})"


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


def load_matrix(root: Path) -> Matrix:
    """Read and check notebooks/runs.yml; every problem in it is reported at once."""
    path = root / RUNS_FILE
    where = str(RUNS_FILE)
    if not path.is_file():
        raise InputError(Problem(where, "bad run matrix entry: the run matrix is missing", expected="notebooks/runs.yml listing the chapters",
                                 kind=BAD_ENTRY))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            Problem(where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", line=mark.line + 1 if mark else None,
                    expected="YAML indented with spaces (no tabs), as in the file's other entries", kind=NOT_YAML)
        ) from None
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("parts"), list):
        raise InputError(
            Problem(where, "bad run matrix entry: the file must be a mapping with 'root' (a page in book/) and 'parts' (a list)",
                    kind=BAD_ENTRY)
        )
    root_page = raw.get("root", "index")
    outside = paths.page_problem(root, where, "root", root_page)
    if outside:
        problems.append(outside)
    elif not (root / "book" / f"{root_page}.md").is_file():
        problems.append(Problem(where, "bad run matrix entry: the root page does not exist", field="root", value=root_page,
                                expected="the name of a Markdown file in book/ without .md", kind=BAD_ENTRY))
    parts = []
    located: list[tuple[str, Entry]] = []
    seen: dict[tuple, str] = {}
    for p_no, part in enumerate(raw["parts"], start=1):
        p_where = f"{where}, part {p_no}"
        if not isinstance(part, dict) or not isinstance(part.get("chapters"), list) or not part.get("caption"):
            problems.append(Problem(p_where, "bad run matrix entry: a part needs a 'caption' and a list of 'chapters'", value=part,
                                    kind=BAD_ENTRY))
            continue
        chapters = []
        for c_no, chapter in enumerate(part["chapters"], start=1):
            c_where = f"{p_where} ('{part['caption']}'), chapter {c_no}"
            unknown = sorted(set(chapter) - {"notebook", "parameters", "page", "timeout"}) if isinstance(chapter, dict) else []
            if unknown:
                problems.append(Problem(c_where, "bad run matrix entry: unknown key in a chapter", field=str(unknown[0]),
                                        value=chapter[unknown[0]],
                                        expected="the keys notebook and parameters, or page"
                                        + _close(unknown[0], ["notebook", "parameters", "page"]), kind=BAD_ENTRY))
                continue
            if not isinstance(chapter, dict) or ("notebook" in chapter) == ("page" in chapter):
                problems.append(Problem(c_where, "bad run matrix entry: a chapter needs exactly one of 'notebook' or 'page'",
                                        value=chapter, kind=BAD_ENTRY))
                continue
            if "page" in chapter:
                outside = paths.page_problem(root, c_where, "page", chapter["page"], root_page)
                if outside:
                    problems.append(outside)
                elif not (root / "book" / f"{chapter['page']}.md").is_file():
                    problems.append(Problem(c_where, "bad run matrix entry: no such page in book/", field="page", value=chapter["page"],
                                            expected="the name of a Markdown file in book/ without .md",
                                            kind=BAD_ENTRY))
                chapters.append(Entry(page=str(chapter["page"])))
                located.append((c_where, chapters[-1]))
                continue
            params = chapter.get("parameters") or {}
            if not isinstance(params, dict):
                problems.append(Problem(c_where, "bad run matrix entry: parameters must be a mapping of name: value", field="parameters",
                                        value=params, expected="parameters: {name: value, ...}", kind=BAD_ENTRY))
                continue
            run = Run(str(chapter["notebook"]), dict(params), timeout=chapter.get("timeout"))
            found = check_parameters(root, run.thread, run.parameters, where=c_where)
            if "timeout" in chapter:
                found += [p for p in [timeouts.problem(c_where, "timeout", chapter["timeout"])] if p]
            problems.extend(found)
            if not found:
                same = paths.identity(_declared(root, notebook_path(root, run.thread)), run.parameters)
                if (run.thread, same) in seen:
                    problems.append(Problem(c_where, "bad run matrix entry: the same run (counting default parameters) is "
                                            f"already listed at {seen[run.thread, same]}",
                                            value=run.describe(), expected="each run once", kind=BAD_ENTRY))
                seen[run.thread, same] = c_where
                chapters.append(Entry(run=run))
                located.append((c_where, chapters[-1]))
        parts.append(Part(str(part["caption"]), chapters))
    if not problems:
        problems = _unlinked(root, Matrix(root_page=str(root_page), parts=parts), located)
    if problems:
        raise InputError(problems, summary=f"{RUNS_FILE} has {len(problems)} problem(s)")
    return Matrix(root_page=str(root_page), parts=parts)


# A link to another chapter: from a notebook, beside it in book/_generated; from a page in book/.
LINK = re.compile(r"\]\((?:_generated/)?([A-Za-z][\w-]*)\.ipynb(?:#[^)]*)?\)")


def _unlinked(root: Path, matrix: Matrix, located: list[tuple[str, Entry]]) -> list[Problem]:
    """Pages a chapter links to, or cites from, that the book leaves out: one problem per page,
    at the first chapter that needs it. A narrowed runs.yml would otherwise end in a screen of
    Sphinx warnings about missing targets and bibtex keys."""
    present = {e.run.name if e.run else e.page for p in matrix.parts for e in p.chapters} | {matrix.root_page}
    needed: dict[str, str] = {}
    notebooks: dict[str, str] = {}  # five trade chapters, one notebook
    for where, entry in located:
        run = entry.run
        if run is None:
            text = (root / "book" / f"{entry.page}.md").read_text(encoding="utf-8")
        else:
            if run.thread not in notebooks:
                notebooks[run.thread] = notebook_path(root, run.thread).read_text(encoding="utf-8")
            text = notebooks[run.thread]
            found = analysis.find(root, run.thread, run.parameters)
            text += found.body if found else ""
        targets = LINK.findall(text)
        targets += [coverage.PAGE.removesuffix(".ipynb")] if run and coverage.is_chapter(run.thread) else []
        targets += ["bibliography"] if "{cite}" in text else []
        for target in targets:
            needed.setdefault(target, where)
    from_pages = {where for where, entry in located if entry.run is None}
    return [Problem(needed[page], "bad run matrix entry: this chapter links to a page the book leaves out",
                    field="page" if needed[page] in from_pages else "notebook", value=page,
                    expected=f"'{page}' kept in the book, as the project's runs.yml has it, or this chapter left out",
                    kind=BAD_ENTRY)
            for page in sorted(set(needed) - present)]


def write_toc(root: Path, matrix: Matrix) -> Path:
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


# ---------------------------------------------------------------------------
# Executing one run


def glued(nb) -> dict[str, object]:
    """The values a notebook glued, by key, read back from its outputs (numbers, text, booleans)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get(GLUE_PREFIX + "text/plain")
            if name and text is not None:
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


# A note telling an analyst how to add missing data: the one place a page may name the data
# package's files. Its text goes in a container of this class (its heading stays a section's).
HOW_TO_ADD = "how-to-add"


def how_to_add_note(source: str) -> str:
    heading, rest = ("", source)
    if source.startswith("#"):
        heading, _, rest = source.partition("\n")
    return f"{heading}\n\n:::{{container}} {HOW_TO_ADD}\n{rest.strip()}\n:::\n".lstrip()


def postprocess(nb) -> None:
    """Make an executed notebook ready for the book, in place.

    - alt text of each chart output moves into the cell's `mystnb.image.alt`, where myst-nb
      looks for it;
    - the parameters and injected-parameters cells get `remove-cell`;
    - cells tagged `if:KEY` (`if-not:KEY`) are dropped unless the notebook glued KEY as True
      (False), so the page says only what the data support;
    - a kept Markdown cell tagged `continues` joins the Markdown cell kept before it, so that
      sentences each shown on its own condition read as one paragraph, not one per cell.
    - the text of a Markdown cell tagged `how-to-add` goes in a container of that class.
    """
    flags = {k: v for k, v in glued(nb).items() if isinstance(v, bool)}
    kept = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        drop = False
        for tag in tags:
            for prefix, wanted in (("if:", True), ("if-not:", False)):
                if tag.startswith(prefix):
                    key = tag[len(prefix):]
                    if key not in flags:
                        raise RunError(f"cell tagged '{tag}' but the notebook glued no boolean '{key}'")
                    drop = drop or flags[key] != wanted
        if drop:
            continue
        if HOW_TO_ADD in tags and cell.cell_type == "markdown":
            cell.source = how_to_add_note(cell.source)
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata.setdefault("tags", []).append("remove-cell")
        alts = [
            out["metadata"][ALT_KEY]["alt"]
            for out in cell.get("outputs", [])
            if ALT_KEY in out.get("metadata", {})
        ]
        if len(alts) > 1:
            raise RunError("a cell shows more than one chart; give each chart its own cell so each keeps its alt text")
        if alts:
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts[0]
        if "continues" in tags and kept and kept[-1].cell_type == "markdown" == cell.cell_type:
            before = kept[-1].source.rstrip()
            # After a heading the sentence opens the section's paragraph instead of joining the heading.
            joint = "\n\n" if before.splitlines()[-1].startswith("#") else " "
            kept[-1].source = before + joint + cell.source.strip()
            continue
        kept.append(cell)
    nb.cells = kept


def _source_cell_number(root: Path, run: Run, exc) -> int:
    """The failing cell's number (from 1) in the notebook a person opens, notebooks/<thread>.ipynb.
    The executed notebook has cells the source has not (injected parameters, papermill's error
    banners), so the cell is found by its source."""
    try:
        cells = nbformat.read(notebook_path(root, run.thread), as_version=4).cells
    except (OSError, ValueError):
        return exc.cell_index + 1
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type == "code" and cell.source == exc.source:
            return number
    return exc.cell_index + 1


def _failure_message(root: Path, run: Run, exc, kept: Path) -> str:
    first = next((line.strip() for line in (exc.source or "").splitlines() if line.strip()), "")
    if len(first) > 100:
        first = first[:99] + "…"
    try:
        shown = kept.relative_to(root)
    except ValueError:
        shown = kept
    return (
        f"{RUN_FAILED}: the run {run.describe()} stopped in cell {_source_cell_number(root, run, exc)} of "
        f"notebooks/{run.thread}.ipynb, the cell starting `{first}`:\n"
        f"  {exc.ename}: {exc.evalue}\n"
        f"  The executed notebook, with the full traceback, is kept for inspection at {shown}"
    )


def _socket_file_kernel_manager():
    """A kernel manager that talks to its kernel over Unix socket files of its own.

    Over TCP, each kernel's ports are picked by binding port 0 and letting go; kernels started
    at the same moment by parallel workers can pick the same port, and one dies ('Address
    already in use'). Socket files named after a fresh id cannot collide.
    """
    from jupyter_client import AsyncKernelManager  # slow to import, like papermill
    from traitlets import default

    class SocketFileKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # In a folder of this process, which a later build removes if this one dies.
            folder = sockets_folder()
            folder.mkdir(exist_ok=True)
            return str(folder / uuid.uuid4().hex[:16])

    return SocketFileKernelManager


def execute(root: Path, run: Run, output: Path, reads: Path | None = None) -> Path:
    """Execute one run with papermill into `output` (post-processed); raise RunError naming the
    run and the failing cell, keeping the failed notebook under _build/failed/. With `reads`,
    the kernel records there every data file it read (`depfile`)."""
    # papermill and jupyter_client are slow to import; only executing a run needs them.
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target and renamed, so a crash never leaves half a notebook.
    partial = output.with_name(f".{output.stem}.partial.ipynb")
    # The kernel inherits these: where the data are, and where the notebook's downloads go.
    saved = {k: os.environ.get(k) for k in ("AMUDARYA_ROOT", "AMUDARYA_OUTPUT", depfile.ENV)}
    os.environ["AMUDARYA_ROOT"] = str(root)
    os.environ["AMUDARYA_OUTPUT"] = str(output)
    os.environ.pop(depfile.ENV, None)
    if reads is not None:
        os.environ[depfile.ENV] = str(reads)
    try:
        papermill.execute_notebook(
            analysis.merged(root, run),  # the notebook, with the run's authored analysis if it has one
            str(partial),
            parameters=run.parameters,
            cwd=str(root),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            # Every output is in hand when the last cell is done; a polite shutdown of the
            # kernel only adds about a second to each run.
            shutdown_kernel="immediate",
            # On a busy machine a cell's last outputs can reach us seconds after its reply;
            # papermill's 4 s wait for them then fails a run that succeeded.
            iopub_timeout=120,
            # The kernel's own log (a KeyboardInterrupt note when it is stopped) is noise on the
            # console, not news about the run.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            kernel_manager_class=_socket_file_kernel_manager(),
            execution_timeout=timeouts.seconds(run.timeout),
            engine_name=timeouts.register_engine(),
        )
    except Exception as exc:
        if not (isinstance(exc, PapermillExecutionError) or timeouts.is_stop(exc)):
            raise
        failed = root / FAILED / f"{run.name}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(exc, PapermillExecutionError):
            shutil.move(str(partial), failed)
        else:
            exc = timeouts.keep(exc, failed, timeouts.seconds(run.timeout))
        raise RunError(_failure_message(root, run, exc, failed)) from None
    finally:
        # The kernel is gone (shut down or killed); its socket files may not be.
        shutil.rmtree(sockets_folder(), ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    nb = nbformat.read(partial, as_version=4)
    try:
        postprocess(nb)
    except RunError as exc:
        raise RunError(f"{run.describe()}: {exc}") from None
    nbformat.write(nb, partial)
    os.replace(partial, output)
    # An earlier failure of this run is no longer news.
    (root / FAILED / f"{run.name}.ipynb").unlink(missing_ok=True)
    return output


# ---------------------------------------------------------------------------
# The book


def _publish(root: Path, built: Path) -> Path:
    """Replace _build/html with `built` in one step (lock.publish), without files no page uses."""
    bounds.sweep_orphans(built)
    return lock.publish(built, root / BUILD)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _check_data(root: Path) -> None:
    findings = tables.check_once(root / "data")
    if findings.problems:
        count = len(findings.problems)
        raise InputError(findings.problems, summary=f"The data package is not valid ({count} problems)")
    # Valid, but probably not what the person meant (markup in a text field): said, never fatal.
    for warning in findings.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _execute(root: Path, runs: list[Run], recipes: dict[str, str], jobs: int, scheduler: str | None, log,
             entries: dict[str, Path]) -> None:
    """Execute `runs` (`jobs` at a time, or on the cluster at `scheduler`) and store each in the
    cache as it finishes, with what it read; its entry goes into `entries`."""
    store = cache.Store(root)
    failures = []

    def done(run: Run, outcome) -> None:
        if isinstance(outcome, schedule.Result):
            entries[run.name] = store.save(run.name, recipes[run.name], outcome.files, outcome.reads)
            log(f"{run.name}: executed in {outcome.seconds:.1f} s")
        else:
            failures.append(str(outcome) if isinstance(outcome, RunError) else f"{run.describe()}: {outcome!r}")
            log(f"{run.name}: failed")

    schedule.run_all(root, runs, jobs, scheduler, done)
    if failures:
        raise RunError("\n".join(failures))


def _assemble(root: Path, matrix: Matrix, entries: dict[str, Path], executed: list[Run], log) -> None:
    """book/_generated/ as the matrix says, from the cache, rewriting only what changed."""
    store = cache.Store(root)
    generated = root / GENERATED
    generated.mkdir(parents=True, exist_ok=True)
    for run in matrix.runs:
        started = time.perf_counter()
        store.restore(entries[run.name], run.name, generated)
        store.prune(run.name, entries[run.name])
        if run not in executed:
            log(f"{run.name}: cached in {time.perf_counter() - started:.1f} s")
    wanted = {f"{run.name}.ipynb" for run in matrix.runs}
    for stale in generated.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
            shutil.rmtree(generated / "downloads" / stale.stem, ignore_errors=True)


def _book(root: Path, site, log) -> Path:
    """Build and publish the book, unless the one in _build/html was made from the same content."""
    target = root / BUILD / "html"
    stamp = cache.book_stamp(root)
    key = cache.book_key(root)
    if (target / "index.html").is_file() and stamp.is_file() and stamp.read_text() == key:
        log(f"book: unchanged, Sphinx skipped: {target / 'index.html'}")
        return target
    started = time.perf_counter()
    try:
        site.build()
    except RunError:
        # Sphinx re-reads only changed pages and would not repeat this build's warnings;
        # starting the next build from scratch keeps -W honest.
        shutil.rmtree(site.work, ignore_errors=True)
        raise
    # Forgotten before the swap: a stamp must never describe a book that is not there.
    stamp.unlink(missing_ok=True)
    target = _publish(root, site.work / "_build" / "html")
    stamp.write_text(key)
    log(f"book: built in {time.perf_counter() - started:.1f} s: {target / 'index.html'}")
    return target


def run_inputs(root: Path, run: Run) -> tuple[Path, ...]:
    """Files the runner feeds a run besides its notebook and what its kernel reads from data/
    (which the kernel records itself): their content joins the run's key. The one place where
    such a file is declared: the run's authored analysis, merged into its notebook."""
    return (analysis.path_for(root, run.thread, run.parameters),)


def plan(root: Path, matrix: Matrix, entries: dict[str, Path]) -> dict[str, str]:
    """Each run's recipe key; the runs whose stored entry is still up to date (the recipe, and
    every file the run read as it was then) go into `entries`, the others must be executed."""
    shared = cache.shared_inputs(root)
    recipes = {run.name: cache.run_key(shared, notebook_path(root, run.thread), run.thread, run.parameters,
                                       run_inputs(root, run))
               for run in matrix.runs}
    store = cache.Store(root)
    current = depfile.Current(root)
    for run in matrix.runs:
        found = store.find(run.name, recipes[run.name], current)
        if found:
            entries[run.name] = found
    return recipes


def build(root: Path, log=print, jobs: int | None = None, timeout: float | None = None,
          scheduler: str | None = None) -> Path:
    """Check the data and the run matrix, execute the runs whose inputs changed (`jobs` at a
    time, one per core by default, or on the Dask cluster at `scheduler`), and build and publish
    the book if anything it is made of changed. Logs one line per run (executed or cached, with
    seconds) and one for the book. `timeout`: seconds a cell may run, for runs without a timeout
    of their own in runs.yml. One build at a time per project folder: a second one waits for the
    first (lock.py). SIGINT and SIGTERM stop it cleanly (`schedule.stoppable`)."""
    root = root.resolve()
    if timeout is not None and timeouts.problem("amudarya build", "--timeout", timeout):
        raise InputError(timeouts.problem("amudarya build", "--timeout", timeout))
    with lock.build_lock(root):
        lock.recover(root / BUILD)
        book = _build(root, log, jobs, timeout, scheduler)
        # The book is whole again: notebooks kept from earlier failures are no longer news.
        shutil.rmtree(root / FAILED, ignore_errors=True)
        return book


def _build(root: Path, log, jobs: int | None, timeout: float | None, scheduler: str | None) -> Path:
    jobs = _default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise InputError(Problem("amudarya build", "--jobs must be at least 1", field="jobs", value=jobs))
    matrix = load_matrix(root)
    if timeout is not None:
        matrix = _default_timeout(matrix, timeout)
    entries: dict[str, Path] = {}
    with schedule.stoppable(root, finished=lambda: len(entries)):
        schedule.sweep(root)
        # Before any kernel starts: bad data is one clear report, not sixteen failed runs. The
        # answer is remembered by content, so the notebooks' own tables.load() does not repeat it.
        _check_data(root)
        recipes = plan(root, matrix, entries)
        missing = [run for run in matrix.runs if run.name not in entries]
        # Before Sphinx starts: it reads the toc when it sets up, the pages only when it builds.
        write_toc(root, matrix)
        with JupyterBook(root, root / BUILD / ".work") as site:
            if missing:
                site.start()  # Sphinx sets up while the kernels run
                _execute(root, missing, recipes, jobs, scheduler, log, entries)
            _assemble(root, matrix, entries, missing, log)
            bounds.warn_large(root / GENERATED)
            return _book(root, site, log)


def _default_timeout(matrix: Matrix, timeout: float) -> Matrix:
    """The matrix with `timeout` for every run that has none of its own."""
    return replace(matrix, parts=[
        replace(part, chapters=[
            replace(e, run=replace(e.run, timeout=timeout)) if e.run and e.run.timeout is None else e
            for e in part.chapters])
        for part in matrix.parts])
