"""The benchmark's own judgement of whether a changed value reached the book (bench/bench.py)."""

import sys

import pytest

from amudarya.build.run import Run
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import bench  # noqa: E402


@pytest.mark.parametrize(("dollars", "written"), [(229_800_000, "US$ 229.8 million"), (230_000_000, "US$ 230 million")])
def test_a_changed_figure_is_found_as_the_book_writes_it(tmp_path, dollars, written):
    run = Run("trade", {"reporter": "KAZ", "partner": "AFG"})
    system = bench.System("amudarya", tmp_path)
    page = system.html / "_generated" / f"{run.name}.html"
    page.parent.mkdir(parents=True)
    page.write_text(f"<p>Turnover: <strong>{written}</strong> in the half-year.</p>", encoding="utf-8")
    assert bench.shows(system, run, dollars)
    assert not bench.shows(system, run, dollars + 100_000)
