"""The indicator chart (liuzhou_kg/server/chart.py) on hand-made figures: scales, series, units,
a single point, zero and negative values, and the SVG and table its template renders."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from liuzhou_kg.server import chart
from liuzhou_kg.server.chart_figures import Figure, number

SVG = "{http://www.w3.org/2000/svg}"
CFG = chart.settings()
LEFT, RIGHT = CFG["margin"]["left"], CFG["width"] - CFG["margin"]["right"]
TOP, BOTTOM = CFG["margin"]["top"], CFG["height"] - CFG["margin"]["bottom"]
YEARS = {"y2014": ("2014-01-01", "2014-12-31", True), "y2021": ("2021-01-01", "2021-12-31", True),
         "y2022": ("2022-01-01", "2022-12-31", True), "h1": ("2022-01-01", "2022-06-30", False),
         "none": (None, None, False)}


def label(iri: str):
    """Names for hand-made IRIs: the zh label is the IRI with a mark, the en label the IRI."""
    return SimpleNamespace(iri=iri, href="/resource/" + iri, zh=iri + "·zh", en=iri, short=iri)


def fig(obs: str, value, period: str = "y2014", unit: str = "yi-yuan", entity: str = "liuzhou",
        base: float | None = None, base_unit: str | None = None, area: str = "liuzhou",
        documents=("doc-2015",)) -> Figure:
    start, end, annual = YEARS[period]
    text = str(value)
    return Figure(obs, number(text), text, unit, base, base_unit, period, start, end, annual,
                  area, entity, "exact", list(documents))


def render(c: chart.Chart) -> str:
    env = Environment(loader=FileSystemLoader(str(chart.HERE / "templates")),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    return env.get_template(chart.TEMPLATE).render(chart=c)


def svg_of(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


# --- numbers and scales ----------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [("2208.51", 2208.51), ("1/7", 1 / 7), ("-3.5", -3.5),
                                         ("0", 0.0), ("1e3", 1000.0), ("NaN", None),
                                         ("about 5", None), ("1/0", None)])
def test_stated_values_are_read_as_numbers(text, value):
    assert number(text) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize("values, domain", [
    ([2208.51, 3176.94, 1512.3], (0, 4000, 1000)),
    ([5, 12], (0, 12.5, 2.5)),
    ([-5, 12], (-5, 15, 5)),
    ([-40, -10], (-40, 0, 10)),
    ([0, 0], (0, 1, 0.2)),
    ([1 / 7, 0.2], (0, 0.2, 0.05)),
    ([13_000_000], (0, 15_000_000, 5_000_000)),
])
def test_the_value_axis_includes_zero_and_ends_on_round_steps(values, domain):
    low, high, step = chart.value_domain(values, 5)
    assert (low, high, step) == pytest.approx(domain)
    assert low <= min(values) and high >= max(values)


def test_tick_text_uses_the_decimals_the_step_needs():
    assert chart.tick_text(2500, 500) == "2,500"
    assert chart.tick_text(0.25, 0.05) == "0.25"
    assert chart.tick_text(-0.0, 0.5) == "0"
    assert chart.tick_text(-5, 5) == "-5"
    assert chart.number_text(220851000000.0) == "220,851,000,000"
    assert chart.number_text(0.0833333333) == "0.083333"


# --- layout ----------------------------------------------------------------------------------
def test_no_figures_no_chart():
    assert chart.layout_charts("gdp", [], label) == []


def test_one_point_is_centred_with_no_line():
    [c] = chart.layout_charts("gdp", [fig("gdp-2014", 2208.51)], label)
    assert c.svg and c.point_count == 1
    [s] = c.series
    [p] = s.points
    assert p.x == pytest.approx((LEFT + RIGHT) / 2)
    assert TOP <= p.y <= BOTTOM
    assert s.line == ""
    assert [t.text for t in c.x_ticks] == ["y2014·zh"]
    assert c.unit.iri == "yi-yuan" and not c.converted


def test_values_map_to_heights_and_zero_sits_on_the_axis():
    figures = [fig("a", 0, "y2014"), fig("b", 50, "y2021"), fig("c", 100, "y2022")]
    [c] = chart.layout_charts("x", figures, label)
    ys = {p.figure.observation: p.y for p in c.series[0].points}
    assert ys["a"] == pytest.approx(BOTTOM)
    assert ys["c"] == pytest.approx(TOP)
    assert ys["b"] == pytest.approx((TOP + BOTTOM) / 2)
    assert c.zero is None  # no negative value: the bottom axis is the zero line
    xs = [p.x for p in c.series[0].points]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_negative_values_fall_below_a_zero_line():
    figures = [fig("a", -5, "y2014"), fig("b", 12, "y2021")]
    [c] = chart.layout_charts("x", figures, label)
    ys = {p.figure.observation: p.y for p in c.series[0].points}
    assert c.zero is not None and TOP < c.zero < BOTTOM
    assert ys["a"] > c.zero > ys["b"]
    assert "-5" in [t.text for t in c.y_ticks] and "0" in [t.text for t in c.y_ticks]


def test_one_series_per_area_and_entity_with_its_own_colour_and_marker():
    figures = [fig("sgmw-2014", 700, entity="sgmw"), fig("dongfeng-2014", 200, entity="dongfeng"),
               fig("auto-2014", 2000, entity="auto"), fig("auto-2021", 2500, "y2021", entity="auto",
                                                          documents=["doc-2022"])]
    [c] = chart.layout_charts("output-value", figures, label)
    assert [s.label.iri for s in c.series] == ["auto", "dongfeng", "sgmw"]
    assert len({s.color for s in c.series}) == 3 and len({s.shape for s in c.series}) == 3
    assert c.point_count == 4
    auto = c.series[0]
    assert auto.line.startswith("M") and auto.line.count("L") == 1
    # three figures of 2014 are set apart so that none hides another, in series order
    xs = sorted((p.x, p.figure.observation) for s in c.series for p in s.points
                if p.figure.period == "y2014")
    assert [o for _, o in xs] == ["auto-2014", "dongfeng-2014", "sgmw-2014"]
    assert len({x for x, _ in xs}) == 3
    assert auto.points[1].documents[0].iri == "doc-2022"


def test_an_area_is_named_only_where_series_differ_in_area():
    figures = [fig("a", 1, area="liuzhou", entity="liuzhou"), fig("b", 2, area="guangxi", entity="x")]
    [c] = chart.layout_charts("x", figures, label)
    by_entity = {s.label.iri: s for s in c.series}
    assert by_entity["x"].area.iri == "guangxi"
    assert by_entity["liuzhou"].area is None


def test_a_half_year_is_a_point_off_the_line():
    figures = [fig("g14", 2208.51, "y2014"), fig("g21", 3176.94, "y2021"), fig("h1", 1512.3, "h1")]
    [c] = chart.layout_charts("gdp", figures, label)
    [s] = c.series
    assert [t.text for t in c.x_ticks] == ["y2014·zh", "y2021·zh", "h1·zh"]
    h1 = next(p for p in s.points if p.figure.observation == "h1")
    assert f"{h1.x:.1f},{h1.y:.1f}" not in s.line
    assert s.line.count("L") == 1


def test_figures_with_no_period_are_listed_not_drawn():
    figures = [fig("land", "1/13", "none", unit="fraction")]
    [c] = chart.layout_charts("share", figures, label)
    assert not c.svg and c.point_count == 0
    assert [p.figure.observation for p in c.undrawn] == ["land"]
    html = render(c)
    assert "<svg" not in html
    assert "1/13 fraction·zh" in html and 'class="undrawn"' in html


def test_units_on_one_base_unit_share_a_chart_in_base_values():
    figures = [fig("a", 5, unit="jia", base=5, base_unit="count"),
               fig("b", 12, "y2021", unit="count", base=12, base_unit="count"),
               fig("c", 1300, "y2014", unit="wan-tonnes", base=13_000_000, base_unit="tonne"),
               fig("d", 7_000_000, "y2021", unit="tonne", base=7_000_000, base_unit="tonne")]
    counts, tonnes = chart.layout_charts("mixed", figures, label)
    assert counts.converted and counts.unit.iri == "count"
    assert tonnes.converted and tonnes.unit.iri == "tonne"
    assert [p.plotted for p in tonnes.rows] == [13_000_000, 7_000_000]
    html = render(tonnes)
    assert "1300 wan-tonnes·zh" in html and "13,000,000" in html  # stated and plotted


def test_units_with_different_base_units_get_separate_charts():
    figures = [fig("a", 2208.51, unit="yi-yuan", base=2.2e11, base_unit="yuan"),
               fig("b", 8.3, unit="percent", base=0.083, base_unit="ratio")]
    charts = chart.layout_charts("x", figures, label)
    assert [c.unit.iri for c in charts] == ["yi-yuan", "percent"]
    assert not any(c.converted for c in charts)  # one stated unit each: stated values plotted
    assert [c.id for c in charts] == ["chart-1", "chart-2"]


# --- the template ----------------------------------------------------------------------------
def test_the_svg_has_title_desc_one_linked_point_per_figure_and_a_table():
    figures = [fig("g14", 2208.51, "y2014"), fig("g21", 3176.94, "y2021", documents=["doc-2022"]),
               fig("h1", 1512.3, "h1", documents=["doc-h1"])]
    [c] = chart.layout_charts("gdp", figures, label)
    html = render(c)
    svg = svg_of(html)
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and "gdp·zh" in title.text
    assert desc is not None and "3 figures" in desc.text and "y2014" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    points = [a for a in svg.iter(f"{SVG}a") if a.get("class") == "chart-point"]
    assert [a.get("href") for a in points] == ["/resource/g14", "/resource/g21", "/resource/h1"]
    assert [a.get("data-document") for a in points] == ["doc-2015", "doc-2022", "doc-h1"]
    assert all("source" in a.find(f"{SVG}title").text for a in points)
    table = html[html.index("<table"):]
    assert table.count("<tr") == 1 + 3
    assert 'href="/resource/doc-2022"' in table


def test_labels_are_escaped_in_svg_and_table():
    def hostile(iri):
        return SimpleNamespace(iri=iri, href="/r", zh="<script>alert(1)</script>", en="a&b", short=iri)
    [c] = chart.layout_charts("x", [fig("a", 1)], hostile)
    html = render(c)
    assert "<script>" not in html and "&lt;script&gt;" in html
    svg_of(html)  # still well-formed XML


def test_a_non_numeric_value_is_listed_not_drawn():
    [c] = chart.layout_charts("x", [fig("a", "about five"), fig("b", 3, "y2021")], label)
    assert c.point_count == 1
    assert [p.figure.observation for p in c.undrawn] == ["a"]
    assert math.isnan(c.undrawn[0].plotted)


def test_series_are_ordered_by_name_whatever_the_case():
    figures = [fig("a", 1, entity="SGMW"), fig("b", 2, entity="automotive"), fig("c", 3, entity="Dongfeng")]
    [c] = chart.layout_charts("x", figures, label)
    assert [s.label.iri for s in c.series] == ["automotive", "Dongfeng", "SGMW"]
