"""The overview's annotated map: the states and Afghanistan, the rivers the border follows, the
main crossings and the places the chapters name, every mark read from `data/places.csv`.

`region_map` draws the country shapes, each filled by its category; `annotated_map` adds the
layer of places on top and writes the part of the alt text that describes it. Labels are spread
by adjustText so that none covers another or a country's name.
"""

from __future__ import annotations

import inflect
import pandas as pd
from adjustText import adjust_text
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from amudarya.domain import geo
from amudarya.domain.places import country_name
from amudarya.render.chart import PALETTE, Chart, halo, plt, sourced

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
    _fill_countries(ax, focus, context, colour_by, colours)
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    if context_labels and not context.empty:
        _name_neighbours(ax, context, context_labels, (west, south, east, north))
    _name_countries(ax, focus, label, note)
    _category_legend(ax, focus, colour_by, colours, legend_title)
    _bare(ax)
    ax.set_title(title)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    alt = _map_alt(
        focus, colour_by=colour_by, colours=colours, legend_title=legend_title, label=label, note=note, title=title
    )
    return sourced(fig, source, title=title, alt=alt)


def _fill_countries(ax, focus, context, colour_by: str, colours: dict[str, str]) -> None:
    """The land around in light grey, then each focus country in its category's colour."""
    ax.set_facecolor("#DCEAF5")  # water: the Caspian and the Aral stand out from land
    context.plot(ax=ax, color="#E8E8E8", edgecolor="white", linewidth=0.6)
    for category, colour in colours.items():
        part = focus[focus[colour_by] == category]
        if not part.empty:
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.9)


def _name_countries(ax, focus, label: str, note: str | None) -> None:
    """Each focus country's name at a point inside it, with its note (if any) on a second line."""
    for _, row in focus.iterrows():
        point = row.geometry.representative_point()
        text = row[label] + (f"\n{row[note]}" if note and isinstance(row[note], str) and row[note] else "")
        ax.text(
            point.x,
            point.y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            linespacing=1.25,
            path_effects=halo(),
        )


def _category_legend(ax, focus, colour_by: str, colours: dict[str, str], legend_title: str) -> None:
    """The categories drawn, in one row below the map: a category no country has is not listed."""
    handles = [
        Patch(facecolor=c, edgecolor="white", label=k) for k, c in colours.items() if (focus[colour_by] == k).any()
    ]
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(0, -0.01),
        ncol=len(handles),
        fontsize=8.5,
        title_fontsize=9,
        frameon=False,
        alignment="left",
    )


def _name_neighbours(ax, context, n: int, bounds) -> None:
    """Orientation: the `n` largest neighbouring countries, named in grey where most of them
    shows (their representative point inside the map's `bounds`)."""
    west, south, east, north = bounds
    shown = context.assign(_area=context.geometry.area).sort_values("_area", ascending=False)
    for _, row in shown.head(n).iterrows():
        point = row.geometry.representative_point()
        if west < point.x < east and south < point.y < north:
            ax.text(
                point.x,
                point.y,
                row["atlas_name"],
                ha="center",
                va="center",
                fontsize=8,
                color="#777777",
                style="italic",
            )


def _bare(ax) -> None:
    """No ticks, axis labels or frame: a map's coordinates say nothing to a reader."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)


def _map_alt(
    focus, *, colour_by: str, colours: dict[str, str], legend_title: str, label: str, note: str | None, title: str
) -> str:
    """The map in words: the countries of each category, and each one's note."""
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
    return alt


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
            problems.append(
                f"{where}: `border` is empty; a border river needs the code of the state "
                "whose border with Afghanistan it follows"
            )
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
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1 :] if box_a.overlaps(box_b)]


def _where(row, countries: pd.DataFrame) -> str:
    return country_name(row["country"], countries)


def describe(points, rivers, countries: pd.DataFrame) -> str:
    """The alt text's sentences about the places layer, written from the rows drawn."""
    sentences = []
    for _, river in rivers.iterrows():
        sentences.append(
            f"The {river['name']} is drawn along the border between Afghanistan and "
            f"{country_name(river['border'], countries)}."
        )
    for kind, noun, rest in (
        ("crossing", "border crossing", ""),
        ("place", "place", " named in the chapters"),
        ("region", "region", ""),
    ):
        rows = points[points["kind"] == kind]
        if rows.empty:
            continue
        items = [f"{r['name']} ({_where(r, countries)})" for _, r in rows.iterrows()]
        sentences.append(f"{_engine.plural(noun, len(rows)).capitalize()}{rest} marked: {_engine.join(items)}.")
    return " ".join(sentences)


