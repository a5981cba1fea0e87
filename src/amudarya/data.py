"""Read and validate the data package; the only module that knows where the data lives.

Every table is described in `data/datapackage.json` (Frictionless). `check()` validates the
whole package and returns every problem at once; `load()` validates, then returns typed
pandas DataFrames. Validation that the Frictionless schema cannot express (a date that does
not match its stated precision, a period that ends before it starts, ...) is in
`_rules`, so `check()` and `frictionless validate` agree on everything the package declares.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

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
# Validation


def _describe_field(field: dict) -> str:
    """What a valid value of a schema field looks like, in words."""
    kind = {
        "date": "a date written YYYY-MM-DD",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "string": "text",
    }.get(field.get("type", "string"), field.get("type", "text"))
    c = field.get("constraints", {})
    parts = [kind]
    if "enum" in c:
        parts = ["one of " + ", ".join(str(v) for v in c["enum"])]
    if "minimum" in c and "maximum" in c:
        parts.append(f"from {c['minimum']} to {c['maximum']}")
    elif "minimum" in c:
        parts.append(f"at least {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"at most {c['maximum']}")
    if "exclusiveMinimum" in c:
        parts.append(f"greater than {c['exclusiveMinimum']}")
    if "pattern" in c:
        parts.append(f"matching the pattern {c['pattern']}")
    if "minLength" in c or "maxLength" in c:
        parts.append(f"{c.get('minLength', 0)} to {c.get('maxLength', 'any number of')} characters")
    if c.get("required"):
        parts.append("not empty")
    return ", ".join(parts)


def _schema(descriptor: dict, resource: str) -> dict:
    for res in descriptor["resources"]:
        if res["name"] == resource:
            return res
    raise KeyError(resource)


def _field(descriptor: dict, resource: str, name: str | None) -> dict | None:
    if not name:
        return None
    for f in _schema(descriptor, resource)["schema"]["fields"]:
        if f["name"] == name:
            return f
    return None


def _frictionless_problems(folder: Path, descriptor: dict) -> list[Problem]:
    # Imported here: frictionless is slow to import and only validation needs it.
    from frictionless import Package, system

    problems: list[Problem] = []
    with system.use_context(trusted=False):
        report = Package(str(folder / PACKAGE_FILE)).validate()
    for task in report.tasks:
        res_name = task.name
        try:
            res = _schema(descriptor, res_name)
        except KeyError:
            res = {"path": res_name}
        where = str(Path("data") / res.get("path", res_name))
        for err in task.errors:
            row = getattr(err, "row_number", None)
            field_name = getattr(err, "field_name", None)
            cell = getattr(err, "cell", None)
            fdef = _field(descriptor, res_name, field_name) if "schema" in res else None
            expected = _describe_field(fdef) if fdef else None
            message = err.title.rstrip(".").lower()
            if err.type == "foreign-key":
                # The note names the referenced table and field; say it in words.
                message = "refers to a row that does not exist"
                fk = next(
                    (fk for fk in res["schema"].get("foreignKeys", []) if field_name in fk["fields"] or not field_name),
                    None,
                )
                if fk is None:
                    fk = next(iter(res["schema"].get("foreignKeys", [])), None)
                m = re.search(r'for "([^"]+)": values "([^"]*)"', err.note or "")
                if m:
                    field_name = m.group(1)
                    cell = m.group(2)
                    fk = next((fk for fk in res["schema"]["foreignKeys"] if fk["fields"] == [field_name]), fk)
                if fk:
                    target = _schema(descriptor, fk["reference"]["resource"])
                    expected = (
                        f"a {fk['reference']['fields'][0]} listed in data/{target['path']}"
                    )
            elif err.type in {"primary-key", "unique-error"}:
                message = "duplicate key: another row already has this value"
                expected = "a value no other row has"
                if field_name is None:
                    field_name = ",".join(res["schema"].get("primaryKey", []))
            elif err.type in {"missing-label", "missing-cell"} and err.type == "missing-label":
                message = "missing column"
                expected = "the header " + ",".join(f["name"] for f in res["schema"]["fields"])
            elif err.type == "extra-label":
                message = "unexpected column"
                expected = "only the columns " + ",".join(f["name"] for f in res["schema"]["fields"])
            elif err.type in {"extra-cell", "missing-cell"}:
                message = "wrong number of fields in this row" + (
                    " (too many)" if err.type == "extra-cell" else " (too few)"
                )
                expected = f"{len(res['schema']['fields'])} comma-separated fields, with text containing commas in double quotes"
                field_name = None if err.type == "extra-cell" else field_name
            elif err.type in {"encoding-error"}:
                message = "the file is not UTF-8 text"
                expected = "a CSV file saved as UTF-8"
            elif err.type in {"source-error", "scheme-error", "format-error", "resource-error", "package-error"}:
                message = (err.note or err.title).strip()
            elif err.type == "blank-row":
                message = "blank row"
                expected = "no empty lines between rows"
            elif err.type == "type-error":
                message = "not a valid " + (fdef or {}).get("type", "value")
            elif err.type == "constraint-error":
                constraint = re.search(r'constraint "(\w+)"', err.note or "")
                message = f"breaks the {constraint.group(1) if constraint else ''} rule".replace("  ", " ")
                if constraint and constraint.group(1) == "required":
                    message = "is empty but required"
            problems.append(
                Problem(where=where, message=message, row=row, field=field_name, value=cell, expected=expected)
            )
    return problems


# ---------------------------------------------------------------------------
# Reading


# pandas is imported where it is used: `amudarya build` with nothing to do should not wait
# half a second for it.


def _read_raw(path: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _typed(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    for f in fields:
        name = f["name"]
        col = out[name].replace("", pd.NA)
        kind = f.get("type", "string")
        if kind == "date":
            out[name] = pd.to_datetime(col, format="%Y-%m-%d")
        elif kind == "integer":
            out[name] = pd.to_numeric(col).astype("Int64")
        elif kind == "number":
            out[name] = pd.to_numeric(col).astype("Float64")
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
        raise InputError(Problem(str(path), "the data package descriptor is missing", expected="data/datapackage.json"))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"not valid JSON: {exc}")) from None


def check(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data package, in file order; an empty list means valid."""
    folder = Path(folder) if folder else data_dir()
    try:
        descriptor = _read_descriptor(folder)
    except InputError as exc:
        return exc.problems
    problems = _frictionless_problems(folder, descriptor)
    if problems:
        return problems
    tables = {
        res["name"]: _typed(_read_raw(folder / res["path"]), res["schema"]["fields"])
        for res in descriptor["resources"]
    }
    from . import rules

    return rules.check(tables, descriptor)


def check_once(folder: Path | None = None) -> list[Problem]:
    """check(), remembered under _build/cache/ by content: a package whose exact bytes already
    passed with this exact code and Frictionless version is not validated again, so a build
    and every notebook it runs validate the same data once."""
    from . import cache

    folder = Path(folder) if folder else data_dir()
    key, seen = cache.data_valid_key(folder), cache.data_marks(folder)
    if key in seen:
        return []
    with seen.one_at_a_time(key):
        if key in seen:
            return []
        problems = check(folder)
        if not problems:
            seen.add(key)
    return problems


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
    problems = check_once(folder)
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
