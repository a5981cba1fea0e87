"""How one state's stance toward the Taliban moved: what the policy chapter says, computed.

Reads the events of one state as a timeline (`timeline.one_per_event`), finds the first event
of each kind that marks a turn after the takeover (contact, visit, accreditation, removal
from the banned list), and the stance year by year. Functions take the loaded package (or
its tables) and return small DataFrames or a dict of facts for the page.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from . import timeline as tl
from .events import takeover as takeover_day

# The turns the chapter dates, in the order a relationship usually takes them. Each is a test
# on a timeline's rows. A "contact" is a meeting or visit coded as a step toward engagement:
# meetings coded 0 are calls with third parties about Afghanistan (Washington, Moscow).
Test = Callable[[pd.DataFrame], pd.Series]
TURNS: dict[str, tuple[str, Test]] = {
    "contact": (
        "first contact with the Taliban side",
        lambda t: t["event_type"].isin(["meeting", "visit"]) & (t["stance"] > 0),
    ),
    "visit": ("first visit", lambda t: t["event_type"] == "visit"),
    "accreditation": ("first accreditation of Taliban envoys", lambda t: t["event_type"] == "accreditation"),
    "delisting": ("removal of the Taliban from the banned list", lambda t: t["event_type"] == "delisting"),
}


# Why a disputed turn carries the date it does, in the chapter's words.
BASIS_WORDS = {
    "preferred": "the account the book prefers (named in data/disputes.csv)",
    "best sourced": "the earliest of the best-sourced accounts, because the book takes no side in this dispute",
    "only account": "the only account",
}


def country_timeline(package, country: str) -> pd.DataFrame:
    """Every event of `country`, one row per event (disputed accounts folded; see timeline)."""
    return tl.one_per_event(tl.for_country(package["events"], country), package["disputes"])


def firsts(timeline: pd.DataFrame, takeover) -> pd.DataFrame:
    """The first event of each turn on or after the takeover, oldest first.

    Columns: turn, what, event_id, date, date_precision, day (date as text), elapsed (from the
    takeover, in words), stance, summary, source_id, other_dates, dates_disputed, accounts.
    Turns the data do not record are absent.
    """
    after = tl.since(timeline, takeover)
    rows = []
    for turn, (what, test) in TURNS.items():
        hits = after[test(after).fillna(False).astype(bool)]
        if hits.empty:
            continue
        first = hits.sort_values(["date", "event_id"]).iloc[0]
        rows.append(
            {
                "turn": turn,
                "what": what,
                "event_id": first["event_id"],
                "date": first["date"],
                "date_precision": first["date_precision"],
                "day": tl.date_text(first["date"], first["date_precision"]),
                "elapsed": tl.elapsed_text(takeover, first["date"], first["date_precision"]),
                "stance": int(first["stance"]),
                "summary": first["summary"],
                "source_id": first["source_id"],
                "other_dates": first["other_dates"],
                "dates_disputed": first["dates_disputed"],
                "accounts": first["accounts"],
                "basis": first["basis"],
            }
        )
    columns = ["turn", "what", "event_id", "date", "date_precision", "day", "elapsed", "stance", "summary",
               "source_id", "other_dates", "dates_disputed", "accounts", "basis"]
    return pd.DataFrame(rows, columns=columns).sort_values("date", kind="stable").reset_index(drop=True)


def firsts_table(firsts_: pd.DataFrame) -> pd.DataFrame:
    """The turns as a reader's table."""
    return pd.DataFrame(
        {
            "Turn": [w[:1].upper() + w[1:] for w in firsts_["what"]],
            "Date": [
                day + (" (other sources: " + "; ".join(other) + ")" if other else "")
                for day, other in zip(firsts_["day"], firsts_["other_dates"])
            ],
            "When": list(firsts_["elapsed"]),
            "What happened": firsts_["summary"],
        }
    )


def _direction(first: float, last: float) -> str:
    if round(last, 1) > round(first, 1):
        return "rose"
    if round(last, 1) < round(first, 1):
        return "fell"
    return "stayed level"


