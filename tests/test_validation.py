"""Validation reads what Frictionless found from its errors' fields, not from their English, and
one typed loader gives every table the pandas types the schema declares."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pandas as pd
import pytest

import test_faults as faults
from amudarya.data import tables
from conftest import ROOT

# Faults that reach the Frictionless pass: a type, each kind of constraint, a reference, a key.
SCHEMA_FAULTS = (
    faults.non_numeric,
    faults.thousands_separator,
    faults.negative,
    faults.impossible_date,
    faults.date_not_a_day,
    faults.unknown_country,
    faults.unknown_source,
    faults.unknown_actor,
    faults.duplicate_key,
    faults.stance_out_of_range,
    faults.unknown_thread,
    faults.empty_required,
)


def _duplicate_fx_row(project: Path) -> list[faults.Expect]:
    """A key of three fields (currency, as_of, source_id): the row copied to the end."""
    path = faults.table_path(project, "fx")
    rows = [cells for _, _, cells in faults.records(path)]
    faults.write(path, rows + [rows[1]])
    return [
        faults.Expect(
            "data/fx.csv",
            "duplicate key: row 2 has the same currency, as_of, source_id",
            row=len(rows) + 1,
            field="currency, as_of, source_id",
            expected="a currency, as_of, source_id that no other row of data/fx.csv has",
        )
    ]


@pytest.fixture
def broken_data(tmp_path) -> tuple[Path, list[faults.Expect]]:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    expects = [e for apply in SCHEMA_FAULTS for e in apply(tmp_path)] + _duplicate_fx_row(tmp_path)
    return tmp_path / "data", expects


def _reworded(monkeypatch) -> None:
    """Frictionless's errors with every message and note in other words (a translation, a new release)."""
    real = frictionless.Package.validate

    def validate(self, *args, **kwargs):
        report = real(self, *args, **kwargs)
        for task in report.tasks:
            for error in task.errors:
                error.note = "Hinweis in anderen Worten"
                error.message = "Meldung in anderen Worten"
        return report

    monkeypatch.setattr(frictionless.Package, "validate", validate)


def test_every_schema_fault_is_said_in_words(broken_data):
    folder, expects = broken_data
    lines = [str(p) for p in tables.check(folder)]
    for expect in expects:
        assert any(not expect.check(line) for line in lines), (expect.place(), expect.kind, lines)


def test_problems_come_from_the_errors_fields_not_their_wording(broken_data, monkeypatch):
    folder, _ = broken_data
    plain = tables.check(folder)
    _reworded(monkeypatch)
    assert tables.check(folder) == plain


DTYPES = {"string": "string", "date": "datetime64[us]", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def test_the_typed_loader_gives_each_schema_type_its_pandas_dtype():
    package = tables.load(ROOT / "data")
    for res in package.descriptor["resources"]:
        frame = package[res["name"]]
        assert list(frame.columns) == [f["name"] for f in res["schema"]["fields"]]
        for f in res["schema"]["fields"]:
            assert str(frame[f["name"]].dtype) == DTYPES[f.get("type", "string")], (res["name"], f["name"])


def test_an_empty_cell_is_missing_whatever_its_type():
    events = tables.load(ROOT / "data")["trade"]
    raw = pd.read_csv(ROOT / "data" / "trade.csv", dtype=str, keep_default_na=False)
    for column in ("period_end", "value_usd", "dispute_id"):
        assert (events[column].isna() == (raw[column] == "")).all(), column


def test_true_and_false_load_as_frictionless_reads_them(tmp_path):
    """TRUE, 1 and 0 pass validation (Frictionless's default true and false values), so the book
    reads them as true and false, not as missing."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    rows = [faults.find_row(tmp_path, "countries", kind="state", skip=i) for i in range(3)]
    for row, text in zip(rows, ("TRUE", "1", "0"), strict=True):
        faults.set_cell(tmp_path, "countries", row, "borders_afghanistan", text)
    countries = tables.load(tmp_path / "data")["countries"]
    assert countries["borders_afghanistan"].iloc[[r - 2 for r in rows]].tolist() == [True, True, False]


def test_a_field_type_frictionless_does_not_know_is_a_bad_descriptor(tmp_path):
    """A hand edit of the descriptor Frictionless cannot read is a problem to fix, not a crash."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "datapackage.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"type": "number"', '"type": "nubmer"', 1), encoding="utf-8"
    )
    (problem,) = tables.check(tmp_path / "data")
    assert str(problem).startswith("data/datapackage.json, field 'resources': bad descriptor: the schema of resource")
    assert 'field type "nubmer" is not supported' in problem.message


