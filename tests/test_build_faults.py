"""Faults of the build itself (issue 17): two builds in one folder, a build that died while
publishing, leftovers of failed runs, names too long for a file system, and data too large for a
page. The catalogue in test_faults.py covers what a person types; this covers what happens around it.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from amudarya.build import lock, paths
from amudarya.build.paths import FAILED
from amudarya.build.run import Run
from amudarya.render import bounds, publish
from amudarya.render.bars import grouped_columns, horizontal_bars, stage_bars
from amudarya.render.chart import plt
from amudarya.render.periods import period_bars
from test_faults import digest


@pytest.fixture
def built(built_book, tmp_path) -> Path:
    """A copy of the book the session built (conftest), for one test to change."""
    target = tmp_path / "project"
    shutil.copytree(built_book, target, symlinks=True)
    return target


def _amudarya(project: Path, *argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("amudarya")), "--root", str(project), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _first_line(stream, seconds: float) -> str:
    import select

    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


# ---------------------------------------------------------------------------
# One build per folder


def test_a_second_build_waits_for_the_first_and_says_so(built):
    """While one build holds the folder (here: this test), another waits with one line saying
    why, touches nothing, and builds when the first is done (`make book & make book`)."""
    book = digest(built / "_build" / "html")
    with lock.build_lock(built):
        second = _amudarya(built, "build")
        said = _first_line(second.stderr, 120)
        assert said.startswith(f"waiting: another build of {built} is running (process "), said
        time.sleep(1)
        assert second.poll() is None, "the second build did not wait for the first"
        assert digest(built / "_build" / "html") == book
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "waiting:" not in err and "Traceback" not in err
    assert "book: unchanged" in out
    assert digest(built / "_build" / "html") == book


def _toc_pages(project: Path) -> list[str]:
    """Every page book/_toc.yml lists (the root and each chapter), as paths under book/."""
    import yaml

    toc = yaml.safe_load((project / "book" / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part.get("chapters", [])]
    return pages


def test_two_builds_started_at_once_both_finish_and_publish_a_whole_book(built):
    """`make book & make book` for real: two build processes on one folder, with a page changed
    so that there is a book to publish. Before the lock, one died in `_publish` with a
    FileExistsError and the other left `_build/html` without an index."""
    page = built / "book" / "findings.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence only this test writes.\n", encoding="utf-8")
    builds = [_amudarya(built, "build") for _ in range(2)]
    outputs = [b.communicate(timeout=300) for b in builds]
    for b, (_out, err) in zip(builds, outputs, strict=True):
        assert b.returncode == 0, err
        assert "Traceback" not in err, err
    assert sum("waiting: another build of" in err for _, err in outputs) == 1, [err for _, err in outputs]
    html = built / "_build" / "html"
    assert (html / "index.html").is_file()
    missing = [p for p in _toc_pages(built) if not (html / f"{p}.html").is_file()]
    assert not missing, f"pages of the toc missing from the published book: {missing}"
    assert "A sentence only this test writes." in (html / "findings.html").read_text(encoding="utf-8")
    assert not list((built / "_build").glob(".html-*"))


def test_a_build_that_died_while_publishing_leaves_a_whole_book(built):
    """The other build was killed between moving the old book aside and putting the new one in
    place, with half a new book copied: the next build serves the whole old book, not the half."""
    build = built / "_build"
    book = digest(build / "html")
    shutil.copytree(build / "html", build / ".html-new-4242")
    for page in list((build / ".html-new-4242").rglob("*.html"))[::2]:
        page.unlink()
    (build / "html").rename(build / ".html-old")
    status = subprocess.run(
        [str(Path(sys.executable).with_name("amudarya")), "--root", str(built), "build"], capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert digest(build / "html") == book
    assert not list(build.glob(".html-*"))


def test_publishing_swaps_whole_books(tmp_path):
    build = tmp_path / "_build"
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, text in ((old, "old"), (new, "new")):
        (folder / "sub").mkdir(parents=True)
        (folder / "index.html").write_text(text)
        (folder / "sub" / "page.html").write_text(text)
    lock.publish(old, build)
    lock.publish(new, build)
    assert {p.relative_to(build / "html").as_posix(): p.read_text() for p in (build / "html").rglob("*.html")} == {
        "index.html": "new",
        "sub/page.html": "new",
    }
    assert sorted(p.name for p in build.iterdir()) == ["html"]


# ---------------------------------------------------------------------------
# Leftovers


def test_a_successful_build_removes_notebooks_kept_from_failed_runs(built, capsys):
    from amudarya import cli

    kept = built / FAILED / "trade__partner-AFG__reporter-KAZ.ipynb"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text("{}")
    assert cli.main(["--root", str(built), "build"]) == 0
    assert not kept.parent.exists()


def test_the_published_book_holds_no_file_no_page_uses(built_book, tmp_path):
    """Images, downloads and chapter pages of an earlier matrix or earlier data stay in Sphinx's
    work folder; the sweep removes exactly those and nothing a page links to."""
    html = tmp_path / "html"
    shutil.copytree(built_book / "_build" / "html", html)
    before = {p for p in html.rglob("*") if p.is_file()}
    orphans = [
        html / "_images" / "chart-of-old-data.png",
        html / "_downloads" / "0123abcd" / "old.csv",
        html / "_generated" / "trade__partner-AFG__reporter-XXX.html",
    ]
    for path in orphans:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG old")
    removed = bounds.sweep_orphans(html)
    assert sorted(removed) == sorted(orphans)
    assert {p for p in html.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------------------
# Names and sizes


def test_a_run_with_a_long_list_gets_a_short_file_name(project):
    codes = [f"{a}{b}{c}" for a in "ABCD" for b in "EFGH" for c in "IJKL"]  # 64 codes
    run, other = Run("refusal", {"peers": codes}), Run("refusal", {"peers": codes[::-1]})
    assert len(run.name) <= paths.LONGEST_NAME and run.name != other.name
    assert run.name.startswith("refusal__peers-AEI+AEJ+")
    # Short enough to be a file name where the build writes it: the book's executed chapter.
    generated = project / "book" / "_generated"
    generated.mkdir(parents=True, exist_ok=True)
    (generated / f"{run.name}.ipynb").write_text("{}")
    assert Run("trade", {"reporter": "KAZ", "partner": "AFG"}).name == "trade__partner-AFG__reporter-KAZ"


def test_a_long_table_is_summarised_on_the_page(monkeypatch):
    shown = []
    monkeypatch.setattr(publish, "display", lambda obj: shown.append(obj.data))
    frame = pd.DataFrame({"Product": ["Flour"] * 50_000, "US$": [123.0] * 50_000})
    publish.show_table(frame, caption="Exports")
    page = shown[0]
    assert page.count("<tr>") == bounds.TABLE_ROWS + 1  # and the header
    assert "Exports (the first 100 of 50,000 rows; the rows they are computed from are in the chapter" in page
    # A table whose rows other pages link to is shown whole.
    publish.show_table(frame.head(150).assign(anchor=[f"r{i}" for i in range(150)]), row_ids="anchor")
    assert shown[1].count("<tr id=") == 150


def test_a_chart_caps_its_categories():
    data = pd.DataFrame({"label": [f"Flour {i}" for i in range(50_000)], "value": range(50_000)})
    chart = horizontal_bars(data, label="label", value="value", title="Exports", value_axis="US$", source="A publisher")
    assert chart.figure.get_size_inches()[1] < 20
    assert len(chart.figure.axes[0].get_yticklabels()) == bounds.CHART_CATEGORIES
    assert "the largest 25; 49,975 more not shown" in chart.title
    assert len(chart.alt) < 2000 and "Flour 49999" in chart.alt and "Flour 0 " not in chart.alt
    plt.close(chart.figure)


def test_every_chart_of_categories_from_the_data_caps_them():
    """Periods of trade, stages of a move and years of UNHCR counts grow with the data as the
    products of horizontal_bars do; each chart keeps to bounds.CHART_CATEGORIES a panel."""
    n = 2_000
    days = pd.date_range("1900-01-01", periods=n, freq="7D")
    periods = pd.DataFrame(
        {
            "start": days,
            "end": days + pd.Timedelta(days=6),
            "value_m": [float(i) for i in range(n)],
            "panel": "Exports",
            "series": "Reported by Kazakhstan",
            "text": "x",
            "period": [f"week {i}" for i in range(n)],
            "qualifier": "",
        }
    )
    stages = pd.DataFrame(
        {
            "label": [f"Stage {i}" for i in range(n)],
            "unit": "persons",
            "value": range(n),
            "value_high": pd.NA,
            "text": [str(i) for i in range(n)],
        }
    )
    years = pd.DataFrame({"year": range(1, n + 1), "refugees": range(n)})
    charts = [
        period_bars(periods, title="Exports", subtitle="By week", value_axis="US$ million", source="A publisher"),
        stage_bars(stages, title="Kin", source="A publisher"),
        grouped_columns(
            years,
            x="year",
            series={"refugees": "Refugees"},
            title="Refugees",
            value_axis="persons",
            source="A publisher",
        ),
    ]
    period, stage, column = charts
    assert "the largest 25; 1,975 more periods not shown" in period.title
    assert "week 1999" in period.alt and "week 0 " not in period.alt
    assert "the largest 25; 1,975 more not shown" in stage.title
    assert len(stage.figure.axes[0].get_yticklabels()) == bounds.CHART_CATEGORIES
    assert "the latest 25; 1,975 earlier not shown" in column.title
    assert [t.get_text() for t in column.figure.axes[0].get_xticklabels()][0] == str(n - 24)
    for chart in charts:
        assert max(chart.figure.get_size_inches()) < 30 and len(chart.alt) < 3000, chart.title
        plt.close(chart.figure)


def test_the_build_warns_of_a_page_or_image_past_its_limit(tmp_path):
    import struct
    import zlib

    def png(width: int, height: int) -> str:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        return base64.b64encode(raw + chunk(b"IEND", b"")).decode()

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "", outputs=[nbformat.v4.new_output("display_data", data={"image/png": png(1125, 3_375_585)})]
        ),
        nbformat.v4.new_code_cell(
            "", outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<tr></tr>" * 300_000})]
        ),
        nbformat.v4.new_code_cell(
            "", outputs=[nbformat.v4.new_output("display_data", data={"image/png": png(1125, 900)})]
        ),
    ]
    nbformat.write(nb, tmp_path / "big.ipynb")
    said = []
    bounds.warn_large(tmp_path, say=said.append)
    assert len(said) == 2
    assert "big.ipynb: cell 1 draws an image" in said[0] and "1,125 × 3,375,585 px" in said[0]
    assert "big.ipynb: the page holds 2.7 MB of text" in said[1]
