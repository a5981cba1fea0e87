"""Authored analysis: an analyst's prose for one run of the book, merged into its notebook.

A chapter's computed body works for any country; what it cannot do is explain *why* a state
chose as it did. That prose lives in `notebooks/analysis/<run name>.md` (the run's name, as in
`book/_generated/`, e.g. `policy__country-KAZ.md`), is written by a person for that state and
thread, and is merged into the notebook before papermill executes it, so its `{glue:text}` roles
resolve against the run's own glued values and its `{cite}` roles against the bibliography. A
run with no such file is executed exactly as the notebook stands.

Numbers are never typed in an analysis. Besides the keys the notebook glues, a file may quote
rows of the data package in a front matter block:

    ---
    quotes:
      offer: people/kgz-2021-08-pamir-kyrgyz-capacity-todaykg
      offer_date: people/kgz-2021-08-pamir-kyrgyz-capacity-todaykg/when
    ---

Each key is glued, in a code cell merged before the prose, with the row's value written as
the rest of the book writes it (`1,200`, `about US$ 1.0 billion`, `26 September 2021`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd
import yaml

from amudarya.build.run import Run, notebook_path
from amudarya.data import tables
from amudarya.data.errors import InputError, Problem
from amudarya.domain import counts, coverage, periods, timeline, tradetables

ANALYSIS_DIR = Path("notebooks") / "analysis"
TAG = "analysis"
# What a quote can name: a table, the column holding its row id, and the views of a row.
TABLES = {"trade": "trade_id", "people": "record_id", "events": "event_id"}
VIEWS = {
    "trade": ("value", "period", "quantity"),
    "people": ("value", "when"),
    "events": ("date",),
}
QUOTE = re.compile(r"^(?P<table>[a-z]+)/(?P<row>[A-Za-z0-9][A-Za-z0-9+\-]*)(?:/(?P<view>[a-z]+))?$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FRONT = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.S)


@dataclass(frozen=True)
class Analysis:
    path: Path
    body: str
    quotes: dict[str, str] = field(default_factory=dict)


def run_name(thread: str, parameters: dict) -> str:
    return Run(thread, dict(parameters)).name


def path_for(root: Path, thread: str, parameters: dict) -> Path:
    return root / ANALYSIS_DIR / f"{run_name(thread, parameters)}.md"


def key_part(notebook: Path, thread: str, parameters: dict) -> bytes:
    """What the run's cache key takes from its analysis: the file's bytes, or nothing."""
    path = path_for(notebook.resolve().parent.parent, thread, parameters)
    return path.read_bytes() if path.is_file() else b""


def read(path: Path) -> Analysis:
    """An analysis file: front matter (quotes) checked, prose kept as written."""
    shown = f"{ANALYSIS_DIR.as_posix()}/{path.name}"
    text = path.read_text(encoding="utf-8")
    quotes: dict[str, str] = {}
    match = FRONT.match(text)
    if match:
        try:
            front = yaml.safe_load(match["yaml"]) or {}
        except yaml.YAMLError as exc:
            raise InputError(
                Problem(
                    shown,
                    f"not valid YAML in the front matter: {exc}",
                    expected="a block between two '---' lines holding 'quotes:', a mapping",
                )
            ) from None
        unknown = sorted(set(front) - {"quotes"}) if isinstance(front, dict) else ["(not a mapping)"]
        if unknown:
            raise InputError(
                Problem(
                    shown,
                    "unknown key in the front matter",
                    field=unknown[0],
                    expected="only 'quotes', a mapping of glue keys to data rows",
                )
            )
        quotes = front.get("quotes") or {}
        problems = [_quote_problem(shown, key, value) for key, value in quotes.items()]
        problems = [p for p in problems if p]
        if problems:
            raise InputError(problems)
        text = text[match.end() :]
    if not text.strip():
        raise InputError(Problem(shown, "the analysis has no text", expected="Markdown prose after the front matter"))
    return Analysis(path, text.strip() + "\n", dict(quotes))


def _quote_problem(shown: str, key, value) -> Problem | None:
    if not isinstance(key, str) or not KEY.match(key):
        return Problem(
            shown,
            "a quote's glue key is not a valid name",
            field="quotes",
            value=key,
            expected="lower-case letters, digits and underscores, starting with a letter",
        )
    match = QUOTE.match(value) if isinstance(value, str) else None
    if not match or match["table"] not in TABLES or (match["view"] and match["view"] not in VIEWS[match["table"]]):
        views = "; ".join(f"{t}/<row id>[/{'|'.join(v)}]" for t, v in VIEWS.items())
        return Problem(
            shown, "a quote does not name a data row", field=f"quotes.{key}", value=value, expected=f"one of {views}"
        )
    return None


def find(root: Path, thread: str, parameters: dict) -> Analysis | None:
    path = path_for(root, thread, parameters)
    return read(path) if path.is_file() else None


# ---------------------------------------------------------------------------
# Merging


def _first_section(cells) -> int:
    """Where the analysis goes: after the chapter's opening, before its first section."""
    for number, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            return number
    return len(cells)


