"""The indicator chart through `liuzhou-kg serve` on the fixture corpus (the 2015 text and the two
test documents), over HTTP and in Chromium: the GDP of 2014, 2021 and the first half of 2022 come
from three documents and are all drawn, each point linking to its observation."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import httpx
import pytest

from conftest import ARTIFACTS, requires_chromium
from test_server import running_server

SVG = "{http://www.w3.org/2000/svg}"
LZ = "https://w3id.org/liuzhou-kg/resource/"
GDP_FIGURES = {"/resource/gdp-2014": LZ + "source-liuzhou-innovation-2015",
               "/resource/gdp-2021": LZ + "source-work-report-2022",
               "/resource/gdp-2022-h1": LZ + "source-communique-2022-h1"}


@pytest.fixture(scope="module")
def corpus_url(corpus_dist):
    with running_server("--data", str(corpus_dist / "liuzhou.nq"), "--workers", "1") as (url, _):
        yield url


def svgs(html: str) -> list[ET.Element]:
    found, start = [], html.find("<svg")
    while start >= 0:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))
        start = html.find("<svg", end)
    return [s for s in found if s.get("class") == "chart"]


def points(svg: ET.Element) -> dict[str, str]:
    return {a.get("href"): a.get("data-document") for a in svg.iter(f"{SVG}a")
            if a.get("class") == "chart-point"}


def test_an_indicator_with_figures_of_three_documents_shows_them_all(corpus_url):
    response = httpx.get(corpus_url + "/resource/gdp", headers={"Accept": "text/html"})
    assert response.status_code == 200
    [svg] = svgs(response.text)
    assert points(svg) == GDP_FIGURES
    ticks = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"2014年", "2021年", "2022年上半年"} <= set(ticks)
    assert "亿元" in ticks
    table = response.text[response.text.index('<table class="chart-figures"'):]
    table = table[:table.index("</table>")]
    for value in ("2208.51", "3176.94", "1512.3"):
        assert value in table
    assert "柳州市人民政府工作报告" in table


def test_the_points_of_one_year_from_two_entities_are_two_series(corpus_url):
    html = httpx.get(corpus_url + "/resource/output-value").text
    [svg] = svgs(html)
    assert len(points(svg)) == 5
    series = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "series"]
    assert len(series) == 4  # SGMW, Dongfeng Liuzhou, the automotive industry, emerging industries
    lines = [p for g in series for p in g.iter(f"{SVG}path") if p.get("class") == "series-line"]
    assert len(lines) == 1  # only the automotive industry has figures of two years


def test_two_stated_units_of_one_base_unit_share_a_chart(corpus_url):
    html = httpx.get(corpus_url + "/resource/new-enterprise-technology-centres").text
    [svg] = svgs(html)
    assert len(points(svg)) == 2
    assert "图中数值" in html  # the plotted (base) values are listed beside the stated ones


def test_pages_without_figures_have_no_chart(corpus_url):
    assert svgs(httpx.get(corpus_url + "/resource/liugong").text) == []
    page = httpx.get(corpus_url + "/resource/share-of-land-area").text  # no stated period
    assert svgs(page) == [] and 'class="chart-figures"' in page


@requires_chromium
def test_the_chart_renders_in_chromium_offline(browser, corpus_url):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []  # the server has no favicon: Chromium's own request for it may 404
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(corpus_url + "/resource/gdp", wait_until="networkidle")
    chart = page.locator("svg.chart")
    assert chart.count() == 1
    markers = page.locator("svg.chart a.chart-point path")
    assert markers.count() == 3
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    for i in range(3):  # every marker is drawn inside the chart
        m = markers.nth(i).bounding_box()
        assert m["width"] > 4 and box["x"] <= m["x"] <= box["x"] + box["width"]
    assert page.locator("table.chart-figures tbody tr").count() == 3
    chart.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "indicator-chart-gdp.png"
    page.locator("figure.indicator-chart").screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    # a point leads to its observation's page
    markers.nth(1).click()
    page.wait_for_url("**/resource/gdp-2021")
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert [e for e in errors if "404" not in e] == []
    hosts = {urlparse(r).hostname for r in requests}
    assert hosts == {"127.0.0.1"}, requests
    page.close()
