"""Read and validate the data package; the only module that knows where the data lives.

Every table is described in `data/datapackage.json` (Frictionless). `check()` validates the
whole package and returns every problem at once; `load()` validates, then returns typed
pandas DataFrames. How problems are found and put into words is in `validation.py`; what the
Frictionless schema cannot express (a date that does not match its stated precision, a period
that ends before it starts, ...) is in `rules.py`, so `check()` and `frictionless validate`
agree on everything the package declares.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import validation
from .errors import InputError, Problem

PACKAGE_FILE = "datapackage.json"


def project_root() -> Path:
    """The project folder: $AMUDARYA_ROOT if set (the runner sets it for its kernels), else
    the repository this package was installed from in editable mode, else the working folder."""
    env = os.environ.get("AMUDARYA_ROOT")
    if env:
        return Path(env).resolve()
    repo = Path(__file__).resolve().parents[2]
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


def _read_raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _typed(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    # Values that do not parse become NA (coerce): validation types tables that may hold
    # invalid cells, already reported, so the rules can still check every other row.
    out = frame.copy()
    for f in fields:
        name = f["name"]
        col = out[name].replace("", pd.NA)
        kind = f.get("type", "string")
        if kind == "date":
            out[name] = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
        elif kind == "integer":
            numbers = pd.to_numeric(col, errors="coerce")
            out[name] = numbers.where(numbers == numbers.round()).astype("Int64")
        elif kind == "number":
            out[name] = pd.to_numeric(col, errors="coerce").astype("Float64")
        elif kind == "boolean":
            out[name] = col.map({"true": True, "false": False, "True": True, "False": False}).astype("boolean")
        else:
            out[name] = col.astype("string")
    return out


@dataclass(frozen=True)
class Package:
    """The validated tables, by resource name, with their Frictionless descriptor."""

    folder: Path
    descriptor: dict
    tables: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def path_of(self, name: str) -> Path:
        return self.folder / _schema(self.descriptor, name)["path"]


def _read_descriptor(folder: Path) -> dict:
    path = folder / PACKAGE_FILE
    if not path.is_file():
        raise InputError(Problem(str(path), "missing file: the data package descriptor is missing",
                                 expected="data/datapackage.json describing every table", kind=validation.MISSING_FILE))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(Problem("data/datapackage.json", f"not valid JSON: {exc.msg}", line=exc.lineno,
                                 expected="a JSON document; check the commas and brackets near this line",
                                 kind=validation.NOT_JSON)) from None
    except UnicodeDecodeError:
        raise InputError(Problem("data/datapackage.json", "not UTF-8: the file cannot be read as UTF-8",
                                 expected="the file saved as UTF-8", kind=validation.NOT_UTF8)) from None


def validate(folder: Path | None = None) -> validation.Findings:
    """Every problem in the data package, in file order, and every warning (valid, but
    probably not meant: markup in a text field)."""
    folder = Path(folder) if folder else data_dir()
    try:
        descriptor = _read_descriptor(folder)
    except InputError as exc:
        return validation.Findings(exc.problems, [])
    return validation.inspect(folder, descriptor, _typed)


def check(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data package, in file order; an empty list means valid."""
    return validate(folder).problems


def warnings(folder: Path | None = None) -> list[Problem]:
    """What is valid in the data package but probably not meant (markup in a text field)."""
    return validate(folder).warnings


def check_once(folder: Path | None = None) -> validation.Findings:
    """validate(), remembered under _build/cache/ by content: a package whose exact bytes already
    passed cleanly with this exact code and Frictionless version is not validated again, so a
    build and every notebook it runs validate the same data once. A package with warnings is
    not remembered, so every build says them again until they are dealt with."""
    from . import cache

    folder = Path(folder) if folder else data_dir()
    key, seen = cache.data_valid_key(folder), cache.data_marks(folder)
    if key in seen:
        return validation.Findings([], [])
    with seen.one_at_a_time(key):
        if key in seen:
            return validation.Findings([], [])
        findings = validate(folder)
        if not findings.problems and not findings.warnings:
            seen.add(key)
    return findings


def fingerprint(folder: Path) -> str:
    """sha256 over every file of the data folder (names and content)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=4)
def _load(folder: Path, _digest: str) -> Package:
    problems = check_once(folder).problems
    if problems:
        raise InputError(problems, summary=f"The data in {folder} is not valid ({len(problems)} problems)")
    descriptor = _read_descriptor(folder)
    tables = {
        res["name"]: _typed(_read_raw(folder / res["path"]), res["schema"]["fields"])
        for res in descriptor["resources"]
    }
    return Package(folder=folder, descriptor=descriptor, tables=tables)


def load(folder: Path | None = None) -> Package:
    """The validated package; raises InputError listing every problem if it is not valid."""
    folder = (Path(folder) if folder else data_dir()).resolve()
    return _load(folder, fingerprint(folder))
