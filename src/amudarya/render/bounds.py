"""Pages that stay readable at any data size, and a published book with nothing stale in it.

- `summarised`: a long table shows its first rows and says how many there are; the whole table
  is in the chapter's CSV download.
- `capped`: a chart of categories shows the largest ones and says how many it leaves out
  (`capped_by`: in each of its panels; `latest`: a chart along years shows the latest ones).
- `warn_large`: the build warns when an executed chapter's page text or one of its images
  passes a size limit (the data grew, or a chart lost its cap).
- `sweep_orphans`: Sphinx builds incrementally and never deletes an image, a download or the
  page of a chapter that is gone; the book is published without them.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
import sys
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

# A table on a page shows at most this many rows; the download holds them all.
TABLE_ROWS = 100
# A chart shows at most this many categories.
CHART_CATEGORIES = 25
# An executed chapter's text outputs (what its page holds besides images), and one image.
PAGE_BYTES = 2_000_000
IMAGE_BYTES = 2_000_000
IMAGE_PIXELS = 6000  # on either side


def summarised(frame: pd.DataFrame, limit: int = TABLE_ROWS) -> tuple[pd.DataFrame, str | None]:
    """The rows a page shows of `frame`, and a note saying what was left out (None: all shown)."""
    if len(frame) <= limit:
        return frame, None
    return frame.head(limit), (
        f"the first {limit:,} of {len(frame):,} rows; the rows they are "
        "computed from are in the chapter's CSV downloads"
    )


def capped(data: pd.DataFrame, value: str, limit: int = CHART_CATEGORIES) -> tuple[pd.DataFrame, int]:
    """The `limit` rows of `data` with the largest `value` (in their original order), and how
    many rows were left out."""
    if len(data) <= limit:
        return data, 0
    kept = data.loc[data[value].abs().nlargest(limit).index.sort_values()]
    return kept, len(data) - limit


def capped_by(data: pd.DataFrame, value: str, by: str, limit: int = CHART_CATEGORIES) -> tuple[pd.DataFrame, int]:
    """`capped` within each group of `by` (a chart's panel): every panel keeps its largest rows."""
    data = data.reset_index(drop=True)
    kept, left_out = [], 0
    for _, group in data.groupby(by, sort=False):
        rows, dropped = capped(group, value, limit)
        kept.append(rows)
        left_out += dropped
    if not left_out:
        return data, 0
    return pd.concat(kept).sort_index(), left_out


def latest(data: pd.DataFrame, limit: int = CHART_CATEGORIES) -> tuple[pd.DataFrame, int]:
    """The last `limit` rows of `data` along an ordered axis (years), and how many earlier rows
    were left out: a time axis with the largest years picked out of it would have holes."""
    return data.tail(limit), max(0, len(data) - limit)


# ---------------------------------------------------------------------------
# After the runs: sizes


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def large(notebook: Path) -> list[str]:
    """What in an executed notebook passes a size limit, in words."""
    found = []
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    text = 0
    for number, cell in enumerate(nb.get("cells", []), start=1):
        for out in cell.get("outputs", []):
            for mime, value in (out.get("data") or {}).items():
                value = "".join(value) if isinstance(value, list) else value
                if mime.startswith("image/"):
                    raw = base64.b64decode(value) if mime == "image/png" else str(value).encode()
                    size = _png_size(raw)
                    if len(raw) > IMAGE_BYTES or (size and max(size) > IMAGE_PIXELS):
                        shape = f", {size[0]:,} × {size[1]:,} px" if size else ""
                        found.append(
                            f"cell {number} draws an image of {len(raw) / 1e6:.1f} MB{shape} (limit "
                            f"{IMAGE_BYTES / 1e6:.0f} MB, {IMAGE_PIXELS:,} px a side)"
                        )
                elif mime != "text/plain":
                    text += len(str(value).encode("utf-8"))
            if out.get("output_type") == "stream":
                text += len("".join(out.get("text", "")).encode("utf-8"))
    if text > PAGE_BYTES:
        found.append(f"the page holds {text / 1e6:.1f} MB of text and tables (limit {PAGE_BYTES / 1e6:.0f} MB)")
    return found


def warn_large(generated: Path, say=None) -> list[str]:
    """Warn (on stderr) about every executed chapter in `generated` that passes a size limit."""
    say = say or (lambda text: print(text, file=sys.stderr))
    warnings = []
    for notebook in sorted(generated.glob("*.ipynb")):
        for finding in large(notebook):
            warnings.append(
                f"warning: {notebook.name}: {finding}; a table or chart is not summarised "
                "(amudarya.render.bounds), or the data grew more than the page can show"
            )
            say(warnings[-1])
    return warnings


# ---------------------------------------------------------------------------
# Before publishing: files no page uses

_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]+)""")
SWEPT = ("_images", "_downloads")


def sweep_orphans(built: Path) -> list[Path]:
    """Delete from the built book every image and download no page links to, and the page of
    every chapter that is no longer in it (Sphinx's index lists the pages it built)."""
    removed = []
    index = built / "searchindex.js"
    if index.is_file():
        text = index.read_text(encoding="utf-8")
        docnames = set(json.loads(text[text.index("(") + 1 : text.rindex(")")]).get("docnames", []))
        for page in (built / "_generated").glob("*.html"):
            if f"_generated/{page.stem}" not in docnames:
                page.unlink()
                removed.append(page)
    used: set[Path] = set()
    for page in built.rglob("*.html"):
        for link in _LINK.findall(page.read_text(encoding="utf-8", errors="replace")):
            link = html.unescape(unquote(link))
            if "://" not in link:
                used.add((page.parent / link).resolve())
    for folder in SWEPT:
        for path in sorted((built / folder).rglob("*"), reverse=True):
            if path.is_file() and path.resolve() not in used:
                path.unlink()
                removed.append(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed
