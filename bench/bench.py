"""How long rebuilds take, and whether they are right: `amudarya build` against Jupyter Book 1.

Run by `make bench`. Three copies of the project are made in a temporary folder:

- `amudarya`: the project as it is, built with `amudarya build` (cache, parallel runs);
- `jb-force` and `jb-cache`: a Jupyter Book 1 project with the same chapters, each a source
  notebook with its run's parameters injected by papermill (as papermill does before it
  executes), built by `jupyter-book build` with `execute_notebooks: force` or `cache`.
  The real _config.yml is copied and only its `execute` section changed.

Every repetition measures, for each of the three: a clean build (no _build/ at all), a no-op
rebuild, a rebuild after `touch` of every input (data, notebooks, pages, configuration and the
package's code; no content changes), and a rebuild after one data value changed (the turnover
figure of the first trade chapter, a new value each time). After that last rebuild it looks for
the new figure in the chapter's HTML. One untimed clean build of each comes first, so that
one-off costs of a fresh machine (matplotlib's font cache, cold disk) are not counted.

The tables (medians) and every single figure are printed and written to bench/results.md,
with the machine they were measured on.
"""

from __future__ import annotations

import csv
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import nbformat
import yaml
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

import amudarya
from amudarya.build.matrix import Matrix, load_matrix, write_toc
from amudarya.build.parameters import notebook_parameters
from amudarya.build.run import Run, notebook_path
from amudarya.data import tables
from amudarya.domain import events, trade, tradefigures, words

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.md"
REPETITIONS = 3
SYSTEMS = ("amudarya", "jb-force", "jb-cache")
SCENARIOS = {
    "clean": "clean build",
    "noop": "no-op rebuild",
    "touch": "rebuild after touch of every input",
    "data": "rebuild after one data value changed",
}
STEP = 100_000  # dollars added to the turnover figure each time: always a value not seen before
CODE = Path(amudarya.__file__).parent  # the amudarya package, every layer of it


# ---------------------------------------------------------------------------
# Projects


