"""Charts. One function per kind of chart; each returns a `Chart`: the figure and its alt text.

Every function draws the title, the axis units and the source line itself, so that no chart
can go out without them, and writes its alt text from the same numbers it plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

plt.rcParams.update(
    {
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
    }
)


@dataclass
class Chart:
    figure: plt.Figure
    alt: str
    title: str


def _source_line(fig: plt.Figure, source: str) -> None:
    fig.text(0.01, 0.01, f"Source: {source}", ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)


def _thousands(axis) -> None:
    """Tick labels with thousands separators: 12,000 rather than 12000."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"))


def _fmt(value: float, decimals: int = 1) -> str:
    # A bar worth less than one unit would read as 0.5 or 0.0; give it two more digits.
    if 0 < abs(value) < 1:
        decimals += 2
    return f"{value:,.{decimals}f}"


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
    data = data.reset_index(drop=True)
    height = 1.2 + 0.45 * len(data)
    fig, ax = plt.subplots(figsize=(7.5, height + 0.9))
    groups = list(dict.fromkeys(data[colour_by])) if colour_by else [None]
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    positions = range(len(data))[::-1]
    for pos, (_, row) in zip(positions, data.iterrows()):
        group = row[colour_by] if colour_by else None
        ax.barh(pos, row[value], color=colours[group], label=group)
        ax.text(row[value], pos, " " + _fmt(row[value], decimals), va="center", fontsize=9)
    ax.set_yticks(list(positions), data[label].tolist())
    ax.set_xlabel(value_axis)
    ax.set_title(title)
    ax.margins(x=0.15)
    if colour_by:
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), frameon=False, loc="lower right")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _source_line(fig, source)
    items = "; ".join(f"{row[label]} {_fmt(row[value], decimals)}" for _, row in data.iterrows())
    alt = f"Bar chart: {title}, in {value_axis}. {items}."
    return Chart(figure=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Charts for the threads: figures by period, stages of a move home, counts by year.


def _headline(fig: plt.Figure, title: str, subtitle: str | None = None) -> float:
    """Title (and an optional one-line subtitle) at the top left of a figure with several
    panels; returns the height in inches they take."""
    height = fig.get_figheight()
    fig.text(0.01, 1 - 0.12 / height, title, ha="left", va="top", fontsize=12, fontweight="bold")
    used = 0.45
    if subtitle:
        fig.text(0.01, 1 - 0.45 / height, subtitle, ha="left", va="top", fontsize=9, color="#333333")
        used += 0.25
    return used


def _source_height(source: str, width_in: float) -> float:
    """Inches the wrapped source line needs at the foot of a figure `width_in` wide."""
    import math

    per_line = int(width_in * 72 / (8 * 0.55))
    return 0.12 + 0.16 * math.ceil(len(f"Source: {source}") / per_line)


def _spread_labels(ax, items: list[tuple[float, float, str]], fontsize: float) -> list[tuple[float, float, str]]:
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
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    if data.empty:
        raise ValueError("period_bars needs at least one row; a chapter with no data shows no chart")
    panels = list(dict.fromkeys(data["panel"]))
    series_names = list(dict.fromkeys(data["series"]))
    styled = list(series_order or []) + [s for s in series_names if s not in (series_order or [])]
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(styled)}
    hatches = {s: ("" if i == 0 else "///") for i, s in enumerate(styled)}
    panel_height = 2.1
    foot = _source_height(source, 8.5) + 0.1
    height = 1.1 + panel_height * len(panels) + foot
    fig, axes = plt.subplots(len(panels), 1, figsize=(8.5, height), sharex=True, squeeze=False)
    first = min(data["start"]) - pd.Timedelta(days=60)
    last = max(data["end"]) + pd.Timedelta(days=60)
    if marker is not None:
        first = min(first, marker[0] - pd.Timedelta(days=60))
        last = max(last, marker[0] + pd.Timedelta(days=60))
    for ax, name in zip(axes[:, 0], panels):
        rows = data[data["panel"] == name].copy()
        rows["_days"] = (rows["end"] - rows["start"]).dt.days
        rows = rows.sort_values("_days", ascending=False)
        for z, (_, row) in enumerate(rows.iterrows()):
            left = mdates.date2num(row["start"])
            right = mdates.date2num(row["end"] + pd.Timedelta(days=1))
            colour = colours[row["series"]]
            ax.bar(left, row["value_m"], width=right - left, align="edge", color=colour, alpha=0.22,
                   zorder=2 + z, linewidth=0)
            ax.bar(left, row["value_m"], width=right - left, align="edge", fill=False, edgecolor=colour,
                   hatch=hatches[row["series"]], linewidth=1.4, zorder=2 + z)
        ax.set_xlim(mdates.date2num(first), mdates.date2num(last))
        top = float(rows["value_m"].max())
        ax.set_ylim(0, top * 1.45 if top > 0 else 1)
        ax.set_title(name, fontsize=10, fontweight="normal", loc="left")
        ax.set_ylabel(value_axis)
        _thousands(ax.yaxis)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6, zorder=0)
        if marker is not None:
            ax.axvline(mdates.date2num(marker[0]), color="#444444", linestyle="--", linewidth=1, zorder=50)
    axes[-1, 0].xaxis.set_major_locator(mdates.YearLocator())
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    handles = [Patch(facecolor=colours[s], alpha=0.5, edgecolor=colours[s], hatch=hatches[s], label=s)
               for s in series_names]
    top = _headline(fig, title, subtitle)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.005, 1 - top / height), frameon=False,
               ncol=len(handles), fontsize=9)
    fig.tight_layout(rect=(0, foot / height, 1, 1 - (top + 0.35) / height))
    # Labels last, once the panels have their final size, so their overlaps can be measured.
    for ax, name in zip(axes[:, 0], panels):
        rows = data[data["panel"] == name]
        items = [(mdates.date2num(r["end"] + pd.Timedelta(days=1)), float(r["value_m"]), str(r["text"]))
                 for _, r in rows.iterrows()]
        spread = _spread_labels(ax, items, 8)
        for x, y, text in spread:
            ax.text(x, y, text, ha="right", va="bottom", fontsize=8, zorder=100,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85})
        highest = max(y for _, y, _ in spread)
        if highest > ax.get_ylim()[1] * 0.88:
            ax.set_ylim(0, highest * 1.15)
    if marker is not None:
        axes[0, 0].text(mdates.date2num(marker[0]), axes[0, 0].get_ylim()[1], " " + marker[1], ha="left", va="top",
                        fontsize=8, color="#444444", zorder=100)
    _source_line(fig, source)
    parts = []
    for name in panels:
        rows = data[data["panel"] == name]
        listed = "; ".join(
            f"{r['period']} {_words(r['qualifier'])}{_fmt(r['value_m'])}"
            + (f" ({r['series'][0].lower() + r['series'][1:]})" if len(series_names) > 1 else "")
            for _, r in rows.iterrows()
        )
        parts.append(f"{name}: {listed}")
    alt = (f"Chart of figures by period, each bar spanning the months it covers: {title}, in {value_axis}. "
           + ". ".join(parts) + ".")
    return Chart(figure=fig, alt=alt, title=title)


