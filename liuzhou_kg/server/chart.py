"""The chart of an indicator's figures on its linked-data page: inline SVG drawn on the server.

:func:`.chart_figures.read_figures` reads the figures of one indicator from the store
(``queries/indicator-observations.rq``); :func:`layout_charts` turns figures into
:class:`Chart` s, which ``templates/indicator-chart.html`` renders as an SVG (with ``<title>`` and
``<desc>``) and a table of the same figures. No script and no external asset is involved.

The rules:

* one chart per *base unit* (yuan, tonnes, vehicles, counts, ratios): figures that cannot be put on
  one axis are never drawn on one. Within a chart, the stated values are plotted when every figure
  has the same stated unit (亿元); otherwise the build's base values are plotted, in the base unit;
* periods are placed in time order (by beginning, then end), evenly spaced; a figure with no
  stated period is listed in the table but not drawn;
* one series per area and entity (``sdmx-dimension:refArea``, ``lzo:refEntity``), each with its
  own colour and marker; a line joins a series' yearly figures, while a figure of another period
  (a half year) stands alone, since it is not comparable with a year's;
* the value axis always includes zero, so negative values fall below a zero line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol

import yaml
from pyoxigraph import Store

from .chart_figures import Figure, has_figures, read_figures

HERE = Path(__file__).resolve().parent
SETTINGS_FILE = HERE / "chart.yaml"
TEMPLATE = "indicator-chart.html"


class Named(Protocol):
    """What the chart needs of a resource it names: IRI, page link and labels (pages.Link fits)."""

    iri: str
    href: str
    zh: str | None
    en: str | None


Labeller = Callable[[str], Named]


@dataclass
class Unnamed:
    """The name of a series whose figures state neither area nor entity."""

    iri: str = ""
    href: str = ""
    zh: str | None = "（未说明）"
    en: str | None = "(not stated)"


UNNAMED = Unnamed()


@dataclass
class Tick:
    """A labelled position on an axis, in SVG units."""

    pos: float
    text: str


@dataclass
class Point:
    """A drawn figure: its position, its marker's outline and what its tooltip and table say."""

    figure: Figure
    x: float
    y: float
    marker: str          # SVG path data of the marker
    plotted: float       # the value plotted (stated, or base when units are mixed)
    plotted_text: str
    unit: Named | None   # the stated unit
    observation: Named
    period: Named
    documents: list[Named]
    qualifier: Named | None
    drawn: bool = False


@dataclass
class Series:
    """One area-and-entity series: label, colour, marker shape, points and the line's path."""

    key: tuple[str, str]
    label: Named
    area: Named | None
    color: str
    shape: str
    points: list[Point] = field(default_factory=list)
    line: str = ""       # SVG path data joining the yearly figures ("" when there is none)
    swatch: str = ""     # the marker's path data in the legend's 22 x 14 box


@dataclass
class Chart:
    """One chart (figures of one base unit) and the rows of its table.

    ``rows`` are every figure of the unit in period order, drawn or not; ``undrawn`` those with no
    period. ``svg`` is False when nothing can be drawn (then only the table is shown).
    """

    id: str
    indicator: Named
    unit: Named | None               # the unit of the value axis
    converted: bool                  # base values plotted (the stated units differ)
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    zero: float | None               # y of the zero line, when the axis spans negative values
    series: list[Series]
    rows: list[Point]
    undrawn: list[Point]
    periods: list[Named]

    @property
    def svg(self) -> bool:
        return any(s.points for s in self.series)

    @property
    def point_count(self) -> int:
        return sum(len(s.points) for s in self.series)


@lru_cache(maxsize=None)
def settings() -> dict:
    """The drawing settings of ``chart.yaml`` (size, margins, ticks, colours, marker shapes)."""
    return yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))


# --- scales ----------------------------------------------------------------------------------
def nice_step(span: float, ticks: int) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


def value_domain(values: list[float], ticks: int) -> tuple[float, float, float]:
    """The value axis for ``values``: (low, high, step), zero always inside, ends on a step."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:
        high = 1.0
    step = nice_step(high - low, ticks)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def tick_text(value: float, step: float) -> str:
    """``value`` printed with as many decimals as ``step`` needs, with thousands separators."""
    decimals = 0
    while decimals < 10 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def number_text(value: float) -> str:
    """``value`` for people: thousands separators, at most six decimals, no trailing zeros."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def marker_path(shape: str, x: float, y: float, r: float) -> str:
    """SVG path data of a marker of ``shape`` (circle, square, triangle, diamond) centred on x, y."""
    if shape == "square":
        s = r * 0.9
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - r * 1.15:.1f}L{x + r * 1.1:.1f},{y + r * 0.8:.1f}L{x - r * 1.1:.1f},{y + r * 0.8:.1f}z"
    if shape == "diamond":
        s = r * 1.25
        return f"M{x:.1f},{y - s:.1f}L{x + s:.1f},{y:.1f}L{x:.1f},{y + s:.1f}L{x - s:.1f},{y:.1f}z"
    return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0"


