"""Rebuilds follow what each run read: a run's key is its recipe plus the data files its kernel
read, recorded while it ran (`depfile`), so a changed value re-executes exactly the runs that
read it, an edit made during a build is never stored under the wrong key, and a damaged cache
entry is discarded and executed again.

Each test starts from a copy of the session's built book and, where it executes, narrows the
run matrix to one or two chapters so that it pays only for the runs its change concerns.
"""

import csv
import re
import shutil
from pathlib import Path

import pytest

from amudarya.build import cache, execution, runner, schedule
from amudarya.build.matrix import load_matrix
from amudarya.build.run import Run
from amudarya.data import depfile, keys, tables
from conftest import narrow_book

REPATRIATION = Run("repatriation", {"country": "KGZ", "origin": "AFG"})
TRADE_TKM = Run("trade", {"reporter": "TKM", "partner": "AFG"})
TRADE_KAZ = Run("trade", {"reporter": "KAZ", "partner": "AFG"})
# A people figure of one state (Kyrgyzstan), which the repatriation chapter lists in its download.
PEOPLE_ROW = "unhcr-kgz-2019-asylum-applications"
ACTOR_ROW = "afg-abdul-ghani-baradar"


@pytest.fixture
def rebuilt(built_book, tmp_path):
    target = tmp_path / "project"
    shutil.copytree(built_book, target, symlinks=True)
    return target


def build(project, **kwargs) -> list[str]:
    lines = []
    runner.build(project, log=lines.append, **kwargs)
    return lines


def outcomes(lines) -> dict[str, str]:
    """{run name: 'executed' | 'cached'} from the build's progress lines."""
    found = {}
    for line in lines:
        name, _, rest = line.partition(": ")
        if rest.split(" ")[0] in {"executed", "cached"}:
            found[name] = rest.split(" ")[0]
    return found


def executed(lines) -> set[str]:
    return {name for name, outcome in outcomes(lines).items() if outcome == "executed"}


def readers(project, table: str) -> set[str]:
    """The runs of the book whose up-to-date record says they read data/<table>, whole or in part."""
    return {
        name for name, files in recorded(project).items() if any(f.partition("#")[0] == f"data/{table}" for f in files)
    }


def affected(project, table: str, row_id: str, column: str) -> set[str]:
    """The runs whose record covers `column` of the row `row_id` of data/<table>: those a change
    of that one cell must execute again. Worked out from what each record names (the whole file,
    or a selection of rows and columns), not from the digests the build compares."""
    with (project / "data" / table).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    (row,) = [r for r in rows if r[list(rows[0])[0]] == row_id]
    found = set()
    for name, files in recorded(project).items():
        for file in files:
            path, _, selection = file.partition("#")
            if path != f"data/{table}":
                continue
            how = depfile.parse_selection(selection) if selection else {"column": None, "columns": None}
            if (how["columns"] is None or column in how["columns"]) and (
                how["column"] is None or row[how["column"]] in how["values"]
            ):
                found.add(name)
    return found


def stale(project) -> set[str]:
    """The runs the next build would execute."""
    matrix = load_matrix(project)
    entries = {}
    runner.plan(project, matrix, entries)
    return {run.name for run in matrix.runs} - set(entries)


def recorded(project) -> dict[str, set[str]]:
    """{run name: data files its up-to-date entry says it read}."""
    matrix = load_matrix(project)
    entries = {}
    runner.plan(project, matrix, entries)
    return {name: set(cache._entry_record(entry)["reads"]) for name, entry in entries.items()}