def link_tools(target: Path) -> None:
    """The installed npm packages (the overview map's boundaries), shared, not copied."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "tools").symlink_to(ROOT / "tools", target_is_directory=True)


def copy_project(target: Path, source: Path = ROOT) -> Path:
    """What a build reads, from `source` (this checkout, or an older revision's worktree)."""
    for part in ("data", "notebooks", "book"):
        shutil.copytree(source / part, target / part, ignore=shutil.ignore_patterns("_generated", "_toc.yml", "_build"))
    shutil.copy2(source / "_config.yml", target / "_config.yml")
    # Read by the "How to cite" page, which older revisions do not have.
    if (source / "CITATION.cff").is_file():
        shutil.copy2(source / "CITATION.cff", target / "CITATION.cff")
    link_tools(target)
    return target


def jupyter_book_project(target: Path, mode: str, matrix: Matrix) -> Path:
    """The same chapters as a plain Jupyter Book: pages from book/, one notebook per run."""
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copy2(ROOT / "CITATION.cff", target / "CITATION.cff")
    link_tools(target)
    shutil.copytree(
        ROOT / "book", target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("_generated", "_toc.yml", "_build")
    )
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"] = {"execute_notebooks": mode}
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for run in matrix.runs:
        path = target / "_generated" / f"{run.name}.ipynb"
        nb = parameterize_notebook(load_notebook_node(str(notebook_path(ROOT, run.thread))), run.parameters)
        # What execution.execute does through the environment: tell the notebook where it is, so
        # its downloads land beside it, as they do in the amudarya book.
        nb.cells.insert(
            0,
            nbformat.v4.new_code_cell(
                f"import os\nos.environ['AMUDARYA_OUTPUT'] = {str(path)!r}", metadata={"tags": ["remove-cell"]}
            ),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    (target / "book").mkdir()
    write_toc(target, matrix)  # the amudarya book's toc, written to target/book/
    shutil.move(target / "book" / "_toc.yml", target / "_toc.yml")
    (target / "book").rmdir()
    return target


class System:
    def __init__(self, name: str, folder: Path):
        self.name = name
        self.folder = folder

    @property
    def html(self) -> Path:
        return self.folder / "_build" / "html"

    def clean(self) -> None:
        shutil.rmtree(self.folder / "_build", ignore_errors=True)
        if self.name == "amudarya":
            shutil.rmtree(self.folder / "book" / "_generated", ignore_errors=True)
            (self.folder / "book" / "_toc.yml").unlink(missing_ok=True)
        else:
            shutil.rmtree(self.folder / "_generated" / "downloads", ignore_errors=True)

    def build(self) -> tuple[float, str]:
        if self.name == "amudarya":
            cmd = [str(BIN / "amudarya"), "--root", str(self.folder), "build"]
        else:
            cmd = [str(BIN / "jupyter-book"), "build", str(self.folder)]
        env = dict(os.environ, AMUDARYA_ROOT=str(self.folder))
        started = time.perf_counter()
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=self.folder)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return seconds, result.stdout

    def inputs(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file() and "_build" not in p.relative_to(self.folder).parts]


def touch(paths: list[Path]) -> None:
    now = time.time()
    for path in paths:
        os.utime(path, (now, now))


# ---------------------------------------------------------------------------
# The data value that changes


def changed_figure(matrix: Matrix) -> tuple[Run, str]:
    """The first trade chapter, and the trade_id of the turnover figure it reports."""
    package = tables.load(ROOT / "data")
    for run in matrix.runs:
        if run.thread != "trade":
            continue
        defaults = {k: p.default for k, p in notebook_parameters(notebook_path(ROOT, "trade")).items()}
        params = {**defaults, **run.parameters}
        used = tradefigures.rows_before_takeover(
            trade.flows(package["trade"], params["reporter"], params["partner"], package["disputes"]),
            events.takeover(package["events"]),
        )
        turnover = used[used["flow"] == "turnover"]
        if not turnover.empty:
            return run, str(turnover["trade_id"].iloc[0])
    sys.exit("bench: no trade chapter in notebooks/runs.yml reports a turnover figure to change")


def figure(folder: Path, trade_id: str) -> int:
    with (folder / "data" / "trade.csv").open(newline="", encoding="utf-8") as f:
        return next(int(row["value_usd"]) for row in csv.DictReader(f) if row["trade_id"] == trade_id)


def add_to_figure(folder: Path, trade_id: str, dollars: int) -> int:
    """Add `dollars` to one row's value_usd in folder/data/trade.csv; return the new value."""
    path = folder / "data" / "trade.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["trade_id"] == trade_id:
            row["value_usd"] = str(int(row["value_usd"]) + dollars)
            value = int(row["value_usd"])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return value


def shows(system: System, run: Run, dollars: int) -> bool:
    """The chapter's page gives `dollars` as the book writes money (`words.money`): 230,000,000
    reads "US$ 230 million", not "230.0", which once made a rebuild that had the new value
    count as one that missed it."""
    page = (system.html / "_generated" / f"{run.name}.html").read_text(encoding="utf-8")
    return words.money(dollars) in re.sub(r"<[^>]+>", "", page)


# ---------------------------------------------------------------------------
# Measuring


def executed_nothing(output: str, runs: list[Run]) -> bool:
    return all(f"{run.name}: cached" in output for run in runs) and "Sphinx skipped" in output


def measure(work: Path) -> tuple[dict, dict, list[str]]:
    matrix = load_matrix(ROOT)
    run, trade_id = changed_figure(matrix)
    systems = [System("amudarya", copy_project(work / "amudarya"))]
    systems += [
        System(f"jb-{mode}", jupyter_book_project(work / f"jb-{mode}", mode, matrix)) for mode in ("force", "cache")
    ]
    times = {(s.name, k): [] for s in systems for k in SCENARIOS}
    reached = {s.name: [] for s in systems}
    notes = []
    for system in systems:
        system.clean()
        system.build()
    for rep in range(1, REPETITIONS + 1):
        for system in systems:
            system.clean()
            seconds, _ = system.build()
            times[system.name, "clean"].append(seconds)
            # Without this, "the new value is not in the book" could mean "the page looks different".
            if not shows(system, run, figure(system.folder, trade_id)):
                sys.exit(f"bench: the clean {system.name} book does not show the turnover figure it was built with")
            seconds, output = system.build()
            times[system.name, "noop"].append(seconds)
            if system.name == "amudarya" and not executed_nothing(output, matrix.runs):
                notes.append(f"repetition {rep}: the no-op rebuild did work:\n{output}")
            code = sorted(CODE.rglob("*.py"))
            saved = {p: p.stat() for p in code}
            try:
                touch(system.inputs() + code)
                seconds, output = system.build()
            finally:
                for path, st in saved.items():
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            times[system.name, "touch"].append(seconds)
            if system.name == "amudarya" and not executed_nothing(output, matrix.runs):
                notes.append(f"repetition {rep}: the rebuild after touch did work:\n{output}")
            dollars = add_to_figure(system.folder, trade_id, STEP)
            seconds, _ = system.build()
            times[system.name, "data"].append(seconds)
            reached[system.name].append(shows(system, run, dollars))
        print(f"bench: repetition {rep}/{REPETITIONS} done", file=sys.stderr)
    return times, reached, notes


# ---------------------------------------------------------------------------
# Reporting


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {model}, {cores} cores available to the build",
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}",
        "- "
        + ", ".join(f"{p} {version(p)}" for p in ("jupyter-book", "sphinx", "myst-nb", "papermill", "jupyter-cache")),
    ]


