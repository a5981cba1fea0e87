"""How `amudarya build` scales with the run matrix, and what one changed value costs.

Run by `make bench-scale` (about 25 minutes on 2 quiet cores with the default sizes). For each
size N (default: the book's own runs, 17 today, then 50 and 200) a copy of the project gets a
run matrix of N real runs: those of notebooks/runs.yml, then every thread (policy, refusal, repatriation, trade) for more
countries, in ISO 3166 order after the states the data know best; a country with no data is a
real run whose chapter says so. For each size it measures one clean build (no _build/) and one
no-op rebuild, and reports seconds per run, Sphinx's share of the clean build (the build's own
`book: built in` line) and the peak memory of the whole process tree (build, workers, kernels,
Sphinx; resident set sizes summed, sampled every 0.2 s).

On the book's own matrix it then changes one value at a time and rebuilds: one trade figure of one
reporter, one event of one state reworded, one people figure of one state; it counts the runs
executed again and the time against the clean build.

With `--engines POOL_REV,DASK_REV` it also times the scheduler alone: clean builds of POOL_REV's
own book (its notebooks, data and pages), three with POOL_REV's code, which ran the notebooks on
the home-made pool, and three with DASK_REV's, which ran them on Dask (05eda42 and 93e9104 in
this repository's history; 93e9104 also moved the cache keys to what each run read), in
alternating order; medians reported. Today's book cannot stand in: its notebooks import modules
the old code does not have.

Results (with the machine) go to the section of bench/results.md between the SCALE markers.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ROOT, copy_project, machine  # noqa: E402

from amudarya.build.matrix import load_matrix  # noqa: E402
from amudarya.build.run import Run  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.md"
BEGIN, END = "<!-- SCALE: written by bench/scale.py -->", "<!-- /SCALE -->"
FIRST = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "AFG", "PAK", "IRN", "CHN", "RUS", "IND", "TUR"]


def countries() -> list[str]:
    import pycountry

    rest = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 not in FIRST)
    return FIRST + rest


def matrix_of(size: int) -> dict:
    """runs.yml with `size` runs: the book's own first, then more countries for each thread."""
    raw = yaml.safe_load((ROOT / "notebooks" / "runs.yml").read_text())
    have = {r.name for r in load_matrix(ROOT).runs}
    extra = []
    for code in countries():
        for thread, params in (
            ("policy", {"country": code}),
            ("refusal", {"country": code}),
            ("repatriation", {"country": code, "origin": "AFG"}),
            ("trade", {"reporter": code, "partner": "AFG"}),
        ):
            run = Run(thread, params)
            if run.name not in have and (thread != "trade" or code != "AFG"):
                have.add(run.name)
                extra.append({"notebook": thread, "parameters": params})
    count = len(load_matrix(ROOT).runs)
    if size < count:
        # Smaller than the book (a quick check of the bench itself): its first `size` runs.
        kept = []
        for part in raw["parts"]:
            chapters = [c for c in part["chapters"] if "notebook" in c][: size - len(kept)]
            kept += chapters
            part["chapters"] = chapters
        raw["parts"] = [p for p in raw["parts"] if p["chapters"]]
    elif size > count:
        raw["parts"].append({"caption": "More countries", "chapters": extra[: size - count]})
    return raw


class Peak:
    """Peak resident memory of a process and everything under it."""

    def __init__(self, pid: int):
        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self._stop.is_set():
            total = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def build(folder: Path, pythonpath: str | None = None) -> dict:
    env = dict(os.environ, AMUDARYA_ROOT=str(folder))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "python"), "-m", "amudarya.cli", "--root", str(folder), "build"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=folder,
    )
    peak = Peak(process.pid)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    memory = peak.stop()
    if process.returncode != 0:
        sys.exit(f"bench: the build in {folder} failed:\n{out[-3000:]}\n{err[-3000:]}")
    book = re.search(r"^book: built in ([\d.]+) s", out, re.M)
    return {
        "seconds": seconds,
        "sphinx": float(book.group(1)) if book else 0.0,
        "peak_mb": memory / 2**20,
        "executed": len(re.findall(r": executed in ", out)),
        "out": out,
    }


def project(work: Path, name: str, size: int) -> Path:
    folder = copy_project(work / name)
    (folder / "notebooks" / "runs.yml").write_text(yaml.safe_dump(matrix_of(size), sort_keys=False))
    return folder


