"""Moving quads between pyoxigraph (fast parsing and querying) and rdflib (the explorer's input)."""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..core.terms import to_oxigraph_term as to_oxigraph
from ..core.terms import to_rdflib_term as to_rdflib


def dataset_from_store(store: ox.Store) -> Dataset:
    """An rdflib Dataset with every quad of the store, named graphs and default graph as they are
    (the project's stores keep nothing in the default graph, see ``liuzhou_kg.store.generations``; a plain
    Turtle file loaded with ``--data`` is all in it)."""
    ds = Dataset()
    graphs: dict = {}
    for q in store.quads_for_pattern(None, None, None, None):
        g = q.graph_name
        triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        if not isinstance(g, ox.NamedNode):
            ds.default_graph.add(triple)
            continue
        if g.value not in graphs:
            graphs[g.value] = ds.graph(URIRef(g.value))
        graphs[g.value].add(triple)
    return ds


def store_from_dataset(dataset: Dataset) -> ox.Store:
    """An in-memory pyoxigraph store with every quad of the dataset."""
    store = ox.Store()
    quads = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        g = getattr(g, "identifier", g)
        graph = ox.DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID else to_oxigraph(g)
        quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))
    store.bulk_extend(quads)
    return store
