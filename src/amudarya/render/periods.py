"""The trade chapter's chart of figures by period: each figure a bar spanning the months it
covers, one panel per kind of flow, one colour and hatching per source of the figures.

It draws its title, units and source line itself and writes its alt text from the numbers it
plots (`render.chart`).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.patches import Patch

from amudarya.domain.words import qualified, spoken
from amudarya.render.bounds import capped_by
from amudarya.render.chart import (
    Chart,
    colours_for,
    headline,
    panel_title,
    plt,
    source_height,
    sourced,
    thousands,
    year_ticks,
)

MARGIN = pd.Timedelta(days=60)  # of the date axis, either side of the first and last day drawn


def period_bars(
    data: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    value_axis: str,
    source: str,
    marker: tuple[pd.Timestamp, str] | None = None,
    series_order: list[str] | None = None,
) -> Chart:
    """Figures for periods of unequal length, each drawn as a bar spanning its own period.

    `data` has columns start, end, value_m, panel (one panel per kind of flow, each with its own
    scale), series (whose count; one colour each) and text (the label on the bar) and period
    (for the alt text). Longer periods are drawn behind shorter ones, so nested periods
    (January-June inside the whole year) stay visible. `marker` is a (day, label) drawn as a
    dashed line, e.g. the takeover. `series_order` lists every series a family of charts can
    show, so that each keeps its colour and hatching when another is missing.
    """
    if data.empty:
        raise ValueError("period_bars needs at least one row; a chapter with no data shows no chart")

    data, left_out = capped_by(data, "value_m", "panel")
    if left_out:
        title = f"{title} (the largest {len(data)}; {left_out:,} more periods not shown)"
    panels = list(dict.fromkeys(data["panel"]))
    series_names = list(dict.fromkeys(data["series"]))
    colours, hatches = _series_styles(series_names, series_order)
    foot = source_height(source, 8.5) + 0.1
    height = 1.1 + 2.1 * len(panels) + foot
    fig, axes = plt.subplots(len(panels), 1, figsize=(8.5, height), sharex=True, squeeze=False)
    span = _date_span(data, marker)
    for ax, name in zip(axes[:, 0], panels, strict=False):
        _period_panel(ax, data[data["panel"] == name].copy(), name, colours, hatches, span)
        ax.set_ylabel(value_axis)
        thousands(ax.yaxis)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6, zorder=0)
        if marker is not None:
            ax.axvline(mdates.date2num(marker[0]), color="#444444", linestyle="--", linewidth=1, zorder=50)
    year_ticks(axes[-1, 0].xaxis)
    top = headline(fig, title, subtitle)
    _legend(fig, series_names, colours, hatches, top / height)
    fig.tight_layout(rect=(0, foot / height, 1, 1 - (top + 0.35) / height))
    # Labels last, once the panels have their final size, so their overlaps can be measured.
    for ax, name in zip(axes[:, 0], panels, strict=False):
        _label_bars(ax, data[data["panel"] == name])
    if marker is not None:
        _marker_label(axes[0, 0], marker)
    return sourced(fig, source, title=title, alt=_alt(data, panels, len(series_names) > 1, title, value_axis))


def _series_styles(series_names: list[str], series_order: list[str] | None) -> tuple[dict, dict]:
    """A colour and a hatching per series: those of `series_order` first, so a series keeps its
    style in every chart of a family, whichever others are missing."""
    styled = list(series_order or []) + [s for s in series_names if s not in (series_order or [])]
    colours = colours_for(styled)
    hatches = {s: ("" if i == 0 else "///") for i, s in enumerate(styled)}
    return colours, hatches


def _legend(fig, series_names: list[str], colours: dict, hatches: dict, below: float) -> None:
    """One swatch per series drawn, in a row under the headline (`below`, a fraction of the
    figure's height from its top)."""
    handles = [
        Patch(facecolor=colours[s], alpha=0.5, edgecolor=colours[s], hatch=hatches[s], label=s) for s in series_names
    ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.005, 1 - below),
        frameon=False,
        ncol=len(handles),
        fontsize=9,
    )


def _marker_label(ax, marker: tuple[pd.Timestamp, str]) -> None:
    # At the top of the first panel only: the dashed line runs through every panel, one label is enough.
    ax.text(
        mdates.date2num(marker[0]),
        ax.get_ylim()[1],
        " " + marker[1],
        ha="left",
        va="top",
        fontsize=8,
        color="#444444",
        zorder=100,
    )


