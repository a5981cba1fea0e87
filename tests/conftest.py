"""Shared fixtures: the real project, and throwaway copies of it for builds and broken data."""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from amudarya.build import runner
from amudarya.build.execution import execute
from amudarya.build.paths import GENERATED
from amudarya.build.postprocess import glued

ROOT = Path(__file__).resolve().parents[1]
# What a build reads; copies of these make a project a test may break or build in.
# tools/geo holds the map boundaries that `make` installed (node_modules/world-atlas).
PROJECT_PARTS = ("data", "notebooks", "book", "_config.yml", "CITATION.cff", "tools/geo")


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, target / part, ignore=shutil.ignore_patterns("_generated", "_toc.yml", "__pycache__"))
        else:
            shutil.copy2(src, target / part)
    return target


def narrow_book(project: Path, runs) -> None:
    """Narrow the book of `project` to these runs, keeping the front matter but the findings
    (which link to every chapter) and the back matter ("Evidence"): chapters link to the method
    and coverage pages and cite the bibliography (`load_matrix` refuses a book that leaves
    out a page a chapter links to)."""
    import yaml

    path = project / "notebooks" / "runs.yml"
    matrix = yaml.safe_load(path.read_text(encoding="utf-8"))
    front = matrix["parts"][0]
    (back,) = [part for part in matrix["parts"] if part["caption"] == "Evidence"]
    front["chapters"] = [c for c in front["chapters"] if c.get("page") != "findings"]
    chapters = [{"notebook": r.thread, "parameters": r.parameters} for r in runs]
    matrix["parts"] = [front, {"caption": "Runs", "chapters": chapters}, back]
    path.write_text(dump_runs(matrix), encoding="utf-8")


def dump_runs(matrix: dict) -> str:
    """runs.yml's text, its lists indented under their keys as in the file the book ships (the
    faults that edit runs.yml as text expect that layout)."""
    import yaml

    class Indented(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    return yaml.dump(matrix, Dumper=Indented, sort_keys=False)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def raw(root):
    """events.csv read directly, not through the package, as an independent check."""
    import pandas as pd

    frame = pd.read_csv(root / "data" / "events.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["stance"] = frame["stance"].astype(int)
    return frame


@pytest.fixture(scope="session")
def package():
    from amudarya.data import tables

    return tables.load(ROOT / "data")


# ---------------------------------------------------------------------------
# Two test processes share the machine (`make test` runs pytest-xdist with one worker per core):
# they share the session's book, and a test that measures speed runs alone.


def _shared_folder(config) -> Path | None:
    """The session's folder, which every worker sees (xdist gives each worker a folder of its
    own inside it); None without xdist, where there is nothing to share."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return Path(config.option.basetemp).parent


@contextlib.contextmanager
def _locked(path: Path, mode: int):
    with path.open("a") as f:
        fcntl.flock(f, mode)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "quiet: the test measures speed (Lighthouse's performance score), so no other test runs "
        "beside it: the other worker waits until it is done",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Every test holds the session's quiet lock while it runs, fixtures included: shared by
    tests that may run side by side, exclusive for a test marked `quiet`. Each takes its lock
    through a gate, so a quiet test waiting at the lock is not starved by the other worker's
    next tests: they wait behind it at the gate."""
    folder = _shared_folder(item.config)
    if folder is None:
        yield
        return
    mode = fcntl.LOCK_EX if item.get_closest_marker("quiet") else fcntl.LOCK_SH
    with (folder / "quiet.lock").open("a") as lock:
        with _locked(folder / "quiet.gate", fcntl.LOCK_EX):
            fcntl.flock(lock, mode)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_book(request, tmp_path_factory) -> Path:
    """A copy of the project, built once per test session with `amudarya build` (by the first
    worker that needs it; the other waits and reads the same book); or, when
    AMUDARYA_BUILT_BOOK names a project folder with a built book, that one (to look again at a
    book after changing only tests). The tests that rebuild a copy read its cache's records, so
    they need a book built by this code from this project's runs.yml. No test writes into it:
    those that change a book change a copy."""

    given = os.environ.get("AMUDARYA_BUILT_BOOK")
    if given:
        return Path(given)
    folder = _shared_folder(request.config)
    if folder is None:
        project = copy_project(tmp_path_factory.mktemp("book") / "project")
        runner.build(project, log=lambda *_: None)
        return project
    project, done = folder / "book" / "project", folder / "book" / "built"
    with _locked(folder / "book.lock", fcntl.LOCK_EX):
        if not done.exists():
            shutil.rmtree(project, ignore_errors=True)
            runner.build(copy_project(project), log=lambda *_: None)
            done.touch()
    return project


def executed_runs(root, built_book, folder, runs: dict) -> dict:
    """Executed notebooks by key: from the built book when the run is one of its chapters,
    else executed into `folder` (two at a time: the machine has two cores)."""

    paths, todo = {}, {}
    for key, run in runs.items():
        done = built_book / GENERATED / f"{run.name}.ipynb"
        if done.is_file():
            paths[key] = done
        else:
            todo[key] = folder / f"{run.name}.ipynb"
    if todo:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {key: pool.submit(execute, root, runs[key], path) for key, path in todo.items()}
            paths.update({key: future.result() for key, future in futures.items()})
    return {key: nbformat.read(path, as_version=4) for key, path in paths.items()}


GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")


def assert_glue_complete(nb, name: str) -> None:
    """Every value the executed notebook's prose refers to was glued, and none is missing
    (None, NaN, or text that prints as "nan")."""

    values = glued(nb)
    wanted = {key for cell in nb.cells if cell.cell_type == "markdown" for key in GLUE_ROLE.findall(cell.source)}
    assert wanted and wanted <= set(values), (name, wanted - set(values))
    bad = {k: v for k, v in values.items() if v is None or v != v or str(v).lower() in {"nan", "<na>", "none"}}
    assert not bad, (name, bad)


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project for one test to change."""
    return copy_project(tmp_path / "project")


# ---------------------------------------------------------------------------
# The built book in a real browser: one Chromium for the session, shared by the browser tests
# (test_browser.py) and the outside judges (test_judges.py, Lighthouse in the same browser).


@pytest.fixture(scope="session")
def driver():
    import browser

    missing = browser.missing_tools()
    if missing:
        pytest.fail("missing for the browser tests: " + ", ".join(missing) + "\n" + browser.INSTALL_HINT, pytrace=False)
    with browser.chromium() as d:
        yield d


@pytest.fixture(scope="session")
def html(built_book) -> Path:
    return built_book / "_build" / "html"


@pytest.fixture(scope="session")
def base_url(html):
    import browser

    with browser.serve(html) as url:
        yield url
