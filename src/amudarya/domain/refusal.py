"""A state that refuses to engage with the Taliban, measured against its peers: what the
refusal chapter says, computed.

The comparison rests on the stance the project codes for each event (see `timeline`): per
state and year, the mean stance of its events from the takeover on. Refusals are the events
coded below 0 (closed borders, drills, clashes, refusals of recognition); moves are those
coded above 0 (markets reopened, power sold, talks held).
"""

from __future__ import annotations

import pandas as pd
import pycountry

from amudarya.domain import timeline as tl
from amudarya.domain.events import takeover as takeover_day
from amudarya.domain.places import country_name
from amudarya.domain.words import count, count_word, ordinal_word, verb


def validate_peers(country: str, peers) -> list[str]:
    """The peers to compare `country` with: ISO 3166-1 alpha-3 codes, each once, in the order
    given. The country itself is dropped rather than refused, so that a reader who changes
    only `country` can keep the default peers. Raises ValueError naming the bad value when a
    peer is not an alpha-3 code, or when no peer is left."""
    if isinstance(peers, str) or not isinstance(peers, (list, tuple)):
        raise ValueError(f'peers must be a list of ISO 3166-1 alpha-3 codes such as ["KAZ", "UZB"], not {peers!r}')
    bad = [
        p
        for p in peers
        if not (isinstance(p, str) and len(p) == 3 and p.isupper() and pycountry.countries.get(alpha_3=p))
    ]
    if bad:
        raise ValueError(
            "peers must be ISO 3166-1 alpha-3 codes (three capital letters such as KAZ or UZB); "
            + ", ".join(repr(b) for b in bad)
            + (" is not one" if len(bad) == 1 else " are not")
        )
    kept = [p for p in dict.fromkeys(peers) if p != country]
    if not kept:
        raise ValueError(
            f"peers must name at least one state other than the country itself ({country!r}); got {list(peers)!r}"
        )
    return kept


def state_timeline(package, state: str) -> pd.DataFrame:
    """One row per event of `state` from the takeover on."""
    events = package["events"]
    whole = tl.one_per_event(tl.for_country(events, state), package["disputes"])
    return tl.since(whole, takeover_day(events)).reset_index(drop=True)


def yearly(package, states: list[str]) -> pd.DataFrame:
    """Mean stance per state and year from the takeover on: state, name, year, events,
    mean_stance. States without events have no rows."""
    parts = []
    for state in states:
        years = tl.by_year(state_timeline(package, state))
        if years.empty:
            continue
        years.insert(0, "name", country_name(state, package["countries"]))
        years.insert(0, "state", state)
        parts.append(years[["state", "name", "year", "events", "mean_stance"]])
    if not parts:
        return pd.DataFrame(columns=["state", "name", "year", "events", "mean_stance"])
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"year": int, "events": int, "mean_stance": float})


def standing(package, states: list[str]) -> pd.DataFrame:
    """Per state with events since the takeover: events, mean stance, refusals, moves, and the
    first move (the first event coded above 0), lowest mean stance first."""
    takeover = takeover_day(package["events"])
    rows = []
    for state in states:
        t = state_timeline(package, state)
        if t.empty:
            continue
        moves_ = t[t["stance"] > 0]
        first = moves_.iloc[0] if not moves_.empty else None
        rows.append(
            {
                "state": state,
                "name": country_name(state, package["countries"]),
                "events": len(t),
                "mean_stance": float(t["stance"].astype(float).mean()),
                "refusals": int((t["stance"] < 0).sum()),
                "moves": len(moves_),
                "first_move": first["date"] if first is not None else pd.NaT,
                "first_move_day": tl.date_text(first["date"], first["date_precision"]) if first is not None else "",
                "first_move_after": tl.elapsed_text(takeover, first["date"], first["date_precision"])
                if first is not None
                else "",
            }
        )
    columns = [
        "state",
        "name",
        "events",
        "mean_stance",
        "refusals",
        "moves",
        "first_move",
        "first_move_day",
        "first_move_after",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["mean_stance", "state"]).reset_index(drop=True)


