"""Authored analysis and the bibliography: every chapter run carries its analysis, numbers in it
are glued, citations resolve, and the bibliography lists exactly the sources the book cites.

The book-level checks read the executed notebooks and HTML of the session's built book."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from amudarya.build import analysis, cache, runner
from amudarya.build.matrix import load_matrix
from amudarya.build.paths import GENERATED
from amudarya.build.postprocess import glued
from amudarya.build.run import Run, notebook_path
from amudarya.render import bibliography

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# What may carry digits in an analysis: dates (a day, a month, a year, a span of years) and the
# few names that contain digits. Everything else that is a number must be glued.
DATES = re.compile(rf"\b(?:\d{{1,2}}(?:–\d{{1,2}})? )?(?:{MONTH} )?(?:19|20)\d{{2}}(?:[–-](?:19|20)?\d{{2}})?\b")
NAMES = re.compile(r"\b(?:CASA-1000|C-295)\b")
WORDS = (300, 800)


def _analysis_cells(nb):
    return [c for c in nb.cells if analysis.TAG in c.get("metadata", {}).get("tags", [])]


def _prose(nb) -> str:
    return "\n\n".join(c.source for c in _analysis_cells(nb) if c.cell_type == "markdown")


def _chapter_runs(root):
    return analysis.authored_runs(load_matrix(root))


@pytest.fixture(scope="module")
def chapters(built_book):
    runs = _chapter_runs(built_book)
    return {run.name: nbformat.read(built_book / GENERATED / f"{run.name}.ipynb", as_version=4) for run in runs}


def test_every_chapter_run_has_its_analysis_in_the_executed_notebook(built_book, chapters):
    assert len(chapters) >= 11
    for name, nb in chapters.items():
        prose = _prose(nb)
        assert prose, f"{name}: no analysis cell; add notebooks/analysis/{name}.md"
        words = len(ROLE.sub("x", prose).split())
        assert WORDS[0] <= words <= WORDS[1], (name, words)
        # Merged after the chapter's opening, before its first section.
        first = next(i for i, c in enumerate(nb.cells) if analysis.TAG in c.metadata.get("tags", []))
        assert not any(c.cell_type == "markdown" and c.source.lstrip().startswith("## ") for c in nb.cells[:first]), (
            name
        )
        values = glued(nb)
        used = set(re.findall(r"\{glue:text\}`([^`:]+)", prose))
        missing = {
            k for k in used if k not in values or values[k] is None or str(values[k]).lower() in {"nan", "<na>", "none"}
        }
        assert not missing, (name, missing)
        # A quote's key must not shadow a key the notebook glues, and every quote is used.
        names = [
            o.metadata["scrapbook"]["name"]
            for c in nb.cells
            for o in c.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})
        ]
        assert len(names) == len(set(names)), (name, sorted({n for n in names if names.count(n) > 1}))
        quoted = set(glued(nbformat.v4.new_notebook(cells=[c for c in _analysis_cells(nb) if c.cell_type == "code"])))
        assert quoted <= used, (name, quoted - used)


def test_analysis_numbers_are_glued_not_typed(chapters):
    for name, nb in chapters.items():
        text = NAMES.sub("", DATES.sub("", ROLE.sub("", _prose(nb))))
        typed = re.findall(r"[^\n]{0,30}\d[^\n]{0,30}", text)
        assert not typed, (name, typed)


def test_the_digit_check_catches_a_typed_number():
    typed = "Kyrgyzstan offered to take 1,200 Pamir Kyrgyz on 16 August 2021 {cite}`a-2021`."
    assert re.search(r"\d", NAMES.sub("", DATES.sub("", ROLE.sub("", typed))))
    dated = "On 16 August 2021, in July 2021 and in 2022–2024 {glue:text}`offer` came {cite}`a-2021`."
    assert not re.search(r"\d", NAMES.sub("", DATES.sub("", ROLE.sub("", dated))))


def test_every_citation_key_is_a_source_and_every_paragraph_cites(chapters, package):
    known = set(package["sources"]["source_id"])
    for name, nb in chapters.items():
        prose = _prose(nb)
        keys = {k.strip() for group in CITE.findall(prose) for k in group.split(",")}
        assert keys and keys <= known, (name, keys - known)
        quoted = set(glued(nbformat.v4.new_notebook(cells=[c for c in _analysis_cells(nb) if c.cell_type == "code"])))
        for paragraph in re.split(r"\n\s*\n", prose):
            if paragraph.strip() and not paragraph.lstrip().startswith("#") and "{cite" not in paragraph:
                # A paragraph that only reads the chapter's own results may go uncited; one that
                # quotes a data row states a fact from a source, and must cite it.
                used = set(re.findall(r"\{glue:text\}`([^`:]+)", paragraph))
                assert not used & quoted, (name, paragraph[:120])


class _Bibliography(HTMLParser):
    def __init__(self):
        super().__init__()
        self.entries = []
        self.cite_links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("role") == "doc-biblioentry" or "citation" in (a.get("class") or "").split():
            if a.get("id", "").startswith("bib-"):
                self.entries.append(a["id"].removeprefix("bib-"))
        if tag == "a" and "#bib-" in (a.get("href") or ""):
            self.cite_links.append(a["href"])


def _parse(path) -> _Bibliography:
    parser = _Bibliography()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_bibliography_lists_exactly_the_cited_sources(built_book, chapters, package):
    html = built_book / "_build" / "html"
    page = _parse(html / "bibliography.html")
    cited = {k.strip() for nb in chapters.values() for group in CITE.findall(_prose(nb)) for k in group.split(",")}
    assert cited and set(page.entries) == cited
    titles = package["sources"].set_index("source_id")["title"]
    text = (html / "bibliography.html").read_text(encoding="utf-8")
    for key in cited:
        assert titles[key].split()[0] in text, key
    # A citation in a chapter links to its entry on the bibliography page.
    kaz = _parse(html / "_generated" / "policy__country-KAZ.html")
    assert kaz.cite_links and all(link.split("#")[0].endswith("bibliography.html") for link in kaz.cite_links)
    assert {link.split("#bib-")[1] for link in kaz.cite_links} <= set(page.entries)


def test_the_bib_file_holds_every_source_in_standard_fields(root, tmp_path):
    import shutil

    shutil.copytree(root / "data", tmp_path / "data")
    written = bibliography.write(tmp_path)
    text = written.read_text(encoding="utf-8")
    from pybtex.database import parse_string

    entries = parse_string(text, "bibtex").entries
    import csv

    rows = list(csv.DictReader((root / "data" / "sources.csv").open(encoding="utf-8")))
    assert set(entries) == {r["source_id"] for r in rows}
    for row in rows:
        fields = entries[row["source_id"]].fields
        assert fields["title"] == " ".join(row["title"].split())
        assert fields["publisher"] == " ".join(row["publisher"].split())
        assert fields.get("url", "") == row["url"]
        assert fields.get("date", "") == row["published"]
        assert fields.get("urldate", "") == row.get("accessed", "")
    mtime = written.stat().st_mtime_ns
    bibliography.write(tmp_path)
    assert written.stat().st_mtime_ns == mtime, "an unchanged .bib must not be rewritten"


def test_a_run_without_analysis_executes_the_notebook_as_it_stands(root):
    # A chapter gains only its data-as-of line (amudarya.domain.coverage); a page that is no chapter
    # runs exactly as it stands.
    import nbformat

    run = Run("policy", {"country": "PAK"})
    nb = analysis.merged(root, run)
    source = nbformat.read(notebook_path(root, "policy"), as_version=4)
    added = [c for c in nb.cells if "as-of" in c.metadata.get("tags", [])]
    assert len(added) == 2 and len(nb.cells) == len(source.cells) + 2
    assert not any(analysis.TAG in c.metadata.get("tags", []) for c in nb.cells)
    assert analysis.merged(root, Run("disputes", {})) == str(notebook_path(root, "disputes"))


def test_an_analysis_is_merged_before_the_first_section_and_keyed(project):
    run = Run("policy", {"country": "PAK"})
    notebook = notebook_path(project, "policy")
    before = cache.run_key("shared", notebook, run.thread, run.parameters, runner.run_inputs(project, run))
    path = analysis.path_for(project, run.thread, run.parameters)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nquotes:\n  day: events/AFG-2021-08-15-kabul-taken\n---\n## Why\n\nText {glue:text}`day`.\n")
    after = cache.run_key("shared", notebook, run.thread, run.parameters, runner.run_inputs(project, run))
    assert after != before, "editing a run's analysis must change its cache key"
    nb = analysis.merged(project, run)
    tagged = [i for i, c in enumerate(nb.cells) if analysis.TAG in c.metadata.get("tags", [])]
    assert [nb.cells[i].cell_type for i in tagged] == ["code", "markdown"]
    assert nb.cells[tagged[0] - 1].source.strip() and not nb.cells[tagged[0] - 1].source.startswith("## ")
    assert nb.cells[tagged[-1] + 1].source.lstrip().startswith("## ")


def test_bad_quotes_are_refused_with_the_file_and_key(project, package):
    from amudarya.data.errors import InputError

    path = project / analysis.ANALYSIS_DIR / "policy__country-PAK.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nquotes:\n  offer: people\n---\n## Why\n\nText.\n")
    with pytest.raises(InputError) as err:
        analysis.read(path)
    assert "policy__country-PAK.md" in str(err.value.report()) and "quotes.offer" in str(err.value.report())
    with pytest.raises(ValueError, match="no-such-row"):
        analysis.quote_values(package, {"x": "people/no-such-row"}, "notebooks/analysis/x.md")
