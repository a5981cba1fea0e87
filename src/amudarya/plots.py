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
