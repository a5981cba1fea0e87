"""What is wrong with the text of a cell, as opposed to its type: characters nobody sees.

- UTF-16: a spreadsheet's "Unicode text" is UTF-16, which is named as such with how to re-save
  it, rather than guessed at as Windows-1252.
- Control characters (a NUL byte, a form feed, an escape): invisible in an editor, they break
  Sphinx and the charts; every field refuses them (line breaks and tabs are text).
- Spaces before or after a code, a date or a number: " KAZ" is not KAZ, and the message says it
  is the space, not the code, that is wrong.
- Characters the charts cannot draw (an emoji in a country's name): the chart font has no glyph
  for them, and the book would fail on the warning with no word of which row.
- Right-to-left scripts (Arabic, Hebrew, Syriac, Thaana, N'Ko) where a name must be drawn: the
  font has the letters, but matplotlib neither joins nor reorders them, so a chart title would
  show a Pashto name as separate letters, backwards, with no warning at all.
"""

from __future__ import annotations

import functools
import unicodedata

from amudarya.data.errors import Problem

# Kinds of problem (Problem.kind); data/README.md explains each.
CONTROL = "control character"
SPACES = "spaces around a value"
NO_GLYPH = "character a chart cannot draw"
RIGHT_TO_LEFT = "right-to-left script in a chart"
KINDS = (CONTROL, SPACES, NO_GLYPH, RIGHT_TO_LEFT)

# Fields whose values the charts draw as labels, titles or source lines.
DRAWN = {
    "countries": ("name", "kin_name", "kin_adjective"),
    "actors": ("name",),
    "trade": ("product",),
    "people": ("group",),
    "sources": ("publisher",),
}

# Text may hold line breaks and tabs; no other control character is anything a person typed.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}

_RESAVE = (
    "the file saved as UTF-8 (Excel: Save As 'CSV UTF-8'; LibreOffice: character set 'Unicode (UTF-8)'; "
    "or iconv -f UTF-16 -t UTF-8)"
)


def utf16_problem(where: str, raw: bytes) -> Problem | None:
    """A UTF-16 file (with a byte-order mark, or the zero bytes ASCII text has in it)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        order = "little-endian" if raw[:2] == b"\xff\xfe" else "big-endian"
    else:
        sample = raw[:4000]
        if len(sample) < 4 or sample.count(b"\x00") < len(sample) // 4:
            return None
        order = "little-endian" if sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00") else "big-endian"
    return Problem(
        where,
        f"not UTF-8: the file is UTF-16 ({order}), as spreadsheets save 'Unicode text'",
        line=1,
        expected=_RESAVE,
        kind="not UTF-8",
    )


def _name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character')})"


@functools.lru_cache(maxsize=1)
def _chart_glyphs() -> frozenset[int]:
    """Code points the charts' font (matplotlib's default, which the charts use) can draw."""
    # matplotlib is slow to import and only this check needs it in the data layer.
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(ft2font.FT2Font(path).get_charmap())


# Unicode's bidirectional classes of right-to-left letters: 'R' (Hebrew, N'Ko, ...) and 'AL'
# (Arabic, Syriac, Thaana). Digits and punctuation inside such a name are neutral and not asked about.
_RIGHT_TO_LEFT = {"R", "AL"}


def _where_the_original_goes(fields: dict) -> str:
    """Where a row can keep the name in its own script: its note, else its aliases, else names.csv."""
    for field in ("note", "aliases"):
        if field in fields:
            return f"the original script kept in the row's {field} field"
    return "the original script kept in data/names.csv (kind, name, variant)"


def _is_code(fdef: dict, keys: set[str]) -> bool:
    """A field whose value is matched, not read: a code, a date, a number, a key."""
    constraints = fdef.get("constraints", {})
    return (
        fdef.get("type", "string") != "string"
        or "pattern" in constraints
        or "enum" in constraints
        or fdef["name"] in keys
    )


def problems(table) -> list[Problem]:
    """Every cell of a `structure.Table` with a control character, spaces around a code, or a
    character a chart cannot draw."""
    schema = table.schema
    keys = set(schema.get("primaryKey") or [])
    for fk in schema.get("foreignKeys", []):
        keys.update(fk["fields"])
    fields = {f["name"]: f for f in schema["fields"]}
    drawn = set(DRAWN.get(table.name, ()))
    found = []
    for row, line, cells in table.rows:
        for name, value in zip(table.header, cells, strict=False):
            fdef = fields.get(name)
            if fdef is None or not value:
                continue
            # One problem a cell, the first of these: a control character hides whatever else is
            # wrong with the text, and stray spaces are the whole fault of a code.
            fault = (
                _control(value)
                or (_spaces(value) if _is_code(fdef, keys) else None)
                or (_undrawable(value, fields) if name in drawn else None)
            )
            if fault:
                kind, message, expected = fault
                found.append(
                    Problem(
                        table.where,
                        message,
                        row=row,
                        line=line,
                        field=name,
                        value=value,
                        expected=expected,
                        kind=kind,
                    )
                )
    return found


# A fault in a cell: its kind, the message, and what was expected instead.
_Fault = tuple[str, str, str]


def _control(value: str) -> _Fault | None:
    controls = [c for c in value if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS]
    if not controls:
        return None
    return (
        CONTROL,
        f"{CONTROL}: the value holds {_name(controls[0])}, which no editor shows",
        "the text without it (delete the value and type it again)",
    )


def _spaces(value: str) -> _Fault | None:
    if value == value.strip():
        return None
    where = " and ".join(
        w for w, bad in (("before", value != value.lstrip()), ("after", value != value.rstrip())) if bad
    )
    return SPACES, f"{SPACES}: the value has a space {where} it", f"'{value.strip()}', without spaces"


def _undrawable(value: str, fields: dict) -> _Fault | None:
    # ASCII the font always has; asking only about the rest spares loading its character map.
    if value.isascii():
        return None
    missing = [c for c in value if ord(c) not in _chart_glyphs() and not c.isspace()]
    if missing:
        return (
            NO_GLYPH,
            f"{NO_GLYPH}: the charts draw this field, and their font has no glyph for {_name(missing[0])}",
            "the name in letters, without emoji or symbols",
        )
    backwards = [c for c in value if unicodedata.bidirectional(c) in _RIGHT_TO_LEFT]
    if backwards:
        return (
            RIGHT_TO_LEFT,
            f"{RIGHT_TO_LEFT}: the charts draw this field, and draw "
            f"{_name(backwards[0])} and the letters around it unjoined and left to right",
            "the name in Latin letters (a transliteration, e.g. 'Kabul'), " + _where_the_original_goes(fields),
        )
    return None