def merged(root: Path, run):
    """The notebook papermill executes for `run`: notebooks/<thread>.ipynb with, in a chapter,
    its 'data as of' line after the title (`coverage.as_of_cells`) and the run's analysis, if it
    has one, merged in after the opening (a code cell gluing its quotes, then its prose, both
    tagged `analysis`). Neither applying, the notebook's path."""
    path = notebook_path(root, run.thread)
    found = find(root, run.thread, run.parameters)
    if found is None and not coverage.is_chapter(run.thread):
        return str(path)
    nb = nbformat.read(path, as_version=4)
    if coverage.is_chapter(run.thread):
        title = next(
            (n for n, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), -1
        )
        nb.cells[title + 1 : title + 1] = coverage.as_of_cells(run.thread, run.parameters)
    if found is None:
        return nb
    at = _first_section(nb.cells)
    added = []
    if found.quotes:
        source = (
            f"# Numbers quoted by {ANALYSIS_DIR.as_posix()}/{found.path.name}, glued from their data rows.\n"
            f"from amudarya.build import analysis\n\nanalysis.glue_quotes({found.quotes!r}, {found.path.name!r})"
        )
        added.append(nbformat.v4.new_code_cell(source, metadata={"tags": [TAG]}))
    added.append(nbformat.v4.new_markdown_cell(found.body, metadata={"tags": [TAG]}))
    nb.cells[at:at] = added
    return nb


# ---------------------------------------------------------------------------
# Quoted values


def quote_text(package, quote: str, where: str = "") -> str:
    """The text a quote glues: a row's value (or its date or period) as the book writes it."""
    match = QUOTE.match(quote)
    if not match or match["table"] not in TABLES:
        raise ValueError(f"{where}: '{quote}' does not name a data row (table/row id[/view])")
    table, row_id, view = match["table"], match["row"], match["view"] or VIEWS[match["table"]][0]
    # Only the quoted row is read: the analysis is not executed again when another row changes.
    found = package.select(table, TABLES[table], [row_id])
    if found.empty:
        raise ValueError(
            f"{where}: the quote '{quote}' names {TABLES[table]} '{row_id}', "
            f"which data/{table}.csv does not have; fix the id or add the row"
        )
    row = found.iloc[0]
    if table == "events":
        return timeline.date_text(row["date"], row["date_precision"])
    if table == "people":
        if view == "when":
            return counts.when(row)
        return counts.count_text(row["value"], row["value_high"], row["qualifier"])
    if view == "period":
        return periods.period_label(row["period_start"], row["period_end"])
    if view == "quantity":
        if pd.isna(row["quantity"]):
            raise ValueError(f"{where}: trade row '{row_id}' has no quantity to quote")
        # The unit is the prose's to word ("per cent of its flour imports", "tonnes").
        return counts.count_text(row["quantity"], None, row["qualifier"])
    if pd.isna(row["value_usd"]):
        raise ValueError(f"{where}: trade row '{row_id}' has no value in US dollars to quote")
    return tradetables.money_text(row["value_usd"], row["qualifier"])


def quote_values(package, quotes: dict[str, str], where: str = "") -> dict[str, str]:
    return {key: quote_text(package, quote, where) for key, quote in quotes.items()}


def glue_quotes(quotes: dict[str, str], name: str) -> None:
    """Glue an analysis's quotes (called by the code cell `merged` adds)."""
    # Here, not at the top: publish imports matplotlib, which only the kernel needs.
    from amudarya.render import publish

    publish.glue_values(**quote_values(tables.load(), quotes, f"{ANALYSIS_DIR.as_posix()}/{name}"))


def authored_runs(matrix) -> list:
    """The runs that carry an analysis: every chapter run but the front matter (the first part
    of runs.yml) and the back matter (its last part), which are generated from the data package
    as a whole and argue nothing of their own."""
    return [entry.run for part in matrix.parts[1:-1] for entry in part.chapters if entry.run]
