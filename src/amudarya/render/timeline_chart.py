"""The policy chapter's timeline: each event a dot at its date and stance, dots that overlap
counted, dates the sources dispute drawn as a line of open circles, and the turns the chapter
names labelled where the label hides nothing.

It draws its title, units and source line itself and writes its alt text from the events it
plots (`render.chart`); the stance scale is `render.stance`'s.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.text import Text

from amudarya.domain.words import count, signed, verb
from amudarya.render.chart import Chart, colours_for, plt, sourced, year_ticks
from amudarya.render.stance import STANCE_TICKS, stance_axis

DISPUTED = {
    "color": "#444444",
    "linewidth": 1,
    "marker": "o",
    "markersize": 5,
    "markerfacecolor": "white",
    "markeredgecolor": "#444444",
}


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
    # Every dot sits on its own stance level: the scale has only whole steps.
    stance = events["stance"].astype(float)
    _dots(ax, events, stance, colour_by, categories)
    counted = _counted(ax, events, stance)
    range_lines = _disputed(ax, ranges)
    handles, labels = _legend_entries(ax, counted, range_lines)
    _takeover_line(ax, takeover, takeover_label)
    stance_axis(ax, "Stance toward the Taliban\n(project's coding of each event)")
    _date_axis(ax, events["date"], takeover)
    ax.set_title(title)
    _legend(ax, handles, labels, colour_by)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    # Labels last, once the layout is final, so that what they would hide can be measured.
    if marks is not None and not marks.empty:
        _place_labels(fig, ax, marks, _drawn_points(ax, events, stance, ranges), avoid=range_lines + counted)
    alt = _alt(
        events,
        stance,
        title=title,
        takeover=takeover,
        takeover_label=takeover_label,
        groups=len(counted),
        marks=marks,
        ranges=ranges,
    )
    return sourced(fig, source, title=title, alt=alt)


def _takeover_line(ax, takeover: pd.Timestamp, label: str) -> None:
    """The takeover as a dashed vertical line, named at its foot."""
    ax.axvline(takeover, color="#444444", linestyle="--", linewidth=1)
    ax.annotate(
        label,
        (takeover, -2.5),
        xytext=(4, 0),
        textcoords="offset points",
        fontsize=8,
        color="#444444",
        va="bottom",
    )


def _legend(ax, handles: list, labels: list, colour_by: str) -> None:
    """The legend below the chart, at most four entries to a row so that it keeps within the figure."""
    ax.legend(
        handles,
        labels,
        title=f"{colour_by.capitalize()} of the event",
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.45, -0.13),
        ncol=min(len(handles), 4),
        fontsize=9,
        title_fontsize=9,
    )


def _drawn_points(ax, events: pd.DataFrame, stance: pd.Series, ranges: pd.DataFrame | None):
    """Every dot and disputed date drawn, in display coordinates: what a turn's label must not hide."""
    xy = list(zip(mdates.date2num(events["date"]), stance, strict=False))
    if ranges is not None:
        for _, r in ranges.iterrows():
            xy += [(mdates.date2num(d), _level(r["stance"])) for d in r["dates"]]
    return ax.transData.transform(xy)


def _disputed(ax, ranges: pd.DataFrame | None) -> list:
    """Each event whose date the sources dispute, as a line of open circles, one per date they
    give; returns the lines."""
    lines = []
    if ranges is not None and not ranges.empty:
        for _, r in ranges.iterrows():
            dates = sorted(r["dates"])
            lines += ax.plot(dates, [_level(r["stance"])] * len(dates), zorder=2, **DISPUTED)
    return lines


def _legend_entries(ax, counted: list, range_lines: list) -> tuple[list, list]:
    """The legend: the colours of the dots, then the count labels and disputed dates if drawn."""
    handles, labels = ax.get_legend_handles_labels()
    if counted:
        handles.append(Line2D([], [], linestyle="none", marker="$×n$", markersize=11, color="#333333"))
        labels.append("n events on one level within a month")
    if range_lines:
        handles.append(Line2D([], [], **DISPUTED))
        labels.append("dates the sources dispute")
    return handles, labels


def _level(stance: float) -> float:
    """Where a disputed event's dates are drawn: just above its stance, or below the top one."""
    return stance + (0.36 if stance < 2 else -0.36)


def _dots(ax, events: pd.DataFrame, stance: pd.Series, colour_by: str, categories: list[str] | None) -> None:
    """The events as dots, one colour per value of `colour_by` (fixed by `categories`)."""
    present = set(events[colour_by])
    order = [c for c in (categories or sorted(present))] + sorted(present - set(categories or []))
    colours = colours_for(order)
    for g in [g for g in order if g in present]:
        hit = events[colour_by] == g
        ax.scatter(
            events.loc[hit, "date"],
            stance[hit],
            s=40,
            color=colours[g],
            edgecolor="white",
            linewidth=0.6,
            alpha=0.8,
            label=g,
            zorder=3,
        )


