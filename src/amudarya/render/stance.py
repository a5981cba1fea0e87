"""Charts of stance: the refusal chapter's mean stance per year, one line per state
(`stance_lines`), and the overview's small multiples of each state's events (`stance_panels`).

Stance is the project's coding of an event, an integer from -2 to +2; the charts that plot it
on one axis label that axis with what the scores mean (`stance_axis`, also used by
`render.timeline_chart`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D

from amudarya.domain.words import count, signed
from amudarya.render.chart import PALETTE, Chart, colour, plt, sourced, year_ticks

STANCE_TICKS = {
    2: "+2 strong engagement",
    1: "+1 leans to engagement",
    0: "0 neutral",
    -1: "−1 leans to refusal",
    -2: "−2 strong refusal",
}


def stance_axis(ax, label: str) -> None:
    ax.set_ylim(-2.6, 2.6)
    ax.set_yticks(list(STANCE_TICKS), list(STANCE_TICKS.values()))
    ax.set_ylabel(label)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.axhline(0, color="#999999", linewidth=0.8)


# ---------------------------------------------------------------------------
# Mean stance per year, one line per state


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
    colours = {n: colour(i + 1) for i, n in enumerate(others)}
    colours[highlight] = PALETTE[-1]
    ends = [
        _state_line(ax, data[data["name"] == name].sort_values("year"), name, colours[name], name == highlight)
        for name in others + [highlight]
    ]
    _end_labels(ax, ends, colours)
    years = sorted(data["year"].unique())
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.9)
    stance_axis(ax, "Mean stance of the year's events\n(project's coding)")
    ax.set_xlabel("Calendar year (2021: from the takeover on)")
    ax.set_title(title)
    _dot_legend(ax)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    parts = []
    for name in [highlight] + others:
        rows = data[data["name"] == name].sort_values("year")
        parts.append(
            f"{name}: "
            + ", ".join(
                f"{int(r['year'])} {signed(r['mean_stance'])} ({count(int(r['events']), 'event')})"
                for _, r in rows.iterrows()
            )
        )
    alt = (
        f"Line chart: {title}. Mean stance of each year's events on a scale from −2 (strong refusal) to +2 "
        f"(strong engagement), {highlight} highlighted. " + "; ".join(parts) + ". A year resting on a single "
        "event is drawn as a hollow dot and not joined to the years beside it."
    )
    return sourced(fig, source, title=title, alt=alt)


def _dot_area(events: pd.Series) -> pd.Series:
    return 12 + 9 * events.astype(float)


def _state_line(ax, rows: pd.DataFrame, name: str, colour: str, strong: bool) -> list:
    """One state's years: dots sized by their events, joined where both years rest on two
    events or more; returns [name, last year, last mean, strong] for its end label."""
    # A year resting on one event is a hollow dot and no line runs to or from it: one
    # event's stance is not a trend.
    firm = rows["events"] >= 2
    for (_, a), (_, b) in zip(rows.iloc[:-1].iterrows(), rows.iloc[1:].iterrows(), strict=True):
        if a["events"] >= 2 and b["events"] >= 2 and b["year"] == a["year"] + 1:
            ax.plot(
                [a["year"], b["year"]],
                [a["mean_stance"], b["mean_stance"]],
                color=colour,
                linewidth=3 if strong else 1.4,
                alpha=1 if strong else 0.85,
                zorder=4 if strong else 2,
            )
    ax.scatter(
        rows.loc[firm, "year"],
        rows.loc[firm, "mean_stance"],
        s=_dot_area(rows.loc[firm, "events"]),
        color=colour,
        edgecolor="white",
        linewidth=0.8,
        zorder=5 if strong else 3,
    )
    ax.scatter(
        rows.loc[~firm, "year"],
        rows.loc[~firm, "mean_stance"],
        s=_dot_area(rows.loc[~firm, "events"]) + 20,
        facecolors="white",
        edgecolors=colour,
        linewidth=1.4,
        zorder=5 if strong else 3,
    )
    last = rows.iloc[-1]
    return [name, float(last["year"]), float(last["mean_stance"]), strong]


def _end_labels(ax, ends: list[list], colours: dict[str, str]) -> None:
    """Each state's name at the end of its line, nudged apart vertically so that states
    ending on the same value stay legible."""
    ends.sort(key=lambda e: e[2])
    for i in range(1, len(ends)):
        if ends[i][2] - ends[i - 1][2] < 0.22:
            ends[i][2] = ends[i - 1][2] + 0.22
    for name, year, value, strong in ends:
        ax.annotate(
            name,
            (year, value),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=10 if strong else 9,
            fontweight="bold" if strong else "normal",
            color=colours[name],
        )


def _dot_legend(ax) -> None:
    """The legend of dot areas: a hollow single event, and two sizes of filled dot."""
    sizes = [5, 15]
    ax.legend(
        [
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markerfacecolor="white",
                color="#777777",
                markersize=(_dot_area(pd.Series([1])).iloc[0] + 20) ** 0.5,
            )
        ]
        + [
            Line2D(
                [], [], linestyle="", marker="o", color="#777777", markersize=_dot_area(pd.Series([n])).iloc[0] ** 0.5
            )
            for n in sizes
        ],
        ["1 event (hollow, not joined)"] + [count(n, "event") for n in sizes],
        title="Dot area: events in the year",
        frameon=False,
        ncol=3,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        fontsize=9,
        title_fontsize=9,
    )


# ---------------------------------------------------------------------------
# Small multiples: each state's events and yearly means


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
    height = 1.3 * len(panels) + 2.0
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, height), sharex=True, squeeze=False)
    axes = axes[:, 0]
    described = [
        _stance_panel(
            ax,
            name,
            points[(points["panel"] == key) & (points["date"] >= start)],
            means[means["panel"] == key],
            colour(i),
            marker=marker,
            scale=scale,
        )
        for i, ((key, name), ax) in enumerate(zip(panels, axes, strict=False))
    ]
    axes[-1].set_xlim(start, end)
    year_ticks(axes[-1].xaxis)
    # The unit goes under the title rather than along the side, where it would not fit a
    # chart of one or two panels.
    fig.suptitle(title, x=0.01, y=1 - 0.12 / height, ha="left", va="top", fontsize=12, fontweight="bold")
    fig.text(0.01, 1 - 0.45 / height, f"Vertical axes: {value_axis}", ha="left", va="top", fontsize=9, color="#333333")
    fig.legend(
        handles=_panels_legend(mean_label, marker_label),
        loc="upper left",
        bbox_to_anchor=(0.005, 1 - 0.68 / height),
        ncol=2,
        fontsize=8.5,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.25 / height, 1, 1 - 1.0 / height))
    alt = f"Small multiples: {title}. {value_axis}. Dashed line: {marker_label}. " + "; ".join(described) + "."
    return sourced(fig, source, title=title, alt=alt)


def _stance_panel(
    ax, name: str, mine: pd.DataFrame, lines: pd.DataFrame, colour: str, *, marker: pd.Timestamp, scale: tuple[int, int]
) -> str:
    """One state's panel: its events (hollow before `marker`) and the lines of its means;
    returns the panel described in words for the alt text."""
    low, high = scale
    before, after = mine[mine["date"] < marker], mine[mine["date"] >= marker]
    ax.axhline(0, color="#BBBBBB", linewidth=0.8, zorder=0)
    ax.scatter(
        before["date"], before["stance"], s=26, facecolors="none", edgecolors=colour, linewidths=1, alpha=0.8, zorder=2
    )
    ax.scatter(
        after["date"], after["stance"], s=26, color=colour, alpha=0.55, edgecolors="white", linewidths=0.5, zorder=2
    )
    for _, row in lines.iterrows():
        ax.hlines(row["mean_stance"], row["start"], row["end"], color=colour, linewidth=2.6, zorder=3)
    ax.axvline(marker, color="#000000", linestyle="--", linewidth=1, zorder=1)
    ax.set_ylim(low - 0.6, high + 0.6)
    ax.set_yticks([low, 0, high], [signed(low).replace(".0", ""), "0", signed(high).replace(".0", "")])
    ax.set_title(name, loc="left", fontsize=10, fontweight="bold", pad=3)
    if lines.empty:
        ax.text(
            0.5,
            0.5,
            "no events in the data since the takeover",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="#555555",
        )
        return f"{name}: no events since the takeover"
    yearly = ", ".join(f"{r['start']:%Y} {signed(r['mean_stance'])}" for _, r in lines.iterrows())
    return f"{name}: {len(after)} events since the takeover; means {yearly}"


def _panels_legend(mean_label: str, marker_label: str) -> list[Line2D]:
    return [
        Line2D([], [], marker="o", linestyle="none", color="#666666", alpha=0.6, label="one event"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="none",
            color="#666666",
            label="one event before the takeover",
        ),
        Line2D([], [], color="#666666", linewidth=2.6, label=mean_label),
        Line2D([], [], color="#000000", linestyle="--", linewidth=1, label=marker_label),
    ]