def _words(qualifier) -> str:
    return {"about": "about ", "at_least": "more than "}.get(qualifier, "")


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
    units = list(dict.fromkeys(data["unit"]))
    counts = [int((data["unit"] == u).sum()) for u in units]
    foot = _source_height(source, 8.5) + (_source_height(note, 8.5) if note else 0) + 0.1
    height = 0.6 + sum(0.42 * c + 0.8 for c in counts) + foot
    fig, axes = plt.subplots(len(units), 1, figsize=(8.5, height), squeeze=False,
                             gridspec_kw={"height_ratios": [c + 1.2 for c in counts]})
    labels = []
    for i, (ax, unit) in enumerate(zip(axes[:, 0], units)):
        rows = data[data["unit"] == unit].reset_index(drop=True)
        colour = PALETTE[i % len(PALETTE)]
        positions = list(range(len(rows)))[::-1]
        high_end = 0.0
        for pos, (_, row) in zip(positions, rows.iterrows()):
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
        ax.set_xlabel(unit)
        _thousands(ax.xaxis)
        ax.set_title(f"Counted in {unit}", fontsize=10, fontweight="normal", loc="left")
    top = _headline(fig, title)
    fig.tight_layout(rect=(0, foot / height, 1, 1 - top / height))
    # Widen each panel until its longest value label fits inside it.
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes[:, 0]:
        right = max((ax.transData.inverted().transform(t.get_window_extent(renderer))[1][0]
                     for t in labels if t.axes is ax), default=0)
        if right > ax.get_xlim()[1]:
            ax.set_xlim(0, right * 1.04)
    if note:
        fig.text(0.01, (_source_height(source, 8.5) + 0.02) / height, note, ha="left", va="bottom", fontsize=8,
                 color="#333333", wrap=True)
    _source_line(fig, source)
    parts = []
    for unit in units:
        rows = data[data["unit"] == unit]
        parts.append(f"In {unit}: " + "; ".join(f"{r['label']}, {r['text']}" for _, r in rows.iterrows()))
    alt = (f"Bar chart in {len(units)} panel{'s' if len(units) > 1 else ''}, one per unit, never added together: "
           f"{title}. " + ". ".join(parts) + ".")
    return Chart(figure=fig, alt=alt, title=title)


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
    left out of the alt text (it is not a zero).
    """
    import numpy as np

    if data.empty:
        raise ValueError("grouped_columns needs at least one row; a chapter with no data shows no chart")
    columns = [c for c in series if c in data.columns and data[c].notna().any()]
    n = len(columns)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    xs = np.arange(len(data))
    top = float(np.nanmax(data[columns].astype(float).to_numpy()))
    for i, col in enumerate(columns):
        values = data[col].astype(float)
        offset = (i - (n - 1) / 2) * width
        for xpos, value in zip(xs, values):
            if pd.isna(value):
                continue
            ax.bar(xpos + offset, value, width=width * 0.95, color=PALETTE[i % len(PALETTE)],
                   label=series[col])
            ax.text(xpos + offset, value + top * 0.015, f"{value:,.0f}", ha="center", va="bottom",
                    fontsize=7.5, rotation=90)
    ax.set_xticks(xs, data[x].astype(str).tolist())
    ax.set_ylim(0, top * 1.25 if top else 1)
    ax.set_ylabel(value_axis)
    _thousands(ax.yaxis)
    if x_axis:
        ax.set_xlabel(x_axis)
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), frameon=False, loc="upper left", fontsize=9)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _source_line(fig, source)
    parts = []
    for col in columns:
        values = "; ".join(f"{xv} {v:,.0f}" for xv, v in zip(data[x], data[col]) if pd.notna(v))
        parts.append(f"{series[col]}: {values}")
    alt = f"Column chart: {title}, in {value_axis}. " + ". ".join(parts) + "."
    return Chart(figure=fig, alt=alt, title=title)