def _counted(ax, events: pd.DataFrame, stance: pd.Series) -> list:
    """Dots that overlap (one level, within a month) counted instead of pushed off their level:
    a "×n" over each group; returns those labels."""
    counted = []
    for cluster in _clusters(events["date"], stance):
        if len(cluster) > 1:
            dates = events["date"].iloc[cluster]
            middle = dates.min() + (dates.max() - dates.min()) / 2
            counted.append(
                ax.annotate(
                    f"×{len(cluster)}",
                    (middle, stance.iloc[cluster[0]]),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    color="#333333",
                    zorder=4,
                )
            )
    return counted


def _date_axis(ax, dates: pd.Series, takeover: pd.Timestamp) -> None:
    first, last = dates.min(), dates.max()
    ax.set_xlim(min(first, takeover) - pd.Timedelta(days=45), last + pd.Timedelta(days=60))
    year_ticks(ax.xaxis)
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    ax.set_xlabel("Date of the event (ticks at the start of each year and quarter)")


def _clusters(dates: pd.Series, stances: pd.Series, window_days: int = 30) -> list[list[int]]:
    """Positions of points at one stance within `window_days` of each other: they overlap on
    the chart, which keeps every dot on its own level and says how many a cluster holds."""
    order = sorted(range(len(dates)), key=lambda i: (stances.iloc[i], dates.iloc[i]))
    clusters: list[list[int]] = []
    for i in order:
        last = clusters[-1] if clusters else None
        if (
            last
            and stances.iloc[last[0]] == stances.iloc[i]
            and (dates.iloc[i] - dates.iloc[last[0]]).days <= window_days
        ):
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
        "ha": "center",
        "va": "center",
        "fontsize": 8,
        "zorder": 5,
        "bbox": {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#888888", "linewidth": 0.6},
        "arrowprops": {"arrowstyle": "-", "color": "#777777", "linewidth": 0.7, "shrinkB": 4},
    }
    for _, m in marks.sort_values("date").iterrows():
        # Near the point first, centred, then hanging left or right of it (at the edges of
        # the axes), then further out.
        spots = [
            (m["stance"] + dy, ha)
            for dy in candidates
            if -2.45 <= m["stance"] + dy <= 2.45
            for ha in ("center", "left", "right")
        ]
        chosen = None
        # First a spot that hides nothing; failing that, one that at least hides no label.
        for strict in (True, False):
            for y, ha in spots:
                ann = ax.annotate(m["text"], (m["date"], m["stance"]), xytext=(m["date"], y), **{**style, "ha": ha})
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


def _alt(
    events: pd.DataFrame,
    stance: pd.Series,
    *,
    title: str,
    takeover: pd.Timestamp,
    takeover_label: str,
    groups: int,
    marks: pd.DataFrame | None,
    ranges: pd.DataFrame | None,
) -> str:
    """The timeline in words: the events by stance, the yearly means since the takeover, and
    the counted groups, marked turns and disputed dates the chart shows."""
    first, last = events["date"].min(), events["date"].max()
    counts = {s: int((stance == s).sum()) for s in sorted(STANCE_TICKS, reverse=True)}
    spread = "; ".join(f"{n} at {STANCE_TICKS[s]}" for s, n in counts.items() if n)
    # Counts and means in words are those of the events since the takeover, as in the text;
    # the dots before it are only the run-up.
    since = events["date"] >= takeover
    years = (
        pd.DataFrame({"year": events.loc[since, "date"].dt.year, "stance": stance[since]})
        .groupby("year")["stance"]
        .agg(["mean", "size"])
    )
    by_year = "; ".join(f"{y} {signed(r['mean'])} ({count(int(r['size']), 'event')})" for y, r in years.iterrows())
    alt = (
        f"Timeline chart: {title}. {count(len(events), 'event')} from {first:%B %Y} to {last:%B %Y}, "
        f"{int(since.sum()):,} of them since the takeover, each placed "
        f"by date and by stance on a scale from −2 (strong refusal) to +2 (strong engagement): {spread}. "
        f"Mean stance by year since the takeover: {by_year}. A dashed line marks the takeover ({takeover_label})."
    )
    if groups:
        alt += (
            f" {count(groups, 'group')} of events on one level within a month "
            f"{verb('carries', groups)} a label with its number of events."
        )
    if marks is not None and not marks.empty:
        alt += (
            " Marked: "
            + "; ".join(f"{' '.join(m['text'].split())} ({signed(m['stance'], 0)})" for _, m in marks.iterrows())
            + "."
        )
    if ranges is not None:
        for _, r in ranges.iterrows():
            alt += f" {r['text']}: the sources give {', '.join(r['labels'])}."
    return alt
