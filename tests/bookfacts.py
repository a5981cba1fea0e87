"""Reading a built book back: its pages' text, tables and alt text, the values each executed
notebook glued, and the CSV files each chapter offers. Shared by the consistency test and the
prose scan, so both read exactly what a reader gets.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bs4 import BeautifulSoup

from amudarya.build.postprocess import glued

MONTHS = ("January February March April May June July August September October November December").split()
_MONTH = {m: i + 1 for i, m in enumerate(MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(MONTHS)}


@dataclass
class Page:
    name: str
    html: str
    glue: dict = field(default_factory=dict)
    downloads: dict = field(default_factory=dict)

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.html, "html.parser")

    @cached_property
    def main(self):
        """The page's article: what a reader reads, without the navigation and the code cells."""
        main = self.soup.find("main") or self.soup
        main = BeautifulSoup(str(main), "html.parser")
        for tag in main.select("script, style, pre, code, .cell_input, .headerlink, nav, .toggle-details"):
            tag.decompose()
        return main

    @cached_property
    def text(self) -> str:
        return re.sub(r"\s+", " ", self.main.get_text(" "))

    @cached_property
    def paragraphs(self) -> list[str]:
        return [re.sub(r"\s+", " ", p.get_text(" ")).strip() for p in self.main.find_all("p")]

    @cached_property
    def alts(self) -> list[str]:
        return [img.get("alt", "") for img in self.soup.find_all("img") if "_images/" in (img.get("src") or "")]

    @cached_property
    def tables(self) -> list[dict]:
        """Every table as {'caption': str, 'rows': [ {header: cell text} ]}."""
        out = []
        for table in self.main.find_all("table"):
            caption = table.find("caption")
            heads = [th.get_text(" ", strip=True) for th in table.select("thead th")]
            rows = []
            for tr in table.select("tbody tr"):
                cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
                if heads and len(cells) == len(heads):
                    rows.append(dict(zip(heads, cells, strict=False)))
            out.append({"caption": caption.get_text(" ", strip=True) if caption else "", "heads": heads, "rows": rows})
        return out

    def table_with(self, *columns: str) -> list[dict]:
        """Rows of every table that has all the given column headings."""
        return [row for t in self.tables if all(c in t["heads"] for c in columns) for row in t["rows"]]


def load(project: Path) -> dict[str, Page]:
    """Every generated chapter of a built project, by run name, with its glue and downloads."""
    import nbformat

    html = project / "_build" / "html"
    generated = project / "book" / "_generated"
    pages = {}
    for path in sorted(html.rglob("*.html")):
        if path.name in {"search.html", "genindex.html"}:
            continue
        name = path.relative_to(html).with_suffix("").as_posix()
        run = path.stem
        page = Page(name=name, html=path.read_text(encoding="utf-8"))
        executed = generated / f"{run}.ipynb"
        if name.startswith("_generated/") and executed.is_file():
            page.glue = glued(nbformat.read(executed, as_version=4))
            folder = generated / "downloads" / run
            if folder.is_dir():
                for csv_path in sorted(folder.glob("*.csv")):
                    with csv_path.open(encoding="utf-8", newline="") as f:
                        page.downloads[csv_path.stem] = list(csv.DictReader(f))
        pages[name] = page
    return pages


def run_params(name: str) -> dict[str, str]:
    """'_generated/policy__country-KAZ' -> {'notebook': 'policy', 'country': 'KAZ'}."""
    stem = name.rsplit("/", 1)[-1]
    notebook, *params = stem.split("__")
    return {"notebook": notebook, **dict(p.split("-", 1) for p in params)}


# ---------------------------------------------------------------------------
# Reading values back from text


DATE = re.compile(
    r"(?:(?P<day>\d{1,2}) )?(?P<month>" + "|".join(MONTHS + [m[:3] for m in MONTHS]) + r")\.? (?P<year>\d{4})"
    r"|(?P<year_only>\b\d{4}\b)"
)


def date_key(text: str) -> str | None:
    """The first date in a text as a canonical key: '2021-10-07', '2022-03', '2005'."""
    m = DATE.search(text)
    if not m:
        return None
    if m.group("year_only"):
        return m.group("year_only")
    month = _MONTH[m.group("month")]
    if m.group("day"):
        return f"{m.group('year')}-{month:02d}-{int(m.group('day')):02d}"
    return f"{m.group('year')}-{month:02d}"


@dataclass(frozen=True)
class Number:
    """A number as shown, and how many decimals it was shown with (None: not rounded)."""

    value: float
    decimals: int | None = None

    def agrees(self, other: Number) -> bool:
        shown = [d for d in (self.decimals, other.decimals) if d is not None]
        tolerance = 0.5 * 10 ** -min(shown) if shown else 1e-9
        return abs(self.value - other.value) <= tolerance + 1e-9

    def __str__(self) -> str:
        return f"{self.value:g}" if self.decimals is None else f"{self.value:.{self.decimals}f}"


def number(text: str) -> Number | None:
    """'+0.78' -> 0.78 (2 decimals); '−1.0' -> -1.0; '1,234' -> 1234 (0 decimals)."""
    m = re.search(r"[+\-−]?\d[\d,]*(?:\.(\d+))?", text)
    if not m:
        return None
    raw = m.group(0).replace("−", "-").replace(",", "")
    return Number(float(raw), len(m.group(1)) if m.group(1) else 0)


def money(text: str) -> Number | None:
    """'about US$ 1.7 billion' -> 1700 (million), 'US$ 545.2 million' -> 545.2, '545.2' -> 545.2."""
    m = re.search(r"(\d[\d,]*(?:\.(\d+))?)\s*(billion|million)?", text)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    decimals = len(m.group(2)) if m.group(2) else 0
    if m.group(3) == "billion":
        return Number(value * 1000, decimals - 3)
    return Number(value, decimals)
