"""Rebuilds: runs keyed on content, Sphinx skipped when nothing changed, the last good book kept.

The builds here start from a copy of the session's built book, cache and all, so each test
pays only for the work its change really needs.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from amudarya.build import cache, runner
from amudarya.build.matrix import load_matrix
from amudarya.build.run import Run
from amudarya.data import tables
from amudarya.data.errors import InputError, RunError
from amudarya.domain import events, trade, tradefacts, tradefigures
from test_keys import affected

CHAPTER = "_generated/trade__partner-AFG__reporter-KAZ.html"


def build(project, **kwargs) -> list[str]:
    lines = []
    runner.build(project, log=lines.append, **kwargs)
    return lines


def outcome(lines, run) -> str:
    """'executed' or 'cached', from the run's progress line."""
    found = [line for line in lines if line.startswith(f"{run.name}: ")]
    assert len(found) == 1, lines
    return found[0].split(": ")[1].split()[0]


def page_text(project, page=CHAPTER) -> str:
    return re.sub(r"<[^>]+>", "", (project / "_build" / "html" / page).read_text())


def _kaz_flows(folder):
    package = tables.load(folder)
    flows = trade.flows(package["trade"], "KAZ", "AFG", package["disputes"])
    return flows, events.takeover(package["events"])


def turnover_text(folder) -> str:
    facts = tradefacts.before_takeover(*_kaz_flows(folder))
    return f"US$ {facts['turnover_m']:,.1f} million"


def turnover_row(folder) -> str:
    """The trade_id of the turnover figure the KAZ-AFG chapter reports."""
    used = tradefigures.rows_before_takeover(*_kaz_flows(folder))
    return used.loc[used["flow"] == "turnover", "trade_id"].iloc[0]


def change_turnover(folder, by: int) -> None:
    """Add `by` dollars to the turnover figure the KAZ-AFG chapter reports."""
    trade_id = turnover_row(folder)
    path = folder / "trade.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["trade_id"] == trade_id:
            row["value_usd"] = str(int(row["value_usd"]) + by)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def rebuilt(built_book, tmp_path):
    """A copy of the built project with its cache, its Sphinx work folder and its book."""
    target = tmp_path / "project"
    shutil.copytree(built_book, target, symlinks=True)
    return target


@pytest.fixture
def runs(rebuilt):
    return load_matrix(rebuilt).runs


# ---------------------------------------------------------------------------
# Keys


def test_a_notebook_key_ignores_outputs_and_execution_counts(tmp_path, root):
    nb = nbformat.read(root / "notebooks" / "trade.ipynb", as_version=4)
    clean = tmp_path / "clean.ipynb"
    nbformat.write(nb, clean)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 7
            cell.outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    assert cache.notebook_digest(clean) == cache.notebook_digest(saved)
    nb.cells[-1].source += "\n# a changed line"
    nbformat.write(nb, saved)
    assert cache.notebook_digest(clean) != cache.notebook_digest(saved)


def test_a_recipe_key_changes_with_parameters_and_code_but_not_mtimes_or_data(project, root):
    notebook = project / "notebooks" / "trade.ipynb"
    shared = cache.shared_inputs(project)
    key = cache.run_key(shared, notebook, "trade", {"reporter": "KAZ", "partner": "AFG"})
    # The same parameters in another order are the same run.
    assert key == cache.run_key(shared, notebook, "trade", {"partner": "AFG", "reporter": "KAZ"})
    assert key != cache.run_key(shared, notebook, "trade", {"reporter": "UZB", "partner": "AFG"})
    for path in (project / "data").iterdir():
        os.utime(path, (1, 1))
    assert cache.shared_inputs(project) == shared
    # The data are not in the recipe: each run records the files it read (tests/test_keys.py).
    change_turnover(project / "data", by=100_000)
    assert cache.shared_inputs(project) == shared
    assert cache.code_digest() == cache.files_digest(root / "src" / "amudarya", "*.py")


# ---------------------------------------------------------------------------
# Builds


