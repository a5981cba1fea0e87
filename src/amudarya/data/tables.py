"""Read and validate the data package; the only module that knows where the data lives.

Every table is described in `data/datapackage.json` (Frictionless). `check()` validates the
whole package and returns every problem at once; `load()` validates, then returns typed
pandas DataFrames, typed by the one loader validation uses too (`casting`). How problems are
found and put into words is in `validation.py` and the modules it names; what the Frictionless
schema cannot express (a date that does not match its stated precision, a period that ends
before it starts, ...) is in `rules.py`, so `check()` and `frictionless validate` agree on
everything the package declares.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from amudarya.data import casting, depfile, keys, validation
from amudarya.data.errors import InputError, Problem
from amudarya.data.kinds import MISSING_FILE, NOT_JSON, NOT_UTF8

PACKAGE_FILE = "datapackage.json"


def project_root() -> Path:
    """The project folder: $AMUDARYA_ROOT if set (the runner sets it for its kernels), else
    the repository this package was installed from in editable mode, else the working folder."""
    env = os.environ.get("AMUDARYA_ROOT")
    if env:
        return Path(env).resolve()
    repo = Path(__file__).resolve().parents[3]  # src/amudarya/data/tables.py -> the repository
    if (repo / "data" / PACKAGE_FILE).is_file():
        return repo
    return Path.cwd().resolve()


def data_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data"


# ---------------------------------------------------------------------------
# Reading


def _schema(descriptor: dict, resource: str) -> dict:
    for res in descriptor["resources"]:
        if res["name"] == resource:
            return res
    raise KeyError(resource)


class _Recorded(Mapping):
    """The tables by name; using one records its file as read by the running notebook
    (`depfile`), with the digest of the bytes the table was parsed from."""

    def __init__(self, package: Package, tables: dict[str, pd.DataFrame]):
        self._package, self._tables = package, tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        table = self._tables[name]
        self._package.record(name)
        return table

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


@dataclass(frozen=True)
class Package:
    """The validated tables, by resource name, with their Frictionless descriptor.

    `digests` holds the sha256 of the bytes each table (and the descriptor) was parsed from:
    what a run that uses the table has read, whatever the file holds by the time it ends."""

    folder: Path
    descriptor: dict
    tables: Mapping[str, pd.DataFrame]
    digests: dict[str, str] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # Unwrapped first, so that building a package from another's tables reads nothing.
        tables = self.tables._tables if isinstance(self.tables, _Recorded) else dict(self.tables)
        object.__setattr__(self, "tables", _Recorded(self, tables))

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def record(self, name: str) -> None:
        """Record the table `name` (and the descriptor that typed it) as read."""
        for path in (PACKAGE_FILE, _schema(self.descriptor, name)["path"]):
            if path in self.digests:
                depfile.record(self.folder / path, self.digests[path])

    def select(self, name: str, column: str | None = None, values=(), columns=None) -> pd.DataFrame:
        """The rows of table `name` whose `column` (a text field) holds one of `values` (every
        row when `column` is None), with only `columns` (every column when None).

        Only those cells are recorded as read (`depfile.slice_digest`), so the run is not
        executed again when another row or column changes. Whatever the caller needs beyond
        them it reads through `package[name]`, which records the whole table.
        """
        table = self.tables._tables[name]
        if column is not None and not pd.api.types.is_string_dtype(table[column]):
            raise TypeError(f"select() matches text: {name}.{column} is {table[column].dtype}")
        how = {
            "column": column,
            "values": frozenset(str(v) for v in values) if column else (),
            "columns": list(columns) if columns is not None else None,
        }
        path = _schema(self.descriptor, name)["path"]
        if PACKAGE_FILE in self.digests:
            depfile.record(self.folder / PACKAGE_FILE, self.digests[PACKAGE_FILE])
        if path in self.contents:
            depfile.record(self.folder / path, depfile.slice_digest(self.contents[path], **how), selection=how)
        if column is not None:
            table = table[table[column].isin(list(how["values"])).fillna(False).astype(bool)]
        return table[how["columns"]] if columns is not None else table

    def field_names(self, name: str) -> list[str]:
        """The fields of table `name` as the descriptor declares them (reads no table)."""
        return [f["name"] for f in _schema(self.descriptor, name)["schema"]["fields"]]

    def path_of(self, name: str) -> Path:
        self.record(name)
        return self.folder / _schema(self.descriptor, name)["path"]


def _read_descriptor(folder: Path) -> dict:
    path = folder / PACKAGE_FILE
    if not path.is_file():
        raise InputError(
            Problem(
                str(path),
                "missing file: the data package descriptor is missing",
                expected="data/datapackage.json describing every table",
                kind=MISSING_FILE,
            )
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                "data/datapackage.json",
                f"not valid JSON: {exc.msg}",
                line=exc.lineno,
                expected="a JSON document; check the commas and brackets near this line",
                kind=NOT_JSON,
            )
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            Problem(
                "data/datapackage.json",
                "not UTF-8: the file cannot be read as UTF-8",
                expected="the file saved as UTF-8",
                kind=NOT_UTF8,
            )
        ) from None


def validate(folder: Path | None = None) -> validation.Findings:
    """Every problem in the data package, in file order, and every warning (valid, but
    probably not meant: markup in a text field)."""
    folder = Path(folder) if folder else data_dir()
    try:
        descriptor = _read_descriptor(folder)
    except InputError as exc:
        return validation.Findings(exc.problems, [])
    return validation.inspect(folder, descriptor)


def check(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data package, in file order; an empty list means valid."""
    return validate(folder).problems


