"""Content keys: sha256 digests over the content of files and code, and content-keyed memory
under _build/cache/ (a JSON result, or a mark that exactly this content was seen before).

The data layer's own need: a data package whose exact bytes already passed validation with this
exact code and Frictionless version is not validated again (`tables.check_once`). The build's
keys and store of executed runs (`amudarya.build.cache`) are made from the same digests.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

CACHE = Path("_build") / "cache"
# Bumped when what the store holds or how keys are made changes, so old entries stop matching.
FORMAT = "amudarya-cache-2"
# The amudarya package: every sub-package's code is part of what a result depends on.
PACKAGE = Path(__file__).resolve().parents[1]


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        # Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(folder: Path, pattern: str = "*") -> str:
    """Names and content of every file under `folder` that matches `pattern`.

    Hidden files and folders (editor swap files, .ipynb_checkpoints), __pycache__ and a stray
    _build/ are not content, so they are left out.
    """
    parts = []
    for path in sorted(folder.rglob(pattern)):
        rel = path.relative_to(folder)
        if any(p.startswith(".") or p in {"__pycache__", "_build"} for p in rel.parts):
            continue
        try:
            parts += [rel.as_posix(), path.read_bytes()] if path.is_file() else []
        except FileNotFoundError:
            continue  # an editor's temporary file, renamed away between listing and reading
    return digest(*parts)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Every .py file of the amudarya package that is actually imported (not a copy's src/).
    Remembered: the code a process imported does not change under it, and every typed table's
    key holds this digest."""
    return files_digest(PACKAGE, "*.py")


@lru_cache(maxsize=16)
def versions(packages: tuple[str, ...]) -> str:
    # Remembered: importlib.metadata reads each package's files on every call, which was a
    # quarter of a no-op build, and versions do not change under a running build.
    found = [f"python=={sys.version}"]
    for name in packages:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} not installed")
    return "\n".join(found)


# ---------------------------------------------------------------------------
# Results of checks that depend only on content


def remembered(root: Path, kind: str, key: str, compute):
    """compute()'s JSON result, from _build/cache/<kind>/ if a call with this key made it before."""
    return _remember(root / CACHE / kind / f"{key}.json", compute, json.loads, lambda v: json.dumps(v).encode())


def remembered_object(root: Path, kind: str, key: str, compute):
    """compute()'s result, as `remembered` keeps a JSON one, for values JSON cannot hold (typed
    tables), pickled under _build/cache/<kind>/."""
    import pickle

    return _remember(
        root / CACHE / kind / f"{key}.pickle",
        compute,
        pickle.loads,
        lambda v: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL),
    )


def _remember(path: Path, compute, decode, encode):
    """decode(the file at `path`), or compute() written there (atomically) for the next call. A
    file that does not decode (missing, cut short) is computed again; an unwritable place only
    means no memory."""
    try:
        return decode(path.read_bytes())
    except Exception:  # missing, or cut short: a broken file can fail in any of several ways
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(encode(value))
        os.replace(partial, path)
    except OSError:
        pass  # no memory, only slower
    return value


# Markers: "this key was seen", for checks whose result depends only on content


class Marks:
    """Empty files named by key under _build/cache/<kind>/: a file there means that exactly
    this content was seen before (for data: passed validation). Unwritable places just mean
    no memory."""

    def __init__(self, root: Path, kind: str):
        self.folder = root / CACHE / kind

    def __contains__(self, key: str) -> bool:
        return (self.folder / key).is_file()

    @contextmanager
    def one_at_a_time(self, key: str):
        """Held by one process at a time for `key`, so that when the build and a notebook's
        kernel ask at once, the second waits for the first's answer instead of working it
        out again on a core the first one needs."""
        try:
            import fcntl

            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / f".{key}.lock", "w")
        except (ImportError, OSError):
            yield  # no locks here: both work it out, which is only slower
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def add(self, key: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / key).touch()
        except OSError:
            pass


def data_valid_key(data_folder: Path) -> str:
    """Validation depends on the data, the package's rules and Frictionless, nothing else."""
    return digest(FORMAT, files_digest(data_folder), code_digest(), versions(("frictionless",)))


def data_marks(data_folder: Path) -> Marks:
    return Marks(data_folder.resolve().parent, "valid-data")
