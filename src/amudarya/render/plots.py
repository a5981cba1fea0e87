"""Charts. One function per kind of chart; each returns a `Chart`: the figure and its alt text.

Every function draws the title, the axis units and the source line itself, so that no chart
can go out without them, and writes its alt text from the same numbers it plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np
import pandas as pd  # noqa: E402
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from amudarya.domain.words import count as _count  # noqa: E402
from amudarya.domain.words import qualified, spoken, verb  # noqa: E402
from amudarya.domain.words import signed as _signed
from amudarya.render.bounds import capped, capped_by, latest

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


def _thousands(axis) -> None:
    """Tick labels with thousands separators: 12,000 rather than 12000."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"))


def _fmt(value: float, decimals: int = 1) -> str:
    # A bar worth less than one unit would read as 0 at one decimal; give it two significant
    # digits instead ('0.9', '0.45'), never padded zeros ('0.900').
    if 0 < abs(value) < 1:
        return spoken(value)
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

    data, left_out = capped(data.reset_index(drop=True), value)
    if left_out:
        title = f"{title} (the largest {len(data)}; {left_out:,} more not shown)"
    data = data.reset_index(drop=True)
    height = 1.2 + 0.45 * len(data)
    fig, ax = plt.subplots(figsize=(7.5, height + 0.9))
    groups = list(dict.fromkeys(data[colour_by])) if colour_by else [None]
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    positions = range(len(data))[::-1]
    for pos, (_, row) in zip(positions, data.iterrows(), strict=False):
        group = row[colour_by] if colour_by else None
        ax.barh(pos, row[value], color=colours[group], label=group)
        ax.text(row[value], pos, " " + _fmt(row[value], decimals), va="center", fontsize=9)
    ax.set_yticks(list(positions), data[label].tolist())
    ax.set_xlabel(value_axis)
    ax.set_title(title)
    ax.margins(x=0.15)
    if colour_by:
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), frameon=False, loc="lower right")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _source_line(fig, source)
    # Numbers as a reader says them: 123, not 123.0; 0.9, not 0.900.
    items = "; ".join(f"{row[label]} {spoken(row[value])}" for _, row in data.iterrows())
    alt = f"Bar chart: {title}, in {value_axis}. {items}."
    return Chart(figure=fig, alt=alt, title=title)


def _halo(width: float = 3.0):
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
            groups.append(f"{category} ({len(names)}): {', '.join(names)}")
    alt = f"Map of {len(focus)} countries: {title}. {legend_title}: " + "; ".join(groups) + "."
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
    for i, ((key, name), ax) in enumerate(zip(panels, axes, strict=False)):
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

    axes[-1].set_xlim(start, end)
    axes[-1].xaxis.set_major_locator(mdates.YearLocator())
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    # The unit goes under the title rather than along the side, where it would not fit a
    # chart of one or two panels.
    fig.suptitle(title, x=0.01, y=1 - 0.12 / height, ha="left", va="top", fontsize=12, fontweight="bold")
    fig.text(0.01, 1 - 0.45 / height, f"Vertical axes: {value_axis}", ha="left", va="top", fontsize=9,
             color="#333333")

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


# ---------------------------------------------------------------------------
# Stance charts (policy and refusal chapters). Stance is the project's coding of an event,
# an integer from -2 to +2; both charts label that axis with what the scores mean.

STANCE_TICKS = {
    2: "+2 strong engagement",
    1: "+1 leans to engagement",
    0: "0 neutral",
    -1: "−1 leans to refusal",
    -2: "−2 strong refusal",
}


def _stance_axis(ax, label: str) -> None:
    ax.set_ylim(-2.6, 2.6)
    ax.set_yticks(list(STANCE_TICKS), list(STANCE_TICKS.values()))
    ax.set_ylabel(label)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.axhline(0, color="#999999", linewidth=0.8)