def edit_cell(path: Path, key: str, column: str, change) -> str:
    """Set `column` of the row whose first field is `key` to change(old); return the new value."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = list(rows[0])[0]
    (row,) = [r for r in rows if r[first] == key]
    row[column] = change(row[column])
    # Written aside and renamed into place, as editors save: a kernel reading the table while the
    # test edits it must see the old file or the new one, never a truncated one.
    aside = path.with_name(path.name + ".edit")
    with aside.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    aside.replace(path)
    return row[column]


# ---------------------------------------------------------------------------
# Which runs a change re-executes


def test_a_change_to_any_table_makes_stale_exactly_the_runs_that_read_it(rebuilt):
    reads = recorded(rebuilt)
    assert len(reads) == len(load_matrix(rebuilt).runs)
    assert stale(rebuilt) == set()
    data = rebuilt / "data"
    names = sorted(p.name for p in data.glob("*.csv"))
    assert len(names) >= 9
    for table in names:
        path = data / table
        original = path.read_bytes()
        with path.open(newline="", encoding="utf-8") as f:
            first = next(csv.DictReader(f))
        id_column, row_id = next(iter(first.items()))
        expected = affected(rebuilt, table, row_id, id_column)
        # One value of one row changed (the row's id gets a letter more): the file differs.
        edit_cell(path, row_id, id_column, lambda v: v + "x")
        assert stale(rebuilt) == expected, table
        path.write_bytes(original)
    # Never fewer than the runs that show the table: every trade chapter and the overview read
    # trade.csv, the repatriation chapter reads actors.csv and people.csv, trade chapters fx.csv.
    trade_runs = {r.name for r in load_matrix(rebuilt).runs if r.thread == "trade"}
    assert trade_runs | {"overview"} <= readers(rebuilt, "trade.csv")
    assert trade_runs <= readers(rebuilt, "fx.csv")
    assert REPATRIATION.name in readers(rebuilt, "actors.csv") & readers(rebuilt, "people.csv")
    # ...and the tables nobody reads change nothing: a README edit re-executes no run.
    (data / "README.md").write_text((data / "README.md").read_text() + "\nA note.\n")
    assert stale(rebuilt) == set()


def test_one_changed_value_re_executes_at_most_the_few_runs_that_show_it(rebuilt):
    """Issue 15's targets, as a reader of the book would list the pages that show each value
    (not worked out from the records): a Kyrgyz trade figure is on the Kyrgyz trade chapter and
    in the overview's table; a Tajik event's wording is in the refusal chapter, the chronology
    and the overview; a Kazakh one in the Kazakh policy chapter too. Every other run stays cached."""
    trade_kgz = "trade__partner-AFG__reporter-KGZ"
    cases = [
        (
            "trade.csv",
            lambda r: r["reporter"] == "KGZ" and r["value_usd"] and not r["dispute_id"],
            "value_usd",
            {"overview", trade_kgz},
        ),
        (
            "events.csv",
            lambda r: r["country"] == "TJK" and not r["dispute_id"],
            "summary",
            {"overview", "chronology", "refusal__country-TJK"},
        ),
        (
            "events.csv",
            lambda r: r["country"] == "KAZ" and not r["dispute_id"],
            "summary",
            {"overview", "chronology", "refusal__country-TJK", "policy__country-KAZ"},
        ),
        ("people.csv", lambda r: r["record_id"] == PEOPLE_ROW, "value", {"overview", REPATRIATION.name}),
    ]
    for table, pick, column, expected in cases:
        path = rebuilt / "data" / table
        original = path.read_bytes()
        with path.open(newline="", encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if pick(r))
        changed = row[column] + " Reworded." if column == "summary" else str(float(row[column]) + 1)
        edit_cell(path, next(iter(row.values())), column, lambda v, new=changed: new)
        assert stale(rebuilt) == expected, (table, column)
        path.write_bytes(original)


def test_one_changed_figure_re_executes_only_its_readers_and_reaches_the_book(rebuilt):
    narrow_book(rebuilt, [REPATRIATION, TRADE_TKM])
    assert stale(rebuilt) == set()
    # A people figure of Kyrgyzstan: the page of names never read people.csv; the Sources page
    # reads only its citing columns, so a count leaves it cached.
    expected = affected(rebuilt, "people.csv", PEOPLE_ROW, "value")
    assert REPATRIATION.name in expected and not {"names", "sources"} & expected
    assert "sources" in readers(rebuilt, "people.csv")
    new = edit_cell(rebuilt / "data" / "people.csv", PEOPLE_ROW, "value", lambda v: str(int(float(v)) + 1))
    lines = build(rebuilt)
    assert executed(lines) == expected and outcomes(lines)["sources"] == "cached"
    page = (rebuilt / "_build" / "html" / "_generated" / f"{REPATRIATION.name}.html").read_text()
    (href,) = set(re.findall(r'href="\.\./(_downloads/[^"]+/people\.csv)"', page))
    with (rebuilt / "_build" / "html" / href).open(newline="", encoding="utf-8") as f:
        (row,) = [r for r in csv.DictReader(f) if r["record_id"] == PEOPLE_ROW]
    assert float(row["value"]) == float(new)


def test_a_run_that_starts_reading_a_table_is_executed_when_it_changes(rebuilt):
    narrow_book(rebuilt, [TRADE_TKM])
    others = affected(rebuilt, "actors.csv", ACTOR_ROW, "post")
    assert TRADE_TKM.name not in readers(rebuilt, "actors.csv")  # a trade chapter names no actors
    actors = rebuilt / "data" / "actors.csv"
    original = actors.read_bytes()
    edit_cell(actors, ACTOR_ROW, "post", lambda v: v + " (changed)")
    assert stale(rebuilt) == others
    actors.write_bytes(original)
    # The notebook now reads actors.csv too: a new recipe, executed, and its record says so.
    import nbformat

    path = rebuilt / "notebooks" / "trade.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('actor_rows = len(package["actors"])'))
    nbformat.write(nb, path)
    assert executed(build(rebuilt)) == {TRADE_TKM.name}
    assert "data/actors.csv" in recorded(rebuilt)[TRADE_TKM.name]
    edit_cell(actors, ACTOR_ROW, "post", lambda v: v + " (changed)")
    assert stale(rebuilt) == others | {TRADE_TKM.name}


# ---------------------------------------------------------------------------
# Edits during a build; damaged entries and leftovers


def test_data_edited_while_a_run_executes_is_stored_under_what_the_kernel_read(rebuilt, monkeypatch):
    """The build plans with one value; the file changes before the kernel reads it. The run is
    stored under what the kernel read, so going back to the value of the build's start is a
    change, executed again, and the book shows that value, not the one in between."""
    narrow_book(rebuilt, [TRADE_TKM])
    trade_csv = rebuilt / "data" / "trade.csv"
    download = rebuilt / "book" / "_generated" / "downloads" / TRADE_TKM.name / "trade.csv"
    with download.open(newline="", encoding="utf-8") as f:
        row_id = next(r["trade_id"] for r in csv.DictReader(f) if r["value_usd"])  # a figure the chapter uses
    expected = affected(rebuilt, "trade.csv", row_id, "value_usd")
    assert TRADE_TKM.name in expected
    at_start = edit_cell(trade_csv, row_id, "value_usd", lambda v: str(int(float(v)) + 1_000_000))
    middle = str(int(at_start) + 2_000_000)
    real = schedule.execute_packed

    def edited_meanwhile(root, run):
        edit_cell(trade_csv, row_id, "value_usd", lambda v: middle)
        return real(root, run)

    monkeypatch.setattr(schedule, "execute_packed", edited_meanwhile)
    assert executed(build(rebuilt)) == expected
    monkeypatch.setattr(schedule, "execute_packed", real)

    def shown() -> str:
        with download.open(newline="", encoding="utf-8") as f:
            return next(r["value_usd"] for r in csv.DictReader(f) if r["trade_id"] == row_id)

    assert float(shown()) == float(middle)  # what the kernel read
    edit_cell(trade_csv, row_id, "value_usd", lambda v: at_start)
    assert executed(build(rebuilt)) == expected
    assert float(shown()) == float(at_start)


def test_a_damaged_cache_entry_is_discarded_and_executed_again_and_leftovers_are_swept(rebuilt, capsys):
    entries = {}
    runner.plan(rebuilt, load_matrix(rebuilt), entries)
    (entries[TRADE_KAZ.name] / cache.ENTRY_RECORD).unlink()  # a record lost
    assert stale(rebuilt) == {TRADE_KAZ.name}
    assert "record of what the run read is missing or unreadable" in capsys.readouterr().err
    narrow_book(rebuilt, [TRADE_TKM])
    notebook = entries[TRADE_TKM.name] / f"{TRADE_TKM.name}.ipynb"
    notebook.write_bytes(notebook.read_bytes()[:500])  # truncated, as by a full disk
    # What a build killed with -9 leaves: a half-written entry and its kernels' socket folder.
    dead = 2**22 + 1  # above the default pid_max: no process has it
    partial = rebuilt / "_build" / "cache" / "runs" / TRADE_TKM.name / f".0123456789abcdef.{dead}.partial"
    partial.mkdir()
    sockets = execution.sockets_folder().with_name(f"{execution.SOCKETS_PREFIX}{dead}")
    sockets.mkdir(exist_ok=True)
    lines = build(rebuilt)
    assert executed(lines) == {TRADE_TKM.name}
    err = capsys.readouterr().err
    assert f"cache entry {entries[TRADE_TKM.name]} of run {TRADE_TKM.name} is damaged" in err
    assert f"{TRADE_TKM.name}.ipynb differs from what was stored" in err
    assert not partial.exists() and not sockets.exists()
    assert stale(rebuilt) == set()


def test_a_record_is_read_back_as_written_and_a_broken_one_is_none(tmp_path, monkeypatch):
    target = tmp_path / "reads"
    monkeypatch.setenv(depfile.ENV, str(target))
    depfile.record(tmp_path / "data" / "a.csv", "0" * 64, root=tmp_path)
    depfile.record(tmp_path / "data" / "a.csv", "0" * 64, root=tmp_path)
    assert depfile.read(target) == {"data/a.csv": "0" * 64}
    target.write_text(target.read_text()[:30])
    assert depfile.read(target) is None
    assert depfile.read(tmp_path / "missing") is None


def test_a_selection_is_stale_exactly_when_a_cell_it_covers_changes(tmp_path, monkeypatch):
    """Package.select records the rows and columns it returns; depfile.Current recomputes the
    same digest from the file as it is now. Edits outside the selection leave the record
    current; an edit inside it, or a row joining it, makes it stale."""
    shutil.copytree(Path(__file__).parents[1] / "data", tmp_path / "data")
    record = tmp_path / "reads"
    monkeypatch.setenv(depfile.ENV, str(record))
    monkeypatch.setenv("AMUDARYA_ROOT", str(tmp_path))
    package = tables.load(tmp_path / "data")
    kaz = package.select("trade", "reporter", ["KAZ"])
    ids = package.select("trade", columns=["trade_id", "reporter"])
    assert set(kaz["reporter"]) == {"KAZ"} and list(ids.columns) == ["trade_id", "reporter"]
    reads = depfile.read(record)
    assert set(reads) == {
        "data/datapackage.json",
        "data/trade.csv#reporter=KAZ",
        "data/trade.csv#%40columns=trade_id&%40columns=reporter",
    }

    def current() -> set[str]:
        now = depfile.Current(tmp_path)
        return {name for name, digest in reads.items() if now.digest(name) == digest}

    trade_csv = tmp_path / "data" / "trade.csv"
    with trade_csv.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    other = next(r["trade_id"] for r in rows if r["reporter"] == "TJK" and r["value_usd"])
    mine = next(r["trade_id"] for r in rows if r["reporter"] == "KAZ" and r["value_usd"])
    edit_cell(trade_csv, other, "value_usd", lambda v: str(float(v) + 1))
    assert current() == set(reads)  # another state's figure, a column not selected
    edit_cell(trade_csv, mine, "value_usd", lambda v: str(float(v) + 1))
    assert current() == set(reads) - {"data/trade.csv#reporter=KAZ"}
    edit_cell(trade_csv, other, "reporter", lambda v: "KAZ")  # a row joins the selection
    assert current() == {"data/datapackage.json"}


def test_a_file_that_vanishes_while_the_data_is_read_is_not_an_error(tmp_path, monkeypatch):
    """Editors save by writing a file aside and renaming it into place; a build that lists the
    data folder in between must not fail on the file that has gone (CI saw coverage() do so)."""
    (tmp_path / "a.csv").write_text("x\n1\n")
    alone = keys.files_digest(tmp_path)
    (tmp_path / "a.csv.edit").write_text("x\n2\n")
    real = Path.read_bytes

    def renamed_away(path):
        if path.name.endswith(".edit"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", renamed_away)
    assert keys.files_digest(tmp_path) == alone


# ---------------------------------------------------------------------------
# Stopping a build


def _start_build(project, *args):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "amudarya.cli", "--root", str(project), "build", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _kernels(pid) -> list:
    import psutil

    found = []
    for p in psutil.Process(pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:  # a kernel that has just ended (a zombie until reaped) is not running
            pass
    return found


def _assert_stopped_cleanly(project, process, started, signame):
    import psutil

    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + getattr(__import__("signal"), signame), err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"amudarya build: stopped by {signame}"), err
    # Every process the build started is gone: workers, kernels, Sphinx.
    left = []
    for proc in started:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.NoSuchProcess:
            pass
    assert not left, [p.cmdline() for p in left]
    assert not list((project / "_build" / "cache" / "runs").glob("*/.*.partial"))
    for pid in [process.pid, *(p.pid for p in started)]:
        assert not execution.sockets_folder().with_name(f"{execution.SOCKETS_PREFIX}{pid}").exists()
        assert not list(execution.sockets_folder().parent.glob(f"{schedule.RUN_PREFIX}{pid}-*"))


def test_sigterm_stops_every_worker_and_kernel_and_keeps_finished_runs(rebuilt):
    import time

    import psutil

    new = [Run("policy", {"country": code}) for code in ("KGZ", "TJK", "AFG")]
    narrow_book(rebuilt, new)
    process = _start_build(rebuilt, "--jobs", "2")
    finished = process.stdout.readline()  # the first run to finish
    assert ": executed in " in finished, (finished, process.stderr.read() if process.poll() is not None else "")
    deadline = time.monotonic() + 60
    while not _kernels(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    started = psutil.Process(process.pid).children(recursive=True)
    assert _kernels(process.pid) and len(started) >= 3  # two workers and a kernel at least
    process.terminate()
    _assert_stopped_cleanly(rebuilt, process, started, "SIGTERM")
    # The finished run is kept: the next build takes it from the cache.
    name = finished.split(":")[0]
    assert name in {r.name for r in new} and name not in stale(rebuilt)


def test_ctrl_c_stops_the_build_and_its_kernel_with_one_line(rebuilt):
    import os
    import signal
    import time

    import psutil

    narrow_book(rebuilt, [Run("policy", {"country": "KGZ"})])
    process = _start_build(rebuilt)
    deadline = time.monotonic() + 120
    while not _kernels(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernels(process.pid)
    started = psutil.Process(process.pid).children(recursive=True)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: to the whole process group
    _assert_stopped_cleanly(rebuilt, process, started, "SIGINT")