def _date_span(data: pd.DataFrame, marker) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of the date axis: every period, and the marker, with a margin."""
    first = min(data["start"]) - MARGIN
    last = max(data["end"]) + MARGIN
    if marker is not None:
        first = min(first, marker[0] - MARGIN)
        last = max(last, marker[0] + MARGIN)
    return first, last


def _period_panel(ax, rows: pd.DataFrame, name: str, colours: dict, hatches: dict, span) -> None:
    """One panel's bars, the longest periods behind, each a light fill under a coloured,
    hatched outline."""
    rows["_days"] = (rows["end"] - rows["start"]).dt.days
    rows = rows.sort_values("_days", ascending=False)
    for z, (_, row) in enumerate(rows.iterrows()):
        left = mdates.date2num(row["start"])
        right = mdates.date2num(row["end"] + pd.Timedelta(days=1))
        colour = colours[row["series"]]
        ax.bar(
            left, row["value_m"], width=right - left, align="edge", color=colour, alpha=0.22, zorder=2 + z, linewidth=0
        )
        ax.bar(
            left,
            row["value_m"],
            width=right - left,
            align="edge",
            fill=False,
            edgecolor=colour,
            hatch=hatches[row["series"]],
            linewidth=1.4,
            zorder=2 + z,
        )
    ax.set_xlim(mdates.date2num(span[0]), mdates.date2num(span[1]))
    top = float(rows["value_m"].max())
    ax.set_ylim(0, top * 1.45 if top > 0 else 1)
    panel_title(ax, name)


def _label_bars(ax, rows: pd.DataFrame) -> None:
    """Each bar's label at its right end, spread upward where labels would overlap, the panel
    made taller if the highest would not fit."""
    items = [
        (mdates.date2num(r["end"] + pd.Timedelta(days=1)), float(r["value_m"]), str(r["text"]))
        for _, r in rows.iterrows()
    ]
    spread = spread_labels(ax, items, 8)
    for x, y, text in spread:
        ax.text(
            x,
            y,
            text,
            ha="right",
            va="bottom",
            fontsize=8,
            zorder=100,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
        )
    highest = max(y for _, y, _ in spread)
    if highest > ax.get_ylim()[1] * 0.88:
        ax.set_ylim(0, highest * 1.15)


def spread_labels(ax, items: list[tuple[float, float, str]], fontsize: float) -> list[tuple[float, float, str]]:
    """Nudge value labels upward so that no two overlap. Each item is (x right edge in data
    units, y, text); labels are right-aligned at x. Sizes are estimated from the font size."""
    fig = ax.figure
    fig.canvas.draw()
    bbox = ax.get_window_extent()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    per_char = (x1 - x0) / bbox.width * fontsize * 0.62 * fig.dpi / 72
    height = (y1 - y0) / bbox.height * fontsize * 1.35 * fig.dpi / 72
    placed: list[tuple[float, float, float, str]] = []
    for x, y, text in sorted(items, key=lambda i: i[1]):
        left = x - per_char * len(text)
        moved = True
        while moved:
            moved = False
            for px, py, pleft, _ in placed:
                # The small margin keeps a label just placed above another from counting as
                # overlapping it again through rounding.
                if left < px and pleft < x and abs(y - py) < height * 0.999:
                    y, moved = py + height, True
        placed.append((x, y, left, text))
    return [(x, y, text) for x, y, _, text in placed]


def _alt(data: pd.DataFrame, panels: list[str], several: bool, title: str, value_axis: str) -> str:
    """Every figure in words, panel by panel, with whose count it is when there are `several`."""
    parts = []
    for name in panels:
        rows = data[data["panel"] == name]
        listed = "; ".join(
            f"{r['period']} {qualified(spoken(r['value_m']), r['qualifier'])}"
            + (f" ({r['series'][0].lower() + r['series'][1:]})" if several else "")
            for _, r in rows.iterrows()
        )
        parts.append(f"{name}: {listed}")
    return (
        f"Chart of figures by period, each bar spanning the months it covers: {title}, in {value_axis}. "
        + ". ".join(parts)
        + "."
    )
