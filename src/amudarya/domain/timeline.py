"""One state's events read as a timeline: one row per event, dates in words, stance in words.

Several rows of `events` can be one event as different sources tell it: they carry the same
`dispute_id` and event ids that differ only in a last letter (`...-delisting-a`, `...-b`).
A timeline counts such an event once, through one account:

- the dispute's `preferred_id` when it names one of the accounts;
- otherwise the best-sourced account (high before medium before low confidence), and among
  equally good ones the earliest: the first date on which, by a good source, it had happened.

The other accounts stay attached to that row (`accounts`, `other_dates`), so that a page can
show every date the sources give. Rows that share a dispute but have different stems
(two different events that sources count differently) stay separate events.

Stance is the project's coding of each event (see `data/datapackage.json`, field `stance`),
from -2 (strong refusal) to +2 (strong engagement); it is not a measurement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from amudarya.domain.words import CONFIDENCE_RANK, count, date_phrase, date_text, indefinite, join, signed  # noqa: F401 (re-exported)

# Words for each stance score, for axes and tables. The ends and the middle are the data
# package's own words; the two steps between are the book's.
STANCE_WORDS = {
    2: "strong engagement",
    1: "leans to engagement",
    0: "neutral",
    -1: "leans to refusal",
    -2: "strong refusal",
}

# event_type codes in words a reader understands without the data dictionary.
KIND_WORDS = {
    "statement": "statement",
    "meeting": "meeting or call",
    "visit": "visit",
    "conference": "conference",
    "summit": "summit",
    "agreement": "agreement",
    "accreditation": "accreditation of envoys",
    "listing": "listed as a terrorist group",
    "delisting": "removed from the banned list",
    "evacuation": "evacuation",
    "resettlement": "resettlement",
    "aid": "aid",
    "military": "military step",
    "border": "border",
    "energy": "energy",
    "rail": "railway",
    "deportation": "deportation",
    "symbolic": "symbolic act",
}

# The same, for "most of them ...": several events of one kind.
KIND_PLURALS = {
    "statement": "statements",
    "meeting": "meetings or calls",
    "visit": "visits",
    "conference": "conferences",
    "summit": "summits",
    "agreement": "agreements",
    "accreditation": "accreditations of envoys",
    "listing": "listings as a terrorist group",
    "delisting": "removals from the banned list",
    "evacuation": "evacuations",
    "resettlement": "resettlements",
    "aid": "aid deliveries",
    "military": "military steps",
    "border": "border measures",
    "energy": "energy deals",
    "rail": "railway projects",
    "deportation": "deportations",
    "symbolic": "symbolic acts",
}

_ACCOUNT_SUFFIX = re.compile(r"-[a-z]$")


def stance_definition(descriptor: dict) -> str:
    """The data package's own description of the stance field."""
    for res in descriptor["resources"]:
        if res["name"] == "events":
            for field in res["schema"]["fields"]:
                if field["name"] == "stance":
                    return field["description"]
    raise KeyError("data/datapackage.json describes no field 'stance' in events")


def stance_scale(descriptor: dict) -> tuple[int, int]:
    """The lowest and highest stance the data package allows (its schema's constraints)."""
    events = next(r for r in descriptor["resources"] if r["name"] == "events")
    field = next(f for f in events["schema"]["fields"] if f["name"] == "stance")
    return field["constraints"]["minimum"], field["constraints"]["maximum"]


def stance_bounds(descriptor: dict) -> dict:
    """The scale's ends as the prose writes them ('−2', '+2'), so a changed schema changes the text."""
    low, high = stance_scale(descriptor)
    return {"stance_low": f"{low:+d}".replace("-", "−"), "stance_high": f"{high:+d}".replace("-", "−")}


def thread_names(descriptor: dict) -> list[str]:
    """The threads an event can belong to, in the data package's order."""
    for res in descriptor["resources"]:
        if res["name"] == "events":
            for field in res["schema"]["fields"]:
                if field["name"] == "thread":
                    return list(field["constraints"]["enum"])
    raise KeyError("data/datapackage.json gives no list of threads for events")