def _clusters(dates: pd.Series, stances: pd.Series, window_days: int = 30) -> list[list[int]]:
    """Positions of points at one stance within `window_days` of each other: they overlap on
    the chart, which keeps every dot on its own level and says how many a cluster holds."""
    order = sorted(range(len(dates)), key=lambda i: (stances.iloc[i], dates.iloc[i]))
    clusters: list[list[int]] = []
    for i in order:
        last = clusters[-1] if clusters else None
        if (last and stances.iloc[last[0]] == stances.iloc[i]
                and (dates.iloc[i] - dates.iloc[last[0]]).days <= window_days):
            last.append(i)
        else:
            clusters.append([i])
    return clusters


def _place_labels(fig, ax, marks: pd.DataFrame, points, avoid=()) -> None:
    """Boxed labels for marked events, each at the first candidate spot (below, above, further
    out) where it covers no label already placed, no plotted point (`points`, pixel
    coordinates) and none of the artists in `avoid`, and stays inside the axes."""
    candidates = [-0.62, 0.62, -1.05, 1.05, -1.45, 1.45, -1.85, 1.85]
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    placed = [a.get_window_extent(renderer).padded(4) for a in avoid]
    style = {
        "ha": "center", "va": "center", "fontsize": 8, "zorder": 5,
        "bbox": {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#888888", "linewidth": 0.6},
        "arrowprops": {"arrowstyle": "-", "color": "#777777", "linewidth": 0.7, "shrinkB": 4},
    }
    for _, m in marks.sort_values("date").iterrows():
        # Near the point first, centred, then hanging left or right of it (at the edges of
        # the axes), then further out.
        spots = [(m["stance"] + dy, ha) for dy in candidates if -2.45 <= m["stance"] + dy <= 2.45
                 for ha in ("center", "left", "right")]
        chosen = None
        # First a spot that hides nothing; failing that, one that at least hides no label.
        for strict in (True, False):
            for y, ha in spots:
                ann = ax.annotate(m["text"], (m["date"], m["stance"]), xytext=(m["date"], y),
                                  **{**style, "ha": ha})
                # The label's text plus its box's padding and a little air; not its leader
                # line, which may cross other things.
                ann.update_positions(renderer)
                box = Text.get_window_extent(ann, renderer).padded(3)
                inside = box.x0 >= axes_box.x0 - 2 and box.x1 <= axes_box.x1 + 2
                covers = strict and any(box.contains(x, y_) for x, y_ in points)
                if inside and not covers and not any(box.overlaps(other) for other in placed):
                    chosen = box
                    break
                ann.remove()
            if chosen is not None:
                break
        if chosen is None:
            # No free spot at all: an overlap beats a missing label.
            y, ha = spots[0]
            ann = ax.annotate(m["text"], (m["date"], m["stance"]), xytext=(m["date"], y), **{**style, "ha": ha})
            ann.update_positions(renderer)
            chosen = Text.get_window_extent(ann, renderer).padded(3)
        placed.append(chosen)


def stance_timeline(
    events: pd.DataFrame,
    *,
    title: str,
    source: str,
    takeover: pd.Timestamp,
    takeover_label: str,
    colour_by: str = "thread",
    categories: list[str] | None = None,
    marks: pd.DataFrame | None = None,
    ranges: pd.DataFrame | None = None,
) -> Chart:
    """Events as points: x the date, y the stance (−2..+2), coloured by `colour_by`.

    `categories` fixes the colour of each value of `colour_by` (by its place in the list), so
    that a thread keeps its colour from one chapter to the next; the legend lists only the
    values present. `marks` (date, stance, text) labels the turns a chapter names. `ranges` (text, stance,
    dates: list of Timestamps, labels: list of str) draws an event whose date the sources
    dispute as a line of open circles, one per date they give, just above its stance. The
    takeover is a dashed vertical line.
    """
    if events.empty:
        raise ValueError("stance_timeline needs at least one event; a chapter with no events shows no chart")
    events = events.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 5.6))
    present = set(events[colour_by])
    order = [c for c in (categories or sorted(present))] + sorted(present - set(categories or []))
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(order)}
    groups = [g for g in order if g in present]
    stance = events["stance"].astype(float)
    # Every dot sits on its own stance level: the scale has only whole steps.
    y = stance
    for g in groups:
        hit = events[colour_by] == g
        ax.scatter(events.loc[hit, "date"], y[hit], s=40, color=colours[g], edgecolor="white", linewidth=0.6,
                   alpha=0.8, label=g, zorder=3)
    # Dots that overlap (one level, within a month) are counted instead of pushed off their level.
    counted = []
    for cluster in _clusters(events["date"], stance):
        if len(cluster) > 1:
            dates = events["date"].iloc[cluster]
            middle = dates.min() + (dates.max() - dates.min()) / 2
            counted.append(ax.annotate(f"×{len(cluster)}", (middle, stance.iloc[cluster[0]]), xytext=(0, 7),
                                       textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                                       color="#333333", zorder=4))
    handles, labels = ax.get_legend_handles_labels()
    if counted:
        handles.append(Line2D([], [], linestyle="none", marker="$×n$", markersize=11, color="#333333"))
        labels.append("n events on one level within a month")
    range_lines = []
    if ranges is not None and not ranges.empty:
        for _, r in ranges.iterrows():
            dates = sorted(r["dates"])
            level = r["stance"] + (0.36 if r["stance"] < 2 else -0.36)
            range_lines += ax.plot(dates, [level] * len(dates), color="#444444", linewidth=1, marker="o", markersize=5,
                    markerfacecolor="white", markeredgecolor="#444444", zorder=2)
        handles.append(Line2D([], [], color="#444444", linewidth=1, marker="o", markersize=5,
                              markerfacecolor="white", markeredgecolor="#444444"))
        labels.append("dates the sources dispute")
    ax.axvline(takeover, color="#444444", linestyle="--", linewidth=1)
    ax.annotate(takeover_label, (takeover, -2.5), xytext=(4, 0), textcoords="offset points", fontsize=8,
                color="#444444", va="bottom")
    _stance_axis(ax, "Stance toward the Taliban\n(project's coding of each event)")
    first, last = events["date"].min(), events["date"].max()
    ax.set_xlim(min(first, takeover) - pd.Timedelta(days=45), last + pd.Timedelta(days=60))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    ax.set_xlabel("Date of the event (ticks at the start of each year and quarter)")
    ax.set_title(title)
    ax.legend(handles, labels, title=f"{colour_by.capitalize()} of the event", frameon=False, loc="upper center",
              bbox_to_anchor=(0.45, -0.13), ncol=min(len(handles), 4), fontsize=9, title_fontsize=9)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    if marks is not None and not marks.empty:
        xy = list(zip(mdates.date2num(events["date"]), y, strict=False))
        if ranges is not None:
            for _, r in ranges.iterrows():
                level = r["stance"] + (0.36 if r["stance"] < 2 else -0.36)
                xy += [(mdates.date2num(d), level) for d in r["dates"]]
        points = ax.transData.transform(xy)
        _place_labels(fig, ax, marks, points, avoid=range_lines + counted)
    _source_line(fig, source)

    counts = {s: int((stance == s).sum()) for s in sorted(STANCE_TICKS, reverse=True)}
    spread = "; ".join(f"{n} at {STANCE_TICKS[s]}" for s, n in counts.items() if n)
    # Counts and means in words are those of the events since the takeover, as in the text;
    # the dots before it are only the run-up.
    since = events["date"] >= takeover
    years = (pd.DataFrame({"year": events.loc[since, "date"].dt.year, "stance": stance[since]})
             .groupby("year")["stance"].agg(["mean", "size"]))
    by_year = "; ".join(f"{y} {_signed(r['mean'])} ({_count(int(r['size']), 'event')})" for y, r in years.iterrows())
    alt = (
        f"Timeline chart: {title}. {_count(len(events), 'event')} from {first:%B %Y} to {last:%B %Y}, "
        f"{int(since.sum()):,} of them since the takeover, each placed "
        f"by date and by stance on a scale from −2 (strong refusal) to +2 (strong engagement): {spread}. "
        f"Mean stance by year since the takeover: {by_year}. A dashed line marks the takeover ({takeover_label})."
    )
    if counted:
        alt += (f" {_count(len(counted), 'group')} of events on one level within a month "
                f"{verb('carries', len(counted))} a label with its number of events.")
    if marks is not None and not marks.empty:
        alt += " Marked: " + "; ".join(
            f"{' '.join(m['text'].split())} ({_signed(m['stance'], 0)})" for _, m in marks.iterrows()) + "."
    if ranges is not None:
        for _, r in ranges.iterrows():
            alt += f" {r['text']}: the sources give {', '.join(r['labels'])}."
    return Chart(figure=fig, alt=alt, title=title)


