"""Front and back matter: key findings, method, coverage, chronology, names; the context and
names tables; sources a reader can follow; the ticker's exchange rates in the trade chapters.

Data-level checks run on the package; page checks on the book the session builds once."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from amudarya.build.matrix import load_matrix
from amudarya.build.postprocess import HOW_TO_ADD, glued, postprocess
from amudarya.domain import chronology, citations, codebook, coverage, fx, names
from conftest import assert_glue_complete

# --- the data ----------------------------------------------------------------------------


def test_coverage_is_the_latest_row_of_each_state_and_table(package):
    table = coverage.by_state(package).set_index(["iso3", "Table"])
    people = package["people"]
    kgz = people[(people["country"] == "KGZ") | (people["kin_of"] == "KGZ")]
    assert table.loc[("KGZ", "counts of people"), "latest"] == kgz["date"].max()
    assert table.loc[("KGZ", "counts of people"), "Rows"] == len(kgz)
    events = package["events"]
    for code in coverage.states(package)["iso3"]:
        assert table.loc[(code, "events"), "Rows"] == int((events["country"] == code).sum())


def test_data_as_of_line_follows_the_data(package):
    line = coverage.as_of_text(package, ["KGZ"])
    assert line == "Data as of 31 January 2026: the latest dated row about Kyrgyzstan is a count of people."
    assert coverage.as_of_text(package, ["PAK"]).startswith("The data package holds no dated row")


def test_context_rows_are_not_events_of_the_five(package):
    context = package["context"]
    assert len(context) >= 6
    assert not set(context["context_id"]) & set(package["events"]["event_id"])
    listed = chronology.entries(package)
    assert int((listed["group"] == chronology.CONTEXT).sum()) == len(context)
    # Every state event appears once, however many accounts tell it.
    assert not listed.loc[listed["group"] != chronology.CONTEXT, ["date", "summary"]].duplicated().any()


def test_names_cover_the_known_variants(package):
    table = names.table(package).set_index("Name")
    assert "Toqaev" in table.loc["Kassym-Jomart Tokayev", "Variants"]
    assert "Japar Mambetov" in table.loc["Jypara Mambetova", "Variants"]
    assert "Nur-Sultan" in table.loc["Astana", "Variants"]
    assert "Oralman" in table.loc["qandas", "Variants"]


def test_sources_have_titles_addresses_and_no_internal_names(package):
    sources = package["sources"].set_index("source_id")
    for sid in ("rferl-2021-09-qishloq-ovozi", "jamestown-2021-09-voloshin", "oilprice-2021-09-rferl"):
        assert sources.loc[sid, "url"].startswith("https://"), sid
        assert sources.loc[sid, "title_note"] is pd.NA or sources.loc[sid, "title_note"] != "not shown", sid
    assert (
        sources.loc["jamestown-2021-09-voloshin", "title"]
        == "Kazakhstan to Let Russia Do the Heavy Lifting on Afghanistan"
    )
    text = " ".join(sources[c].fillna("").str.cat(sep=" ") for c in ("title", "note", "publisher"))
    assert not re.search(r"\bseeds? \d{3}\b|data/\w+\.csv", text)
    accessed = sources["accessed"].dropna()
    assert len(accessed) and accessed.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_ticker_rates_table_says_they_are_undated(package):
    table = fx.rates_table(package["fx"], package["sources"], fx.printed_rates(package.path_of("fx")))
    assert list(table["Currency"].str[-4:-1]) == ["KGS", "KZT", "TJS", "UZS"]
    assert (table["Date"] == "not given").all()
    assert table.loc[0, "As printed"] == "0.01190 US$ per KGS"
    assert "No date is given" in fx.rates_caption(table)


def test_codebook_has_an_example_for_every_used_type_and_level(package):
    types = codebook.event_types(package)
    used = types[types["Events"] > 0]
    assert (used["Example"] != "no event of this kind in the data yet").all()
    levels = codebook.stance_levels(package)
    assert list(levels["Score"]) == ["+2", "+1", "0", "-1", "-2"]
    assert (levels["Events"] > 0).all() and levels["Date"].ne("").all()


# --- the built pages -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def html(built_book) -> Path:
    return built_book / "_build" / "html"


@pytest.fixture(scope="module")
def generated(built_book) -> Path:
    return built_book / "book" / "_generated"


@pytest.mark.parametrize("name", ["method", "coverage", "chronology", "names"])
def test_new_pages_glue_every_value(generated, name):
    nb = nbformat.read(generated / f"{name}.ipynb", as_version=4)
    assert_glue_complete(nb, name)


def _text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    body = page.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_key_findings_show_the_chapters_numbers_and_link_them(html, generated):
    page = (html / "findings.html").read_text(encoding="utf-8")
    # Every cross-page glue role resolved: no role text and no unresolved-glue warning left.
    assert "glue:text" not in page and "_generated/" in page
    links = re.findall(r'href="(_generated/[^"]+)"', page)
    assert len(links) >= 7
    for link in links:
        target, _, fragment = link.partition("#")
        assert (html / target).is_file(), link
        if fragment:
            assert f'id="{fragment}"' in (html / target).read_text(encoding="utf-8"), link
    kaz = nbformat.read(generated / "policy__country-KAZ.ipynb", as_version=4)
    mean = glued(kaz)["mean_stance"]
    assert f"{mean:+.2f}" in _text(html / "findings.html")


def test_coverage_page_shows_the_computed_table(html, package):
    text = _text(html / "_generated" / "coverage.html")
    for _, row in coverage.by_state(package).iterrows():
        assert row["Latest"] in text


def test_chronology_lists_every_entry_with_its_group(html, package):
    page = (html / "_generated" / "chronology.html").read_text(encoding="utf-8")
    assert page.count("<li data-group=") == len(chronology.entries(package))
    assert 'data-group="context"' in page


INTERNAL = re.compile(r"\bseeds? \d{3}\b|\b0\d\d\s*(?:[-–]|to)\s*0\d\d\b|data/\w+\.csv", re.I)


def test_no_page_names_internal_documents_outside_how_to_add_notes(html):
    """Seed numbers and data/*.csv paths mean nothing to a reader; only the notes telling an
    analyst how to add missing data (a container of class how-to-add) may name the files."""
    from bs4 import BeautifulSoup

    pages = [p for p in html.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.relative_to(html).parts)]
    assert len(pages) >= 20
    leaks = {}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        body = soup.find("main") or soup
        for note in body.select(f".{HOW_TO_ADD}"):
            note.decompose()
        found = INTERNAL.findall(" ".join(body.get_text(" ").split()))
        if found:
            leaks[page.relative_to(html).as_posix()] = sorted(set(found))
    assert not leaks, leaks


def test_how_to_add_notes_are_marked_as_such():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "## Nothing yet\n\nAdd a row to `data/events.csv`.", metadata={"tags": ["how-to-add"]}
            ),
            nbformat.v4.new_markdown_cell("Plain prose."),
        ]
    )

    postprocess(nb)
    assert nb.cells[0].source.startswith("## Nothing yet\n\n:::{container} how-to-add\nAdd a row")
    assert nb.cells[1].source == "Plain prose."


def _chapter_runs(root):

    return [run for run in load_matrix(root).runs if coverage.is_chapter(run.thread)]


def test_every_chapter_says_how_current_its_data_are(root, html, package):
    runs = _chapter_runs(root)
    assert {run.thread for run in runs} == {"overview", "policy", "refusal", "repatriation", "trade"}
    for run in runs:
        page = (html / "_generated" / f"{run.name}.html").read_text(encoding="utf-8")
        line = coverage.as_of_text(package, coverage.CHAPTER_STATES[run.thread](package, run.parameters))
        top = page.split("<article", 1)[-1].split("<h2", 1)[0]  # above the first section
        paragraph = next(
            (p for p in re.findall(r"<p>(.*?)</p>", top, re.S) if line in " ".join(re.sub(r"<[^>]+>", "", p).split())),
            None,
        )
        assert paragraph is not None, (run.name, line)
        assert 'href="coverage.html"' in paragraph, run.name
    assert (html / "_generated" / "coverage.html").is_file()
    # The line is the run's own: a trade chapter speaks of its reporter, the overview of all five.
    kgz = coverage.as_of_text(package, ["KGZ"])
    assert "Kyrgyzstan" in kgz and kgz in _text(html / "_generated" / "trade__partner-AFG__reporter-KGZ.html")


def test_a_dataset_is_named_in_its_source_line(package):
    line = citations.source_line(package["sources"], ["unhcr-refugees-r-package-2025-12-1"])
    assert line == "UNHCR, Refugee Population Statistics Database, via the R package refugees 2025.12.1"
    # A news source keeps its short form: publisher, author and date.
    news = citations.source_line(package["sources"], ["rferl-2021-09-qishloq-ovozi"])
    assert news.startswith("RFE/RL") and "via" not in news


def test_trade_chapter_shows_the_ticker_rates(html):
    text = _text(html / "_generated" / "trade__partner-AFG__reporter-KAZ.html")
    assert "0.00211" in text and "No date is given" in text


def test_chart_source_lines_and_captions_name_no_data_file(root, package):
    """Source lines and captions are drawn into images, out of reach of the page test above:
    read every string the notebooks' code holds (comments are not strings) and the map's note."""
    import ast

    from amudarya.render import regionmap

    found = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and INTERNAL.search(node.value):
                    found.append((path.name, node.value))
    assert not found, found
    assert not INTERNAL.search(regionmap.source_note(package["places"]))
