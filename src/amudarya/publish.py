"""Putting results on a notebook page: charts with alt text, escaped tables, glued values.

Notebooks call these instead of `display`, so that what reaches the book is uniform:
every chart carries its alt text to the runner's post-processing, and every table is
escaped HTML.
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from .plots import Chart, plt

# Output metadata key the runner reads to move alt text into the cell's metadata,
# the only place myst-nb takes an image's alt text from.
ALT_KEY = "amudarya"


def show_chart(chart: Chart) -> None:
    """Display a chart as a PNG whose alt text travels with the output."""
    buffer = io.BytesIO()
    chart.figure.savefig(buffer, format="png")
    plt.close(chart.figure)
    display(
        {
            "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "text/plain": chart.alt,
        },
        raw=True,
        metadata={ALT_KEY: {"alt": chart.alt, "title": chart.title}},
    )


def show_table(frame: pd.DataFrame, caption: str | None = None) -> None:
    """Display a table as escaped HTML: text from the data is shown as text, never markup."""
    table = frame.to_html(index=False, escape=True, na_rep="", border=0, classes="amudarya-table")
    if caption:
        table = table.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)
    display(HTML(table))


def glue_values(**values) -> None:
    """Glue several values for the page's prose (`{glue:text}` roles), without displaying them.

    Booleans are also what the runner reads to keep or drop cells tagged `if:KEY` or
    `if-not:KEY`, so a chapter can say something different when the data hold nothing.
    """
    for key, value in values.items():
        if value is None or (isinstance(value, float) and value != value):
            raise ValueError(
                f"glue value '{key}' is missing (None/NaN); guard it with an if:/if-not: cell instead"
            )
        # numpy scalars print as 'np.float64(...)', which glue's format specs cannot read.
        glue(key, value.item() if hasattr(value, "item") else value, display=False)


def _output_notebook() -> Path:
    """Where the runner writes the executed notebook ($AMUDARYA_OUTPUT); when a person runs the
    notebook by hand in Jupyter, a scratch place under _build/."""
    return Path(os.environ.get("AMUDARYA_OUTPUT") or Path.cwd() / "_build" / "interactive" / "notebook.ipynb")


def downloads_folder() -> Path:
    """The executed notebook's own folder of downloads: downloads/<notebook name>/ beside it."""
    out = _output_notebook()
    return out.parent / "downloads" / out.stem


def offer_downloads(tables: dict[str, pd.DataFrame]) -> None:
    """Write the rows a chapter used as CSV files and show links to them and to the executed
    notebook. Links are MyST `{download}` roles, so Sphinx copies the files into the book."""
    out = _output_notebook()
    folder = downloads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
        rows = f"{len(frame)} row" + ("" if len(frame) == 1 else "s")
        links.append(f"- {{download}}`{name}.csv <downloads/{out.stem}/{name}.csv>` ({rows})")
    links.append(f"- {{download}}`the executed notebook <{out.name}>` (code and outputs, for Jupyter)")
    display(Markdown("\n".join(links)))
