"""What a valid value looks like, in words a person editing the CSV files reads: the `expected`
part of a message, and a suggestion when a value is close to a valid one."""

from __future__ import annotations

import difflib
import re


def number(value) -> str:
    """A limit as a person writes it: 0.5, not 0.500000; 10, not 10.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def suggest(value: str, choices) -> str:
    """' (did you mean 'x'?)' when one of `choices` is close to `value`, else ''."""
    choices = [str(c) for c in choices]
    folded = {c.lower(): c for c in choices}
    if str(value).strip().lower() in folded:
        return f" (did you mean '{folded[str(value).strip().lower()]}'?)"
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def _range(kind: str, low, high) -> str:
    if low is not None and high is not None:
        return f" from {number(low)} to {number(high)}"
    if low is not None:
        # "Greater than zero" is written in the schema as a tiny minimum.
        return " greater than 0" if kind == "number" and 0 < low < 1e-6 else f" of at least {number(low)}"
    if high is not None:
        return f" of at most {number(high)}"
    return ""


def describe_field(fdef: dict, examples: list[str] = ()) -> str:
    """What a valid value of a schema field looks like, in words; a pattern, which few people
    read, is illustrated by the first of `examples` (the column's values) that matches it."""
    kind = fdef.get("type", "string")
    c = fdef.get("constraints", {})
    if "enum" in c:
        return "one of " + ", ".join(str(v) for v in c["enum"])
    text = {
        "date": "a date written YYYY-MM-DD",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
    }.get(kind, "text")
    text += _range(kind, c.get("minimum"), c.get("maximum"))
    if "minLength" in c or "maxLength" in c:
        text += f" of {c.get('minLength', 0)} to {c.get('maxLength', 'any number of')} characters"
    if "pattern" in c:
        text += f" matching {c['pattern']}"
        matching = [v for v in examples if v and re.fullmatch(c["pattern"], v)]
        if matching:
            text += f", like '{matching[0]}'"
    return text