def period_end(date, precision: str) -> pd.Timestamp:
    """The last day the dated period covers (the day itself, its month or its year)."""
    date = pd.Timestamp(date)
    if precision == "year":
        return date + pd.offsets.YearEnd(0)
    if precision == "month":
        return date + pd.offsets.MonthEnd(0)
    return date


join_words = join


def elapsed_text(start, date, precision: str, what: str = "the takeover") -> str:
    """How long after `start` (called `what`) an event came, as precisely as its date allows:
    '3 days after the takeover', 'in the month of the takeover', 'about 13 months after the takeover'."""
    start, date = pd.Timestamp(start), pd.Timestamp(date)
    if precision == "day":
        days = (date - start).days
        if days == 0:
            return f"on the day of {what}"
        if 0 < days < 45:
            return f"{count(days, 'day')} after {what}"
        if -45 < days < 0:
            return f"{count(-days, 'day')} before {what}"
    if precision == "year":
        years = date.year - start.year
        if years == 0:
            return f"in the year of {what}"
        return f"about {count(abs(years), 'year')} {'after' if years > 0 else 'before'} {what}"
    months = (date.year - start.year) * 12 + (date.month - start.month)
    if months == 0:
        return f"in the month of {what}"
    return f"about {count(abs(months), 'month')} {'after' if months > 0 else 'before'} {what}"


def event_key(events: pd.DataFrame) -> pd.Series:
    """Which event each row is an account of: its own id, or for an account in a dispute the
    dispute and the id without its last letter."""
    stem = events["event_id"].str.replace(_ACCOUNT_SUFFIX, "", regex=True)
    return events["event_id"].where(events["dispute_id"].isna(), events["dispute_id"] + "/" + stem)


def one_per_event(events: pd.DataFrame, disputes: pd.DataFrame) -> pd.DataFrame:
    """One row per event (the account the book's figures use; see the module docstring),
    oldest first, with four more columns:

    - `accounts`: the event ids of every account of this event, this one first;
    - `other_dates`: dates as text that other accounts give and this one does not;
    - `dates_disputed`: True when the accounts give more than one date;
    - `basis`: why this account stands for the event: "only account", "preferred" (the
      dispute names it) or "best sourced" (the dispute names none; see the module docstring).
    """
    columns = list(events.columns) + ["accounts", "other_dates", "dates_disputed", "basis"]
    if events.empty:
        return pd.DataFrame(columns=columns).astype(events.dtypes.to_dict())
    frame = events.copy()
    frame["_key"] = event_key(frame)
    preferred = set(disputes["preferred_id"].dropna())
    frame["_rank"] = [
        (0 if eid in preferred else 1, CONFIDENCE_RANK.get(conf, 3))
        for eid, conf in zip(frame["event_id"], frame["confidence"], strict=True)
    ]
    frame["_text"] = [date_text(d, p) for d, p in zip(frame["date"], frame["date_precision"], strict=True)]
    frame = frame.sort_values(["_key", "_rank", "date", "event_id"])
    # Built per column, not row by row: every chapter reads its events through here, and
    # setting four new labels on each row's Series cost the overview's run about 2 s.
    grouped = frame.groupby("_key", sort=False)
    texts = grouped["_text"].agg(list)
    out = frame.drop_duplicates("_key").set_index("_key", drop=False)
    out["accounts"] = grouped["event_id"].agg(list)
    out["other_dates"] = [list(dict.fromkeys(t for t in ts[1:] if t != ts[0])) for ts in texts.loc[out.index]]
    out["dates_disputed"] = out["other_dates"].map(bool)
    out["basis"] = [
        "only account" if len(ids) == 1 else "preferred" if eid in preferred else "best sourced"
        for ids, eid in zip(out["accounts"], out["event_id"], strict=True)
    ]
    out = out.drop(columns=["_key", "_rank", "_text"]).astype({c: events[c].dtype for c in events.columns})
    return out.sort_values(["date", "event_id"]).reset_index(drop=True)


def for_country(events: pd.DataFrame, country: str) -> pd.DataFrame:
    return events[events["country"] == country]


