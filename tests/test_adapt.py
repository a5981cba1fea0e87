"""The README's walk-through for a new country, followed on a copy of the project: rows added to
the data, nothing else changed, and the thread, the check and the book take the country in.

The rows are made up for the test (a test source, a test event); they live only in the copy.
"""

import csv
import subprocess
import sys

import nbformat
import yaml

from amudarya.build.execution import execute
from amudarya.build.matrix import load_matrix
from amudarya.build.postprocess import glued
from amudarya.build.run import Run

COUNTRY = "PAK"


def _append(path, row: dict) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerow(row)


def _add_country(project) -> None:
    data = project / "data"
    _append(
        data / "sources.csv",
        {
            "source_id": "test-source-pakistan",
            "publisher": "Test Publisher",
            "title": "A page made up for a test",
            "published": "2024-05-02",
            "url": "https://example.org/test",
            "kind": "news",
        },
    )
    _append(
        data / "countries.csv",
        {
            "iso3": COUNTRY,
            "name": "Pakistan",
            "kind": "state",
            "borders_afghanistan": "true",
            "role": "Added by the test that follows the README.",
            "source_id": "test-source-pakistan",
        },
    )
    _append(
        data / "actors.csv",
        {
            "actor_id": "pak-test-ministry",
            "name": "Test Ministry",
            "country": COUNTRY,
            "source_id": "test-source-pakistan",
        },
    )
    event = {
        "event_id": f"{COUNTRY}-2024-05-02-test-visit",
        "date": "2024-05-02",
        "date_precision": "day",
        "country": COUNTRY,
        "thread": "policy",
        "event_type": "visit",
        "stance": "1",
        "actor_id": "pak-test-ministry",
        "summary": "A made-up visit that only this test records.",
        "source_id": "test-source-pakistan",
        "confidence": "high",
        "date_of": "occurred",
    }
    _append(data / "events.csv", event)


def test_a_new_country_needs_rows_only(project):
    before = glued(
        nbformat.read(
            execute(project, Run("policy", {"country": COUNTRY}), project / "out" / "before.ipynb"), as_version=4
        )
    )
    assert before["has_events"] is False

    _add_country(project)
    check = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "--root", str(project), "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr

    after = glued(
        nbformat.read(
            execute(project, Run("policy", {"country": COUNTRY}), project / "out" / "after.ipynb"), as_version=4
        )
    )
    assert after["has_events"] is True
    assert after["n_events"] == 1 and after["first_day"] == "2 May 2024"
    assert after["country_name"] == "Pakistan"

    # Step 6: one entry in runs.yml puts the chapter in the book's matrix.
    runs = project / "notebooks" / "runs.yml"
    matrix = yaml.safe_load(runs.read_text())
    matrix["parts"][1]["chapters"].append({"notebook": "policy", "parameters": {"country": COUNTRY}})
    runs.write_text(yaml.safe_dump(matrix, sort_keys=False))
    assert Run("policy", {"country": COUNTRY}).name in {r.name for r in load_matrix(project).runs}
