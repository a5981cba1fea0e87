"""Afghanistan and the states around it, as the overview shows them: whether each state
borders Afghanistan (as the data say), and the layers of the overview's map."""

from __future__ import annotations

import pandas as pd

from amudarya.domain import geo
from amudarya.domain.places import country_name
from amudarya.domain.words import signed

AFGHANISTAN = "AFG"

MAP_COLOURS = {
    "Afghanistan": "#CC79A7",
    "Borders Afghanistan": "#E69F00",
    "No border with Afghanistan": "#56B4E9",
    "Border not recorded in the data": "#F0E442",
}


def borders(countries: pd.DataFrame, states) -> pd.DataFrame:
    """state, name, borders (True/False/NA when the data do not say)."""
    table = countries.set_index("iso3")
    out = []
    for state in states:
        value = table["borders_afghanistan"].get(state, pd.NA)
        out.append({"state": state, "name": country_name(state, countries), "borders": value})
    frame = pd.DataFrame(out)
    frame["borders"] = frame["borders"].astype("boolean")
    return frame


def map_layers(world, states, countries: pd.DataFrame, summary: pd.DataFrame):
    """The map's countries (Afghanistan and `states`, projected, with name, category and a
    note giving the mean stance) and the land around them; see `geo.region`."""
    focus, context = geo.region(world, [AFGHANISTAN, *states])
    border = borders(countries, states).set_index("state")["borders"]
    stance = summary.set_index("state")
    focus["name"] = [country_name(c, countries) for c in focus["iso3"]]
    categories, notes = [], []
    for code in focus["iso3"]:
        if code == AFGHANISTAN:
            categories.append("Afghanistan")
            notes.append("")
            continue
        flag = border.get(code, pd.NA)
        categories.append(
            "Border not recorded in the data"
            if pd.isna(flag)
            else "Borders Afghanistan"
            if flag
            else "No border with Afghanistan"
        )
        events = int(stance.loc[code, "events"]) if code in stance.index else 0
        notes.append(f"mean stance {signed(stance.loc[code, 'mean_stance'])}" if events else "no events in the data")
    focus["category"] = categories
    focus["note"] = notes
    return focus, context
