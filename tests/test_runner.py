"""Parameters, the run matrix, and executed notebooks."""

import subprocess
import sys

import nbformat
import pytest

from amudarya.build.execution import execute
from amudarya.build.matrix import load_matrix
from amudarya.build.parameters import check_parameters, notebook_parameters
from amudarya.build.postprocess import glued
from amudarya.build.run import Run
from amudarya.data.errors import InputError


def test_notebook_declares_its_parameters(root):
    params = notebook_parameters(root / "notebooks" / "trade.ipynb")
    assert {"reporter", "partner"} <= set(params)
    assert params["reporter"].default == "KAZ" and params["partner"].default == "AFG"
    assert params["reporter"].is_country


def test_unknown_parameter_lists_the_valid_ones(root):
    problems = check_parameters(root, "trade", {"reportr": "KAZ"})
    assert len(problems) == 1
    text = str(problems[0])
    assert "reportr" in text and "partner" in text and "reporter" in text


def test_country_code_must_be_iso_alpha3(root):
    problems = check_parameters(root, "trade", {"reporter": "Kazakhstan"})
    assert len(problems) == 1
    text = str(problems[0])
    assert "'Kazakhstan'" in text and "ISO 3166-1 alpha-3" in text and "KAZ" in text


def test_run_matrix_names_the_chapter_and_key(project):
    import yaml

    runs = project / "notebooks" / "runs.yml"
    parts = yaml.safe_load(runs.read_text())["parts"]
    part, chapter = next(
        (p_no, c_no)
        for p_no, p in enumerate(parts, start=1)
        for c_no, c in enumerate(p["chapters"], start=1)
        if c.get("notebook") == "trade" and c["parameters"]["reporter"] == "KAZ"
    )
    runs.write_text(runs.read_text().replace("reporter: KAZ", "reporter: XYZ"))
    with pytest.raises(InputError) as info:
        load_matrix(project)
    text = str(info.value)
    assert f"notebooks/runs.yml, part {part} ('Trade'), chapter {chapter}" in text and "'XYZ'" in text


@pytest.fixture(scope="module")
def executed_no_data(tmp_path_factory, root):
    out = tmp_path_factory.mktemp("runs") / "trade_pak.ipynb"
    execute(root, Run("trade", {"reporter": "PAK", "partner": "AFG"}), out)
    return nbformat.read(out, as_version=4)


def test_non_default_parameters_reach_the_glued_values(executed_no_data):
    values = glued(executed_no_data)
    assert values["reporter_name"] == "Pakistan"
    assert values["has_prewar"] is False and values["has_any_figures"] is False


def test_cells_for_missing_facts_are_dropped_and_the_no_data_text_stays(executed_no_data):
    text = "\n".join(c.source for c in executed_no_data.cells if c.cell_type == "markdown")
    assert "No figures yet" in text
    assert "turnover_m" not in text and "The answer" not in text
    # Every conditional cell left is one whose condition held.
    flags = {k: v for k, v in glued(executed_no_data).items() if isinstance(v, bool)}
    tags = [t for c in executed_no_data.cells for t in c.metadata.get("tags", []) if t.startswith("if")]
    assert tags
    for tag in tags:
        wanted = not tag.startswith("if-not:")
        assert flags[tag.split(":", 1)[1]] is wanted, tag


def test_cli_run_writes_the_executed_notebook(root, tmp_path):
    out = tmp_path / "x.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "run", "trade", "-p", "reporter", "KAZ", "-o", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    nb = nbformat.read(out, as_version=4)
    values = glued(nb)
    assert values["turnover_m"] == pytest.approx(229.7)
    # The chart's alt text was lifted into the cell metadata, where myst-nb reads it.
    alts = [c.metadata["mystnb"]["image"]["alt"] for c in nb.cells if "mystnb" in c.metadata]
    assert len(alts) == 2 and any("Flour 123;" in alt for alt in alts)


def test_cli_bad_parameter_is_a_message_not_a_traceback(root):
    result = subprocess.run(
        [sys.executable, "-m", "amudarya.cli", "run", "trade", "-p", "colour", "red"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown parameter" in result.stderr and "reporter" in result.stderr
