"""Moving quads between pyoxigraph (fast parsing and querying) and rdflib (the explorer's input)."""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def dataset_from_store(store: ox.Store) -> Dataset:
    """An rdflib Dataset with every quad of the store, named graphs kept.

    The project's stores also hold a copy of every named graph's triples in the default graph
    (the union, see ``liuzhou_kg.store``); those copies are left out, so that only triples that
    are in the default graph alone (e.g. from a plain Turtle file) stay there.
    """
    ds = Dataset()
    graphs: dict = {}
    named: set = set()
    default: list = []
    for q in store.quads_for_pattern(None, None, None, None):
        g = q.graph_name
        triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        if not isinstance(g, ox.NamedNode):
            default.append(triple)
            continue
        named.add(triple)
        if g.value not in graphs:
            graphs[g.value] = ds.graph(URIRef(g.value))
        graphs[g.value].add(triple)
    for triple in default:
        if triple not in named:
            ds.default_graph.add(triple)
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