def edit(path: Path, pick, column: str, change) -> str:
    """Change `column` of the first row that pick(row) accepts; return that row's id."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if pick(r))
    row[column] = change(row[column])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return next(iter(row.values()))


CHANGES = {
    "one trade value of one reporter (KGZ)": (
        "trade.csv",
        lambda r: r["reporter"] == "KGZ" and r["value_usd"],
        "value_usd",
        lambda v: str(int(float(v)) + 1000),
    ),
    "one event of one state (TJK) reworded": (
        "events.csv",
        lambda r: r["country"] == "TJK",
        "summary",
        lambda v: v.rstrip(".") + ", as reported.",
    ),
    "one people figure of one state (KGZ)": (
        "people.csv",
        lambda r: r["country"] == "KGZ" and r["value"],
        "value",
        lambda v: str(int(float(v)) + 1),
    ),
}


def engines(work: Path, pool_rev: str, dask_rev: str, repeat: int = 3) -> dict[str, list[dict]]:
    """Clean builds of pool_rev's own book with the code of each revision, in the same
    environment (the two differ in how the runs are scheduled and keyed): `repeat` of each, the
    order alternating so neither code always builds first."""
    trees = {rev: work / f"src-{rev}" for rev in (pool_rev, dask_rev)}
    try:
        for rev, tree in trees.items():
            git = ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev]
            subprocess.run(git, check=True, capture_output=True)
        times: dict[str, list[dict]] = {rev: [] for rev in trees}
        for i in range(repeat):
            for rev in (pool_rev, dask_rev) if i % 2 == 0 else (dask_rev, pool_rev):
                folder = copy_project(work / f"engine-{rev}-{i}", source=trees[pool_rev])
                times[rev].append(build(folder, pythonpath=str(trees[rev] / "src")))
                print(f"{rev}'s code on {pool_rev}'s book: clean {times[rev][-1]['seconds']:.1f} s", flush=True)
        return times
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="run-matrix sizes, comma-separated (default: the book's own runs, 50 and 200)")
    parser.add_argument(
        "--engines",
        metavar="POOL_REV,DASK_REV",
        help="also time POOL_REV's own book built with the code of each revision (the pool against Dask)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [len(load_matrix(ROOT).runs), 50, 200]
    started = time.perf_counter()
    load = os.getloadavg()[0]
    rows, changes, base = [], [], None
    with tempfile.TemporaryDirectory(prefix="amudarya-scale-") as tmp:
        work = Path(tmp)
        # Untimed: one-off costs of a fresh machine (matplotlib's font cache, cold disk).
        # The book's own matrix: a smaller one leaves out pages its chapters link to, which the
        # build refuses.
        build(project(work, "warm-up", len(load_matrix(ROOT).runs)))
        for size in sizes:
            folder = project(work, f"n{size}", size)
            clean = build(folder)
            noop = build(folder)
            rows.append((size, clean, noop))
            print(
                f"{size} runs: clean {clean['seconds']:.1f} s, no-op {noop['seconds']:.2f} s "
                f"(executed {noop['executed']})",
                flush=True,
            )
            if size == sizes[0]:
                for label, (table, pick, column, change) in CHANGES.items():
                    edit(folder / "data" / table, pick, column, change)
                    after = build(folder)
                    changes.append((label, after, clean))
                    print(f"{label}: {after['executed']} runs executed in {after['seconds']:.1f} s", flush=True)
        if args.engines:
            base = engines(work, *args.engines.split(","))
    text = report(rows, changes, base, load, os.getloadavg()[0], time.perf_counter() - started)
    print(text)
    if not args.no_write:
        old = RESULTS.read_text() if RESULTS.is_file() else ""
        if BEGIN in old:
            old = old[: old.index(BEGIN)] + old[old.index(END) + len(END) :].lstrip("\n")
        RESULTS.write_text(old.rstrip("\n") + "\n\n" + text)
    return 0


def report(rows, changes, base, load_before, load_after, total) -> str:
    lines = [BEGIN, "", "## Scale: `make bench-scale` (bench/scale.py)", ""] + machine()
    lines += [
        f"- load average (1 min) before / after: {load_before:.2f} / {load_after:.2f}",
        f"- one repetition per figure; whole benchmark {total:.0f} s",
        "",
    ]
    lines += [
        "| runs | clean build (s) | s per run | Sphinx share | peak memory (MB) | no-op rebuild (s) | runs the no-op executed |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, clean, noop in rows:
        lines.append(
            f"| {size} | {clean['seconds']:.1f} | {clean['seconds'] / size:.2f} | "
            f"{clean['sphinx'] / clean['seconds']:.0%} | {clean['peak_mb']:.0f} | {noop['seconds']:.2f} | "
            f"{noop['executed']} |"
        )
    first = rows[0][1]["seconds"]
    lines += [
        "",
        f"| change (on the {rows[0][0]}-run book) | runs executed | seconds | × clean build |",
        "|---|---:|---:|---:|",
    ]
    for label, after, clean in changes:
        lines.append(
            f"| {label} | {after['executed']} | {after['seconds']:.1f} | {after['seconds'] / clean['seconds']:.2f} |"
        )
    lines += ["", "Targets:", ""]
    for label, after, clean in changes:
        if "trade" in label or "event" in label:
            ratio = after["seconds"] / clean["seconds"]
            met = after["executed"] <= 4 and ratio <= 0.35
            lines.append(
                f"- {label}: ≤ 4 runs and ≤ 0.35 × clean: {after['executed']} runs, {ratio:.2f} ×, "
                f"{'met' if met else 'missed'}"
            )
    for size, clean, noop in rows[1:]:
        if size == 200:
            limit = 1.1 * 200 / rows[0][0] * first
            lines.append(
                f"- 200 runs clean ≤ {limit:.0f} s (1.1 × 200/{rows[0][0]} × the {rows[0][0]}-run clean): "
                f"{clean['seconds']:.0f} s, {'met' if clean['seconds'] <= limit else 'missed'}"
            )
            lines.append(
                f"- 200-run no-op ≤ 2 s: {noop['seconds']:.2f} s, {'met' if noop['seconds'] <= 2 else 'missed'}"
            )
    if base:
        (pool_rev, pool), (dask_rev, dask) = base.items()
        pool_s, dask_s = (statistics.median(b["seconds"] for b in builds) for builds in (pool, dask))
        ratio = dask_s / pool_s
        every = "; ".join(f"{rev}: " + " ".join(f"{b['seconds']:.1f}" for b in builds) for rev, builds in base.items())
        lines.append(
            f"- clean build of {pool_rev}'s book ({pool[0]['executed']} runs) on Dask ({dask_rev}'s code) ≤ 0.7 × "
            f"on the home-made pool ({pool_rev}'s code), medians of {len(pool)}: {dask_s:.1f} s against "
            f"{pool_s:.1f} s, {ratio:.2f} ×, {'met' if ratio <= 0.7 else 'missed'}; no slower than the pool (the "
            f"condition for deleting it): {'yes' if ratio <= 1.0 else 'no'} (every build, s: {every})"
        )
    lines += ["", END, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
