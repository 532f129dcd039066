"""SPARQL on the built graph, with the project's prefixes and rows as plain tuples of strings."""
from __future__ import annotations

import pyoxigraph

from liuzhou_kg.core.namespaces import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def rows(store: pyoxigraph.Store, query: str) -> list[tuple[str, ...]]:
    """Sorted rows of a SELECT over the union of all graphs."""
    solutions = store.query(PROLOGUE + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        out.append(tuple("" if solution[n] is None else solution[n].value for n in names))
    return sorted(out)


def ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(PROLOGUE + query, use_default_graph_as_union=True))
