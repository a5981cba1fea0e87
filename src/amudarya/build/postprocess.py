"""An executed notebook made ready for the book: the values it glued, read back, and its cells
kept, dropped, joined and given their alt text as its tags say.

This is where a chapter's cell tags (`if:KEY`, `if-not:KEY`, `continues`, `how-to-add`) and its
charts' alt text take effect; ARCHITECTURE.md ("Writing a chapter") says how a chapter uses them.
"""

from __future__ import annotations

import ast

from amudarya.data.errors import RunError
from amudarya.render import ALT_KEY

# Where papermill's record of a glued value sits in an output's data (myst-nb's glue writes it).
GLUE_PREFIX = "application/papermill.record/"

# A note telling an analyst how to add missing data: the one place a page may name the data
# package's files. Its text goes in a container of this class (its heading stays a section's).
HOW_TO_ADD = "how-to-add"

CONDITIONS = (("if:", True), ("if-not:", False))


def glued(nb) -> dict[str, object]:
    """The values a notebook glued, by key, read back from its outputs (numbers, text, booleans)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get(GLUE_PREFIX + "text/plain")
            if name and text is not None:
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def how_to_add_note(source: str) -> str:
    heading, rest = ("", source)
    if source.startswith("#"):
        heading, _, rest = source.partition("\n")
    return f"{heading}\n\n:::{{container}} {HOW_TO_ADD}\n{rest.strip()}\n:::\n".lstrip()


def _dropped(tags: list[str], flags: dict[str, bool]) -> bool:
    """Whether a cell's `if:`/`if-not:` tags drop it, given the booleans the notebook glued."""
    drop = False
    for tag in tags:
        for prefix, wanted in CONDITIONS:
            if tag.startswith(prefix):
                key = tag[len(prefix) :]
                if key not in flags:
                    raise RunError(f"cell tagged '{tag}' but the notebook glued no boolean '{key}'")
                drop = drop or flags[key] != wanted
    return drop


def _move_alt(cell) -> None:
    """The chart's alt text, from its output's metadata into the cell's, where myst-nb reads it."""
    alts = [out["metadata"][ALT_KEY]["alt"] for out in cell.get("outputs", []) if ALT_KEY in out.get("metadata", {})]
    if len(alts) > 1:
        raise RunError("a cell shows more than one chart; give each chart its own cell so each keeps its alt text")
    if alts:
        cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts[0]


def _joined(kept: list, cell, tags: list[str]) -> bool:
    """Whether a `continues` cell was joined to the Markdown cell kept before it."""
    if "continues" not in tags or not kept or not kept[-1].cell_type == "markdown" == cell.cell_type:
        return False
    before = kept[-1].source.rstrip()
    # After a heading the sentence opens the section's paragraph instead of joining the heading.
    joint = "\n\n" if before.splitlines()[-1].startswith("#") else " "
    kept[-1].source = before + joint + cell.source.strip()
    return True


def postprocess(nb) -> None:
    """Make an executed notebook ready for the book, in place: drop the cells its conditions
    rule out, hide the parameters, move each chart's alt text into its cell, join `continues`
    cells and box `how-to-add` notes (ARCHITECTURE.md, "Writing a chapter")."""
    flags = {k: v for k, v in glued(nb).items() if isinstance(v, bool)}
    kept = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _dropped(tags, flags):
            continue
        if HOW_TO_ADD in tags and cell.cell_type == "markdown":
            cell.source = how_to_add_note(cell.source)
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata.setdefault("tags", []).append("remove-cell")
        _move_alt(cell)
        if not _joined(kept, cell, tags):
            kept.append(cell)
    nb.cells = kept
