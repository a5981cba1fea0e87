"""How one state's stance toward the Taliban moved: what the policy chapter says, computed.

Reads the events of one state as a timeline (`timeline.one_per_event`), finds the first event
of each kind that marks a turn after the takeover (contact, visit, accreditation, removal
from the banned list), and the stance year by year. Functions take the loaded package (or
its tables) and return small DataFrames or a dict of facts for the page.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain import timeline as tl
from amudarya.domain.events import takeover_of
from amudarya.domain.places import country_name
from amudarya.domain.words import verb

# Why a disputed turn carries the date it does, in the chapter's words.
BASIS_WORDS = {
    "preferred": "the account the book prefers (the page of disputes says which and why)",
    "best sourced": "the earliest of the best-sourced accounts, because the book takes no side in this dispute",
    "only account": "the only account",
}


def country_timeline(package, country: str) -> pd.DataFrame:
    """Every event of `country`, one row per event (disputed accounts folded; see timeline)."""
    return tl.one_per_event(country_events(package, country), package["disputes"])


def country_events(package, country: str) -> pd.DataFrame:
    """Every account of an event of `country`: all the chapter reads of events.csv, and all it
    records as read, so an event of another state leaves the chapter cached."""
    return package.select("events", "country", [country])


def firsts(timeline: pd.DataFrame, takeover) -> pd.DataFrame:
    """The first event of each of the policy turns (`timeline.POLICY_TURNS`) since the
    takeover, oldest first.

    Columns: turn, what, event_id, date, date_precision, date_of, day (date as text), when
    (the date with its preposition, and "announced" or "reported" where the date is of a
    statement or a report), elapsed (from the takeover, in words), stance, summary, source_id,
    other_dates, dates_disputed, accounts, basis. Turns the data do not record are absent.
    """
    columns = [
        "turn",
        "what",
        "event_id",
        "date",
        "date_precision",
        "date_of",
        "day",
        "when",
        "elapsed",
        "stance",
        "summary",
        "source_id",
        "other_dates",
        "dates_disputed",
        "accounts",
        "basis",
    ]
    found = tl.first_turns(timeline, takeover, tl.POLICY_TURNS)
    rows = []
    for _, first in found.iterrows():
        date_of = first.get("date_of", "occurred")
        date_of = "occurred" if pd.isna(date_of) else str(date_of)
        rows.append(
            {
                "turn": first["turn"],
                "what": tl.TURN[first["turn"]].what,
                "event_id": first["event_id"],
                "date": first["date"],
                "date_precision": first["date_precision"],
                "date_of": date_of,
                "day": tl.date_text(first["date"], first["date_precision"]),
                "when": tl.when(first["date"], first["date_precision"], date_of),
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
    return pd.DataFrame(rows, columns=columns).sort_values("date", kind="stable").reset_index(drop=True)


def firsts_table(firsts_: pd.DataFrame) -> pd.DataFrame:
    """The turns as a reader's table."""
    return pd.DataFrame(
        {
            "Turn": [w[:1].upper() + w[1:] for w in firsts_["what"]],
            "Date": [
                tl.date_cell(d, p, of) + (" (other sources: " + "; ".join(other) + ")" if other else "")
                for d, p, of, other in zip(
                    firsts_["date"], firsts_["date_precision"], firsts_["date_of"], firsts_["other_dates"], strict=True
                )
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


# The flags of the sections that need events since the takeover: all False when there are none.
TURN_FLAGS = ("has_turns", *(f"has_{turn}" for turn in tl.POLICY_TURNS))
DISPUTE_FLAGS = ("delisting_disputed", "has_delisting_disputes", "has_other_disputes")
YEAR_FLAGS = ("has_year_change", "has_opening_neutral")
EVENT_FLAGS = (*TURN_FLAGS, *DISPUTE_FLAGS, "has_trade", *YEAR_FLAGS)


def facts(package, country: str) -> dict:
    """What the policy chapter states about `country`, ready for `publish.glue_values`.

    Every flag the page tests is present, True or False; the values a flag guards are present
    only when it is True. Each section of the page is one function returning its facts.
    """
    taken = takeover_of(package)
    whole = country_timeline(package, country)
    after = tl.since(whole, taken).reset_index(drop=True)
    out = {
        **_chapter(package, country, taken),
        **_around(whole, taken),
        **_listing(tl.before(whole, taken)),
        "has_events": not after.empty,
    }
    if after.empty:
        return out | dict.fromkeys(EVENT_FLAGS, False)
    turns = firsts(whole, taken)
    return (
        out
        | _events(after, country_events(package, country))
        | _turns(turns, out["country_name"])
        | _disputes(package, country, turns)
        | _trade(after)
        | _years(after)
    )


def _chapter(package, country: str, taken) -> dict:
    """The state, the takeover's day and the stance scale, which every version of the page names."""
    return {
        "country_name": country_name(country, package["countries"]),
        "takeover_day": tl.date_text(taken, "day"),
        "stance_definition": tl.stance_definition(package.descriptor),
        **tl.stance_bounds(package.descriptor),
        "country_code": country,
    }


def _around(whole: pd.DataFrame, taken) -> dict:
    """Events dated only to the month of the takeover, which the book does not count as since it."""
    around = tl.around(whole, taken)
    if around.empty:
        return {"has_around": False}
    return {
        "has_around": True,
        "around_sentence": f"{tl.count(len(around), 'more event')} {verb('is', len(around))} dated only to "
        f"{tl.date_text(taken, 'month')}, the month of the takeover, without a day.",
    }


def _listing(earlier: pd.DataFrame) -> dict:
    """The state's listing of the Taliban as banned, before the takeover, if the data record one."""
    # A listing coded as refusal is a listing of the Taliban; other listings (a domestic party
    # banned as extremist) are coded 0 and are not this chapter's background.
    listings = earlier[(earlier["event_type"] == "listing") & (earlier["stance"] < 0)]
    if listings.empty:
        return {"has_listing": False}
    first = listings.iloc[0]
    return {
        "has_listing": True,
        "listing_day": tl.date_text(first["date"], first["date_precision"]),
        "listing_summary": first["summary"],
    }


def _events(after: pd.DataFrame, events: pd.DataFrame) -> dict:
    """How many events since the takeover, told by how many accounts and sources, and their stance."""
    accounts = tl.all_accounts(after, events)
    engaging, neutral, refusing = (
        int((after["stance"] > 0).sum()),
        int((after["stance"] == 0).sum()),
        int((after["stance"] < 0).sum()),
    )
    return {
        "n_events": len(after),
        "n_accounts": len(accounts),
        "n_sources": accounts["source_id"].nunique(),
        "first_day": tl.date_text(after["date"].iloc[0], after["date_precision"].iloc[0]),
        "last_day": tl.date_text(after["date"].iloc[-1], after["date_precision"].iloc[-1]),
        "n_engaging": engaging,
        "n_neutral": neutral,
        "n_refusing": refusing,
        "mean_stance": float(after["stance"].astype(float).mean()),
        "stance_split": stance_split(engaging, neutral, refusing),
        "share_engaging": engaging / len(after),
        "n_events_text": tl.count(len(after), "event"),
    }


def _turns(turns: pd.DataFrame, country_name: str) -> dict:
    """Each turn the data record (its day, time since the takeover, summary and sentence), and
    the turns in order."""
    found = set(turns["turn"])
    out: dict = {f"has_{turn}": turn in found for turn in tl.POLICY_TURNS}
    for _, row in turns.iterrows():
        t = row["turn"]
        out.update(
            {
                f"has_{t}": True,
                f"{t}_day": row["day"],
                f"{t}_date": f"{row['date']:%Y-%m-%d}",
                f"{t}_after": row["elapsed"],
                f"{t}_summary": row["summary"],
                f"{t}_when": row["when"],
                f"{t}_date_of": row["date_of"],
            }
        )
    out.update({f"{t}_sentence": text for t, text in turn_sentences(turns, country_name).items()})
    out["has_turns"] = not turns.empty
    if not turns.empty:
        out["turns_in_order"] = tl.join_words(
            f"{what} ({tl.date_text(d, 'month' if p != 'year' else 'year')})"
            for what, d, p in zip(turns["what"], turns["date"], turns["date_precision"], strict=True)
        )
    return out


def _disputes(package, country: str, turns: pd.DataFrame) -> dict:
    """Whether the sources dispute the removal from the banned list (and its dates) or other events."""
    groups = dispute_groups(package, country)
    hit = turns[turns["turn"] == "delisting"]
    row = None if hit.empty else hit.iloc[0]
    out = {
        "has_delisting_disputes": bool(groups["delisting"]),
        "has_other_disputes": bool(groups["other"]),
        "delisting_disputed": bool(row is not None and row["dates_disputed"]),
    }
    if out["delisting_disputed"]:
        dates = [row["day"], *row["other_dates"]]
        out.update(
            delisting_n_dates=len(dates),
            delisting_dates=tl.join_words(dates),
            delisting_basis=BASIS_WORDS[row["basis"]],
        )
    return out


def _trade(after: pd.DataFrame) -> dict:
    """The events of the trade thread, and the first of them."""
    trade = after[after["thread"] == "trade"]
    if trade.empty:
        return {"has_trade": False}
    first = trade.iloc[0]
    return {
        "has_trade": True,
        "n_trade": len(trade),
        "n_trade_text": f"{len(trade):,} of the events {verb('belongs', len(trade))}",
        "first_trade_day": tl.date_text(first["date"], first["date_precision"]),
        "first_trade_summary": first["summary"],
    }


def _years(after: pd.DataFrame) -> dict:
    """The mean stance year by year, the first and last years, and the direction between them."""
    years = tl.by_year(after)
    out: dict = {f"stance_{int(y['year'])}": float(y["mean_stance"]) for _, y in years.iterrows()}
    first, last = years.iloc[0], years.iloc[-1]
    opening = after[(after["date"].dt.year == first["year"]) & (after["stance"] == 0)]
    # One neutral event makes no pattern worth a sentence ("most of them" needs several).
    out["has_opening_neutral"] = len(opening) >= 2
    if out["has_opening_neutral"]:
        out.update(opening_neutral=len(opening), opening_kinds=tl.commonest_kinds(opening))
    out.update(
        first_year=int(first["year"]),
        first_year_mean=float(first["mean_stance"]),
        first_year_events=int(first["events"]),
        last_year=int(last["year"]),
        last_year_mean=float(last["mean_stance"]),
        last_year_events=int(last["events"]),
        first_year_events_text=tl.count(int(first["events"]), "event"),
        last_year_events_text=tl.count(int(last["events"]), "event"),
    )
    out["has_year_change"] = len(years) > 1
    if out["has_year_change"]:
        out["direction"] = _direction(out["first_year_mean"], out["last_year_mean"])
    return out


def stance_split(engaging: int, neutral: int, refusing: int) -> str:
    """'22 events lean toward engagement, 1 is neutral and 7 lean toward refusal'."""
    return tl.join(
        [
            f"{tl.count(engaging, 'event')} {verb('leans', engaging)} toward engagement",
            f"{neutral:,} {verb('is', neutral)} neutral",
            f"{refusing:,} {verb('leans', refusing)} toward refusal",
        ]
    )


# What the prose adds when a turn's date is the date of a statement or of a report.
_DATE_OF_CAVEAT = {
    "announced": "the date is that of the announcement, not necessarily of the step itself",
    "reported": "the date is that of a report, not of the step itself",
}


def turn_sentences(turns: pd.DataFrame, country_name: str) -> dict[str, str]:
    """One sentence per turn, no stronger than its source: a date that is the date of an
    announcement reads "was announced on", and a visit that was also the first contact is not
    said to have "followed" it."""
    out = {}
    by_turn = {row["turn"]: row for _, row in turns.iterrows()}
    for turn, row in by_turn.items():
        of = row["date_of"]
        if of in _DATE_OF_CAVEAT:
            subject = {
                "contact": "The first contact with the Taliban side",
                "visit": "The first visit the data record",
                "accreditation": "The first accreditation of envoys appointed by the Taliban",
                "delisting": f"{country_name}'s removal of the Taliban from its list of banned organisations",
            }[turn]
            text = f"{subject} was {row['when']}, {row['elapsed']}; {_DATE_OF_CAVEAT[of]}."
        elif turn == "visit" and "contact" in by_turn and by_turn["contact"]["event_id"] == row["event_id"]:
            text = "That first contact was also the first visit the data record."
        else:
            text = {
                "contact": f"The first contact with the Taliban side came {row['when']}, {row['elapsed']}.",
                "visit": f"The first visit the data record came {row['when']}, {row['elapsed']}.",
                "accreditation": f"Envoys appointed by the Taliban were first accepted {row['when']}, {row['elapsed']}.",
                "delisting": f"{country_name} took the Taliban off its list of banned organisations {row['when']}, "
                f"{row['elapsed']}.",
            }[turn]
        out[turn] = text
    return out


def dispute_groups(package, country: str) -> dict[str, list[str]]:
    """Disputes the chapter shows, by where it shows them: `delisting` (the date and manner of
    the removal from the banned list, beside that turn) and `other` (the rest touching the
    events since the takeover)."""
    events, claims = country_events(package, country), package["claims"]
    taken = takeover_of(package)
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


def chart_marks(firsts_: pd.DataFrame) -> pd.DataFrame:
    """Labels for the turns on the chart: date, stance, text (short, with the date). Turns that
    fall on one event (a first contact that was also the first visit) share one label."""
    rows = []
    for _event_id, group in firsts_.groupby("event_id", sort=False):
        first = group.iloc[0]
        what = " and ".join(tl.TURN[t].short for t in group["turn"])
        text = f"{what[:1].upper() + what[1:]}\n{tl.date_cell(first['date'], first['date_precision'], first['date_of'], short=True)}"
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
        labels = list(
            dict.fromkeys(tl.date_text(d, p) for d, p in zip(accounts["date"], accounts["date_precision"], strict=True))
        )
        kind = tl.KIND_WORDS.get(row["event_type"], row["event_type"])
        out.append(
            {
                "text": f"{kind[:1].upper() + kind[1:]} of {tl.date_text(row['date'], row['date_precision'])}: "
                f"{len(labels)} dates given",
                "stance": int(row["stance"]),
                "dates": list(dict.fromkeys(accounts["date"])),
                "labels": labels,
            }
        )
    return pd.DataFrame(out, columns=["text", "stance", "dates", "labels"])