def test_a_second_build_executes_nothing_and_skips_sphinx(rebuilt, runs):
    index = rebuilt / "_build" / "html" / "index.html"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    lines = build(rebuilt)
    assert [outcome(lines, run) for run in runs] == ["cached"] * len(runs)
    assert any(line.startswith("book: unchanged, Sphinx skipped") for line in lines), lines
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before


def test_touching_every_input_executes_nothing(rebuilt, runs, root):
    inputs = [p for part in ("data", "notebooks", "book") for p in (rebuilt / part).rglob("*") if p.is_file()]
    inputs += [rebuilt / "_config.yml"]
    code = sorted((root / "src" / "amudarya").rglob("*.py"))
    saved = {p: p.stat() for p in code}
    later = 4_000_000_000  # 2096: newer than anything a build wrote
    try:
        for path in inputs + code:
            os.utime(path, (later, later))
        lines = build(rebuilt)
    finally:
        for path, st in saved.items():
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert [outcome(lines, run) for run in runs] == ["cached"] * len(runs)
    assert any(line.startswith("book: unchanged, Sphinx skipped") for line in lines), lines


def test_a_changed_data_value_is_executed_and_reaches_the_book(rebuilt, runs):
    old = turnover_text(rebuilt / "data")
    assert old in page_text(rebuilt)
    # Read before the change: only entries still up to date are recorded.
    read_trade = affected(rebuilt, "trade.csv", turnover_row(rebuilt / "data"), "value_usd")
    assert CHAPTER.removeprefix("_generated/").removesuffix(".html") in read_trade
    original = (rebuilt / "data" / "trade.csv").read_bytes()
    change_turnover(rebuilt / "data", by=1_200_000)
    new = turnover_text(rebuilt / "data")
    assert new != old

    lines = build(rebuilt)
    # Exactly the runs whose record covers that figure are executed again: the chapter, and
    # those that read all of trade.csv or the rows of Kazakhstan (the overview, its policy chapter).
    assert {run.name for run in runs if outcome(lines, run) == "executed"} == read_trade
    assert {run.name for run in runs if outcome(lines, run) == "cached"} == {r.name for r in runs} - read_trade
    assert any(line.startswith("book: built") for line in lines), lines
    text = page_text(rebuilt)
    assert new in text and old not in text

    # Back to the first value: the runs made from it are still in the cache.
    (rebuilt / "data" / "trade.csv").write_bytes(original)
    lines = build(rebuilt)
    assert [outcome(lines, run) for run in runs] == ["cached"] * len(runs)
    assert old in page_text(rebuilt)


def test_a_build_beside_another_dask_cluster_says_nothing_about_ports(recwarn):
    """A second build on the machine (or any program on port 8787) must not make the local
    cluster warn that its port is taken: the build's stderr is for the build's own messages."""
    import socket

    from amudarya.build import schedule

    taken = socket.socket()
    try:
        taken.bind(("127.0.0.1", 8787))
        taken.listen()
    except OSError:
        pass  # already taken by another program: the case under test all the same
    try:
        client, cluster = schedule._cluster(None, 1)
        schedule._close(client, cluster)
    finally:
        taken.close()
    assert not [w for w in recwarn if "8787" in str(w.message)], [str(w.message) for w in recwarn]


def test_new_runs_are_executed_side_by_side_on_a_dask_cluster_and_the_others_not_at_all(rebuilt, runs):
    path = rebuilt / "notebooks" / "runs.yml"
    matrix = yaml.safe_load(path.read_text())
    # Two chapters the default book does not have.
    new = [Run("policy", {"country": code}) for code in ("KGZ", "TJK")]
    assert not {r.name for r in new} & {r.name for r in runs}
    matrix["parts"][-1]["chapters"] += [{"notebook": r.thread, "parameters": r.parameters} for r in new]
    path.write_text(yaml.safe_dump(matrix, sort_keys=False))
    # On a Dask cluster of two workers, reached by its address as `--scheduler ADDRESS` does
    # (the build's own LocalCluster, the default, is used in tests/test_keys.py).
    import logging

    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        lines = build(rebuilt, scheduler=cluster.scheduler_address)
    assert [outcome(lines, run) for run in runs] == ["cached"] * len(runs)
    assert [outcome(lines, run) for run in new] == ["executed", "executed"]
    # Two workers: each notebook started before the other one finished.
    spans = []
    for run in new:
        assert (rebuilt / "_build" / "html" / "_generated" / f"{run.name}.html").is_file()
        meta = nbformat.read(rebuilt / "book" / "_generated" / f"{run.name}.ipynb", as_version=4).metadata.papermill
        spans.append((meta.start_time, meta.end_time))
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a


