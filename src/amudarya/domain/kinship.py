"""Who a row of the `people` table counts, for the repatriation chapter: a state's ethnic kin
(the `kin_of` column, and the words for them in the countries table), kin of another state
counted in it, and the other counts that are neither kin nor UNHCR statistics; and the return
programme's totals over all origins. Nothing here knows a state's people or programme by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from amudarya.domain.counts import count_text, when
from amudarya.domain.unhcr import UNHCR_MEASURES


@dataclass(frozen=True)
class KinWords:
    """What data/countries.csv calls a state's ethnic kin and its programme for them; None
    where no cited source names them (or the state has no row)."""

    name: str | None = None  # plural noun: '300 Kyrgyz', '35 Kazakhs'
    adjective: str | None = None  # 'Kazakh kin'
    programme: str | None = None  # 'kayrylman', 'qandas'

    @property
    def named(self) -> bool:
        return self.name is not None and self.adjective is not None


def kin_words(countries: pd.DataFrame, country: str) -> KinWords:
    row = countries[countries["iso3"] == country]
    if row.empty:
        return KinWords()
    row = row.iloc[0]
    text = lambda field: str(row[field]) if pd.notna(row[field]) else None  # noqa: E731
    return KinWords(text("kin_name"), text("kin_adjective"), text("kin_programme"))


ALL_ORIGINS = "ALL"


def kin_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Every row about `country`'s ethnic kin coming from `origin`, wherever they were counted
    (the Pamir Kyrgyz stopped in Tajikistan are Kyrgyz kin), plus the programme totals over all
    origins (origin ALL)."""
    rows = people[(people["kin_of"] == country).fillna(False) & people["origin"].isin([origin, ALL_ORIGINS])]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


def kin_of_others(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Rows counted in `country` about another state's kin (the Pamir Kyrgyz in Tajikistan, for
    Tajikistan); `kin_of` names that state."""
    rows = people[
        people["kin_of"].notna()
        & (people["kin_of"] != country).fillna(False)
        & (people["country"] == country)
        & people["origin"].isin([origin, ALL_ORIGINS])
    ]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


def other_rows(people: pd.DataFrame, country: str, origin: str) -> pd.DataFrame:
    """Counts about people from `origin` in `country` that are neither kin (of any state) nor
    UNHCR statistics: evacuated citizens, UN staff, quotas, a government's own refugee count."""
    rows = people[
        (people["country"] == country)
        & (people["origin"] == origin)
        & ~people["measure"].isin(UNHCR_MEASURES)
        & people["kin_of"].isna()
    ]
    return rows.sort_values(["date", "record_id"]).reset_index(drop=True)


def programme_totals(kin: pd.DataFrame, origin: str) -> pd.DataFrame:
    """The return programme's counts over all origins, period by period, beside the count for
    `origin` where the source breaks it out. Columns: measure, unit, period, start, end, months,
    all_origins, from_origin (NA when not broken out), source_ids."""
    totals = kin[kin["origin"] == ALL_ORIGINS]
    rows = []
    for _, t in totals.iterrows():
        same = kin[
            (kin["origin"] == origin)
            & (kin["measure"] == t["measure"])
            & (kin["unit"] == t["unit"])
            & (kin["date"] == t["date"])
            & ((kin["period_start"] == t["period_start"]) | (kin["period_start"].isna() & pd.isna(t["period_start"])))
        ]
        start = t["period_start"] if pd.notna(t["period_start"]) else t["date"]
        rows.append(
            {
                "measure": t["measure"],
                "unit": t["unit"],
                "period": when(t),
                "start": start,
                "end": t["date"],
                "months": max(1, round(((t["date"] - start).days + 1) / 30.4375)),
                "all_origins": float(t["value"]),
                "from_origin": float(same["value"].iloc[0]) if not same.empty else pd.NA,
                "source_ids": tuple(dict.fromkeys(list(same["source_id"]) + [t["source_id"]])),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["measure", "unit", "period", "start", "end", "months", "all_origins", "from_origin", "source_ids"],
    )


def programme_table(programme: pd.DataFrame, origin_name: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Period": programme["period"],
            "Months": programme["months"],
            "Counted": programme["measure"]
            .map({"granted_status": "granted status", "arrived": "arrived"})
            .fillna(programme["measure"].str.replace("_", " ")),
            "All countries of origin": [f"{v:,.0f}" for v in programme["all_origins"]],
            f"From {origin_name}": [f"{v:,.0f}" if pd.notna(v) else "not broken out" for v in programme["from_origin"]],
            "Unit": programme["unit"],
        }
    )


def other_table(others: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "When": [when(r) for _, r in others.iterrows()],
            "Who is counted": others["group"],
            "Counted as": others["measure"].str.replace("_", " "),
            "Count": [count_text(r["value"], r["value_high"], r["qualifier"]) for _, r in others.iterrows()],
            "Unit": others["unit"],
        }
    )