def standing_table(standing_: pd.DataFrame, country: str) -> pd.DataFrame:
    """The comparison as a reader's table, the chapter's country marked."""
    return pd.DataFrame(
        {
            "State": [
                n + (" (this chapter)" if s == country else "")
                for s, n in zip(standing_["state"], standing_["name"], strict=True)
            ],
            "Events since the takeover": standing_["events"].astype(str),
            "Mean stance": [tl.signed(v, 2) for v in standing_["mean_stance"]],
            "Leaning to refusal": standing_["refusals"].astype(str),
            "Leaning to engagement": standing_["moves"].astype(str),
            "First step toward engagement": [d or "none recorded" for d in standing_["first_move_day"]],
        }
    )


def refusals(timeline: pd.DataFrame) -> pd.DataFrame:
    return timeline[timeline["stance"] < 0].reset_index(drop=True)


def moves(timeline: pd.DataFrame) -> pd.DataFrame:
    return timeline[timeline["stance"] > 0].reset_index(drop=True)


def _rank_words(position: int, total: int) -> str:
    """1 of 5 -> 'the lowest', 2 of 5 -> 'the second lowest', 5 of 5 -> 'the highest'."""
    if position == total:
        return "the highest"
    if position == 1:
        return "the lowest"
    return f"the {ordinal_word(position)} lowest"


# The flags of the sections that need the state's own events: all False when there are none.
REFUSAL_FLAGS = ("has_refusals", "has_refusal_disputes", "refusals_persist")
MOVE_FLAGS = ("has_moves", "has_move_disputes")
PEER_MOVE_FLAGS = ("has_peer_moves", "moved_after_peers")


def facts(package, country: str, peers: list[str]) -> dict:
    """What the refusal chapter states, ready for `publish.glue_values`; every flag is present.
    Each section of the page is one function returning its facts."""
    given = list(peers)
    peers = validate_peers(country, given)
    taken = takeover_day(package["events"])
    mine = state_timeline(package, country)
    table = standing(package, [country, *peers])
    out = {
        **_comparison(package, country, peers, table, taken),
        "country_in_peers": country in given,
        "has_events": not mine.empty,
        **_silent_peers(package, peers, table),
    }
    if mine.empty:
        return out | dict.fromkeys((*REFUSAL_FLAGS, *MOVE_FLAGS, *PEER_MOVE_FLAGS), False)
    shown = _dispute_groups(mine, package["events"], package["claims"])
    return (
        out
        | _standing(package, mine, peers, table, country)
        | _refusals(mine, shown["refusals"])
        | _moves(mine, taken, shown["moves"])
        | _peer_moves(table, country, mine)
        | _years(mine)
    )


def _comparison(package, country: str, peers: list[str], table: pd.DataFrame, taken) -> dict:
    """The state and the peers it is set against, the takeover's day and the stance scale."""
    names = [country_name(p, package["countries"]) for p in peers]
    return {
        "country_name": country_name(country, package["countries"]),
        "country_code": country,
        "peer_names": tl.join_words(names),
        "n_peers": len(peers),
        "takeover_day": tl.date_text(taken, "day"),
        "stance_definition": tl.stance_definition(package.descriptor),
        **tl.stance_bounds(package.descriptor),
        "has_peer_events": bool((table["state"] != country).any()),
    }


def _silent_peers(package, peers: list[str], table: pd.DataFrame) -> dict:
    """The peers the data hold no events for since the takeover, left out of the comparison."""
    silent = [country_name(p, package["countries"]) for p in peers if p not in set(table["state"])]
    if not silent:
        return {"peers_missing": False}
    return {"peers_missing": True, "silent_peers": tl.join_words(silent)}


def _standing(package, mine: pd.DataFrame, peers: list[str], table: pd.DataFrame, country: str) -> dict:
    """The state's mean stance and its rank among the states compared, and its peers' mean."""
    out = {
        "n_events": len(mine),
        "n_events_text": count(len(mine), "event"),
        "mean_stance": float(mine["stance"].astype(float).mean()),
        "n_compared": count_word(len(table)),
        "rank_words": _rank_words(int(table.index[table["state"] == country][0]) + 1, len(table)),
    }
    peer_rows = pd.concat([state_timeline(package, p) for p in peers], ignore_index=True)
    if not peer_rows.empty:
        out.update(
            peers_mean=float(peer_rows["stance"].astype(float).mean()),
            n_peer_events=len(peer_rows),
            n_peer_events_text=count(len(peer_rows), "event"),
        )
    return out


