"""Bar charts of counts and values: labelled bars (`horizontal_bars`), the stages of a move home
(`stage_bars`) and columns by year (`grouped_columns`).

Each draws its title, units and source line itself and writes its alt text from the numbers it
plots (`render.chart`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from amudarya.domain.words import count, spoken
from amudarya.render.bounds import capped, capped_by, latest
from amudarya.render.chart import (
    Chart,
    colour,
    colours_for,
    headline,
    legend_once,
    panel_title,
    plt,
    source_height,
    sourced,
    thousands,
    value_text,
)


def horizontal_bars(
    data: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    value_axis: str,
    source: str,
    colour_by: str | None = None,
    decimals: int = 1,
) -> Chart:
    """Bars for a few labelled values, largest at the top, each bar labelled with its value.

    `value_axis` names the unit, e.g. "US$ million"; `colour_by` groups bars by a column
    (one colour and one legend entry per group).
    """
    if data.empty:
        raise ValueError("horizontal_bars needs at least one row; a chapter with no data shows no chart")

    data, left_out = capped(data.reset_index(drop=True), value)
    if left_out:
        title = f"{title} (the largest {len(data)}; {left_out:,} more not shown)"
    data = data.reset_index(drop=True)
    height = 1.2 + 0.45 * len(data)
    fig, ax = plt.subplots(figsize=(7.5, height + 0.9))
    colours = colours_for(list(dict.fromkeys(data[colour_by])) if colour_by else [None])
    positions = range(len(data))[::-1]
    for pos, (_, row) in zip(positions, data.iterrows(), strict=False):
        group = row[colour_by] if colour_by else None
        ax.barh(pos, row[value], color=colours[group], label=group)
        ax.text(row[value], pos, " " + value_text(row[value], decimals), va="center", fontsize=9)
    ax.set_yticks(list(positions), data[label].tolist())
    ax.set_xlabel(value_axis)
    ax.set_title(title)
    ax.margins(x=0.15)
    if colour_by:
        legend_once(ax, loc="lower right")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    # Numbers as a reader says them: 123, not 123.0; 0.9, not 0.900.
    items = "; ".join(f"{row[label]} {spoken(row[value])}" for _, row in data.iterrows())
    return sourced(fig, source, title=title, alt=f"Bar chart: {title}, in {value_axis}. {items}.")


# ---------------------------------------------------------------------------
# Stages of a move home


def stage_bars(
    data: pd.DataFrame,
    *,
    title: str,
    source: str,
    note: str | None = None,
) -> Chart:
    """Counts at the stages of a move (offered, pledged, planned, arrived, ...), one panel per
    unit so that persons, families and houses never share an axis or a total.

    `data` has columns label, unit, value, value_high (a range's top, or NA) and text (the value
    as written on the bar). A range is drawn as a solid bar to its low end and a lighter one on
    to its high end.
    """
    if data.empty:
        raise ValueError("stage_bars needs at least one row; a chapter with no data shows no chart")
    # Panels: the `panel` column where given (a stock apart from movements), else one per unit.
    data = data.assign(panel=data["panel"] if "panel" in data.columns else "Counted in " + data["unit"])

    data, left_out = capped_by(data, "value", "panel")
    if left_out:
        title = f"{title} (the largest {len(data)}; {left_out:,} more not shown)"
    units = list(dict.fromkeys(data["panel"]))
    counts = [int((data["panel"] == u).sum()) for u in units]
    foot = source_height(source, 8.5) + (source_height(note, 8.5) if note else 0) + 0.1
    height = 0.6 + sum(0.42 * c + 0.8 for c in counts) + foot
    fig, axes = plt.subplots(
        len(units), 1, figsize=(8.5, height), squeeze=False, gridspec_kw={"height_ratios": [c + 1.2 for c in counts]}
    )
    labels = []
    for i, (ax, unit) in enumerate(zip(axes[:, 0], units, strict=False)):
        labels += _stage_panel(ax, data[data["panel"] == unit].reset_index(drop=True), unit, colour(i))
    top = headline(fig, title)
    fig.tight_layout(rect=(0, foot / height, 1, 1 - top / height))
    _widen_to_labels(fig, axes[:, 0], labels)
    if note:
        fig.text(
            0.01,
            (source_height(source, 8.5) + 0.02) / height,
            note,
            ha="left",
            va="bottom",
            fontsize=8,
            color="#333333",
            wrap=True,
        )
    parts = []
    for unit in units:
        rows = data[data["panel"] == unit]
        parts.append(f"{unit}: " + "; ".join(f"{r['label']}, {r['text']}" for _, r in rows.iterrows()))
    alt = f"Bar chart in {count(len(units), 'panel')}, never added together: {title}. " + ". ".join(parts) + "."
    return sourced(fig, source, title=title, alt=alt)


def _stage_panel(ax, rows: pd.DataFrame, unit: str, colour: str) -> list:
    """One panel of stage_bars: its bars, a range's lighter top, and each bar's value label
    (returned, so that the panel can be widened to fit them)."""
    positions = list(range(len(rows)))[::-1]
    high_end = 0.0
    labels = []
    for pos, (_, row) in zip(positions, rows.iterrows(), strict=False):
        low = float(row["value"])
        high = float(row["value_high"]) if pd.notna(row["value_high"]) else low
        ax.barh(pos, low, color=colour, height=0.62)
        if high > low:
            ax.barh(pos, high - low, left=low, color=colour, alpha=0.35, height=0.62)
        labels.append(ax.text(high, pos, "  " + str(row["text"]), va="center", fontsize=9))
        high_end = max(high_end, high)
    ax.set_yticks(positions, rows["label"].tolist())
    # The same bar thickness in every panel, however many bars it has.
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, high_end * 1.15 if high_end else 1)
    ax.set_xlabel(rows["unit"].iloc[0])
    thousands(ax.xaxis)
    panel_title(ax, unit)
    return labels


def _widen_to_labels(fig, axes, labels: list) -> None:
    """Widen each panel until its longest value label fits inside it."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        right = max(
            (ax.transData.inverted().transform(t.get_window_extent(renderer))[1][0] for t in labels if t.axes is ax),
            default=0,
        )
        if right > ax.get_xlim()[1]:
            ax.set_xlim(0, right * 1.04)