def _dot_area(events: pd.Series) -> pd.Series:
    return 12 + 9 * events.astype(float)


def stance_lines(
    data: pd.DataFrame,
    *,
    highlight: str,
    title: str,
    source: str,
) -> Chart:
    """Mean stance per year, one line per state (`name`, `year`, `mean_stance`, `events`);
    the state named `highlight` drawn thick and dark, the others thin, each line labelled at
    its end instead of in a legend. A dot's area grows with the number of events behind it,
    so that a year resting on one event does not look as firm as one resting on twenty."""
    if data.empty:
        raise ValueError("stance_lines needs at least one row; a chapter with no events shows no chart")
    fig, ax = plt.subplots(figsize=(8, 5))
    names = list(dict.fromkeys(data["name"]))
    others = [n for n in names if n != highlight]
    colours = {n: PALETTE[(i + 1) % len(PALETTE)] for i, n in enumerate(others)}
    colours[highlight] = PALETTE[-1]
    ends = []
    for name in others + [highlight]:
        rows = data[data["name"] == name].sort_values("year")
        strong = name == highlight
        # A year resting on one event is a hollow dot and no line runs to or from it: one
        # event's stance is not a trend.
        firm = rows["events"] >= 2
        for (_, a), (_, b) in zip(rows.iloc[:-1].iterrows(), rows.iloc[1:].iterrows(), strict=True):
            if a["events"] >= 2 and b["events"] >= 2 and b["year"] == a["year"] + 1:
                ax.plot([a["year"], b["year"]], [a["mean_stance"], b["mean_stance"]], color=colours[name],
                        linewidth=3 if strong else 1.4, alpha=1 if strong else 0.85, zorder=4 if strong else 2)
        ax.scatter(rows.loc[firm, "year"], rows.loc[firm, "mean_stance"], s=_dot_area(rows.loc[firm, "events"]),
                   color=colours[name], edgecolor="white", linewidth=0.8, zorder=5 if strong else 3)
        ax.scatter(rows.loc[~firm, "year"], rows.loc[~firm, "mean_stance"], s=_dot_area(rows.loc[~firm, "events"]) + 20,
                   facecolors="white", edgecolors=colours[name], linewidth=1.4, zorder=5 if strong else 3)
        last = rows.iloc[-1]
        ends.append([name, float(last["year"]), float(last["mean_stance"]), strong])
    # End labels nudged apart vertically so that states ending on the same value stay legible.
    ends.sort(key=lambda e: e[2])
    for i in range(1, len(ends)):
        if ends[i][2] - ends[i - 1][2] < 0.22:
            ends[i][2] = ends[i - 1][2] + 0.22
    for name, year, value, strong in ends:
        ax.annotate(name, (year, value), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize=10 if strong else 9, fontweight="bold" if strong else "normal", color=colours[name])
    years = sorted(data["year"].unique())
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.9)
    _stance_axis(ax, "Mean stance of the year's events\n(project's coding)")
    ax.set_xlabel("Calendar year (2021: from the takeover on)")
    ax.set_title(title)
    sizes = [5, 15]
    ax.legend(
        [Line2D([], [], linestyle="", marker="o", markerfacecolor="white", color="#777777",
                markersize=(_dot_area(pd.Series([1])).iloc[0] + 20) ** 0.5)]
        + [Line2D([], [], linestyle="", marker="o", color="#777777", markersize=_dot_area(pd.Series([n])).iloc[0] ** 0.5)
           for n in sizes],
        ["1 event (hollow, not joined)"] + [_count(n, "event") for n in sizes],
        title="Dot area: events in the year", frameon=False, ncol=3,
        loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=9, title_fontsize=9,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    _source_line(fig, source)
    parts = []
    for name in [highlight] + others:
        rows = data[data["name"] == name].sort_values("year")
        parts.append(f"{name}: " + ", ".join(
            f"{int(r['year'])} {_signed(r['mean_stance'])} ({_count(int(r['events']), 'event')})" for _, r in rows.iterrows()))
    alt = (
        f"Line chart: {title}. Mean stance of each year's events on a scale from −2 (strong refusal) to +2 "
        f"(strong engagement), {highlight} highlighted. " + "; ".join(parts) + ". A year resting on a single "
        "event is drawn as a hollow dot and not joined to the years beside it."
    )
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
    if data.empty:
        raise ValueError("period_bars needs at least one row; a chapter with no data shows no chart")

    data, left_out = capped_by(data, "value_m", "panel")
    if left_out:
        title = f"{title} (the largest {len(data)}; {left_out:,} more periods not shown)"
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
    for ax, name in zip(axes[:, 0], panels, strict=False):
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
    for ax, name in zip(axes[:, 0], panels, strict=False):
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
            f"{r['period']} {qualified(spoken(r['value_m']), r['qualifier'])}"
            + (f" ({r['series'][0].lower() + r['series'][1:]})" if len(series_names) > 1 else "")
            for _, r in rows.iterrows()
        )
        parts.append(f"{name}: {listed}")
    alt = (f"Chart of figures by period, each bar spanning the months it covers: {title}, in {value_axis}. "
           + ". ".join(parts) + ".")
    return Chart(figure=fig, alt=alt, title=title)


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
    foot = _source_height(source, 8.5) + (_source_height(note, 8.5) if note else 0) + 0.1
    height = 0.6 + sum(0.42 * c + 0.8 for c in counts) + foot
    fig, axes = plt.subplots(len(units), 1, figsize=(8.5, height), squeeze=False,
                             gridspec_kw={"height_ratios": [c + 1.2 for c in counts]})
    labels = []
    for i, (ax, unit) in enumerate(zip(axes[:, 0], units, strict=False)):
        rows = data[data["panel"] == unit].reset_index(drop=True)
        colour = PALETTE[i % len(PALETTE)]
        positions = list(range(len(rows)))[::-1]
        high_end = 0.0
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
        _thousands(ax.xaxis)
        ax.set_title(unit, fontsize=10, fontweight="normal", loc="left")
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
        rows = data[data["panel"] == unit]
        parts.append(f"{unit}: " + "; ".join(f"{r['label']}, {r['text']}" for _, r in rows.iterrows()))
    alt = (f"Bar chart in {_count(len(units), 'panel')}, never added together: "
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
    left out of the alt text (it is not a zero). Rows are in order along `x`, latest last: past
    bounds.CHART_CATEGORIES of them the chart shows the latest.
    """
    if data.empty:
        raise ValueError("grouped_columns needs at least one row; a chapter with no data shows no chart")

    data, left_out = latest(data)
    if left_out:
        title = f"{title} (the latest {len(data)}; {left_out:,} earlier not shown)"
    columns = [c for c in series if c in data.columns and data[c].notna().any()]
    n = len(columns)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    xs = np.arange(len(data))
    top = float(np.nanmax(data[columns].astype(float).to_numpy()))
    for i, col in enumerate(columns):
        values = data[col].astype(float)
        offset = (i - (n - 1) / 2) * width
        for xpos, value in zip(xs, values, strict=False):
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
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), frameon=False, loc="upper left", fontsize=9)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _source_line(fig, source)
    parts = []
    for col in columns:
        values = "; ".join(f"{xv} {v:,.0f}" for xv, v in zip(data[x], data[col], strict=True) if pd.notna(v))
        parts.append(f"{series[col]}: {values}")
    alt = f"Column chart: {title}, in {value_axis}. " + ". ".join(parts) + "."
    return Chart(figure=fig, alt=alt, title=title)
