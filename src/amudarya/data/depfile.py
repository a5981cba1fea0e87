"""What a run read, recorded while it ran, as a compiler writes a depfile.

A kernel that loads the data package records each file it used, with the sha256 of the bytes
it parsed (not of the file as it is later, which may have been edited in the meantime). The
runner points the kernel at a record file through AMUDARYA_DEPFILE; the record is kept with the
executed run in the cache, and the run counts as up to date only while every recorded file
still has the recorded content. So a run is executed again exactly when something it read
changed, and an edit made while a build runs can never be stored under a key that does not
describe what the kernel saw.

The record is a text file of lines `<sha256> <path>`, the path relative to the project
folder (or absolute outside it); a file that was asked for but missing is recorded as `-`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENV = "AMUDARYA_DEPFILE"
MISSING = "-"

_written: set[tuple[str, str]] = set()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _name(path: Path, root: Path | None) -> str:
    path = Path(path).resolve()
    if root is not None:
        try:
            return path.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def record(path: Path, digest: str, root: Path | None = None) -> None:
    """Note that the running notebook read `path`, whose bytes had this sha256. Without
    AMUDARYA_DEPFILE (a notebook opened in Jupyter, a test) nothing is written."""
    target = os.environ.get(ENV)
    if not target:
        return
    if root is None:
        from amudarya.data.tables import project_root  # here: tables imports this module

        root = project_root()
    line = (digest, _name(path, root))
    if (target, *line) in _written:
        return
    # Appended line by line and flushed at once: a run that dies leaves a record that is
    # never used (only completed runs are stored), and a truncated line is unreadable.
    with open(target, "a", encoding="utf-8") as f:
        f.write(f"{line[0]} {line[1]}\n")
    _written.add((target, *line))


def read(path: Path) -> dict[str, str] | None:
    """The record as {path: sha256}, or None when it is missing or not a record."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    reads = {}
    for line in text.splitlines():
        digest, _, name = line.partition(" ")
        if not name or not (digest == MISSING or (len(digest) == 64 and all(c in "0123456789abcdef" for c in digest))):
            return None
        reads[name] = digest
    return reads


class Current:
    """The digests of files as they are now, each file hashed at most once per build."""

    def __init__(self, root: Path):
        self.root = root
        self._seen: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._seen:
            path = Path(name) if os.path.isabs(name) else self.root / name
            try:
                self._seen[name] = sha256(path.read_bytes())
            except OSError:
                self._seen[name] = MISSING
        return self._seen[name]

    def matches(self, reads: dict[str, str]) -> bool:
        return all(self.digest(name) == digest for name, digest in reads.items())