# ---------------------------------------------------------------------------
# Columns by year


def grouped_columns(
    data: pd.DataFrame,
    *,
    x: str,
    series: dict[str, str],
    title: str,
    value_axis: str,
    source: str,
    x_axis: str | None = None,
) -> Chart:
    """Columns side by side for each value of `x` (e.g. a year), one colour per series.

    `series` maps a column of `data` to its legend label; a missing value draws no column and is
    left out of the alt text (it is not a zero). Rows are in order along `x`, latest last: past
    bounds.CHART_CATEGORIES of them the chart shows the latest.
    """
    if data.empty:
        raise ValueError("grouped_columns needs at least one row; a chapter with no data shows no chart")

    data, left_out = latest(data)
    if left_out:
        title = f"{title} (the latest {len(data)}; {left_out:,} earlier not shown)"
    columns = [c for c in series if c in data.columns and data[c].notna().any()]
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    xs = np.arange(len(data))
    top = float(np.nanmax(data[columns].astype(float).to_numpy()))
    _columns(ax, data, columns, series, top)
    ax.set_xticks(xs, data[x].astype(str).tolist())
    ax.set_ylim(0, top * 1.25 if top else 1)
    ax.set_ylabel(value_axis)
    thousands(ax.yaxis)
    if x_axis:
        ax.set_xlabel(x_axis)
    ax.set_title(title)
    legend_once(ax, loc="upper left", fontsize=9)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    parts = []
    for col in columns:
        values = "; ".join(f"{xv} {v:,.0f}" for xv, v in zip(data[x], data[col], strict=True) if pd.notna(v))
        parts.append(f"{series[col]}: {values}")
    alt = f"Column chart: {title}, in {value_axis}. " + ". ".join(parts) + "."
    return sourced(fig, source, title=title, alt=alt)


def _columns(ax, data: pd.DataFrame, columns: list[str], series: dict[str, str], top: float) -> None:
    """The columns of grouped_columns, each series offset within its slot and labelled with
    its value; a missing value draws nothing."""
    n = len(columns)
    width = 0.8 / n
    for i, col in enumerate(columns):
        values = data[col].astype(float)
        offset = (i - (n - 1) / 2) * width
        for xpos, value in zip(np.arange(len(data)), values, strict=False):
            if pd.isna(value):
                continue
            ax.bar(xpos + offset, value, width=width * 0.95, color=colour(i), label=series[col])
            ax.text(
                xpos + offset, value + top * 0.015, f"{value:,.0f}", ha="center", va="bottom", fontsize=7.5, rotation=90
            )
