"""Convert rdflib terms to pyoxigraph terms: the one boundary between the build API and the store."""
from __future__ import annotations

import pyoxigraph
from rdflib import BNode, Literal, URIRef


def to_oxigraph_term(term):
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
    s, p, o = triple
    return pyoxigraph.Triple(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))