# --- layout ----------------------------------------------------------------------------------
def layout_charts(indicator: str, figures: list[Figure], label: Labeller) -> list[Chart]:
    """The charts of ``indicator``'s ``figures``: one per base unit, in the order units first appear.

    ``label`` names a resource by IRI (labels and page link). Returns [] for no figures.
    """
    groups: dict[tuple[str, str], list[Figure]] = {}
    for figure in figures:
        if figure.base_unit and figure.base_value is not None:
            key = ("base", figure.base_unit)
        else:  # no base value: the figure shares an axis only with figures of its stated unit
            key = ("stated", figure.unit or "")
        groups.setdefault(key, []).append(figure)
    return [_chart(f"chart-{n + 1}", label(indicator), key[1], members, label)
            for n, (key, members) in enumerate(groups.items())]


def _chart(chart_id: str, indicator: Named, group_unit: str, figures: list[Figure],
           label: Labeller) -> Chart:
    cfg = settings()
    width, height, margin = cfg["width"], cfg["height"], cfg["margin"]
    left, right = margin["left"], width - margin["right"]
    top, bottom = margin["top"], height - margin["bottom"]
    stated_units = {f.unit for f in figures}
    converted = len(stated_units) > 1 and all(f.base_value is not None for f in figures)
    unit = group_unit if converted else (sorted(u or "" for u in stated_units)[0] or None)

    def plotted(f: Figure) -> float | None:
        return f.base_value if converted else f.value

    drawable = [f for f in figures if f.start is not None and plotted(f) is not None]
    periods = sorted({(f.start, f.end, f.period) for f in drawable})
    slot = (right - left) / max(len(periods), 1)
    x_of = {p[2]: left + slot * (i + 0.5) for i, p in enumerate(periods)}
    low, high, step = value_domain([plotted(f) for f in drawable], cfg["value_ticks"])

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    keys = sorted({f.series for f in figures},
                  key=lambda k: (_name(label(k[1])).casefold() if k[1] else "",
                                 _name(label(k[0])).casefold() if k[0] else "", k))
    areas = {k[0] for k in keys}
    series: dict[tuple[str, str], Series] = {}
    for i, key in enumerate(keys):
        shown_area = label(key[0]) if key[0] and (len(areas) > 1 and key[0] != key[1]) else None
        series[key] = Series(key, label(key[1]) if key[1] else UNNAMED, shown_area,
                             cfg["palette"][i % len(cfg["palette"])],
                             cfg["markers"][i % len(cfg["markers"])])
        series[key].swatch = marker_path(series[key].shape, 11, 7, 4)
    dodge = min(cfg["dodge"], slot / (2 * max(len(keys), 1)))
    rows, undrawn = [], []
    for f in figures:
        s = series[f.series]
        value = plotted(f)
        point = Point(f, 0.0, 0.0, "", value if value is not None else math.nan,
                      number_text(value) if value is not None else "",
                      label(f.unit) if f.unit else None, label(f.observation), label(f.period),
                      [label(d) for d in f.documents], label(f.qualifier) if f.qualifier else None)
        rows.append(point)
        if f not in drawable:
            undrawn.append(point)
            continue
        offset = (keys.index(f.series) - (len(keys) - 1) / 2) * dodge
        point.x, point.y = x_of[f.period] + offset, y_of(point.plotted)
        point.marker = marker_path(s.shape, point.x, point.y, cfg["marker_radius"])
        point.drawn = True
        s.points.append(point)
    for s in series.values():
        yearly = [p for p in s.points if p.figure.annual]
        if len(yearly) > 1:
            s.line = "M" + "L".join(f"{p.x:.1f},{p.y:.1f}" for p in yearly)
    y_ticks = []
    count = int(round((high - low) / step))
    for k in range(count + 1):
        value = low + k * step
        y_ticks.append(Tick(round(y_of(value), 1), tick_text(value, step)))
    x_ticks = [Tick(round(x_of[p[2]], 1), _name(label(p[2]), "zh")) for p in periods]
    return Chart(chart_id, indicator, label(unit) if unit else None, converted, width, height,
                 left, right, top, bottom, x_ticks, y_ticks,
                 round(y_of(0.0), 1) if low < 0 else None, list(series.values()), rows, undrawn,
                 [label(p[2]) for p in periods])


def _name(named: Named, lang: str = "en") -> str:
    first, second = (named.zh, named.en) if lang == "zh" else (named.en, named.zh)
    return first or second or named.iri


def indicator_charts(store: Store, iri: str, label: Labeller) -> list[Chart]:
    """The charts of the indicator ``iri`` (no query runs unless some observation uses it)."""
    if not has_figures(store, iri):
        return []
    return layout_charts(iri, read_figures(store, iri), label)
