"""What every chart has: the house style, the palette, the title, the source line, and the
`Chart` each chart function returns (the figure and the alt text written from its numbers).

Importing this module sets matplotlib up for the book (no display, the style below); every
module of charts imports it, so no chart is drawn without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.ticker import FuncFormatter

from amudarya.domain.words import spoken

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


def colour(i: int) -> str:
    """The palette's `i`-th colour, starting again after the last."""
    return PALETTE[i % len(PALETTE)]


def colours_for(keys) -> dict:
    """One palette colour per key, in the keys' order."""
    return {key: colour(i) for i, key in enumerate(keys)}


def source_line(fig: plt.Figure, source: str) -> None:
    fig.text(0.01, 0.01, f"Source: {source}", ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)


def sourced(fig: plt.Figure, source: str, *, title: str, alt: str) -> Chart:
    """The chart, once its source line is drawn: the last thing drawn on every chart."""
    source_line(fig, source)
    return Chart(figure=fig, alt=alt, title=title)


def source_height(source: str, width_in: float) -> float:
    """Inches the wrapped source line needs at the foot of a figure `width_in` wide."""
    per_line = int(width_in * 72 / (8 * 0.55))
    return 0.12 + 0.16 * math.ceil(len(f"Source: {source}") / per_line)


def headline(fig: plt.Figure, title: str, subtitle: str | None = None) -> float:
    """Title (and an optional one-line subtitle) at the top left of a figure with several
    panels; returns the height in inches they take."""
    height = fig.get_figheight()
    fig.text(0.01, 1 - 0.12 / height, title, ha="left", va="top", fontsize=12, fontweight="bold")
    used = 0.45
    if subtitle:
        fig.text(0.01, 1 - 0.45 / height, subtitle, ha="left", va="top", fontsize=9, color="#333333")
        used += 0.25
    return used


def panel_title(ax, name: str) -> None:
    """The name of one panel of several, above it at the left, lighter than the chart's title."""
    ax.set_title(name, fontsize=10, fontweight="normal", loc="left")


def thousands(axis) -> None:
    """Tick labels with thousands separators: 12,000 rather than 12000."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"))


def year_ticks(axis) -> None:
    """A date axis ticked and labelled at the start of each year."""
    axis.set_major_locator(mdates.YearLocator())
    axis.set_major_formatter(mdates.DateFormatter("%Y"))


def legend_once(ax, **style) -> None:
    """A legend with one entry per label, however many bars carry it."""
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), frameon=False, **style)


def value_text(value: float, decimals: int = 1) -> str:
    # A bar worth less than one unit would read as 0 at one decimal; give it two significant
    # digits instead ('0.9', '0.45'), never padded zeros ('0.900').
    if 0 < abs(value) < 1:
        return spoken(value)
    return f"{value:,.{decimals}f}"


def halo(width: float = 3.0):
    """A white outline that keeps a label legible over colour."""
    return [patheffects.withStroke(linewidth=width, foreground="white")]