def annotated_map(focus, context, points, rivers, countries: pd.DataFrame, *, title: str, source: str, **base) -> Chart:
    """`region_map` of `focus` over `context` (see there for `base`), with the border
    rivers drawn and named along their course and every point labelled without overlaps."""
    chart = region_map(focus, context, title=title, source=source, **base)
    fig = chart.figure
    ax = fig.axes[0]
    fixed = list(ax.texts)  # the country names region_map wrote: labels must keep clear of them
    labels = _name_rivers(ax, rivers, points, fixed)
    xs = [t.get_position()[0] for t in labels]
    ys = [t.get_position()[1] for t in labels]
    for kind, style in MARKERS.items():
        rows = points[points["kind"] == kind]
        if not rows.empty:
            ax.scatter(rows.geometry.x, rows.geometry.y, **style)
    labels += _point_labels(ax, points)
    xs += [p.x for p in points.geometry]
    ys += [p.y for p in points.geometry]
    _spread_labels(ax, labels, xs, ys, fixed)
    ax.set_xlabel("")  # geopandas labels the axes with the projection's units when it plots
    ax.set_ylabel("")
    _places_legend(ax, points, rivers)
    alt = chart.alt + " " + describe(points, rivers, countries)
    return Chart(figure=fig, alt=alt, title=chart.title)


def _point_labels(ax, points) -> list:
    """Each point's name beside its mark, in the order of `points`: a region's in grey italics,
    as a name over an area rather than a spot."""
    # Labels start beside their marks, crossings on the Afghan side of the border (south) and
    # the places of the Pamirs north of theirs, where the land is emptier; adjustText then
    # moves them apart, off the marks and off the country names.
    # Neighbouring crossings start at alternating depths, so their labels begin apart.
    step = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.035
    depth = {
        i: (1 + 1.4 * (n % 2)) for n, i in enumerate(points[points["kind"] == "crossing"].sort_values("lon").index)
    }
    labels = []
    for i, row in points.iterrows():
        p = row.geometry
        region = row["kind"] == "region"
        dy = -step * depth[i] if row["kind"] == "crossing" else step
        labels.append(
            ax.text(
                p.x,
                p.y + dy,
                row["name"],
                fontsize=7.5,
                ha="center",
                va="center",
                style="italic" if region else "normal",
                color="#333333" if region else "#111111",
                path_effects=halo(),
                zorder=6,
            )
        )
    return labels


def _spread_labels(ax, labels: list, xs: list, ys: list, fixed: list) -> None:
    """adjustText moves the labels apart, off their marks (`xs`, `ys`) and off the country names
    (`fixed`), inside the map; a label moved away is joined to its mark by a thin line."""
    adjust_text(
        labels,
        x=xs,
        y=ys,
        target_x=xs,
        target_y=ys,
        objects=fixed,
        ax=ax,
        ensure_inside_axes=True,
        expand=(1.3, 1.6),
        force_text=(0.6, 0.9),
        force_static=(0.6, 1.0),
        force_pull=(0.002, 0.002),
        iter_lim=600,
        arrowprops=dict(arrowstyle="-", color="#555555", lw=0.6),
    )


def _name_rivers(ax, rivers, points, fixed: list) -> list:
    """Each border river drawn, and its name placed where it runs furthest from the country
    names (`fixed`) and the marks; returns the names' labels."""
    labels = []
    for _, river in rivers.iterrows():
        rivers[rivers["place_id"] == river["place_id"]].plot(ax=ax, color=RIVER_COLOUR, linewidth=2.2, zorder=4)
        line = river.geometry
        longest = max(getattr(line, "geoms", [line]), key=lambda g: g.length)
        crowd = [t.get_position() for t in fixed] + [(p.x, p.y) for p in points.geometry]
        candidates = [longest.interpolate(f / 10, normalized=True) for f in range(1, 10)]
        anchor = max(candidates, key=lambda c: min(((c.x - x) ** 2 + (c.y - y) ** 2 for x, y in crowd), default=0))
        labels.append(
            ax.text(
                anchor.x,
                anchor.y,
                river["name"],
                fontsize=8,
                color=RIVER_COLOUR,
                style="italic",
                fontweight="bold",
                ha="center",
                va="center",
                path_effects=halo(),
                zorder=6,
            )
        )
    return labels


def _places_legend(ax, points, rivers) -> None:
    """The legend of the places layer (rivers and each kind of mark drawn), beside the
    categories' legend region_map made."""
    handles = (
        [Line2D([], [], color=RIVER_COLOUR, linewidth=2.2, label="River along the border")] if not rivers.empty else []
    )
    for kind, style in MARKERS.items():
        if (points["kind"] == kind).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=style["marker"],
                    markersize=6,
                    markerfacecolor=style.get("color", style.get("facecolor")),
                    markeredgecolor=style["edgecolor"],
                    label=LEGEND[kind],
                )
            )
    if handles:
        # Inside the map's lower right, over the land south of the Wakhan that the map leaves
        # grey: below the map there is room for only one legend beside the source line.
        ax.add_artist(ax.get_legend())
        ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.9, edgecolor="#cccccc")


def source_note(places: pd.DataFrame) -> str:
    """The map's source line for its places layer: how many pages the coordinates and rivers
    come from (the book's list of sources gives each)."""
    n = places["source_id"].nunique()
    return f"places and rivers: {n} {_engine.plural('page', n)} listed among the book's sources"
