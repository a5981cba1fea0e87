"""What identifies an edition of the book, and how to cite it.

- The citation's title and authors come from `CITATION.cff` at the project root, the one file
  that says how the work wants to be cited (GitHub and Zenodo read it too).
- The version is the git commit the book was built from (`git describe --tags --always
  --dirty`: a tag when the commit has one, `-dirty` when the working tree had uncommitted
  changes). A copy without git history says so instead of guessing.
- The sources go "up to" the publication date of the newest dated source in `data/sources.csv`:
  nothing newer can be in the data package. This is not the chapters' "data as of" line, which
  dates the latest row about their states (`domain.coverage`); the two keep different names.

Also a Sphinx extension (listed in _config.yml): the directive `how-to-cite` writes the block
on the book's "How to cite" page from these, at every build, so it is never typed.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from docutils import nodes
from docutils.parsers.rst import Directive

from amudarya.data import tables
from amudarya.data.tables import project_root
from amudarya.domain.timeline import date_text, period_end

CITATION_FILE = "CITATION.cff"
CITE_DOCNAME = "cite"  # book/cite.md


class EditionError(ValueError):
    """What an edition needs is missing; the message names the file and what to add."""


@dataclass(frozen=True)
class Edition:
    title: str
    subtitle: str
    authors: list[str]
    version: str | None  # None: the project folder has no git history
    sources_to: pd.Timestamp
    sources_to_text: str
    built: dt.date

    @property
    def built_text(self) -> str:
        return f"{self.built.day} {self.built:%B %Y}"

    @property
    def version_text(self) -> str:
        return f"version {self.version}" if self.version else "an unversioned copy (no git history)"

    def reference(self) -> str:
        """The recommended reference, in the author (year) title style of most journals."""
        return (
            f"{' and '.join(self.authors)} ({self.built.year}). {self.title}, {self.version_text}; "
            f"sources up to {self.sources_to_text}."
        )

    def bibtex(self) -> str:
        key = "".join(w for w in self.title.lower().split() if w.isalpha())[:24] + str(self.built.year)
        fields = {
            "title": self.title,
            "author": "{" + " and ".join(self.authors) + "}",
            "year": str(self.built.year),
            "version": self.version or "unversioned",
            "note": f"Sources up to {self.sources_to_text}",
        }
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        return f"@misc{{{key},\n{body}\n}}"


def citation(root: Path | None = None) -> dict:
    path = (root or project_root()) / CITATION_FILE
    if not path.is_file():
        raise EditionError(f"{path} is missing: the book's citation (title and authors) is read from it")
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("title", "authors"):
        if not meta.get(key):
            raise EditionError(f"{path}: `{key}` is missing or empty; CITATION.cff needs it to cite the book")
    return meta


def _author(entry: dict) -> str:
    if "name" in entry:
        return str(entry["name"])
    return " ".join(str(entry[k]) for k in ("given-names", "family-names") if entry.get(k))


def version(root: Path | None = None) -> str | None:
    """`git describe --tags --always --dirty` in the project folder; None outside a git work tree."""
    try:
        done = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=root or project_root(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def sources_to(sources: pd.DataFrame) -> tuple[pd.Timestamp, str]:
    """The newest publication date in the sources table, as a date and as the text the sources
    give ('18 February 2026', or 'December 2025' when only the month is known). A month or a
    year counts from its last day, so '2025-12' is newer than '2025-12-17'."""
    dates = sources["published"].dropna().astype(str)
    if dates.empty:
        raise EditionError(
            "data/sources.csv: no row has a `published` date, so the edition has no date for its newest source"
        )
    precision = dates.str.len().map({4: "year", 7: "month", 10: "day"})
    ends = [period_end(pd.Timestamp(d), p) for d, p in zip(dates, precision, strict=False)]
    newest = max(range(len(ends)), key=lambda i: ends[i])
    return ends[newest], date_text(pd.Timestamp(dates.iloc[newest]), precision.iloc[newest])


def edition(root: Path | None = None, package=None, today: dt.date | None = None) -> Edition:
    root = root or project_root()
    meta = citation(root)
    package = package if package is not None else tables.load(root / "data")
    newest, newest_text = sources_to(package["sources"])
    return Edition(
        title=str(meta["title"]),
        subtitle=" ".join(str(meta.get("abstract", "")).split()),
        authors=[_author(a) for a in meta["authors"]],
        version=version(root),
        sources_to=newest,
        sources_to_text=newest_text,
        built=today or dt.date.today(),
    )


# ---------------------------------------------------------------------------
# Sphinx: the `how-to-cite` directive


def _block(ed: Edition):
    intro = nodes.paragraph(
        text=(
            f"This edition was built from {ed.version_text} of the project, "
            f"with sources up to {ed.sources_to_text}, the publication date of the "
            "newest source in the data package. Please cite it as:"
        )
    )
    quote = nodes.block_quote("", nodes.paragraph(text=ed.reference()))
    lead = nodes.paragraph(text="or, in BibTeX:")
    bib = nodes.literal_block(ed.bibtex(), ed.bibtex())
    bib["language"] = "bibtex"
    return [intro, quote, lead, bib]


def setup(app):
    class HowToCite(Directive):
        has_content = False

        def run(self):
            # The project root holds CITATION.cff and data/: the source folder's parent for
            # `amudarya build` (book/..), the source folder itself for a plain Jupyter Book.
            source = Path(self.state.document.settings.env.srcdir)
            root = next((d for d in (source.parent, source) if (d / CITATION_FILE).is_file()), source.parent)
            return _block(edition(root))

    app.add_directive("how-to-cite", HowToCite)
    # The page's source never changes, but the version and the data do: read it on every build.
    app.connect(
        "env-get-outdated",
        lambda app, env, added, changed, removed: [CITE_DOCNAME] if CITE_DOCNAME in env.found_docs else [],
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
