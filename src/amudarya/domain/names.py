"""Names and spellings: every person or body in actors.csv with the other spellings the
sources use, and every place and term in names.csv with its variants and the sources that
use them. Nothing is typed here: the page is these two tables, merged."""

from __future__ import annotations

import pandas as pd

from amudarya.domain.citations import short_reference


def _split(aliases) -> list[str]:
    if aliases is None or pd.isna(aliases):
        return []
    return [a.strip() for a in str(aliases).split(";") if a.strip()]


def table(package) -> pd.DataFrame:
    """One row per name: Name, Kind, Variants (as the sources write them, '; '-separated),
    Source (the source for the name or, for places and terms, each variant's source), and
    `source_id` (the first source, for a link). Only names with at least one variant."""
    sources = package["sources"].set_index("source_id")
    rows = []
    actors = package["actors"]
    for _, a in actors.iterrows():
        variants = _split(a["aliases"])
        if not variants:
            continue
        rows.append(
            {
                "Name": str(a["name"]),
                "Kind": "person or body",
                "Variants": "; ".join(variants),
                "Source": short_reference(sources.loc[a["source_id"]].rename({"source_id": a["source_id"]})),
                "source_id": str(a["source_id"]),
            }
        )
    names = package["names"]
    for (name, kind), group in names.groupby(["name", "kind"], sort=False):
        variants = [v for v in dict.fromkeys(group["variant"].astype(str)) if v != name]
        if not variants:
            continue
        used = group[group["variant"] != name]
        rows.append(
            {
                "Name": str(name),
                "Kind": str(kind),
                "Variants": "; ".join(variants),
                "Source": "; ".join(
                    dict.fromkeys(short_reference(sources.loc[s].rename({"source_id": s})) for s in used["source_id"])
                ),
                "source_id": str(used["source_id"].iloc[0]),
            }
        )
    out = pd.DataFrame(rows, columns=["Name", "Kind", "Variants", "Source", "source_id"])
    return out.sort_values("Name", key=lambda s: s.str.casefold()).reset_index(drop=True)


def facts(frame: pd.DataFrame) -> dict:
    return {
        "names_n": int(len(frame)),
        "names_n_variants": int(frame["Variants"].str.split("; ").str.len().sum()),
        "names_n_people": int((frame["Kind"] == "person or body").sum()),
    }
