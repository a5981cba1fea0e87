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
        # Labels and titles come from the data: "$" is money, never TeX maths.
        "text.parse_math": False,
    }
)


@dataclass
class Chart:
    figure: plt.Figure
    alt: str
    title: str


def _source_line(fig: plt.Figure, source: str) -> None:
    fig.text(0.01, 0.01, f"Source: {source}", ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)


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


def _signed(value: float) -> str:
    """'+0.9', '−0.5', '0.0': a value on a scale centred on zero."""
    text = f"{abs(value):.1f}"
    return text if text == "0.0" else ("+" if value > 0 else "−") + text


def _halo(width: float = 3.0):
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def region_map(
    focus,
    context,
    *,
    colour_by: str,
    colours: dict[str, str],
    legend_title: str,
    label: str,
    note: str | None,
    title: str,
    source: str,
    context_labels: int = 6,
) -> Chart:
    """A map of a few countries (`focus`, a projected GeoDataFrame), each filled by its
    category in `colour_by` and labelled with the text in `label`, over the land around them
    (`context`, in light grey, its largest countries named in grey for orientation).

    `colours` maps each category to its colour, in legend order; `note` (optional) is a
    column of a second, smaller label line, e.g. a figure for each country.
    """
    if focus.empty:
        raise ValueError("region_map needs at least one country")
    west, south, east, north = focus.total_bounds
    pad_x, pad_y = (east - west) * 0.04, (north - south) * 0.04
    # The figure takes the map's own proportions, plus room for the title, legend and source.
    aspect = (north - south + 2 * pad_y) / (east - west + 2 * pad_x)
    fig, ax = plt.subplots(figsize=(7.5, 7.5 * aspect + 1.1))
    ax.set_facecolor("#DCEAF5")  # water: the Caspian and the Aral stand out from land
    context.plot(ax=ax, color="#E8E8E8", edgecolor="white", linewidth=0.6)
    for category, colour in colours.items():
        part = focus[focus[colour_by] == category]
        if not part.empty:
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.9)
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    # Orientation: the largest neighbouring countries, named in grey where most of them shows.
    if context_labels and not context.empty:
        shown = context.assign(_area=context.geometry.area).sort_values("_area", ascending=False)
        for _, row in shown.head(context_labels).iterrows():
            point = row.geometry.representative_point()
            if west < point.x < east and south < point.y < north:
                ax.text(point.x, point.y, row["atlas_name"], ha="center", va="center", fontsize=8,
                        color="#777777", style="italic")
    for _, row in focus.iterrows():
        point = row.geometry.representative_point()
        text = row[label] + (f"\n{row[note]}" if note and isinstance(row[note], str) and row[note] else "")
        ax.text(point.x, point.y, text, ha="center", va="center", fontsize=9, fontweight="bold",
                linespacing=1.25, path_effects=_halo())
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, edgecolor="white", label=k) for k, c in colours.items()
               if (focus[colour_by] == k).any()]
    ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(0, -0.01),
              ncol=len(handles), fontsize=8.5, title_fontsize=9, frameon=False, alignment="left")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    _source_line(fig, source)
    groups = []
    for category in colours:
        names = focus.loc[focus[colour_by] == category, label].tolist()
        if names:
            groups.append(f"{category}: {', '.join(names)}")
    alt = f"Map: {title}. {legend_title}: " + "; ".join(groups) + "."
    if note:
        notes = [f"{r[label]} {r[note]}" for _, r in focus.iterrows() if isinstance(r[note], str) and r[note]]
        if notes:
            alt += " Labels also give " + "; ".join(notes) + "."
    return Chart(figure=fig, alt=alt, title=title)


def stance_panels(
    points: pd.DataFrame,
    means: pd.DataFrame,
    panels: list[tuple[str, str]],
    *,
    marker: pd.Timestamp,
    marker_label: str,
    mean_label: str,
    scale: tuple[int, int],
    start: pd.Timestamp,
    end: pd.Timestamp,
    title: str,
    value_axis: str,
    source: str,
) -> Chart:
    """Small multiples, one panel per (key, name) in `panels`: each event as a dot at its
    date and stance (`points`: panel, date, stance; hollow before `marker`), and the mean of
    each period as a line across it (`means`: panel, start, end, mean_stance; `mean_label`
    says what the lines are) on a vertical `scale` (lowest, highest stance). A dashed line marks
    `marker` (the takeover)."""
    if not panels:
        raise ValueError("stance_panels needs at least one panel")
    low, high = scale
    height = 1.3 * len(panels) + 2.0
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, height), sharex=True, squeeze=False)
    axes = axes[:, 0]
    described = []
    for i, ((key, name), ax) in enumerate(zip(panels, axes)):
        colour = PALETTE[i % len(PALETTE)]
        mine = points[(points["panel"] == key) & (points["date"] >= start)]
        before, after = mine[mine["date"] < marker], mine[mine["date"] >= marker]
        ax.axhline(0, color="#BBBBBB", linewidth=0.8, zorder=0)
        ax.scatter(before["date"], before["stance"], s=26, facecolors="none", edgecolors=colour, linewidths=1,
                   alpha=0.8, zorder=2)
        ax.scatter(after["date"], after["stance"], s=26, color=colour, alpha=0.55, edgecolors="white",
                   linewidths=0.5, zorder=2)
        lines = means[means["panel"] == key]
        for _, row in lines.iterrows():
            ax.hlines(row["mean_stance"], row["start"], row["end"], color=colour, linewidth=2.6, zorder=3)
        ax.axvline(marker, color="#000000", linestyle="--", linewidth=1, zorder=1)
        ax.set_ylim(low - 0.6, high + 0.6)
        ax.set_yticks([low, 0, high], [_signed(low).replace(".0", ""), "0", _signed(high).replace(".0", "")])
        ax.set_title(name, loc="left", fontsize=10, fontweight="bold", pad=3)
        if lines.empty:
            ax.text(0.5, 0.5, "no events in the data since the takeover", transform=ax.transAxes, ha="center",
                    va="center", fontsize=9, color="#555555")
            described.append(f"{name}: no events since the takeover")
        else:
            yearly = ", ".join(f"{r['start']:%Y} {_signed(r['mean_stance'])}" for _, r in lines.iterrows())
            described.append(f"{name}: {len(after)} events since the takeover; means {yearly}")
    import matplotlib.dates as mdates

    axes[-1].set_xlim(start, end)
    axes[-1].xaxis.set_major_locator(mdates.YearLocator())
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    # The unit goes under the title rather than along the side, where it would not fit a
    # chart of one or two panels.
    fig.suptitle(title, x=0.01, y=1 - 0.12 / height, ha="left", va="top", fontsize=12, fontweight="bold")
    fig.text(0.01, 1 - 0.45 / height, f"Vertical axes: {value_axis}", ha="left", va="top", fontsize=9,
             color="#333333")
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="none", color="#666666", alpha=0.6, label="one event"),
        Line2D([], [], marker="o", linestyle="none", markerfacecolor="none", color="#666666",
               label="one event before the takeover"),
        Line2D([], [], color="#666666", linewidth=2.6, label=mean_label),
        Line2D([], [], color="#000000", linestyle="--", linewidth=1, label=marker_label),
    ]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.005, 1 - 0.68 / height), ncol=2, fontsize=8.5,
               frameon=False)
    fig.tight_layout(rect=(0, 0.25 / height, 1, 1 - 1.0 / height))
    _source_line(fig, source)
    alt = (f"Small multiples: {title}. {value_axis}. Dashed line: {marker_label}. " + "; ".join(described) + ".")
    return Chart(figure=fig, alt=alt, title=title)
