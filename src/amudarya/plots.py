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


def _signed(value: float, decimals: int = 1) -> str:
    """'+1.2', '−0.5', '0.0' (no sign on zero, a true minus sign)."""
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace("-", "−")


def _dodge(dates: pd.Series, stances: pd.Series, window_days: int = 30, band: float = 0.3,
           step: float = 0.12) -> list[float]:
    """Vertical offsets for points of one stance within `window_days` of each other, spread
    evenly inside ±`band` of their stance, so that a busy month shows as a small column of
    points instead of one blot and no point drifts toward the next stance."""
    offsets = [0.0] * len(dates)
    order = sorted(range(len(dates)), key=lambda i: (stances.iloc[i], dates.iloc[i]))
    clusters: list[list[int]] = []
    for i in order:
        last = clusters[-1] if clusters else None
        if (last and stances.iloc[last[0]] == stances.iloc[i]
                and (dates.iloc[i] - dates.iloc[last[0]]).days <= window_days):
            last.append(i)
        else:
            clusters.append([i])
    for cluster in clusters:
        n = len(cluster)
        if n == 1:
            continue
        gap = min(step, 2 * band / (n - 1))
        for k, i in enumerate(cluster):
            offsets[i] = (k - (n - 1) / 2) * gap
    return offsets


def _place_labels(fig, ax, marks: pd.DataFrame, points, avoid=()) -> None:
    """Boxed labels for marked events, each at the first candidate spot (below, above, further
    out) where it covers no label already placed, no plotted point (`points`, pixel
    coordinates) and none of the artists in `avoid`, and stays inside the axes."""
    from matplotlib.text import Text

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
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    if events.empty:
        raise ValueError("stance_timeline needs at least one event; a chapter with no events shows no chart")
    events = events.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 5.6))
    present = set(events[colour_by])
    order = [c for c in (categories or sorted(present))] + sorted(present - set(categories or []))
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(order)}
    groups = [g for g in order if g in present]
    stance = events["stance"].astype(float)
    y = stance + pd.Series(_dodge(events["date"], stance), dtype=float)
    for g in groups:
        hit = events[colour_by] == g
        ax.scatter(events.loc[hit, "date"], y[hit], s=40, color=colours[g], edgecolor="white", linewidth=0.6,
                   label=g, zorder=3)
    handles, labels = ax.get_legend_handles_labels()
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
        xy = list(zip(mdates.date2num(events["date"]), y))
        if ranges is not None:
            for _, r in ranges.iterrows():
                level = r["stance"] + (0.36 if r["stance"] < 2 else -0.36)
                xy += [(mdates.date2num(d), level) for d in r["dates"]]
        points = ax.transData.transform(xy)
        _place_labels(fig, ax, marks, points, avoid=range_lines)
    _source_line(fig, source)

    counts = {s: int((stance == s).sum()) for s in sorted(STANCE_TICKS, reverse=True)}
    spread = "; ".join(f"{n} at {STANCE_TICKS[s]}" for s, n in counts.items() if n)
    years = pd.DataFrame({"year": events["date"].dt.year, "stance": stance}).groupby("year")["stance"].agg(["mean", "size"])
    by_year = "; ".join(f"{y} {_signed(r['mean'])} ({_count(int(r['size']), 'event')})" for y, r in years.iterrows())
    alt = (
        f"Timeline chart: {title}. {_count(len(events), 'event')} from {first:%B %Y} to {last:%B %Y}, each placed "
        f"by date and by stance on a scale from −2 (strong refusal) to +2 (strong engagement): {spread}. "
        f"Mean stance by year: {by_year}. A dashed line marks the takeover ({takeover_label})."
    )
    if marks is not None and not marks.empty:
        alt += " Marked: " + "; ".join(
            f"{' '.join(m['text'].split())} ({_signed(m['stance'], 0)})" for _, m in marks.iterrows()) + "."
    if ranges is not None:
        for _, r in ranges.iterrows():
            alt += f" {r['text']}: the sources give {', '.join(r['labels'])}."
    return Chart(figure=fig, alt=alt, title=title)


def _dot_area(events: pd.Series) -> pd.Series:
    return 12 + 9 * events.astype(float)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
    from matplotlib.lines import Line2D

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
        ax.plot(rows["year"], rows["mean_stance"], color=colours[name], linewidth=3 if strong else 1.4,
                alpha=1 if strong else 0.85, zorder=4 if strong else 2)
        ax.scatter(rows["year"], rows["mean_stance"], s=_dot_area(rows["events"]), color=colours[name],
                   edgecolor="white", linewidth=0.8, zorder=5 if strong else 3)
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
    sizes = [1, 5, 15]
    ax.legend(
        [Line2D([], [], linestyle="", marker="o", color="#777777", markersize=_dot_area(pd.Series([n])).iloc[0] ** 0.5)
         for n in sizes],
        [_count(n, "event") for n in sizes], title="Dot area: events in the year", frameon=False, ncol=3,
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
        f"(strong engagement), {highlight} highlighted. " + "; ".join(parts) + "."
    )
    return Chart(figure=fig, alt=alt, title=title)