def _period_ends(events: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [period_end(d, p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
        index=events.index,
        dtype="datetime64[us]",
    )


def since(events: pd.DataFrame, day) -> pd.DataFrame:
    """Events that certainly fall on or after `day`: the whole of an event's dated period
    (its day, month or year) must start on or after it. This is the book's one rule for
    "since the takeover" (data/README.md, *Which events count as "since the takeover"*): an
    event dated only "August 2021" may precede 15 August 2021 and is not counted."""
    return events[events["date"] >= pd.Timestamp(day)]


def since_takeover(events: pd.DataFrame, takeover) -> pd.DataFrame:
    """`since` the takeover day, the rule every page counts by."""
    return since(events, takeover)


def around(events: pd.DataFrame, day) -> pd.DataFrame:
    """Events whose dated period contains `day` but starts before it (an event dated only to
    the month of the takeover): neither before nor since it."""
    return events[(events["date"] < pd.Timestamp(day)) & (_period_ends(events) >= pd.Timestamp(day))]


def before(events: pd.DataFrame, day) -> pd.DataFrame:
    """Events whose whole dated period lies before `day`."""
    return events[_period_ends(events) < pd.Timestamp(day)]


# ---------------------------------------------------------------------------
# The turns: the milestones every page dates, defined once.


@dataclass(frozen=True)
class Turn:
    key: str
    label: str  # the overview's row label
    what: str  # the policy chapter's words: "first contact with the Taliban side"
    short: str  # a chart label: "first contact"
    rule: str  # how the data show it, for the reader
    select: Callable[[pd.DataFrame], pd.Series]


# A "contact" is a meeting or visit coded as a step toward engagement: meetings coded 0 are
# calls with third parties about Afghanistan (Washington, Moscow).
TURNS = (
    Turn(
        "contact",
        "Meeting or visit scored as engagement",
        "first contact with the Taliban side",
        "first contact",
        "a meeting or visit the data code as engagement (stance above zero)",
        lambda e: e["event_type"].isin(["meeting", "visit"]) & (e["stance"] > 0),
    ),
    Turn(
        "visit",
        "Official visit, either way",
        "first visit",
        "first visit",
        "an event of type visit; the data do not record which way the delegation travelled",
        lambda e: e["event_type"] == "visit",
    ),
    Turn(
        "accreditation",
        "Taliban envoy accepted",
        "first accreditation of Taliban envoys",
        "envoys accredited",
        "an event of type accreditation",
        lambda e: e["event_type"] == "accreditation",
    ),
    Turn(
        "delisting",
        "Taliban off the banned list",
        "removal of the Taliban from the banned list",
        "off the banned list",
        "an event of type delisting",
        lambda e: e["event_type"] == "delisting",
    ),
    Turn(
        "trade",
        "Step on trade",
        "first step on trade",
        "first trade step",
        "an event of the trade thread coded as engagement",
        lambda e: (e["thread"] == "trade") & (e["stance"] > 0),
    ),
    Turn(
        "infrastructure",
        "Energy or rail project",
        "first energy or rail project",
        "first energy or rail project",
        "an energy or rail event coded as engagement",
        lambda e: e["event_type"].isin(["energy", "rail"]) & (e["stance"] > 0),
    ),
)
TURN = {t.key: t for t in TURNS}
# The turns of one state's policy, in the order a relationship usually takes them.
POLICY_TURNS = ("contact", "visit", "accreditation", "delisting")


def first_turns(timeline: pd.DataFrame, takeover, keys=None) -> pd.DataFrame:
    """The first event (a row of `one_per_event`) of each turn since the takeover, in the order
    of `keys` (default: every turn); turns the data do not record are absent. Adds `turn`."""
    after = since_takeover(timeline, takeover)
    rows = []
    for key in keys or [t.key for t in TURNS]:
        hits = after[TURN[key].select(after).fillna(False).astype(bool)]
        if hits.empty:
            continue
        rows.append(hits.sort_values(["date", "event_id"]).iloc[0].copy().rename(None))
        rows[-1]["turn"] = key
    if not rows:
        return pd.DataFrame(columns=[*timeline.columns, "turn"])
    return pd.DataFrame(rows).reset_index(drop=True)


def latest_possible(row: pd.Series, events: pd.DataFrame) -> pd.Timestamp:
    """The last day an event may have happened on, over every account of it."""
    accounts = events[events["event_id"].isin(row["accounts"])]
    return max(period_end(d, p) for d, p in zip(accounts["date"], accounts["date_precision"], strict=True))


def when(date, precision: str, date_of: str = "occurred") -> str:
    """A turn's date as the prose states it, no stronger than the source: 'on 7 October 2021',
    'in March 2022', 'announced on 17 April 2023', 'reported in September 2021'."""
    phrase = date_phrase(date, precision)
    prefix = {"announced": "announced ", "reported": "reported "}.get(str(date_of), "")
    return prefix + phrase


def date_cell(date, precision: str, date_of: str = "occurred", short: bool = False) -> str:
    """A date for a table: '26 Sep 2021', '26 Sep 2021 (announced)'."""
    text = date_text(date, precision, short)
    return text + (f" ({date_of})" if str(date_of) in ("announced", "reported") else "")


def all_accounts(timeline: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every row of `events` behind a timeline, the accounts not used in its figures included."""
    ids = [i for accounts in timeline["accounts"] for i in accounts]
    return events[events["event_id"].isin(ids)].sort_values(["date", "event_id"]).reset_index(drop=True)


def dispute_ids(timeline: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame) -> list[str]:
    """Disputes touching a timeline's events: those its accounts carry, and those whose claims
    (a body, a rank, ...) are about one of them. In order of the events' dates."""
    rows = all_accounts(timeline, events)
    found: list[str] = []
    for _, row in rows.iterrows():
        if pd.notna(row["dispute_id"]):
            found.append(row["dispute_id"])
        about = claims[claims["event_id"] == row["event_id"]]["dispute_id"]
        found.extend(about)
    return list(dict.fromkeys(found))


def source_ids(
    timeline: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame | None = None, disputes_shown: Iterable[str] = ()
) -> list[str]:
    """Sources a page reading this timeline cites: every account's source, then the sources of
    the claims in the disputes it shows."""
    ids = list(all_accounts(timeline, events)["source_id"])
    shown = list(disputes_shown)
    if claims is not None and shown:
        ids += list(claims[claims["dispute_id"].isin(shown)]["source_id"])
    return list(dict.fromkeys(ids))


def by_year(timeline: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year: how many events, their mean stance, and how many lean each way."""
    columns = ["year", "events", "mean_stance", "engaging", "refusing"]
    if timeline.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"year": timeline["date"].dt.year, "stance": timeline["stance"].astype(float)})
    grouped = frame.groupby("year")["stance"]
    out = pd.DataFrame(
        {
            "events": grouped.size(),
            "mean_stance": grouped.mean(),
            "engaging": grouped.apply(lambda s: int((s > 0).sum())),
            "refusing": grouped.apply(lambda s: int((s < 0).sum())),
        }
    ).reset_index()
    return out[columns]


def _one(kind: str) -> str:
    """'a statement', 'an evacuation', 'a meeting or call': one event of a kind."""
    plural = KIND_PLURALS.get(kind, f"{kind} events")
    singular = {
        "meetings or calls": "meeting or call",
        "aid deliveries": "aid delivery",
        "accreditations of envoys": "accreditation of envoys",
        "listings as a terrorist group": "listing as a terrorist group",
        "removals from the banned list": "removal from the banned list",
    }.get(plural, plural[:-1])
    return indefinite(singular)


def commonest_kinds(timeline: pd.DataFrame, n: int = 3) -> str:
    """The `n` most frequent kinds of event, in words, commonest first:
    'statements, evacuations and a meeting or call'."""
    counts = timeline["event_type"].value_counts(sort=False)
    order = sorted(counts.index, key=lambda k: (-counts[k], k))[:n]
    return join_words(KIND_PLURALS.get(k, f"{k} events") if counts[k] > 1 else _one(k) for k in order)