def report(times: dict, reached: dict, notes: list[str], load: tuple, runs: int, started: float) -> str:
    med = {key: statistics.median(values) for key, values in times.items()}
    lines = ["# Benchmark: rebuilds with `amudarya build` and with Jupyter Book 1", ""]
    lines += ["Measured by `make bench` (bench/bench.py) on:", ""] + machine()
    lines += [
        f"- load average (1 min) before / after: {load[0]:.2f} / {load[1]:.2f}",
        f"- {runs} run(s) in notebooks/runs.yml; {REPETITIONS} repetitions; medians in seconds; "
        f"whole benchmark {time.perf_counter() - started:.0f} s",
        "",
    ]
    lines += ["| | amudarya build | JB force | JB cache | amudarya / JB force |", "|---|---:|---:|---:|---:|"]
    for key, label in SCENARIOS.items():
        row = [f"{med[s, key]:.2f}" for s in SYSTEMS]
        lines.append(f"| {label} | " + " | ".join(row) + f" | {med['amudarya', key] / med['jb-force', key]:.2f} |")
    lines.append(
        "| changed value in the HTML | " + " | ".join(f"{sum(reached[s])}/{len(reached[s])}" for s in SYSTEMS) + " | |"
    )
    lines.append("")
    for s in SYSTEMS[1:]:
        if not any(reached[s]):
            lines.append(
                f"{s}: the changed value never reached the book; its rebuild after the change was "
                "fast because it did not execute the notebooks again."
            )
    lines.append("")
    clean, noop, touch_ = med["amudarya", "clean"], med["amudarya", "noop"], med["amudarya", "touch"]
    ok = lambda met: "met" if met else "MISSED"  # noqa: E731
    lines += ["Targets (amudarya build):", ""]
    lines.append(
        f"- clean build <= 0.6 x JB force clean build: {clean / med['jb-force', 'clean']:.2f} x, "
        f"{ok(clean <= 0.6 * med['jb-force', 'clean'])}"
    )
    lines.append(f"- no-op rebuild <= 0.10 x clean build: {noop / clean:.2f} x, {ok(noop <= 0.10 * clean)}")
    lines.append(
        f"- rebuild after touch = no-op: {touch_ / noop:.2f} x the no-op, executed nothing and skipped "
        f"Sphinx: {ok(not any('touch' in n for n in notes))}"
    )
    lines.append(
        f"- a changed data value reaches the book every time: {sum(reached['amudarya'])}/"
        f"{len(reached['amudarya'])}, {ok(all(reached['amudarya']))}"
    )
    lines += [
        "",
        "Every figure (seconds, in order of repetition):",
        "",
        "| system | " + " | ".join(SCENARIOS) + " |",
        "|---|" + "---|" * len(SCENARIOS),
    ]
    for s in SYSTEMS:
        lines.append(f"| {s} | " + " | ".join(" ".join(f"{t:.2f}" for t in times[s, k]) for k in SCENARIOS) + " |")
    if notes:
        lines += ["", "Problems seen:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    started = time.perf_counter()
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="amudarya-bench-") as tmp:
        times, reached, notes = measure(Path(tmp))
    text = report(times, reached, notes, (before, os.getloadavg()[0]), len(load_matrix(ROOT).runs), started)
    # The section bench/scale.py writes is kept: it was measured separately.
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    scale = old[old.index("<!-- SCALE") :] if "<!-- SCALE" in old else ""
    RESULTS.write_text(text + ("\n" + scale if scale else ""), encoding="utf-8")
    print(text)
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
