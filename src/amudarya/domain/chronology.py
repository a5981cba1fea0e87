"""The chronology: one dated list of the five states' events and of the context they reacted
to (Russia's, China's and the UN's steps from `context.csv`), oldest first.

An event that sources tell in several accounts appears once (`timeline.one_per_event`). Each
entry carries a `group` (the state's code, `AFG` for the Taliban's own acts, or `context`), which
the page's filter script (book/_static/chronology.js) uses to show one state at a time.
"""

from __future__ import annotations

import html

import pandas as pd

from amudarya.domain.catalogue import anchor_id
from amudarya.domain.timeline import KIND_WORDS, date_text, one_per_event

CONTEXT = "context"
# Kinds only context rows have, in words.
CONTEXT_KINDS = {"recognition": "formal recognition of the Taliban government"}
# What a context row's date is of, when it is not of the step itself.
DATE_OF_WORDS = {"announced": "announced", "reported": "reported"}


def entries(package) -> pd.DataFrame:
    """Columns: date, text (the date as precise as the source), group, who, kind, summary,
    source_id, date_of. Events of the package's five states and of Afghanistan, then context."""
    events = one_per_event(package["events"], package["disputes"])
    names = package["countries"].set_index("iso3")["name"]
    ev = pd.DataFrame(
        {
            "date": events["date"],
            "text": [date_text(d, p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
            "group": events["country"].astype(str),
            "who": events["country"].map(names).astype(str),
            "kind": events["event_type"].map(KIND_WORDS).astype(str),
            "summary": events["summary"].astype(str),
            "source_id": events["source_id"].astype(str),
            "date_of": events["date_of"].astype(str) if "date_of" in events.columns else "occurred",
        }
    )
    ctx = package["context"]
    cx = pd.DataFrame(
        {
            "date": ctx["date"],
            "text": [date_text(d, p) for d, p in zip(ctx["date"], ctx["date_precision"], strict=True)],
            "group": CONTEXT,
            "who": ctx["actor"].astype(str),
            "kind": ctx["event_type"].map(lambda k: KIND_WORDS.get(k, CONTEXT_KINDS.get(k, k))).astype(str),
            "summary": ctx["summary"].astype(str),
            "source_id": ctx["source_id"].astype(str),
            "date_of": ctx["date_of"].astype(str),
        }
    )
    out = pd.concat([ev, cx], ignore_index=True)
    return out.sort_values(["date", "group"], kind="stable").reset_index(drop=True)


def groups(frame: pd.DataFrame, package) -> list[tuple[str, str]]:
    """The filter's choices, (code, label), in the order the book treats the states, then
    Afghanistan and the context, each only when the chronology has an entry for it."""
    names = package["countries"].set_index("iso3")["name"]
    present = set(frame["group"])
    states = [c for c in package["countries"]["iso3"] if c in present and c != "AFG"]
    out = [(c, str(names[c])) for c in states]
    if "AFG" in present:
        out.append(("AFG", "Taliban (Afghanistan)"))
    if CONTEXT in present:
        out.append((CONTEXT, "Context: Russia, China, UN"))
    return out


def html_list(frame: pd.DataFrame, package, sources_page: str = "sources.html") -> str:
    """The chronology as an HTML list, every text escaped. Each item has `data-group`; the
    list has `data-chronology` and names its groups in `data-groups`, from which the script
    builds the filter. Without the script every entry shows."""
    choices = groups(frame, package)
    items = []
    for _, row in frame.iterrows():
        when = html.escape(row["text"])
        if row["date_of"] in DATE_OF_WORDS:
            when += f" ({DATE_OF_WORDS[row['date_of']]})"
        link = f"{sources_page}#{anchor_id(row['source_id'])}"
        items.append(
            f'<li data-group="{html.escape(row["group"])}">'
            f'<strong class="chrono-date">{when}</strong>. '
            f'<span class="chrono-who">{html.escape(row["who"])}</span>, '
            f'<span class="chrono-kind">{html.escape(row["kind"])}</span>: '
            f"{html.escape(row['summary'])} "
            f'<a href="{html.escape(link)}">source</a></li>'
        )
    labels = ";".join(f"{code}={label}" for code, label in choices)
    return f'<ol class="chronology" data-chronology data-groups="{html.escape(labels)}">' + "".join(items) + "</ol>"


def facts(frame: pd.DataFrame) -> dict:
    return {
        "chrono_n": int(len(frame)),
        "chrono_n_context": int((frame["group"] == CONTEXT).sum()),
        "chrono_n_states": int(frame.loc[frame["group"] != CONTEXT, "group"].nunique()),
        "chrono_first": frame["text"].iloc[0],
        "chrono_last": frame["text"].iloc[-1],
    }
