"""Trade turnover between each state and Afghanistan as the overview compares it: the latest
full calendar year and any later shorter period, as either side reports it, less figures that
lost a dispute."""

from __future__ import annotations

import pandas as pd

from amudarya.domain.disputes import set_aside
from amudarya.domain.periods import period_label
from amudarya.domain.places import country_name
from amudarya.domain.region import AFGHANISTAN
from amudarya.domain.words import CONFIDENCE_RANK, NOT_IN_DATA, money


def turnover_figures(trade: pd.DataFrame, disputes: pd.DataFrame, state: str) -> pd.DataFrame:
    """Total trade turnover between `state` and Afghanistan as either side reports it, with a
    money value, less figures that lost a dispute."""
    rows = trade[~set_aside(trade, "trade_id", disputes)]
    pair = ((rows["reporter"] == state) & (rows["partner"] == AFGHANISTAN)) | (
        (rows["reporter"] == AFGHANISTAN) & (rows["partner"] == state)
    )
    rows = rows[pair & (rows["flow"] == "turnover") & (rows["product"] == "all") & rows["value_usd"].notna()]
    return rows.copy()


def _is_full_year(start, end) -> bool:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year


def _pick_latest(rows: pd.DataFrame, state: str) -> pd.Series:
    # The latest period wins; for one period a state's own statistics come before the Afghan
    # mirror figure, then the more confident source.
    ranked = rows.assign(
        _own=(rows["reporter"] != state).astype(int),
        _conf=rows["confidence"].map(CONFIDENCE_RANK).astype(int),
    ).sort_values(
        ["period_end", "period_start", "_own", "_conf", "trade_id"], ascending=[False, False, True, True, True]
    )
    return ranked.iloc[0]


def latest_turnover(trade: pd.DataFrame, disputes: pd.DataFrame, states) -> pd.DataFrame:
    """Per state: its latest full calendar year of turnover with Afghanistan, and the latest
    shorter period ending after that year (or the latest shorter period when there is no full
    year). Columns: state, kind ('full year' / 'part year'), trade_id, reporter, reported_by,
    period_start, period_end, value_usd, qualifier, source_id, dispute_id."""
    out = []
    for state in states:
        rows = turnover_figures(trade, disputes, state)
        if rows.empty:
            continue
        full = rows[[_is_full_year(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]]
        part = rows.drop(full.index)
        if not full.empty:
            pick = _pick_latest(full, state)
            out.append(pick.to_dict() | {"kind": "full year"})
            part = part[part["period_end"] > pick["period_end"]]
        if not part.empty:
            out.append(_pick_latest(part, state).to_dict() | {"kind": "part year"})
    columns = [
        "state",
        "kind",
        "trade_id",
        "reporter",
        "reported_by",
        "period_start",
        "period_end",
        "value_usd",
        "qualifier",
        "source_id",
        "dispute_id",
    ]
    if not out:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(out)
    frame["state"] = [r if r != AFGHANISTAN else p for r, p in zip(frame["reporter"], frame["partner"], strict=True)]
    return frame[columns].reset_index(drop=True)


def figure_text(row: pd.Series, countries: pd.DataFrame, detail: bool = True) -> str:
    """One turnover figure with its period and whose figure it is; with `detail`, who reported it."""
    whose = country_name(row["reporter"], countries)
    text = (
        f"{money(row['value_usd'], row['qualifier'])} in {period_label(row['period_start'], row['period_end'])}, "
        f"by {whose}'s count"
    )
    return text + (f", reported by {row['reported_by']}" if detail else "")


def trade_table(latest: pd.DataFrame, states, countries: pd.DataFrame) -> pd.DataFrame:
    """One row per state: latest full-year turnover and any later part-year figure, as text."""
    out = []
    for state in states:
        mine = latest[latest["state"] == state]
        full = mine[mine["kind"] == "full year"]
        part = mine[mine["kind"] == "part year"]
        out.append(
            {
                "State": country_name(state, countries),
                "Latest full year": figure_text(full.iloc[0], countries) if len(full) else NOT_IN_DATA,
                "Latest shorter period after it": figure_text(part.iloc[0], countries) if len(part) else NOT_IN_DATA,
            }
        )
    return pd.DataFrame(out)
