"""Every write of an imported graph: contained, catalogued, all or nothing.

Every write goes through :class:`liuzhou_kg.store.writer.StoreWriter`: under the store's lock,
into a new generation of the store that no reader sees until it is complete and published. So an
import, ``--replace`` or ``remove`` is all or nothing whatever happens to the process, and a
killed one leaves nothing a query can see (its unpublished folder is deleted by the next writer).

Before publishing, the new generation must hold no graph the previous one did not, except the
import's own, nothing in the default graph, every graph of the build as large as before, and the
catalogue as it was but for the import's entry; otherwise nothing is published. So the build's
graphs (``lzg:ontology``, passage graphs, ``lzg:links`` …) and the catalogue are written only by
their owners.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from ...core.errors import InputError, Problem
from .catalogue import (GRAPH_BASE, IMPORT_GRAPH_BASE, IMPORTS_GRAPH, STAGING_BASE, catalogue_entry,
                        check_graph_iri, count_triples, graph_names, import_graphs, is_catalogued,
                        uncatalogue)


@dataclass
class ImportResult:
    """The outcome of an import: graph IRI, triple count, licence, whether it replaced a graph, and
    ``notes``: lines for the user (what the store keeps in another form than given)."""

    graph: str
    triples: int
    license: str
    replaced: bool
    notes: list[str] = field(default_factory=list)


def store_root(store_dir: Path | None) -> Path:
    """The store folder to write: ``store_dir``, or ``dist/store``."""
    from ...core.layout import Layout

    return Path(store_dir) if store_dir is not None else Layout.default().store


def write_graph(store_dir: Path, graph: ox.NamedNode, load: Callable[[ox.Store, ox.NamedNode], None], *,
                replace: bool, source: str, title: str, license, media_type: str,
                create: bool = False, literals=None) -> ImportResult:
    """Write the graph ``graph`` with ``load(store, graph)`` and give it its catalogue entry, in a
    new generation of the store published only when all is done (see the module docstring).

    ``license`` is the licence IRI, or a function returning it once the data is loaded.
    ``literals`` (a :class:`~.literals.LiteralChanges`, filled by the time ``load`` returns) is what
    the store keeps in another form than given: its note goes into the catalogue entry
    (``dcterms:description``, in English and Chinese) and into the result's ``notes``.
    Raises ``InputError`` (nothing published) on a graph that exists without ``replace``, or on a
    load that wrote outside its graph."""
    from ..writer import StoreWriter

    with StoreWriter(store_dir, f"import <{graph.value}>", create=create) as writer:
        current = writer.current()
        exists = current is not None and (is_catalogued(current, graph.value)
                                          or current.contains_named_graph(graph))
        if exists and not replace:
            raise InputError([Problem(source, None, f"the store already has the graph <{graph.value}>; "
                                                    "pass --replace to replace it, or choose --graph")])
        before = graph_names(current) if current is not None else set()
        owned = _owners_state(current, graph) if current is not None else {IMPORTS_GRAPH: frozenset()}
        del current
        leftovers = {g for g in before if g.startswith(STAGING_BASE)}  # of the layout before generations
        store = writer.begin(drop=({graph.value} if exists else set()) | leftovers)
        before -= leftovers
        if exists:
            uncatalogue(store, [graph.value])
        load(store, graph)
        _check_contained(store, before - {graph.value}, graph)
        if _owners_state(store, graph) != owned:
            raise InputError([Problem(graph.value, None, "the import wrote into a graph of the build or "
                                                         "the catalogue; nothing was published")])
        chosen = license() if callable(license) else license
        triples = count_triples(store, graph)
        notes = {lang: literals.note(lang) for lang in ("en", "zh")} if literals is not None else {}
        notes = {lang: text for lang, text in notes.items() if text}
        store.extend(catalogue_entry(graph, source, title, triples, chosen, media_type, notes))
        writer.commit()
    return ImportResult(graph.value, triples, chosen, exists, [f"note: {notes['en']}"] if notes else [])


def _owners_state(store, graph: ox.NamedNode) -> dict:
    """What an import must leave as it is: the size of every graph of the build (names under
    ``…/graph/`` that are not imports) and every catalogue statement not about ``graph``."""
    state: dict = {}
    for name in graph_names(store):
        if name.startswith(GRAPH_BASE) and not name.startswith((IMPORT_GRAPH_BASE, STAGING_BASE)) \
                and name != IMPORTS_GRAPH:
            state[name] = count_triples(store, ox.NamedNode(name))
    state[IMPORTS_GRAPH] = frozenset(q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(IMPORTS_GRAPH))
                                     if q.subject != graph)
    return state


def _check_contained(store: ox.Store, before: set[str], graph: ox.NamedNode) -> None:
    """Fail (publishing nothing) if the load wrote anywhere but ``graph``: a new graph name, a
    blank-node graph or the default graph."""
    stray = [g for g in store.named_graphs() if not isinstance(g, ox.NamedNode)
             or (g.value not in before and g.value != graph.value)]
    default = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
    if stray or default is not None:
        where = ", ".join(str(g) for g in stray[:5]) or "the default graph"
        raise InputError([Problem(graph.value, None, f"the import wrote outside its graph ({where}); "
                                                     "nothing was published")])


def remove(store_dir: Path, graph_iri: str) -> int:
    """Drop an imported graph and its catalogue entry (one new generation); returns its triples."""
    from ..writer import StoreWriter

    graph = check_graph_iri(graph_iri)
    with StoreWriter(store_dir, f"remove <{graph.value}>") as writer:
        current = writer.current()
        if current is None or not (is_catalogued(current, graph.value) or current.contains_named_graph(graph)):
            raise InputError([Problem("remove", None, f"no imported graph <{graph.value}> in the store")])
        triples = count_triples(current, graph)
        leftovers = {g for g in graph_names(current) if g.startswith(STAGING_BASE)}
        del current
        store = writer.begin(drop={graph.value} | leftovers)
        uncatalogue(store, [graph.value])
        writer.commit()
    return triples


def carry_over_imports(writer, nquads: Path) -> list[str]:
    """The build's write: a new generation with the build's graphs from ``nquads`` and every
    catalogued import (graph and catalogue entry) of the current one; nothing else is kept.
    Returns the import graphs kept."""
    from ..load import load_build_graphs

    current = writer.current()
    kept = import_graphs(current) if current is not None else set()
    everything = graph_names(current) if current is not None else set()
    if current is not None:
        stale = {row["g"].value for row in current.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ ?g ?p ?o }} }}")
            if isinstance(row["g"], ox.NamedNode)} - kept
    else:
        stale = set()
    del current
    store = writer.begin(drop=everything - kept - {IMPORTS_GRAPH})
    uncatalogue(store, sorted(stale))
    # nothing but named graphs: what an older version let an N3 formula or a default graph leave
    for graph in list(store.named_graphs()):
        if not isinstance(graph, ox.NamedNode):
            store.remove_graph(graph)
    store.clear_graph(ox.DefaultGraph())
    load_build_graphs(store, nquads)
    return sorted(kept)
