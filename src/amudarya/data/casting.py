"""The one typed loader: a table's text cells cast by Frictionless's own field readers, the
same that validation runs, into the pandas types the rest of the package works with.

A cell that does not cast (an invalid value validation has reported) reads as missing, so the
rules can still check every other row of a table that has one; a value that breaks a
constraint (a negative amount) is kept: it has a type, and the schema check says what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from amudarya.data import keys
from amudarya.data.structure import Table, read_table

# Frictionless's Python values -> pandas dtype; missing values (NA) of every type.
_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "datetime64[us]"}


def _column(values: list, kind: str) -> pd.Series:
    if kind == "number":  # Frictionless reads numbers as Decimal, exactly as written
        values = [None if v is None else float(v) for v in values]
    if kind == "date":
        return pd.Series(values, dtype=object).astype(_DTYPES[kind])
    # A type this package does not use stays as Frictionless gives it (Python objects).
    return pd.Series(pd.array(values, dtype=_DTYPES.get(kind, object)))


def typed(table: Table) -> pd.DataFrame:
    """The rows of `table` (every column of its schema there, `table.complete`) with typed
    columns in the schema's order."""
    # Imported here: Frictionless takes a third of a second to import, and a build whose runs
    # are all cached never types a table.
    from frictionless import Schema

    # Not checked again here (a third of the time of a kernel's load): validation checks the
    # descriptor before anything is typed, and the loader reads only a package that passed.
    schema = Schema.from_descriptor(
        {"fields": table.schema["fields"], "missingValues": table.schema.get("missingValues", [""])}, allow_invalid=True
    )
    columns = {}
    for fdef in schema.fields:
        read = fdef.create_cell_reader()
        i = table.header.index(fdef.name)
        columns[fdef.name] = _column([read(cells[i])[0] for _, _, cells in table.rows], fdef.type)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(table.rows)))


def load(resource: dict, raw: bytes) -> pd.DataFrame:
    """The typed table of `resource` from the bytes of its (valid) file."""
    table, _ = read_table(resource, raw)
    return typed(table)


# What a typed table depends on besides its bytes and schema: Frictionless reads the cells, pandas
# holds them (and pickles them, with numpy).
TYPING_LIBRARIES = ("frictionless", "pandas", "numpy")


def remembered(folder: Path, resource: dict, raw: bytes) -> pd.DataFrame:
    """`load`, remembered under _build/cache/typed/ by the table's schema and bytes, the
    package's code and the libraries' versions. Every run's kernel loads the package, and typing
    it there meant importing Frictionless: about 1.4 s of each run, a tenth of the overview's;
    validation types the same tables, so a build that checks new data types them once."""
    key = keys.digest(
        keys.FORMAT,
        keys.code_digest(),
        keys.versions(TYPING_LIBRARIES),
        json.dumps(resource, sort_keys=True),
        raw,
    )
    return keys.remembered_object(Path(folder).resolve().parent, "typed", key, lambda: load(resource, raw))
