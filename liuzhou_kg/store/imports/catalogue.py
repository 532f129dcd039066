"""The catalogue of imported graphs: their names, and their DCAT/VoID entries.

The metadata of every import is in the named graph ``https://w3id.org/liuzhou-kg/graph/imports``
(the catalogue): ``<graph> a dcat:Dataset, void:Dataset`` with ``dcterms:source``,
``dcterms:issued`` (the import time), ``dcterms:license``, ``void:triples`` and ``dcterms:format``,
and ``dcterms:description`` (en, zh) when the store keeps some of its literals in another form
(:mod:`.literals`).
An imported graph may take any absolute IRI but the names of the build's own graphs
(:func:`check_graph_iri`).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import InputError, Problem
from ...core.namespaces import LZG

GRAPH_BASE = str(LZG)
IMPORTS_GRAPH = GRAPH_BASE + "imports"
IMPORT_GRAPH_BASE = GRAPH_BASE + "import/"
# Graphs the build writes (and the catalogue); an import may not take their names.
RESERVED_PREFIXES = ("ontology", "provenance", "reference", "links", "inferences", "imports", "staging/")
# Staging graphs and load marks of the layout before generations: never written now, and dropped
# by the next write.
STAGING_BASE = GRAPH_BASE + "staging/"

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCAT_DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
VOID_DATASET = ox.NamedNode("http://rdfs.org/ns/void#Dataset")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
DCT = "http://purl.org/dc/terms/"
DCT_SOURCE = ox.NamedNode(DCT + "source")
DCT_ISSUED = ox.NamedNode(DCT + "issued")
DCT_LICENSE = ox.NamedNode(DCT + "license")
DCT_TITLE = ox.NamedNode(DCT + "title")
DCT_FORMAT = ox.NamedNode(DCT + "format")
DCT_DESCRIPTION = ox.NamedNode(DCT + "description")
XSD = "http://www.w3.org/2001/XMLSchema#"


def default_graph_iri(path: Path) -> str:
    """``…/graph/import/<slug of the file name>``; a name that does not fit ASCII whole gets a
    short hash of itself, so two such files never share a graph (南宁.ttl, 桂林.ttl)."""
    stem = unicodedata.normalize("NFC", path.stem)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if not re.fullmatch(r"[A-Za-z0-9._ -]+", stem) or not slug:
        digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:10]
        slug = f"{slug or 'dataset'}-{digest}"
    return IMPORT_GRAPH_BASE + slug


def check_graph_iri(iri: str) -> ox.NamedNode:
    """Check that ``iri`` may name an imported graph and return it as a node.

    Raises ``InputError`` (``--graph``) for a string that is not an absolute IRI, and for the IRI of a
    graph the build owns (its reserved graphs and the passage graphs), so an import can never
    overwrite the build's own data.
    """
    try:
        node = ox.NamedNode(iri)
    except ValueError as err:
        raise InputError([Problem("--graph", None, f"not an IRI: {iri!r} ({err})")]) from None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise InputError([Problem("--graph", None, f"not an absolute IRI: {iri!r}")])
    if iri.startswith(GRAPH_BASE) and iri[len(GRAPH_BASE):].startswith(RESERVED_PREFIXES):
        raise InputError([Problem("--graph", None, f"<{iri}> is a graph of the build; choose another")])
    if re.match(r"^" + re.escape(GRAPH_BASE) + r"p\d", iri):
        raise InputError([Problem("--graph", None, f"<{iri}> is a passage graph of the build")])
    return node


def is_catalogued(store, graph: str) -> bool:
    """Whether the catalogue of ``store`` has an entry about the graph IRI ``graph``."""
    return bool(store.query(f"ASK {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph}> ?p ?o }} }}"))


def count_triples(store, graph: ox.NamedNode) -> int:
    """The number of triples in the named graph ``graph`` of ``store`` (0 when it is absent)."""
    for row in store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"):
        return int(row["n"].value)
    return 0


def import_graphs(store) -> set[str]:
    """The graphs the catalogue lists as imports, whose names an import may hold.

    A catalogue entry naming a graph of the build (which no import can write, but an older
    version of this program let a file forge) does not count."""
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ ?g a <{VOID_DATASET.value}> }} }}")
    kept = set()
    for row in rows:
        node = row["g"]
        if isinstance(node, ox.NamedNode):
            try:
                check_graph_iri(node.value)
            except InputError:
                continue
            kept.add(node.value)
    return kept


def uncatalogue(store: ox.Store, graphs) -> None:
    """Delete the catalogue entries of ``graphs`` (a small update: a few triples per entry)."""
    for graph in graphs:
        store.update(f"DELETE WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph}> ?p ?o }} }}")


def graph_names(store) -> set[str]:
    """The IRIs of the named graphs of ``store`` (graphs named by a blank node left out)."""
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def catalogue_entry(graph: ox.NamedNode, source: str, title: str, triples: int, license_iri: str,
                    media_type: str, descriptions: dict[str, str] | None = None) -> list[ox.Quad]:
    """The quads of the catalogue entry of an imported ``graph``, issued now (in the catalogue graph).

    ``descriptions`` maps a language tag to a ``dcterms:description`` of the import (what the store
    keeps in another form than the file gives it)."""
    meta = ox.NamedNode(IMPORTS_GRAPH)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    return [
        ox.Quad(graph, RDF_TYPE, DCAT_DATASET, meta),
        ox.Quad(graph, RDF_TYPE, VOID_DATASET, meta),
        ox.Quad(graph, DCT_TITLE, ox.Literal(title), meta),
        ox.Quad(graph, DCT_SOURCE, ox.NamedNode(source), meta),
        ox.Quad(graph, DCT_ISSUED, ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), meta),
        ox.Quad(graph, DCT_LICENSE, ox.NamedNode(license_iri), meta),
        ox.Quad(graph, VOID_TRIPLES, ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer")), meta),
        ox.Quad(graph, DCT_FORMAT, ox.Literal(media_type), meta),
    ] + [ox.Quad(graph, DCT_DESCRIPTION, ox.Literal(text, language=lang), meta)
         for lang, text in sorted((descriptions or {}).items())]


def imported(store: ox.Store) -> list[dict[str, str]]:
    """The catalogue: one row per imported graph (graph, title, source, issued, license, triples)."""
    rows = store.query(f"""
        PREFIX dcterms: <{DCT}>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?graph ?title ?source ?issued ?license ?triples WHERE {{
          GRAPH <{IMPORTS_GRAPH}> {{
            ?graph a void:Dataset ; dcterms:source ?source ; dcterms:issued ?issued ;
                   dcterms:license ?license ; void:triples ?triples .
            OPTIONAL {{ ?graph dcterms:title ?title }}
          }}
        }} ORDER BY ?graph""")
    return [{name: (row[name].value if row[name] is not None else "") for name in
             ("graph", "title", "source", "issued", "license", "triples")} for row in rows]
