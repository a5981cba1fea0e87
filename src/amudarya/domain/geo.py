"""Country boundaries for the book's maps, read offline from the project folder.

The boundaries are Natural Earth's 1:50m admin-0 countries (public domain) as the npm package
world-atlas (ISC licence) ships them: TopoJSON in longitude/latitude, each country carrying its
ISO 3166-1 numeric code as `id`. `make` installs the package into tools/geo/node_modules from
the committed lock file; nothing is fetched when a notebook runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pycountry

from amudarya.data.tables import project_root

PACKAGE_DIR = Path("tools") / "geo" / "node_modules" / "world-atlas"
BOUNDARIES_FILE = "countries-50m.json"
# TopoJSON carries no CRS; world-atlas documents its coordinates as longitude/latitude in degrees.
CRS = "EPSG:4326"
# A conic projection centred on Central Asia keeps Kazakhstan's northern steppe from being
# stretched sideways, as it would be on a plain longitude/latitude grid.
REGION_CRS = "+proj=lcc +lat_1=33 +lat_2=50 +lat_0=40 +lon_0=66 +datum=WGS84 +units=m +no_defs"


class MissingBoundaries(FileNotFoundError):
    """The boundaries file is not installed; the message says how to install it."""


def boundaries_path(root: Path | None = None) -> Path:
    path = (root or project_root()) / PACKAGE_DIR / BOUNDARIES_FILE
    if not path.is_file():
        raise MissingBoundaries(
            f"{path} is missing: the map's boundaries come from the npm package world-atlas. "
            "Run `make book` (or `npm ci --prefix tools/geo`) in the project folder to install it."
        )
    return path


def atlas_version(root: Path | None = None) -> str:
    """The installed world-atlas version, for the map's source line."""
    meta = json.loads(((root or project_root()) / PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def _alpha3(numeric) -> str | None:
    if not isinstance(numeric, str):
        return None  # a few Natural Earth areas (Kosovo, Somaliland, ...) have no ISO code
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_3 if country else None


def read_countries(path: Path):
    """Every country in a world-atlas TopoJSON file: iso3, atlas_name, geometry (EPSG:4326).

    GDAL's TopoJSON driver (bundled with pyogrio) turns the shared arcs back into polygons.
    """
    import geopandas as gpd  # slow to import; only the map needs it

    frame = gpd.read_file(path, layer="countries", engine="pyogrio")
    frame = frame.set_crs(CRS, allow_override=True)
    frame["iso3"] = frame["id"].map(_alpha3)
    frame = frame.rename(columns={"name": "atlas_name"})
    # A few world-wide shapes (Russia across the antimeridian, Fiji) are not valid as stored;
    # repairing them keeps clipping and projecting from failing.
    frame["geometry"] = frame.geometry.make_valid()
    return frame[["iso3", "atlas_name", "geometry"]]


def region(world, codes, margin_deg: float = 10.0):
    """The countries `codes` and the land around them, clipped to their bounding box plus a
    margin and projected for a regional map.

    Returns (focus, context): `focus` has one row per code found in the atlas (iso3,
    atlas_name, geometry); `context` holds the other countries' parts inside the box.
    Codes the atlas does not hold are left out of `focus`; the caller says so.
    """
    import geopandas as gpd  # slow to import; only the map needs it
    from shapely.geometry import box

    codes = list(dict.fromkeys(codes))
    focus = world[world["iso3"].isin(codes)].copy()
    if focus.empty:
        raise ValueError(f"none of {', '.join(codes)} is in the boundaries file")
    west, south, east, north = focus.total_bounds
    frame = box(west - margin_deg, south - margin_deg, east + margin_deg, north + margin_deg)
    context = world[~world["iso3"].isin(codes)]
    context = gpd.clip(context, frame)
    context = context[~context.geometry.is_empty]
    order = {code: i for i, code in enumerate(codes)}
    focus = focus.sort_values("iso3", key=lambda s: s.map(order)).reset_index(drop=True)
    return focus.to_crs(REGION_CRS), context.to_crs(REGION_CRS).reset_index(drop=True)


def missing_codes(world, codes) -> list[str]:
    """Codes of `codes` that the boundaries file has no shape for."""
    found = set(world["iso3"].dropna())
    return [c for c in codes if c not in found]


def shared_border(world, a: str, b: str):
    """The boundary line two countries share in the atlas (EPSG:4326), as one (multi)line.

    The boundaries are TopoJSON arcs shared by both neighbours, so the intersection of the two
    outlines is exactly their common border; points where they merely touch are dropped.
    """
    # shapely comes with geopandas, which only the map needs.
    from shapely.geometry import GeometryCollection, LineString, MultiLineString
    from shapely.ops import linemerge

    shapes = {}
    for code in (a, b):
        rows = world[world["iso3"] == code]
        if rows.empty:
            raise ValueError(f"the boundaries file has no shape for {code}")
        shapes[code] = rows.geometry.union_all()
    common = shapes[a].boundary.intersection(shapes[b].boundary)
    parts = common.geoms if isinstance(common, (GeometryCollection, MultiLineString)) else [common]
    lines = [p for p in parts if isinstance(p, (LineString, MultiLineString)) and not p.is_empty]
    if not lines:
        raise ValueError(f"{a} and {b} share no border in the boundaries file")
    return linemerge(lines)