def _refusals(mine: pd.DataFrame, disputed: list[str]) -> dict:
    """The events leaning toward refusal: how many, their kinds, the first and the last, whether
    they persist into the last year the data cover, and whether sources dispute any."""
    refused = refusals(mine)
    if refused.empty:
        return dict.fromkeys(REFUSAL_FLAGS, False)
    first, last = refused.iloc[0], refused.iloc[-1]
    return {
        "has_refusals": True,
        "n_refusals": len(refused),
        "refusals_of_text": f"{len(refused):,} of the {count(len(mine), 'event')} ({len(refused) / len(mine):.0%}) "
        f"{verb('leans', len(refused))} toward refusal",
        "share_refusals": len(refused) / len(mine),
        "first_refusal_day": tl.date_text(first["date"], first["date_precision"]),
        "first_refusal_summary": first["summary"],
        "last_refusal_day": tl.date_text(last["date"], last["date_precision"]),
        "last_refusal_summary": last["summary"],
        "refusal_kinds": tl.commonest_kinds(refused),
        # Still refusing in the last year the data cover for the state?
        "refusals_persist": bool(last["date"].year == mine["date"].max().year),
        "has_refusal_disputes": bool(disputed),
    }


def _moves(mine: pd.DataFrame, taken, disputed: list[str]) -> dict:
    """The events leaning toward engagement: how many, their kinds, the first (and how long after
    the takeover) and the last, and whether sources dispute any not shown with the refusals."""
    moved = moves(mine)
    if moved.empty:
        return dict.fromkeys(MOVE_FLAGS, False)
    first, last = moved.iloc[0], moved.iloc[-1]
    return {
        "has_moves": True,
        "n_moves": len(moved),
        "n_moves_text": f"{count(len(moved), 'event')} {verb('leans', len(moved))}",
        "moves_of_text": f"{len(moved):,} of its events {verb('leans', len(moved))}",
        "first_move_day": tl.date_text(first["date"], first["date_precision"]),
        "first_move_after": tl.elapsed_text(taken, first["date"], first["date_precision"]),
        "first_move_summary": first["summary"],
        "last_move_day": tl.date_text(last["date"], last["date_precision"]),
        "last_move_summary": last["summary"],
        "move_kinds": tl.commonest_kinds(moved),
        "has_move_disputes": bool(disputed),
    }


def _peer_moves(table: pd.DataFrame, country: str, mine: pd.DataFrame) -> dict:
    """The peer that moved toward engagement first, and whether the state moved after them all."""
    peer_firsts = table[(table["state"] != country) & table["first_move"].notna()].sort_values("first_move")
    if peer_firsts.empty:
        return dict.fromkeys(PEER_MOVE_FLAGS, False)
    lead, moved = peer_firsts.iloc[0], moves(mine)
    return {
        "has_peer_moves": True,
        "first_peer_name": lead["name"],
        "first_peer_move_day": lead["first_move_day"],
        "first_peer_move_after": lead["first_move_after"],
        "moved_after_peers": bool(not moved.empty and moved["date"].iloc[0] > peer_firsts["first_move"].max()),
    }


def _years(mine: pd.DataFrame) -> dict:
    """The state's mean stance in each year (`stance_<year>`)."""
    return {f"stance_{int(y['year'])}": float(y["mean_stance"]) for _, y in tl.by_year(mine).iterrows()}


def dispute_groups(package, country: str) -> dict[str, list[str]]:
    """Disputes the chapter shows: those touching its refusals, then the others touching its
    moves toward engagement."""
    return _dispute_groups(state_timeline(package, country), package["events"], package["claims"])


def _dispute_groups(mine: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame) -> dict[str, list[str]]:
    refused = tl.dispute_ids(refusals(mine), events, claims)
    moved = [d for d in tl.dispute_ids(moves(mine), events, claims) if d not in refused]
    return {"refusals": refused, "moves": moved}


def chapter_rows(package, country: str) -> pd.DataFrame:
    """Every row of events.csv behind the chapter's account of `country` (all accounts)."""
    return tl.all_accounts(state_timeline(package, country), package["events"])
