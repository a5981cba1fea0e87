"""The overview's annotated map: the states and Afghanistan, the rivers the border follows, the
main crossings and the places the chapters name, every mark read from `data/places.csv`.

The country shapes and their colours are `plots.region_map`'s; this module adds the layer of
places on top and writes the part of the alt text that describes it. Labels are spread by
adjustText so that none covers another or a country's name.
"""

from __future__ import annotations

import inflect
import pandas as pd
from adjustText import adjust_text
from matplotlib.lines import Line2D

from amudarya.domain import geo
from amudarya.domain.places import country_name
from amudarya.render.plots import PALETTE, Chart, _halo, region_map

AFGHANISTAN = "AFG"
POINT_KINDS = ("crossing", "place", "region")
RIVER = "border river"
RIVER_COLOUR = PALETTE[0]
# How each kind of point is drawn: crossings as dark diamonds, places as open circles; a region
# is a name only (its point says where the name belongs, not a spot on the ground).
MARKERS = {
    "crossing": dict(marker="D", s=22, color="#222222", edgecolor="white", linewidth=0.6, zorder=5),
    "place": dict(marker="o", s=26, facecolor="white", edgecolor="#222222", linewidth=1.2, zorder=5),
}
LEGEND = {"crossing": "Border crossing", "place": "Place named in the chapters"}

_engine = inflect.engine()


class PlacesError(ValueError):
    """A row of data/places.csv the map cannot draw; the message names the row and field."""


