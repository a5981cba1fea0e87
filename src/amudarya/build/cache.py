"""Content keys for what a build depends on, and the store of executed runs under _build/cache/.

A key is a sha256 over the *content* of inputs, never their modification times, so touching a
file or checking it out again changes nothing. The digests themselves, and the content-keyed
memory that the data layer's validation uses too, are in `amudarya.data.keys`.

A run has two kinds of input. What is known before it runs (the notebook, its parameters, the
package's code, the versions that matter, any extra file the runner adds) makes its *recipe*
key. What it reads from the data is known only once it ran: the kernel records each file with
the digest of the bytes it parsed (`depfile`). An executed run is stored under its recipe and
that record, and it is reused while every file it read still has the recorded content. So a
changed value re-executes exactly the runs that read its file, and a file edited while a run
executes is stored with the digest the kernel saw, never with the one the build saw at start.

The store keeps one folder per executed run, laid out like book/_generated/ (the executed
notebook and downloads/<run>/), with ENTRY_RECORD listing what the run read and the digest of
every file the entry holds: an entry whose record is missing or unreadable, or whose files
differ from it (a truncated notebook), is discarded with a warning and the run executed again.
The record also keeps how long the run took, which orders the next build's runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from amudarya.data.keys import CACHE, FORMAT, code_digest, digest, files_digest, versions

# What can change an executed notebook's outputs besides our inputs and code.
RESULT_PACKAGES = ("pandas", "numpy", "matplotlib", "papermill", "myst-nb")
# What can change the HTML made from the same executed notebooks and pages.
BOOK_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "myst-parser", "sphinx-book-theme")
# Runs kept per run name: enough to switch back and forth between a few versions of the data.
KEEP = 4


def notebook_digest(path: Path) -> str:
    """The notebook without what executing it writes (outputs, execution counts), so a copy
    saved from Jupyter with its outputs has the same key as the committed one."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
    except (ValueError, KeyError, TypeError):
        # Not a notebook we can read: key on the bytes; executing it will say what is wrong.
        return digest(path.read_bytes())
    return digest(json.dumps(nb, sort_keys=True, separators=(",", ":")))


def shared_inputs(root: Path) -> str:
    """What every run depends on before it reads anything: the package's code and the versions
    that matter. The data are not here: each run records the files it read (`depfile`)."""
    return digest(FORMAT, code_digest(), versions(RESULT_PACKAGES))


def run_key(shared: str, notebook: Path, thread: str, parameters: dict, extra: tuple[Path, ...] = ()) -> str:
    """The recipe key of a run. `extra`: files the runner feeds the run besides the notebook
    (merged into it before execution, say); their content joins the key, a missing one as such."""
    return digest(
        shared,
        thread,
        notebook_digest(notebook),
        json.dumps(parameters, sort_keys=True, default=str),
        *(part for path in extra for part in (path.name, _read(path) if path.is_file() else "missing")),
    )


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""  # missing: Jupyter Book will say so


def book_key(root: Path) -> str:
    """What the HTML is made of: book/ (pages, executed notebooks, downloads, the toc), the
    configuration, and the code and versions that drive Sphinx."""
    return digest(
        FORMAT,
        files_digest(root / "book"),
        _read(root / "_config.yml"),
        code_digest(),
        versions(BOOK_PACKAGES),
    )


# ---------------------------------------------------------------------------
# The store of executed runs


ENTRY_RECORD = "amudarya-entry.json"


