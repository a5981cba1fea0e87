"""The build, from the run matrix to the published book: which runs to execute, in what order
the steps go, and what a build holds while it runs.

`notebooks/runs.yml` lists the book's parts and chapters (`matrix`); a chapter is a notebook
run with parameters (or a prose page in `book/`). Each run is executed by papermill
(`execution`), in the build process or on a Dask cluster (`schedule`), post-processed
(`postprocess`) and kept in the cache (`cache`), keyed on its recipe and on what its kernel
read (`depfile`); a run whose stored entry still matches both is not executed again. The runs
are copied into `book/_generated/` and the table of contents is written from the matrix. Jupyter
Book then builds into a work folder, unless nothing the book is made of changed, and the result
replaces `_build/html` only when the whole build succeeded (`assembly`).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from amudarya.build import assembly, cache, lock, schedule, timeouts
from amudarya.build.analysis import path_for
from amudarya.build.matrix import Matrix, load_matrix, with_timeout, write_toc
from amudarya.build.paths import BUILD, FAILED, GENERATED
from amudarya.build.run import Run, notebook_path
from amudarya.data import depfile, tables
from amudarya.data.errors import InputError, Problem, RunError
from amudarya.domain import words
from amudarya.render import bounds
from amudarya.render.jupyterbook import JupyterBook


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _check_data(root: Path) -> None:
    findings = tables.check_once(root / "data")
    if findings.problems:
        count = words.count(len(findings.problems), "problem")
        raise InputError(findings.problems, summary=f"The data package is not valid ({count})")
    # Valid, but probably not what the person meant (markup in a text field): said, never fatal.
    for warning in findings.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _execute(
    root: Path,
    runs: list[Run],
    recipes: dict[str, str],
    jobs: int,
    scheduler: str | None,
    log,
    entries: dict[str, Path],
) -> None:
    """Execute `runs` (`jobs` at a time, or on the cluster at `scheduler`) and store each in the
    cache as it finishes, with what it read; its entry goes into `entries`."""
    store = cache.Store(root)
    failures = []

    def done(run: Run, outcome) -> None:
        if isinstance(outcome, schedule.Result):
            entries[run.name] = store.save(run.name, recipes[run.name], outcome.files, outcome.reads, outcome.seconds)
            log(f"{run.name}: executed in {outcome.seconds:.1f} s")
        else:
            failures.append(str(outcome) if isinstance(outcome, RunError) else f"{run.describe()}: {outcome!r}")
            log(f"{run.name}: failed")

    schedule.run_all(root, longest_first(store, runs), jobs, scheduler, done)
    if failures:
        raise RunError("\n".join(failures))


def longest_first(store: cache.Store, runs: list[Run]) -> list[Run]:
    """`runs` in the order to start them: the longest first, by how long each took when last
    executed, so that a long run does not start last and keep one core busy while the others
    wait (it matters when more runs wait than there are workers). Runs never executed come
    first, in the order of runs.yml."""
    known = {run.name: store.last_seconds(run.name) for run in runs}
    return sorted(runs, key=lambda run: -known[run.name] if known[run.name] is not None else float("-inf"))


def run_inputs(root: Path, run: Run) -> tuple[Path, ...]:
    """Files the runner feeds a run besides its notebook and what its kernel reads from data/
    (which the kernel records itself): their content joins the run's key. The one place where
    such a file is declared: the run's authored analysis, merged into its notebook."""
    return (path_for(root, run.thread, run.parameters),)


def plan(root: Path, matrix: Matrix, entries: dict[str, Path]) -> dict[str, str]:
    """Each run's recipe key; the runs whose stored entry is still up to date (the recipe, and
    every file the run read as it was then) go into `entries`, the others must be executed."""
    shared = cache.shared_inputs(root)
    recipes = {
        run.name: cache.run_key(
            shared, notebook_path(root, run.thread), run.thread, run.parameters, run_inputs(root, run)
        )
        for run in matrix.runs
    }
    store = cache.Store(root)
    current = depfile.Current(root)
    for run in matrix.runs:
        found = store.find(run.name, recipes[run.name], current)
        if found:
            entries[run.name] = found
    return recipes


def build(
    root: Path, log=print, jobs: int | None = None, timeout: float | None = None, scheduler: str | None = None
) -> Path:
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
        matrix = with_timeout(matrix, timeout)
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
                # Typed here, once, where validation has imported Frictionless, and remembered
                # (casting.remembered): no kernel then imports it, and two starting at once do not
                # both type the same tables.
                tables.load(root / "data")
                _execute(root, missing, recipes, jobs, scheduler, log, entries)
            assembly.assemble(root, matrix, entries, missing, log)
            bounds.warn_large(root / GENERATED)
            return assembly.book(root, site, log)
