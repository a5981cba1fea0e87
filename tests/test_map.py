"""The overview's annotated map: every mark comes from a sourced row of data/places.csv, each
point lies where its row says, labels do not overlap, and the alt text names what is drawn."""

from __future__ import annotations

import pandas as pd
import pytest

from amudarya.domain import geo, region, stances
from amudarya.render import regionmap

STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
# What issue 16 asks the map to show, by place_id in data/places.csv.
REQUIRED = {
    "termez-hairatan",
    "nizhny-panj-sher-khan-bandar",
    "serhetabat-torghundi",
    "imamnazar-aqina",
    "ishkashim",
    "chong-alai",
    "little-pamir",
    "great-pamir",
    "wakhan",
    "amu-darya",
    "panj",
}


@pytest.fixture(scope="module")
def world(root):
    return geo.read_countries(geo.boundaries_path(root))


@pytest.fixture(scope="module")
def places(package):
    return regionmap.checked_places(package["places"], package["sources"])


@pytest.fixture(scope="module")
def chart(package, world, places):
    from amudarya.domain import events

    takeover = events.takeover(package["events"])
    summary = stances.stance_summary(package["events"], package["disputes"], STATES, takeover)
    focus, context = region.map_layers(world, STATES, package["countries"], summary)
    drawn = regionmap.annotated_map(
        focus,
        context,
        regionmap.point_layer(places),
        regionmap.river_layer(world, places),
        package["countries"],
        colour_by="category",
        colours=region.MAP_COLOURS,
        legend_title="Land border with Afghanistan",
        label="name",
        note=None,
        title="Who borders Afghanistan, and where the border is crossed",
        source="test",
    )
    drawn.figure.canvas.draw()
    yield drawn
    import matplotlib.pyplot as plt

    plt.close(drawn.figure)


def test_places_asked_for_are_in_the_data(places):
    assert REQUIRED <= set(places["place_id"])


def test_every_labelled_place_has_a_source(package, chart, places):
    sources = package["sources"].set_index("source_id")
    labels = {t.get_text() for t in chart.figure.axes[0].texts}
    for _, row in places.iterrows():
        assert row["name"] in labels, f"{row['place_id']} is in data/places.csv but not labelled on the map"
        source = sources.loc[row["source_id"]]
        assert isinstance(source["url"], str) and source["url"].startswith("http"), row["place_id"]
    # and nothing is labelled that is neither a place of the table nor a country of the map
    countries = set(package["countries"]["name"]) | set(geo.read_countries(geo.boundaries_path())["atlas_name"])
    unexplained = labels - set(places["name"]) - countries
    assert not unexplained, f"labels with no row behind them: {sorted(unexplained)}"


def test_points_lie_in_the_country_their_row_names(world, places):
    # A swapped latitude and longitude, or a typo, puts a point far outside its country.
    # Crossings sit on the border itself, so a few kilometres either side are allowed.
    points = regionmap.point_layer(places)
    shapes = world.set_index("iso3").to_crs(geo.REGION_CRS).geometry
    for _, row in points.iterrows():
        distance_km = shapes.loc[row["country"]].distance(row.geometry) / 1000
        assert distance_km < 10, f"{row['place_id']} is {distance_km:.0f} km outside {row['country']}"


def test_rivers_follow_the_afghan_border(world, places):
    rivers = regionmap.river_layer(world, places)
    for _, river in rivers.iterrows():
        length_km = river.geometry.length / 1000
        # The atlas's borders of Afghanistan with Uzbekistan and Tajikistan, about 140 and 1,300 km.
        assert length_km > 100, (river["place_id"], length_km)


def test_labels_do_not_overlap(chart):
    assert regionmap.overlapping_labels(chart) == []


def test_alt_text_is_written_from_the_rows(chart, places, package):
    for _, row in places.iterrows():
        assert row["name"] in chart.alt
    assert "drawn along the border between Afghanistan and Uzbekistan" in chart.alt
    crossings = (places["kind"] == "crossing").sum()
    assert "Border crossings marked: " in chart.alt and crossings == 5


def test_a_point_without_coordinates_or_source_is_refused(package):
    broken = package["places"].copy()
    broken.loc[broken["place_id"] == "ishkashim", "lat"] = pd.NA
    broken.loc[broken["place_id"] == "chong-alai", "source_id"] = "no-such-source"
    with pytest.raises(regionmap.PlacesError) as error:
        regionmap.checked_places(broken, package["sources"])
    message = str(error.value)
    assert "row 5 (ishkashim): `lat` is empty" in message
    assert "row 6 (chong-alai): `source_id` 'no-such-source'" in message


def test_the_overview_shows_the_annotated_map(built_book):
    import nbformat

    nb = nbformat.read(built_book / "book" / "_generated" / "overview.ipynb", as_version=4)
    alts = [
        o.get("metadata", {}).get("image/png", {}).get("alt", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    ] + [
        str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    ]
    assert any("Termez–Hairatan bridge" in a and "Little Pamir" in a for a in alts)