class Store:
    """Executed runs, under runs/<run name>/<recipe>-<digest of what it read>/."""

    def __init__(self, root: Path, warn=None):
        self.folder = root / CACHE / "runs"
        self.warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))

    def find(self, name: str, recipe: str, current) -> Path | None:
        """The stored run of this recipe whose recorded reads all still match `current` (a
        depfile.Current), or None. Damaged entries met on the way are discarded."""
        folder = self.folder / name
        if not folder.is_dir():
            return None
        for entry in sorted(folder.glob(f"{recipe}-*")):
            record = _entry_record(entry)
            if record is None or not isinstance(record.get("reads"), dict):
                self._discard(entry, name, "its record of what the run read is missing or unreadable")
                continue
            if not current.matches(record["reads"]):
                continue
            damaged = _damaged_file(entry, record.get("files"))
            if damaged:
                self._discard(entry, name, f"{damaged} differs from what was stored")
                continue
            return entry
        return None

    def _discard(self, entry: Path, name: str, why: str) -> None:
        self.warn(f"cache entry {entry} of run {name} is damaged ({why}): discarded; the run is executed again")
        shutil.rmtree(entry, ignore_errors=True)

    def save(self, name: str, recipe: str, files: dict[str, bytes], reads: dict[str, str], seconds: float) -> Path:
        """Store an executed run (its files by path relative to the run's folder) with the
        record of what it read and how long it took; the entry appears complete or not at all."""
        target = self.folder / name / f"{recipe}-{digest(json.dumps(reads, sort_keys=True))[:16]}"
        staging = self.folder / name / f".{target.name[-24:]}.{os.getpid()}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        record = {
            "reads": reads,
            "files": {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()},
            "seconds": round(seconds, 2),
        }
        staging.mkdir(parents=True, exist_ok=True)
        (staging / ENTRY_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)  # a damaged entry of the same name
        try:
            # A rename: an entry is complete or absent, never half written.
            os.rename(staging, target)
        except OSError:
            # Another build stored the same entry first; both are the same content.
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def last_seconds(self, name: str) -> float | None:
        """How long the run took when it was last executed, whatever its inputs then; None if
        no entry of it says."""
        folder = self.folder / name
        if not folder.is_dir():
            return None
        entries = (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        for entry in sorted(entries, key=lambda p: p.stat().st_mtime, reverse=True):
            seconds = (_entry_record(entry) or {}).get("seconds")
            if isinstance(seconds, (int, float)):
                return float(seconds)
        return None

    def restore(self, entry: Path, name: str, generated: Path) -> None:
        """Make book/_generated/<name>.ipynb and downloads/<name>/ equal to the entry, writing
        only files whose content differs, so Sphinx re-reads only what really changed."""
        os.utime(entry)  # marks it as recently used, for prune()
        _sync_file(entry / f"{name}.ipynb", generated / f"{name}.ipynb")
        _sync_tree(entry / "downloads" / name, generated / "downloads" / name)

    def prune(self, name: str, keep: Path) -> None:
        """Drop all but the KEEP most recently used entries of a run (always keeping `keep`)."""
        folder = self.folder / name
        entries = sorted(
            (p for p in folder.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in entries[KEEP - 1 :]:
            shutil.rmtree(old, ignore_errors=True)

    def sweep(self) -> list[Path]:
        """Remove the half-written entries of builds that are no longer running (a crash, a
        kill -9); a running build's own are left alone. Returns what was removed."""
        removed = []
        for partial in self.folder.glob("*/.*.partial"):
            if not _alive(partial.name.rsplit(".", 2)[-2]):
                shutil.rmtree(partial, ignore_errors=True)
                removed.append(partial)
        return removed


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _entry_record(entry: Path) -> dict | None:
    try:
        record = json.loads((entry / ENTRY_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _damaged_file(entry: Path, files) -> str | None:
    """The first file of the entry whose content is not what its record says, if any."""
    if not isinstance(files, dict) or not files:
        return ENTRY_RECORD
    for rel, expected in files.items():
        try:
            if hashlib.sha256((entry / rel).read_bytes()).hexdigest() != expected:
                return rel
        except OSError:
            return rel
    return None


def _sync_file(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)


def _sync_tree(source: Path, target: Path) -> None:
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()} if source.is_dir() else set()
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target)
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for rel in sorted(wanted):
        _sync_file(source / rel, target / rel)
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()


def book_stamp(root: Path) -> Path:
    """The key of the book now in _build/html, written only after it was published."""
    return root / CACHE / "book.key"
