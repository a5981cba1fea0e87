"""Country names for codes: from the data package's countries table, else from ISO 3166."""

from __future__ import annotations

import pandas as pd
import pycountry


def country_name(code: str, countries: pd.DataFrame | None = None) -> str:
    """Short English name of an ISO 3166-1 alpha-3 code (or of a group code in the data)."""
    if countries is not None:
        hit = countries.loc[countries["iso3"] == code, "name"]
        if not hit.empty:
            return str(hit.iloc[0])
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise KeyError(f"{code!r} is not an ISO 3166-1 alpha-3 code")
    return getattr(country, "common_name", None) or country.name


def adjective_possessive(name: str) -> str:
    """'Kazakhstan' -> "Kazakhstan's"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
