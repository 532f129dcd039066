"""Convert rdflib terms to pyoxigraph terms: the one boundary between the build API and the store."""
from __future__ import annotations

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID


def to_oxigraph_term(term):
    """Convert an rdflib IRI, blank node or literal to its pyoxigraph equivalent.

    Language and datatype are kept; the blank node keeps its id. Raises ``TypeError`` for anything
    else.
    """
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_oxigraph_triple(triple) -> pyoxigraph.Triple:
    """Convert an rdflib ``(s, p, o)`` triple to a pyoxigraph ``Triple``."""
    s, p, o = triple
    return pyoxigraph.Triple(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))


def to_rdflib_term(term):
    """The rdflib term of a pyoxigraph term; the default graph maps to rdflib's default graph id."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, pyoxigraph.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"not an RDF term: {term!r}")