def test_each_run_records_its_seconds_and_the_longest_starts_first(built_book):
    """A build starts the runs it must execute longest first, by how long each took when last
    executed (its cache entry records it); runs never executed come first, in runs.yml's order."""
    runs = load_matrix(built_book).runs
    store = cache.Store(built_book)
    seconds = {run.name: store.last_seconds(run.name) for run in runs}
    assert all(s is not None and s > 0 for s in seconds.values()), seconds
    ordered = runner.longest_first(store, runs)
    assert [seconds[run.name] for run in ordered] == sorted(seconds.values(), reverse=True)
    new = [Run("policy", {"country": code}) for code in ("KGZ", "TJK")]
    assert runner.longest_first(store, [runs[0], *new])[:2] == new


def test_a_cluster_starts_the_runs_in_the_order_given(built_book):
    """On a cluster of one worker, runs finish in the order the build gives them (Dask alone
    starts tasks submitted together in no set order)."""
    import logging

    from dask.distributed import LocalCluster

    from amudarya.build import schedule

    # The three shortest runs of the book, in an order that is neither runs.yml's nor their names'.
    order = [Run("sources", {}), Run("chronology", {}), Run("names", {})]
    finished = []
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        schedule.run_all(built_book, order, 1, cluster.scheduler_address, lambda run, outcome: finished.append(run))
    assert finished == order


def _book_bytes(project) -> dict:
    html = project / "_build" / "html"
    return {p.relative_to(html): p.read_bytes() for p in html.rglob("*") if p.is_file()}


def test_a_failing_notebook_leaves_the_last_good_book(rebuilt):
    before = _book_bytes(rebuilt)
    assert {"index.html", CHAPTER} <= {str(p) for p in before}
    path = rebuilt / "notebooks" / "trade.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("a deliberate failure")'))
    nbformat.write(nb, path)
    with pytest.raises(RunError) as info:
        build(rebuilt)
    assert "the run trade(partner='AFG', reporter='KAZ') stopped in cell" in str(info.value)
    assert "a deliberate failure" in str(info.value)
    assert _book_bytes(rebuilt) == before


def test_a_failing_sphinx_build_leaves_the_last_good_book_and_is_not_forgotten(rebuilt):
    before = _book_bytes(rebuilt)
    index = rebuilt / "book" / "index.md"
    good = index.read_text()
    index.write_text(good + "\nSee {ref}`a-label-that-does-not-exist`.\n")
    for _attempt in range(2):
        # The second attempt must fail too: an incremental Sphinx build would not repeat
        # the warning about a page it has already read.
        with pytest.raises(RunError, match="Jupyter Book failed"):
            build(rebuilt)
        assert _book_bytes(rebuilt) == before
    index.write_text(good)
    lines = build(rebuilt)
    assert any(line.startswith("book: ") for line in lines)
    assert (rebuilt / "_build" / "html" / "index.html").read_bytes() == before[Path("index.html")]


def test_bad_data_stops_the_build_before_anything_is_stored(rebuilt):
    before = _book_bytes(rebuilt)
    path = rebuilt / "data" / "trade.csv"
    path.write_text(path.read_text().replace(",KAZ,AFG,", ",KAZ,XXX,", 1))
    with pytest.raises(InputError, match="data package is not valid"):
        build(rebuilt)
    assert _book_bytes(rebuilt) == before


def test_jobs_must_be_a_positive_number(project):
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "--root", str(project), "build", "--jobs", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--jobs must be at least 1" in result.stderr
