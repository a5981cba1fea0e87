"""data/README.md, the data dictionary, stays in step with data/datapackage.json.

For every resource the README has a section headed with the table's file name, whose first
Markdown table lists exactly the resource's fields, in schema order, with their Frictionless
types; every enum value of a field appears (in backticks) in that field's row; the section
names the primary key and every foreign key.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = [pytest.param(res, id=res["name"]) for res in DESCRIPTOR["resources"]]
PATHS = {res["name"]: res["path"] for res in DESCRIPTOR["resources"]}


def _cells(line: str) -> list[str]:
    """Cells of a Markdown table row; a pipe escaped as \\| stays inside its cell."""
    inner = line.strip().strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _sections(text: str) -> dict[str, str]:
    """Sections headed '### `<file>.csv`...', by file name, up to the next heading of level <= 3."""
    found = {}
    matches = list(re.finditer(r"^### `([^`]+\.csv)`.*$", text, flags=re.M))
    for m in matches:
        rest = text[m.end() :]
        end = re.search(r"^#{1,3} ", rest, flags=re.M)
        found[m.group(1)] = rest[: end.start()] if end else rest
    return found


def _field_table(section: str) -> list[list[str]]:
    """Rows (as cells) of the first table in a section whose header starts with 'field'."""
    lines = section.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and _cells(line)[0] == "field":
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append(_cells(row))
            return rows
    return []


def _name(cells: list[str]) -> str:
    """The field a table row describes: its first cell, without the backticks."""
    m = re.fullmatch(r"`([^`]+)`", cells[0])
    return m.group(1) if m else cells[0]


@pytest.fixture(scope="module")
def readme():
    return _sections((ROOT / "data" / "README.md").read_text(encoding="utf-8"))


def test_every_table_has_a_section(readme):
    assert sorted(readme) == sorted(PATHS.values())


@pytest.mark.parametrize("resource", RESOURCES)
def test_section_lists_exactly_the_fields_in_order_with_their_types(resource, readme):
    rows = _field_table(readme[resource["path"]])
    listed = [_name(r) for r in rows]
    fields = resource["schema"]["fields"]
    assert listed == [f["name"] for f in fields]
    assert [r[1] for r in rows] == [f.get("type", "string") for f in fields]


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_enum_value_appears_where_its_field_is_described(resource, readme):
    rows = {_name(r): " | ".join(r) for r in _field_table(readme[resource["path"]])}
    missing = []
    for field in resource["schema"]["fields"]:
        for value in field.get("constraints", {}).get("enum", []):
            if f"`{value}`" not in rows.get(field["name"], ""):
                missing.append(f"{field['name']}: {value}")
    assert not missing


@pytest.mark.parametrize("resource", RESOURCES)
def test_section_names_primary_and_foreign_keys(resource, readme):
    lines = readme[resource["path"]].splitlines()
    pk_line = next(line for line in lines if line.startswith("Primary key:"))
    assert re.findall(r"`([^`]+)`", pk_line) == resource["schema"]["primaryKey"]
    fk_line = next(line for line in lines if line.startswith("Foreign keys:"))
    for fk in resource["schema"].get("foreignKeys", []):
        target = PATHS[fk["reference"]["resource"]]
        assert f"`{fk['fields'][0]}` → `{target}` (`{fk['reference']['fields'][0]}`)" in fk_line
