"""Putting results on a notebook page: charts with alt text, escaped tables, glued values.

Notebooks call these instead of `display`, so that what reaches the book is uniform:
every chart carries its alt text to the build's post-processing (`build.postprocess`), and
every table is escaped HTML.
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
from PIL import Image

from amudarya.data import tables
from amudarya.domain import coverage
from amudarya.domain.catalogue import source_anchor
from amudarya.domain.citations import reading_list, short_reference
from amudarya.domain.disputes import anchor_id, claims, overview
from amudarya.domain.words import count
from amudarya.render import ALT_KEY
from amudarya.render.bounds import summarised
from amudarya.render.chart import Chart, plt


def show_chart(chart: Chart) -> None:
    """Display a chart as a PNG whose alt text travels with the output."""
    buffer = io.BytesIO()
    chart.figure.savefig(buffer, format="png")
    plt.close(chart.figure)
    display(
        {
            "image/png": base64.b64encode(_palette_png(buffer.getvalue())).decode("ascii"),
            "text/plain": chart.alt,
        },
        raw=True,
        metadata={ALT_KEY: {"alt": chart.alt, "title": chart.title}},
    )


def _palette_png(png: bytes) -> bytes:
    """The chart as a PNG of at most 256 colours, undithered: charts are flat colours and
    anti-aliased edges, so it looks the same at about a third of the bytes (Lighthouse counted
    the charts as most of a chapter's first load). Same pixel size, so still sharp on phones."""
    out = io.BytesIO()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True
    )
    return out.getvalue()


def table_html(
    frame: pd.DataFrame,
    caption: str | None = None,
    links: dict[str, str] | None = None,
    row_ids: str | None = None,
) -> str:
    """A table as HTML in which every cell is escaped text.

    `links` maps a column to the column holding its link target: that cell becomes an anchor
    whose text and address are both escaped. `row_ids` names a column whose value becomes each
    row's HTML id (escaped), so other pages can link to a row; like link targets, that column
    is not shown. pandas' Styler does not escape by default, so it is not used.
    """
    links = links or {}
    hidden = set(links.values()) | ({row_ids} if row_ids else set())
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns if c not in hidden)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for col in frame.columns:
            if col in hidden:
                continue
            value = row[col]
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            target = row[links[col]] if col in links else None
            if isinstance(target, str) and target:
                cells.append(f'<td><a href="{html.escape(target, quote=True)}">{html.escape(text)}</a></td>')
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        row_id = row[row_ids] if row_ids else None
        opening = f'<tr id="{html.escape(str(row_id), quote=True)}">' if isinstance(row_id, str) and row_id else "<tr>"
        body.append(opening + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="amudarya-table-wrap"><table class="amudarya-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def show_table(
    frame: pd.DataFrame,
    caption: str | None = None,
    links: dict[str, str] | None = None,
    row_ids: str | None = None,
) -> None:
    """Display a table as escaped HTML: text from the data is shown as text, never markup.
    A long table shows its first rows and says so (bounds.summarised), unless its rows are
    link targets (`row_ids`), which other pages need every one of."""
    if not row_ids:
        frame, note = summarised(frame)
        caption = f"{caption} ({note})" if caption and note else caption or (note and note[0].upper() + note[1:])
    display(HTML(table_html(frame, caption, links, row_ids)))


def show_sources(sources: pd.DataFrame, source_ids) -> None:
    """A chapter's closing list of sources; each title links to the source's entry on the
    Sources page, where its address and every row citing it are listed."""
    rows = reading_list(sources, source_ids)
    rows["entry"] = [source_anchor(s) for s in dict.fromkeys(source_ids)]
    show_table(rows.drop(columns=["Address"]), links={"Title": "entry"})


NO_SIDE = "no side taken"


def _used_words(preferred: pd.Series) -> pd.Series:
    """Whether the book's figures use a claim: yes, no, or no side taken (NA)."""
    return preferred.map({True: "yes", False: "no"}).fillna(NO_SIDE)


def show_dispute_list(listed: pd.DataFrame) -> None:
    """The disputes page's summary (disputes.overview rows): one line per dispute, linking to
    its entry further down the page."""
    table = listed.assign(
        entry="#" + listed["dispute_id"].map(anchor_id),
        book_uses=listed["book_uses"].fillna(NO_SIDE),
    )[["country_name", "subject", "entry", "compared", "n_claims", "book_uses"]].rename(
        columns={
            "country_name": "Country",
            "subject": "Disputed fact",
            "compared": "What differs",
            "n_claims": "Claims",
            "book_uses": "The book uses",
        }
    )
    show_table(table, links={"Disputed fact": "entry"})