def warnings(folder: Path | None = None) -> list[Problem]:
    """What is valid in the data package but probably not meant (markup in a text field)."""
    return validate(folder).warnings


def check_once(folder: Path | None = None) -> validation.Findings:
    """validate(), remembered by content: a package whose exact bytes already passed cleanly
    with this exact code and Frictionless version is not validated again, so a build and every
    notebook it runs validate the same data once (remembered under _build/cache/). Any other
    answer, problems and warnings, is remembered by this process only (the caller says them again
    every time), so that checking and then building in one process validates once, not twice."""
    folder = Path(folder) if folder else data_dir()
    key, seen = keys.data_valid_key(folder), keys.data_marks(folder)
    if key in seen:
        return validation.Findings([], [])
    with seen.one_at_a_time(key):
        if key in seen:
            return validation.Findings([], [])
        findings = _validated(folder, key)
        if not findings.problems and not findings.warnings:
            seen.add(key)
    return findings


@lru_cache(maxsize=8)
def _validated(folder: Path, _key: str) -> validation.Findings:
    return validate(folder)


@lru_cache(maxsize=4)
def _load(folder: Path, _digest: str) -> Package:
    problems = check_once(folder).problems
    if problems:
        raise InputError(problems, summary=f"The data in {folder} is not valid")
    # Each file is read once, as bytes: the digest a run records is that of what was parsed.
    raw = (folder / PACKAGE_FILE).read_bytes()
    descriptor = json.loads(raw.decode("utf-8"))
    digests = {PACKAGE_FILE: depfile.sha256(raw)}
    tables, contents = {}, {}
    for res in descriptor["resources"]:
        content = contents[res["path"]] = (folder / res["path"]).read_bytes()
        digests[res["path"]] = depfile.sha256(content)
        tables[res["name"]] = casting.remembered(folder, res, content)
    return Package(folder=folder, descriptor=descriptor, tables=tables, digests=digests, contents=contents)


def load(folder: Path | None = None) -> Package:
    """The validated package; raises InputError listing every problem if it is not valid."""
    folder = (Path(folder) if folder else data_dir()).resolve()
    return _load(folder, keys.files_digest(folder))
