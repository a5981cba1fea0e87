"""The built HTML book: the chapter, its glued numbers and chart, and no network loads."""

import re
from html.parser import HTMLParser

import pytest

from amudarya.domain import trade, tradefacts, tradefigures, tradetables


class Loads(HTMLParser):
    """Collects what a page would fetch by itself: script/img/iframe sources and stylesheets."""

    def __init__(self):
        super().__init__()
        self.loads = []
        self.images = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed"} and a.get("src"):
            self.loads.append(a["src"])
        if (
            tag == "link"
            and a.get("href")
            and set((a.get("rel") or "").split()) & {"stylesheet", "preload", "icon", "modulepreload"}
        ):
            self.loads.append(a["href"])
        if tag == "img":
            self.images.append(a)


def _pages(built_book):
    return sorted((built_book / "_build" / "html").rglob("*.html"))


def test_the_book_has_an_index_and_the_trade_chapter(built_book):
    html = built_book / "_build" / "html"
    assert (html / "index.html").is_file()
    assert (html / "_generated" / "trade__partner-AFG__reporter-KAZ.html").is_file()


def test_glued_numbers_from_the_data_are_on_the_page(built_book, package):
    page = (built_book / "_build" / "html" / "_generated" / "trade__partner-AFG__reporter-KAZ.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    facts = tradefacts.before_takeover(trade.flows(package["trade"], "KAZ", "AFG"), "2021-08-15")
    assert f"US$ {facts['turnover_m']:,.1f} million" in text
    assert f"{facts['export_share']:.0%} of the total" in text
    assert "nan" not in text.lower().split()


def test_chart_is_an_image_with_alt_text_from_the_data(built_book, package):
    page = (built_book / "_build" / "html" / "_generated" / "trade__partner-AFG__reporter-KAZ.html").read_text()
    parser = Loads()
    parser.feed(page)
    charts = [img for img in parser.images if "_images/" in img.get("src", "")]
    # The pre-takeover composition and the figures over the years.
    assert len(charts) == 2
    composition = [c for c in charts if c["alt"].startswith("Bar chart: ")]
    assert len(composition) == 1
    bars = tradetables.composition_chart_data(
        trade.flows(package["trade"], "KAZ", "AFG", package["disputes"]), "2021-08-15"
    )
    top = bars.iloc[0]
    from amudarya.domain.words import spoken

    assert (
        f"{top['label']} {spoken(top['value_m'])}" in composition[0]["alt"] and "US$ million" in composition[0]["alt"]
    )


@pytest.mark.parametrize("pattern", [r"^https?://", r"^//"])
def test_no_page_loads_anything_from_the_network(built_book, pattern):
    offenders = []
    for page in _pages(built_book):
        parser = Loads()
        parser.feed(page.read_text())
        offenders += [f"{page.name}: {src}" for src in parser.loads if re.match(pattern, src)]
    assert not offenders


def test_chapter_offers_its_rows_and_executed_notebook_as_downloads(built_book, package):
    import pandas as pd

    html = built_book / "_build" / "html"
    page = (html / "_generated" / "trade__partner-AFG__reporter-KAZ.html").read_text()
    links = dict(
        (href.rsplit("/", 1)[1], html / "_generated" / href)
        for href in re.findall(r'class="[^"]*download internal[^"]*" download="" href="([^"]+)"', page)
    )
    assert {"trade.csv", "sources.csv", "trade__partner-AFG__reporter-KAZ.ipynb"} <= set(links)
    rows = pd.read_csv(links["trade.csv"])
    # Every row about the pair, from either side, targets and disputed figures included.
    expected = trade.pair_rows(package["trade"], "KAZ", "AFG")
    assert sorted(rows["trade_id"]) == sorted(expected["trade_id"])
    assert rows["value_usd"].sum() == pytest.approx(float(expected["value_usd"].sum()))
    baseline = tradefigures.rows_before_takeover(trade.flows(package["trade"], "KAZ", "AFG"), "2021-08-15")
    assert set(baseline["trade_id"]) <= set(rows["trade_id"])


def _text(page: str) -> str:
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_kazakh_trade_chapter_shows_the_series_chart_and_the_2022_dispute(built_book, package):
    from amudarya.domain import disputes

    page = (built_book / "_build" / "html" / "_generated" / "trade__partner-AFG__reporter-KAZ.html").read_text()
    parser = Loads()
    parser.feed(page)
    [series] = [
        img
        for img in parser.images
        if "_images/" in img.get("src", "") and img.get("alt", "").startswith("Chart of figures by period")
    ]
    s = trade.series(package["trade"], "KAZ", "AFG", package["disputes"])
    for _, row in s.iterrows():
        assert f"{row['period']} " in series["alt"]
    year_2022 = s[(s["period"] == "2022") & (s["flow"] == "turnover")].iloc[0]
    assert f"2022 {year_2022['value_usd'] / 1e6:,.1f}" in series["alt"] and "US$ million" in series["alt"]
    text = _text(page)
    subject = package["disputes"].set_index("dispute_id").loc["num-kaz-afg-turnover-2022", "subject"]
    assert subject in text
    for claim in disputes.claims(package, ["num-kaz-afg-turnover-2022"])["claim"]:
        assert claim in text
    assert "only bars of the same width" in text


def test_kyrgyz_repatriation_chapter_is_in_the_book_with_its_stage_chart(built_book, package):
    page = (built_book / "_build" / "html" / "_generated" / "repatriation__country-KGZ__origin-AFG.html").read_text()
    parser = Loads()
    parser.feed(page)
    alts = [img.get("alt", "") for img in parser.images if "_images/" in img.get("src", "")]
    assert len(alts) == 2
    stages = next(a for a in alts if a.startswith("Bar chart in"))
    assert "in persons, oldest first:" in stages and "in families" in stages and "in houses" in stages
    # How many remain is a stock, charted apart from the movements.
    assert "(a stock at a date, not a movement), in persons: Still in Afghanistan" in stages
    text = _text(page)
    assert "Bringing kin home: Kyrgyzstan and Afghanistan" in text
    assert "nan" not in text.lower().split()