def facts(package, country: str) -> dict:
    """What the policy chapter states about `country`, ready for `publish.glue_values`.

    Every flag the page tests is present, True or False; the values a flag guards are present
    only when it is True.
    """
    from .places import country_name

    events = package["events"]
    taken = takeover_day(events)
    whole = country_timeline(package, country)
    after = tl.since(whole, taken).reset_index(drop=True)
    earlier = tl.before(whole, taken)
    out: dict = {
        "country_name": country_name(country, package["countries"]),
        "takeover_day": tl.date_text(taken, "day"),
        "stance_definition": tl.stance_definition(package.descriptor),
        **tl.stance_bounds(package.descriptor),
        "has_events": not after.empty,
        "has_listing": False,
        "has_year_change": False,
        "has_delisting_disputes": False,
        "delisting_disputed": False,
        "has_other_disputes": False,
        "has_turns": False,
        "has_trade": False,
        "has_opening_neutral": False,
        "country_code": country,
    }
    for turn in TURNS:
        out[f"has_{turn}"] = False
    # A listing coded as refusal is a listing of the Taliban; other listings (a domestic party
    # banned as extremist) are coded 0 and are not this chapter's background.
    listings = earlier[(earlier["event_type"] == "listing") & (earlier["stance"] < 0)]
    if not listings.empty:
        first = listings.iloc[0]
        out.update(has_listing=True, listing_day=tl.date_text(first["date"], first["date_precision"]),
                   listing_summary=first["summary"])
    if after.empty:
        return out

    accounts = tl.all_accounts(after, events)
    out.update(
        n_events=len(after),
        n_accounts=len(accounts),
        n_sources=accounts["source_id"].nunique(),
        first_day=tl.date_text(after["date"].iloc[0], after["date_precision"].iloc[0]),
        last_day=tl.date_text(after["date"].iloc[-1], after["date_precision"].iloc[-1]),
        n_engaging=int((after["stance"] > 0).sum()),
        n_neutral=int((after["stance"] == 0).sum()),
        n_refusing=int((after["stance"] < 0).sum()),
        mean_stance=float(after["stance"].astype(float).mean()),
    )
    out["share_engaging"] = out["n_engaging"] / out["n_events"]

    turns = firsts(whole, taken)
    for _, row in turns.iterrows():
        t = row["turn"]
        out.update({
            f"has_{t}": True,
            f"{t}_day": row["day"],
            f"{t}_date": f"{row['date']:%Y-%m-%d}",
            f"{t}_after": row["elapsed"],
            f"{t}_summary": row["summary"],
        })
    if not turns.empty:
        out["has_turns"] = True
        out["turns_in_order"] = tl.join_words(
            f"{what} ({tl.date_text(d, 'month' if p != 'year' else 'year')})"
            for what, d, p in zip(turns["what"], turns["date"], turns["date_precision"])
        )

    groups = dispute_groups(package, country)
    out["has_delisting_disputes"] = bool(groups["delisting"])
    out["has_other_disputes"] = bool(groups["other"])
    if out["has_delisting"]:
        row = turns[turns["turn"] == "delisting"].iloc[0]
        if row["dates_disputed"]:
            dates = [row["day"], *row["other_dates"]]
            out.update(delisting_disputed=True, delisting_n_dates=len(dates), delisting_dates=tl.join_words(dates),
                       delisting_basis=BASIS_WORDS[row["basis"]])

    trade = after[after["thread"] == "trade"]
    out["has_trade"] = not trade.empty
    if not trade.empty:
        first = trade.iloc[0]
        out.update(n_trade=len(trade), first_trade_day=tl.date_text(first["date"], first["date_precision"]),
                   first_trade_summary=first["summary"])

    years = tl.by_year(after)
    for _, y in years.iterrows():
        out[f"stance_{int(y['year'])}"] = float(y["mean_stance"])
    first, last = years.iloc[0], years.iloc[-1]
    opening = after[(after["date"].dt.year == first["year"]) & (after["stance"] == 0)]
    # One neutral event makes no pattern worth a sentence ("most of them" needs several).
    out["has_opening_neutral"] = len(opening) >= 2
    if out["has_opening_neutral"]:
        out.update(opening_neutral=len(opening), opening_kinds=tl.commonest_kinds(opening))
    out.update(first_year=int(first["year"]), first_year_mean=float(first["mean_stance"]),
               first_year_events=int(first["events"]), last_year=int(last["year"]),
               last_year_mean=float(last["mean_stance"]), last_year_events=int(last["events"]))
    if len(years) > 1:
        out["has_year_change"] = True
        out["direction"] = _direction(out["first_year_mean"], out["last_year_mean"])
    return out