# ---------------------------------------------------------------------------
# Typed tables, remembered by content

LOAD_IN_A_FRESH_PROCESS = """
import pickle, sys
from pathlib import Path
from amudarya.data import tables
package = tables.load(Path(sys.argv[1]))
sys.stdout.buffer.write(pickle.dumps(({n: package[n] for n in package.tables._tables}, "frictionless" in sys.modules)))
"""


def _load_fresh(data: Path):
    """The package's tables as a new process loads them (a kernel), and whether it imported
    Frictionless to do so."""
    import pickle
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LOAD_IN_A_FRESH_PROCESS, str(data)], capture_output=True, check=True)
    return pickle.loads(done.stdout)


def test_typed_tables_are_remembered_so_a_kernel_loads_them_without_frictionless(tmp_path):
    from amudarya.data import casting

    shutil.copytree(ROOT / "data", tmp_path / "data")
    first, imported = _load_fresh(tmp_path / "data")
    assert imported  # the first load types the tables
    again, imported = _load_fresh(tmp_path / "data")
    assert not imported
    package = tables.load(tmp_path / "data")
    for res in package.descriptor["resources"]:
        typed = casting.load(res, (tmp_path / "data" / res["path"]).read_bytes())
        pd.testing.assert_frame_equal(again[res["name"]], typed)
        pd.testing.assert_frame_equal(first[res["name"]], typed)


def test_a_changed_or_damaged_table_is_typed_again(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    _load_fresh(tmp_path / "data")
    row = faults.find_row(tmp_path, "countries", kind="state")
    faults.set_cell(tmp_path, "countries", row, "name", "Renamed for the test")
    for memory in (tmp_path / "_build" / "cache" / "typed").glob("*.pickle"):
        memory.write_bytes(memory.read_bytes()[:100])  # cut short, as a full disk would leave it
    loaded, imported = _load_fresh(tmp_path / "data")
    assert imported
    assert loaded["countries"]["name"].iloc[row - 2] == "Renamed for the test"
    raw = pd.read_csv(tmp_path / "data" / "events.csv", dtype=str, keep_default_na=False)
    assert loaded["events"]["event_id"].tolist() == raw["event_id"].tolist()


# ---------------------------------------------------------------------------
# Frictionless's verdict, remembered per table


def _checked_by_frictionless(monkeypatch, folder: Path) -> tuple[list, set[str]]:
    """The problems validate() finds, and the tables Frictionless read to find them."""
    checked = set()
    original = frictionless.Resource.validate

    def validate(resource, *args, **kwargs):
        checked.add(resource.name)
        return original(resource, *args, **kwargs)

    monkeypatch.setattr(frictionless.Resource, "validate", validate)
    return tables.validate(folder).problems, checked


def test_after_an_edit_frictionless_reads_only_that_table_and_those_that_refer_to_it(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    data = tmp_path / "data"
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}

    def referring_to(name: str) -> set[str]:
        return {
            r["name"]
            for r in descriptor["resources"]
            if any(fk["reference"]["resource"] == name for fk in r["schema"].get("foreignKeys", []))
        }

    problems, checked = _checked_by_frictionless(monkeypatch, data)
    assert not problems and checked == names
    problems, checked = _checked_by_frictionless(monkeypatch, data)
    assert not problems and checked == set()

    row = faults.find_row(tmp_path, "trade", reporter="KGZ")
    faults.set_cell(tmp_path, "trade", row, "value_usd", "123456")
    problems, checked = _checked_by_frictionless(monkeypatch, data)
    assert not problems and checked == {"trade"} | referring_to("trade")

    row = faults.find_row(tmp_path, "countries", kind="state")
    faults.set_cell(tmp_path, "countries", row, "name", "Renamed for the test")
    problems, checked = _checked_by_frictionless(monkeypatch, data)
    assert not problems and checked == {"countries"} | referring_to("countries")
    assert len(checked) > 2  # most tables name a country


def test_a_table_with_a_problem_is_checked_again_every_time(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    row = faults.find_row(tmp_path, "trade", reporter="KGZ")
    faults.set_cell(tmp_path, "trade", row, "value_usd", "a lot")
    for _ in range(2):
        problems, checked = _checked_by_frictionless(monkeypatch, tmp_path / "data")
        assert "trade" in checked
        assert [p.where for p in problems] == ["data/trade.csv"], problems