def checked_places(places: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The places table after the checks its schema cannot express: a point has both
    coordinates, a river names the border it follows, and every row's source is in sources."""
    problems = []
    known = set(sources["source_id"])
    for number, (_, row) in enumerate(places.iterrows(), start=1):
        where = f"data/places.csv row {number} ({row['place_id']})"
        if row["kind"] in POINT_KINDS:
            for field in ("lat", "lon", "country"):
                if pd.isna(row[field]):
                    problems.append(f"{where}: `{field}` is empty; a {row['kind']} needs it to be drawn")
        elif row["kind"] == RIVER and pd.isna(row["border"]):
            problems.append(f"{where}: `border` is empty; a border river needs the code of the state "
                            "whose border with Afghanistan it follows")
        if pd.isna(row["source_id"]) or row["source_id"] not in known:
            problems.append(f"{where}: `source_id` {row['source_id']!r} is not a source_id in data/sources.csv")
    if problems:
        raise PlacesError("; ".join(problems))
    return places


def point_layer(places: pd.DataFrame):
    """The crossings, places and regions as projected points (geo.REGION_CRS)."""
    import geopandas as gpd  # slow to import; only the map needs it

    rows = places[places["kind"].isin(POINT_KINDS)].reset_index(drop=True)
    points = gpd.GeoDataFrame(
        rows, geometry=gpd.points_from_xy(rows["lon"].astype(float), rows["lat"].astype(float)), crs=geo.CRS
    )
    return points.to_crs(geo.REGION_CRS)


def river_layer(world, places: pd.DataFrame):
    """Each border river as the atlas's border between Afghanistan and its `border` state."""
    import geopandas as gpd  # slow to import; only the map needs it

    rows = places[places["kind"] == RIVER].reset_index(drop=True)
    lines = [geo.shared_border(world, AFGHANISTAN, code) for code in rows["border"]]
    return gpd.GeoDataFrame(rows, geometry=lines, crs=geo.CRS).to_crs(geo.REGION_CRS)


def overlapping_labels(chart: Chart) -> list[tuple[str, str]]:
    """Pairs of label texts on the map whose drawn boxes overlap (none, on a good map)."""
    fig = chart.figure
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


def _where(row, countries: pd.DataFrame) -> str:
    return country_name(row["country"], countries)


def describe(points, rivers, countries: pd.DataFrame) -> str:
    """The alt text's sentences about the places layer, written from the rows drawn."""
    sentences = []
    for _, river in rivers.iterrows():
        sentences.append(f"The {river['name']} is drawn along the border between Afghanistan and "
                         f"{country_name(river['border'], countries)}.")
    for kind, noun, rest in (("crossing", "border crossing", ""), ("place", "place", " named in the chapters"),
                             ("region", "region", "")):
        rows = points[points["kind"] == kind]
        if rows.empty:
            continue
        items = [f"{r['name']} ({_where(r, countries)})" for _, r in rows.iterrows()]
        sentences.append(f"{_engine.plural(noun, len(rows)).capitalize()}{rest} marked: "
                         f"{_engine.join(items)}.")
    return " ".join(sentences)


def annotated_map(focus, context, points, rivers, countries: pd.DataFrame, *, title: str, source: str,
                  **base) -> Chart:
    """`plots.region_map` of `focus` over `context` (see there for `base`), with the border
    rivers drawn and named along their course and every point labelled without overlaps."""
    chart = region_map(focus, context, title=title, source=source, **base)
    fig = chart.figure
    ax = fig.axes[0]
    fixed = list(ax.texts)  # the country names region_map wrote: labels must keep clear of them
    labels, xs, ys = [], [], []
    for _, river in rivers.iterrows():
        rivers[rivers["place_id"] == river["place_id"]].plot(ax=ax, color=RIVER_COLOUR, linewidth=2.2, zorder=4)
        line = river.geometry
        longest = max(getattr(line, "geoms", [line]), key=lambda g: g.length)
        # The name goes where the river runs furthest from the country names and the marks.
        crowd = [t.get_position() for t in fixed] + [(p.x, p.y) for p in points.geometry]
        candidates = [longest.interpolate(f / 10, normalized=True) for f in range(1, 10)]
        anchor = max(candidates, key=lambda c: min(((c.x - x) ** 2 + (c.y - y) ** 2 for x, y in crowd),
                                                    default=0))
        labels.append(ax.text(anchor.x, anchor.y, river["name"], fontsize=8, color=RIVER_COLOUR, style="italic",
                              fontweight="bold", ha="center", va="center", path_effects=_halo(), zorder=6))
        xs.append(anchor.x)
        ys.append(anchor.y)
    for kind, style in MARKERS.items():
        rows = points[points["kind"] == kind]
        if not rows.empty:
            ax.scatter(rows.geometry.x, rows.geometry.y, **style)
    # Labels start beside their marks, crossings on the Afghan side of the border (south) and
    # the places of the Pamirs north of theirs, where the land is emptier; adjustText then
    # moves them apart, off the marks and off the country names.
    # Neighbouring crossings start at alternating depths, so their labels begin apart.
    step = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.035
    depth = {i: (1 + 1.4 * (n % 2)) for n, i in enumerate(points[points["kind"] == "crossing"]
                                                            .sort_values("lon").index)}
    for i, row in points.iterrows():
        p = row.geometry
        region = row["kind"] == "region"
        dy = -step * depth[i] if row["kind"] == "crossing" else step
        labels.append(ax.text(p.x, p.y + dy, row["name"], fontsize=7.5, ha="center", va="center",
                              style="italic" if region else "normal", color="#333333" if region else "#111111",
                              path_effects=_halo(), zorder=6))
        xs.append(p.x)
        ys.append(p.y)
    adjust_text(labels, x=xs, y=ys, target_x=xs, target_y=ys, objects=fixed, ax=ax, ensure_inside_axes=True,
                expand=(1.3, 1.6), force_text=(0.6, 0.9), force_static=(0.6, 1.0), force_pull=(0.002, 0.002),
                iter_lim=600, arrowprops=dict(arrowstyle="-", color="#555555", lw=0.6))
    ax.set_xlabel("")  # geopandas labels the axes with the projection's units when it plots
    ax.set_ylabel("")
    handles = [Line2D([], [], color=RIVER_COLOUR, linewidth=2.2, label="River along the border")] if not rivers.empty else []
    for kind, style in MARKERS.items():
        if (points["kind"] == kind).any():
            handles.append(Line2D([], [], linestyle="", marker=style["marker"], markersize=6,
                                  markerfacecolor=style.get("color", style.get("facecolor")),
                                  markeredgecolor=style["edgecolor"], label=LEGEND[kind]))
    if handles:
        # Inside the map's lower right, over the land south of the Wakhan that the map leaves
        # grey: below the map there is room for only one legend beside the source line.
        ax.add_artist(ax.get_legend())
        ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.9, edgecolor="#cccccc")
    alt = chart.alt + " " + describe(points, rivers, countries)
    return Chart(figure=fig, alt=alt, title=chart.title)


def source_note(places: pd.DataFrame) -> str:
    """The map's source line for its places layer: how many pages the coordinates and rivers
    come from (the book's list of sources gives each)."""
    n = places["source_id"].nunique()
    return f"places and rivers: {n} {_engine.plural('page', n)} listed among the book's sources"