def dispute_groups(package, country: str) -> dict[str, list[str]]:
    """Disputes the chapter shows, by where it shows them: `delisting` (the date and manner of
    the removal from the banned list, beside that turn) and `other` (the rest touching the
    events since the takeover)."""
    events, claims = package["events"], package["claims"]
    taken = takeover_day(events)
    whole = country_timeline(package, country)
    after = tl.since(whole, taken)
    turns = firsts(whole, taken)
    delisting: list[str] = []
    hit = turns[turns["turn"] == "delisting"]
    if not hit.empty:
        delisting = tl.dispute_ids(after[after["event_id"] == hit["event_id"].iloc[0]], events, claims)
    other = [d for d in tl.dispute_ids(after, events, claims) if d not in delisting]
    return {"delisting": delisting, "other": other}


def chart_rows(timeline: pd.DataFrame, takeover) -> pd.DataFrame:
    """The events a timeline chart plots: from 1 January of the takeover year on, so that the
    run-up to the takeover shows beside what followed."""
    start = pd.Timestamp(takeover).replace(month=1, day=1)
    return tl.since(timeline, start).reset_index(drop=True)


def _short_date(date, precision: str) -> str:
    date = pd.Timestamp(date)
    return {"day": f"{date.day} {date:%b %Y}", "month": f"{date:%b %Y}"}.get(precision, f"{date:%Y}")


def chart_marks(firsts_: pd.DataFrame) -> pd.DataFrame:
    """Labels for the turns on the chart: date, stance, text (short, with the date). Turns that
    fall on one event (a first contact that was also the first visit) share one label."""
    short = {
        "contact": "first contact",
        "visit": "first visit",
        "accreditation": "envoys accredited",
        "delisting": "off the banned list",
    }
    rows = []
    for event_id, group in firsts_.groupby("event_id", sort=False):
        first = group.iloc[0]
        what = " and ".join(short[t] for t in group["turn"])
        text = f"{what[:1].upper() + what[1:]}\n{_short_date(first['date'], first['date_precision'])}"
        if first["dates_disputed"]:
            text += "\n(date disputed)"
        rows.append({"date": first["date"], "stance": first["stance"], "text": text})
    return pd.DataFrame(rows, columns=["date", "stance", "text"])


def chart_ranges(rows: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Events on the chart whose date the sources dispute: text, stance, dates (every date an
    account gives) and labels (those dates as text)."""
    out = []
    for _, row in rows[rows["dates_disputed"]].iterrows():
        accounts = events[events["event_id"].isin(row["accounts"])].sort_values("date")
        labels = list(dict.fromkeys(tl.date_text(d, p) for d, p in zip(accounts["date"], accounts["date_precision"])))
        kind = tl.KIND_WORDS.get(row["event_type"], row["event_type"])
        out.append({
            "text": f"{kind[:1].upper() + kind[1:]} of {tl.date_text(row['date'], row['date_precision'])}: "
                    f"{len(labels)} dates given",
            "stance": int(row["stance"]),
            "dates": list(dict.fromkeys(accounts["date"])),
            "labels": labels,
        })
    return pd.DataFrame(out, columns=["text", "stance", "dates", "labels"])
