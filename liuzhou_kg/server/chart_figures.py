"""The figures of an indicator, read from the store for its chart (:mod:`.chart` draws them).

``queries/indicator-observations.rq`` (beside this module) gives one row per observation and per
document stating it; :func:`read_figures` folds them into one :class:`Figure` per observation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store, Variable

HERE = Path(__file__).resolve().parent
QUERY_FILE = HERE / "queries" / "indicator-observations.rq"
INDICATOR = NamedNode("https://w3id.org/liuzhou-kg/ontology#indicator")
MAX_FIGURES = 500


@dataclass
class Figure:
    """One observation as the chart reads it.

    ``value`` is the stated value as a number (None when the literal is not a number) and ``text``
    its lexical form (``2208.51``, ``1/7``); ``start``/``end`` are ISO dates of the period (None
    when no period is stated); ``annual`` says the period is a calendar year.
    """

    observation: str
    value: float | None
    text: str
    unit: str | None
    base_value: float | None
    base_unit: str | None
    period: str
    start: str | None
    end: str | None
    annual: bool
    area: str | None
    entity: str | None
    qualifier: str | None = None
    documents: list[str] = field(default_factory=list)

    @property
    def series(self) -> tuple[str, str]:
        """The series the figure belongs to: its area and its entity."""
        return (self.area or "", self.entity or self.area or "")


@lru_cache(maxsize=None)
def query_text() -> str:
    """The SPARQL of ``queries/indicator-observations.rq``."""
    return QUERY_FILE.read_text(encoding="utf-8")


# --- reading ---------------------------------------------------------------------------------
def has_figures(store: Store, iri: str) -> bool:
    """True when some observation of ``store`` (any graph) has ``iri`` as its ``lzo:indicator``."""
    for _ in store.quads_for_pattern(None, INDICATOR, NamedNode(iri)):
        return True
    return False


def number(text: str) -> float | None:
    """The number a stated value's lexical form stands for (``1/7`` too), None if it is none."""
    text = text.strip()
    try:
        if "/" in text:
            return float(Fraction(text))
        value = Decimal(text)
    except (ValueError, ZeroDivisionError, InvalidOperation):
        return None
    return float(value) if value.is_finite() else None


def read_figures(store: Store, iri: str, limit: int | None = None) -> list[Figure]:
    """The figures of the indicator ``iri`` in ``store``, one per observation, sorted.

    Runs the chart's query over the union of the store's graphs, with ``?indicator`` bound to
    ``iri``. At most ``limit`` figures (default ``MAX_FIGURES``) are returned.
    Raises ``ValueError`` if ``iri`` is not a valid IRI.
    """
    limit = MAX_FIGURES if limit is None else limit
    rows = store.query(query_text(), use_default_graph_as_union=True,
                       substitutions={Variable("indicator"): NamedNode(iri)})
    figures: dict[str, Figure] = {}
    for row in rows:
        key = row["observation"].value
        figure = figures.get(key)
        if figure is None:
            if len(figures) >= limit:
                continue
            value = row["value"]
            start, end, annual = _period_dates(row["year"], row["begin"], row["end"])
            figure = figures[key] = Figure(
                key, number(value.value) if isinstance(value, Literal) else None, value.value,
                _iri(row["unit"]), _number(row["base_value"]), _iri(row["base_unit"]),
                row["period"].value, start, end, annual, _iri(row["area"]), _iri(row["entity"]),
                _iri(row["qualifier"]))
        document = _iri(row["document"])
        if document and document not in figure.documents:
            figure.documents.append(document)
    for figure in figures.values():
        figure.documents.sort()
    return sorted(figures.values(), key=_figure_order)


def _iri(term) -> str | None:
    return term.value if isinstance(term, NamedNode) else None


def _number(term) -> float | None:
    return number(term.value) if isinstance(term, Literal) else None


def _period_dates(year, begin, end) -> tuple[str | None, str | None, bool]:
    if year is not None and year.value[:4].isdigit():
        return f"{year.value[:4]}-01-01", f"{year.value[:4]}-12-31", True
    if begin is not None:
        return begin.value, end.value if end is not None else begin.value, False
    return None, None, False


def _figure_order(figure: Figure):
    return (figure.start is None, figure.start or "", figure.end or "", figure.period,
            figure.series, figure.observation)
