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

A run that used only some rows or columns of a table records just those: the path carries the
selection (`data/trade.csv#reporter=KAZ`, `data/trade.csv#%40columns=trade_id`) and the digest
is of the selected cells, as the CSV parser sees them. A value changed elsewhere leaves that
digest as it was, so the run stays cached; a row that joins or leaves the selection changes it. Whoever checks a record
recomputes the digest from the file with the same function (`slice_digest`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ENV = "AMUDARYA_DEPFILE"
MISSING = "-"

_written: set[tuple[str, str]] = set()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# In a record's selection, the key that lists the columns read (no field name starts with "@").
COLUMNS = "@columns"


def slice_name(name: str, column: str | None = None, values=(), columns=None) -> str:
    """The record's name for the rows of file `name` whose `column` holds one of `values`
    (every row when `column` is None), narrowed to `columns` (every column when None)."""
    pairs = [(column, v) for v in sorted(set(values))] if column else []
    pairs += [(COLUMNS, c) for c in columns] if columns else []
    return f"{name}#{urlencode(pairs)}"


def slice_digest(content: bytes, column: str | None = None, values=(), columns=None) -> str:
    """sha256 of the header and of the selected rows and columns (see `slice_name`), in file order."""
    header, body = _parsed(content)
    keep = list(columns) if columns else header
    if (column and column not in header) or not set(keep) <= set(header):
        return MISSING
    at, wanted, picks = header.index(column) if column else None, set(values), [header.index(c) for c in keep]
    rows = [[row[i] for i in picks] for row in body if at is None or row[at] in wanted]
    return sha256(json.dumps([keep, rows]).encode("utf-8"))


@lru_cache(maxsize=16)
def _parsed(content: bytes) -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    # Parsed once per content: a build checks many selections of the same few files.
    reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    header = next(reader, [])
    return header, tuple(tuple(row) for row in reader if row and len(row) == len(header))


def parse_selection(selection: str) -> dict | None:
    """slice_name's selection back as slice_digest's keywords, or None if it is not one."""
    pairs = parse_qsl(selection, keep_blank_values=True)
    filters = {c for c, _ in pairs if c != COLUMNS}
    if len(filters) > 1 or not pairs:
        return None
    column = filters.pop() if filters else None
    return {
        "column": column,
        "values": [v for c, v in pairs if c == column],
        "columns": [v for c, v in pairs if c == COLUMNS] or None,
    }


def _name(path: Path, root: Path | None) -> str:
    path = Path(path).resolve()
    if root is not None:
        try:
            return path.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def record(path: Path, digest: str, root: Path | None = None, selection: dict | None = None) -> None:
    """Note that the running notebook read `path`, whose bytes had this sha256 (or, with a
    `selection` of slice_name's keywords, whose selected rows and columns had it). Without
    AMUDARYA_DEPFILE (a notebook opened in Jupyter, a test) nothing is written."""
    target = os.environ.get(ENV)
    if not target:
        return
    if root is None:
        from amudarya.data.tables import project_root  # here: tables imports this module

        root = project_root()
    name = _name(path, root)
    line = (digest, slice_name(name, **selection) if selection else name)
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
        self._bytes: dict[str, bytes | None] = {}

    def digest(self, name: str) -> str:
        if name not in self._seen:
            file, _, selection = name.partition("#")
            content = self._content(file)
            if content is None:
                self._seen[name] = MISSING
            elif selection:
                how = parse_selection(selection)
                try:
                    self._seen[name] = MISSING if how is None else slice_digest(content, **how)
                except (UnicodeDecodeError, csv.Error):
                    self._seen[name] = MISSING
            else:
                self._seen[name] = sha256(content)
        return self._seen[name]

    def _content(self, file: str) -> bytes | None:
        if file not in self._bytes:
            path = Path(file) if os.path.isabs(file) else self.root / file
            try:
                self._bytes[file] = path.read_bytes()
            except OSError:
                self._bytes[file] = None
        return self._bytes[file]

    def matches(self, reads: dict[str, str]) -> bool:
        return all(self.digest(name) == digest for name, digest in reads.items())
