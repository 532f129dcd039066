"""Validate the built dataset: SHACL shapes, zero-row SPARQL checks, and OWL consistency.

Each step returns readable findings; ``validate`` gathers them into one report, and the build
fails (exit code 1) when any step finds anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from .errors import InputError, Problem
from .paths import CHECKS_DIR
from .reasoning import ReasoningResult, reason

UNION_DIRECTIVE = "# default graph: separate"


@dataclass
class ValidationReport:
    shacl_conforms: bool = True
    shacl_results: list[str] = field(default_factory=list)
    checks: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # check name -> offending rows
    reasoning: ReasoningResult | None = None

    @property
    def ok(self) -> bool:
        return self.shacl_conforms and not any(self.checks.values()) and (self.reasoning is None or self.reasoning.consistent)

    def failures(self) -> str:
        lines = []
        if not self.shacl_conforms:
            lines.append(f"SHACL: {len(self.shacl_results)} violation(s)")
            lines.extend(f"  - {r}" for r in self.shacl_results)
        for name, rows in self.checks.items():
            if rows:
                lines.append(f"check {name}: {len(rows)} offending row(s)")
                lines.extend("  - " + ", ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:50])
        if self.reasoning is not None and not self.reasoning.consistent:
            lines.append("OWL (HermiT): inconsistent")
            lines.append("  " + self.reasoning.explanation.replace("\n", "\n  "))
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "shacl": {"conforms": self.shacl_conforms, "violations": self.shacl_results},
            "checks": {name: {"rows": len(rows), "offenders": rows} for name, rows in self.checks.items()},
            "owl": None if self.reasoning is None else {
                "reasoner": "HermiT (owlready2)",
                "consistent": self.reasoning.consistent,
                "explanation": self.reasoning.explanation,
                "inferred_class_hierarchy": self.reasoning.hierarchy,
            },
        }


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph of the dataset, in one graph."""
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def shacl_report(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Run pySHACL as the build does; return whether ``data`` conforms and the results graph."""
    from pyshacl import validate as shacl_validate

    conforms, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, meta_shacl=False)
    return bool(conforms), results_graph


def check_shapes(data: Graph, shapes: Graph) -> tuple[bool, list[str]]:
    """Validate ``data`` against ``shapes``; return conformance and one readable line a result."""
    conforms, results_graph = shacl_report(data, shapes)
    results = []
    for result in results_graph.subjects(SH.focusNode, None):
        focus = results_graph.value(result, SH.focusNode)
        path = results_graph.value(result, SH.resultPath)
        message = results_graph.value(result, SH.resultMessage)
        value = results_graph.value(result, SH.value)
        text = f"{_n3(data, focus)}"
        if path is not None:
            text += f" {_n3(data, path)}"
        text += f": {message}"
        if value is not None:
            text += f" (value {_n3(data, value)})"
        results.append(text)
    return bool(conforms), sorted(set(results))


def run_checks(nquads: bytes, directory: Path = CHECKS_DIR) -> dict[str, list[dict[str, str]]]:
    """Run every ``*.rq`` under ``directory``; each must return zero rows."""
    store = pyoxigraph.Store()
    store.load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    results = {}
    for path in sorted(directory.glob("*.rq")):
        query = path.read_bytes().decode("utf-8")
        try:
            solutions = store.query(query, use_default_graph_as_union=UNION_DIRECTIVE not in query)
        except SyntaxError as err:
            raise InputError([Problem(path, getattr(err, "lineno", None), f"malformed SPARQL: {err}")]) from None
        variables = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            rows.append({name: _term_text(solution[name]) for name in variables if solution[name] is not None})
        results[path.stem] = rows
    return results


def validate(data: Graph, shapes: Graph, nquads: bytes, *, owl: bool = True,
             checks_dir: Path = CHECKS_DIR) -> ValidationReport:
    """Validate ``data`` (the union of the dataset's graphs) and, by SPARQL, ``nquads`` (its quads)."""
    report = ValidationReport()
    report.shacl_conforms, report.shacl_results = check_shapes(data, shapes)
    report.checks = run_checks(nquads, checks_dir)
    if owl:
        report.reasoning = reason(data)
    return report


def _n3(graph: Graph, term) -> str:
    try:
        return term.n3(graph.namespace_manager)
    except Exception:  # noqa: BLE001 - fall back to the plain text
        return str(term)


def _term_text(term) -> str:
    return term.value if hasattr(term, "value") else str(term)