def show_disputes(package, dispute_ids) -> None:
    """Where the sources disagree on something the chapter uses: each claim beside its source."""
    found = claims(package, dispute_ids)
    if found.empty:
        return
    subjects = package["disputes"].set_index("dispute_id")
    sources = package["sources"].set_index("source_id")
    table = pd.DataFrame(
        {
            "Disputed": [subjects.loc[d, "subject"] for d in found["dispute_id"]],
            "Claim": found["claim"],
            "Source": [short_reference(sources.loc[s].rename({"source_id": s})) for s in found["source_id"]],
            "entry": [source_anchor(s) for s in found["source_id"]],
            "Used in the book's figures": _used_words(found["preferred"]),
        }
    )
    show_table(table, links={"Source": "entry"})


def glue_values(**values) -> None:
    """Glue several values for the page's prose (`{glue:text}` roles), without displaying them.

    Booleans are also what the build reads to keep or drop cells tagged `if:KEY` or
    `if-not:KEY`, so a chapter can say something different when the data hold nothing.
    """
    for key, value in values.items():
        if value is None or (isinstance(value, float) and value != value):
            raise ValueError(f"glue value '{key}' is missing (None/NaN); guard it with an if:/if-not: cell instead")
        # numpy scalars print as 'np.float64(...)', which glue's format specs cannot read.
        glue(key, value.item() if hasattr(value, "item") else value, display=False)


def _output_notebook() -> Path:
    """Where the build writes the executed notebook ($AMUDARYA_OUTPUT); when a person runs the
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
        rows = count(len(frame), "row")
        links.append(f"- {{download}}`{name}.csv <downloads/{out.stem}/{name}.csv>` ({rows})")
    links.append(f"- {{download}}`the executed notebook <{out.name}>` (code and outputs, for Jupyter)")
    display(Markdown("\n".join(links)))


def dispute_section_html(dispute: pd.Series, claims: pd.DataFrame, sources: pd.DataFrame) -> str:
    """One disputed fact as an HTML section (id `dispute-<dispute_id>`): its subject, where it
    belongs, the book's assessment, and a table of its claims, each linked to its source's
    entry on the Sources page. `dispute` is a row of `disputes.overview`, `claims` its rows of
    `disputes.claims`. Every text from the data is escaped."""
    by_id = sources.set_index("source_id")
    table = pd.DataFrame(
        {
            "Claim": claims["claim"],
            "Details": claims["detail"],
            "Source": [short_reference(by_id.loc[s]) for s in claims["source_id"]],
            "entry": [source_anchor(s) for s in claims["source_id"]],
            "Confidence": claims["confidence"],
            "Used in the book's figures": _used_words(claims["preferred"]),
        }
    )
    where = f"{dispute['country_name']} · {dispute['thread']} · what differs: {dispute['compared']}"
    return (
        f'<section class="amudarya-dispute" id="{html.escape(anchor_id(dispute["dispute_id"]), quote=True)}">'
        f"<h3>{html.escape(str(dispute['subject']))}</h3>"
        f'<p class="amudarya-dispute-where">{html.escape(where)}</p>'
        f"<p><strong>The book's reading:</strong> {html.escape(str(dispute['assessment']))}</p>"
        f"{table_html(table, links={'Source': 'entry'})}</section>"
    )


def show_dispute_sections(package, dispute_ids=None) -> None:
    """Every disputed fact (or those given), in the order of `disputes.overview`, one section each."""
    listed = overview(package)
    if dispute_ids is not None:
        listed = listed[listed["dispute_id"].isin(list(dispute_ids))]
    found = claims(package, listed["dispute_id"])
    for _, dispute in listed.iterrows():
        rows = found[found["dispute_id"] == dispute["dispute_id"]]
        display(HTML(dispute_section_html(dispute, rows, package["sources"])))


def glue_as_of(thread: str, parameters: dict) -> None:
    """Glue a chapter's 'data as of' line (called by the cell `coverage.as_of_cells` makes)."""
    package = tables.load()
    glue_values(
        **{coverage.AS_OF_KEY: coverage.as_of_text(package, coverage.CHAPTER_STATES[thread](package, parameters))}
    )
