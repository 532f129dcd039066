"""Importing other datasets into the store, each as its own named graph, with DCAT/VoID metadata.

- :func:`import_rdf` — an RDF file (any syntax pyoxigraph reads), streamed with a progress bar.
- :func:`remove` — drop an imported graph and its metadata in one transaction.
- :func:`imported` — the catalogue of imported graphs.
- :mod:`.csv_cube` — regional statistics in CSV, through a declarative mapping, into Data Cube.

The metadata of every import is in the named graph ``https://w3id.org/liuzhou-kg/graph/imports``:
``<graph> a dcat:Dataset, void:Dataset`` with ``dcterms:source``, ``dcterms:issued`` (the import
time), ``dcterms:license``, ``void:triples`` and ``dcterms:format``.

The store's default graph is the union of its named graphs (liuzhou_kg.store); an import adds
its triples there too and a removal takes out those no other graph has.

Atomicity. A new graph is written by one ``Store.extend`` (one transaction) fed from the parser:
a syntax error anywhere, or a missing licence, aborts it and the store is untouched. ``--replace``
first writes the new data into a staging graph the same way, then swaps it in with one SPARQL
update (old triples out of the graph and the union, staged ones in, metadata changed: one
transaction). ``remove`` is one update too.
"""
from __future__ import annotations

import datetime as _dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from ..errors import InputError, Problem
from .progress import byte_progress
from .rdf_input import QUAD_FORMATS, rdf_format_for, syntax_problem

GRAPH_BASE = "https://w3id.org/liuzhou-kg/graph/"
IMPORTS_GRAPH = GRAPH_BASE + "imports"
IMPORT_GRAPH_BASE = GRAPH_BASE + "import/"
STAGING_BASE = GRAPH_BASE + "staging/"
# Graphs the build writes; an import may not take their names.
RESERVED_PREFIXES = ("ontology", "provenance", "reference", "links", "imports", "staging/")

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
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class ImportResult:
    graph: str
    triples: int
    license: str
    replaced: bool


def default_graph_iri(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "dataset"
    return IMPORT_GRAPH_BASE + slug


def check_graph_iri(iri: str) -> ox.NamedNode:
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


def _metadata(graph: ox.NamedNode, source: str, title: str, triples: int, license_iri: str,
              media_type: str) -> list[ox.Quad]:
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
    ]


def _graph_exists(store: ox.Store, graph: ox.NamedNode) -> bool:
    if store.contains_named_graph(graph):
        return True
    return bool(store.query(f"ASK {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph.value}> ?p ?o }} }}"))


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    for row in store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"):
        return int(row["n"].value)
    return 0


def clean_staging(store: ox.Store) -> None:
    """Drop staging graphs an interrupted ``--replace`` may have left (never copied to the union)."""
    for graph in list(store.named_graphs()):
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(STAGING_BASE):
            store.remove_graph(graph)


def import_rdf(store: ox.Store, path: Path, *, graph_iri: str | None = None, replace: bool = False,
               license_iri: str | None = None, progress: bool = True) -> ImportResult:
    """Load the RDF file ``path`` into ``store`` as the named graph ``graph_iri`` (atomically)."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such file")])
    fmt = rdf_format_for(path)
    graph = check_graph_iri(graph_iri or default_graph_iri(path))
    if license_iri is not None:
        try:
            ox.NamedNode(license_iri)
        except ValueError:
            raise InputError([Problem("--license", None, f"not an IRI: {license_iri!r}")]) from None
    source = path.resolve().as_uri()
    found_license: list[str] = []

    def quads(target: ox.NamedNode) -> Iterator[ox.Quad]:
        with path.open("rb") as raw, byte_progress(raw, path.stat().st_size, f"import {path.name}",
                                                   enabled=progress) as handle:
            for quad in ox.parse(handle, format=fmt, base_iri=source):
                if (quad.predicate == DCT_LICENSE and isinstance(quad.object, ox.NamedNode)
                        and not found_license):
                    found_license.append(quad.object.value)
                yield ox.Quad(quad.subject, quad.predicate, quad.object, target)

    def chosen_license() -> str:
        chosen = license_iri or (found_license[0] if found_license else None)
        if chosen is None:
            raise InputError([Problem(path, None, "the dataset states no licence (dcterms:license); "
                                                  "pass --license IRI, e.g. --license "
                                                  "https://creativecommons.org/licenses/by/4.0/")])
        return chosen

    try:
        return write_graph(store, graph, quads, replace=replace, source=source, title=path.name,
                           license=chosen_license, media_type=fmt.media_type)
    except SyntaxError as err:
        raise InputError([syntax_problem(path, err)]) from None
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot import: {err}")]) from None


def write_graph(store: ox.Store, graph: ox.NamedNode, quads, *, replace: bool, source: str,
                title: str, license, media_type: str) -> ImportResult:
    """Write ``quads(target)`` as the graph ``graph`` with its catalogue entry, atomically.

    ``license`` is called once the quads are consumed (it may depend on them) and may raise.
    The store keeps the union of its named graphs in the default graph (see liuzhou_kg.store), so
    every triple written to a named graph is written to the default graph too.
    A new graph is one transaction (data, union copy and metadata); a replaced one is staged,
    then swapped in by one SPARQL update.
    """
    exists = _graph_exists(store, graph)
    if exists and not replace:
        raise InputError([Problem(source, None, f"the store already has the graph <{graph.value}>; "
                                                "pass --replace to replace it, or choose --graph")])
    clean_staging(store)
    target = ox.NamedNode(STAGING_BASE + uuid.uuid4().hex) if exists else graph
    counter = [0]
    chosen: list[str] = []
    default = ox.DefaultGraph()

    def stream() -> Iterator[ox.Quad]:
        for quad in quads(target):
            counter[0] += 1
            yield quad
            if not exists:
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)
        chosen.append(license())
        if not exists:
            # A new graph: its metadata goes in the same transaction as its triples.
            for quad in _metadata(graph, source, title, counter[0], chosen[0], media_type):
                yield quad
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)

    store.extend(stream())
    triples = _count(store, target)
    if not exists:
        if triples != counter[0]:  # duplicate statements in the input: record the graph's real size
            store.update(f"""
                DELETE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph.value}> <{VOID_TRIPLES.value}> ?n }}
                         <{graph.value}> <{VOID_TRIPLES.value}> ?n }}
                INSERT {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph.value}> <{VOID_TRIPLES.value}> {triples} }}
                         <{graph.value}> <{VOID_TRIPLES.value}> {triples} }}
                WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph.value}> <{VOID_TRIPLES.value}> ?n }} }}""")
        return ImportResult(graph.value, triples, chosen[0], False)
    metadata = " ".join(_nquad_triple(q) for q in _metadata(graph, source, title, triples, chosen[0],
                                                             media_type))
    # (DELETE WHERE before DROP, and one INSERT filling the graph and the union, measured faster
    # in Oxigraph than DROP alone and MOVE.)
    store.update(_unlink_update(graph, keep=target) + f""" ;
        INSERT {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} ?s ?p ?o }}
        WHERE {{ GRAPH <{target.value}> {{ ?s ?p ?o }} }} ;
        DELETE WHERE {{ GRAPH <{target.value}> {{ ?s ?p ?o }} }} ;
        DROP SILENT GRAPH <{target.value}> ;
        INSERT DATA {{ GRAPH <{IMPORTS_GRAPH}> {{ {metadata} }} {metadata} }}""")
    return ImportResult(graph.value, triples, chosen[0], True)


def _unlink_update(graph: ox.NamedNode, keep: ox.NamedNode | None = None) -> str:
    """SPARQL Update text that takes ``graph`` and its metadata out of the store and its union.

    A triple leaves the default (union) graph only if no other named graph (``keep`` is not
    counted: it is the staging graph of a replacement) still has it.
    """
    g = graph.value
    other = f" && ?h != <{keep.value}>" if keep is not None else ""
    return f"""
        DELETE {{ ?s ?p ?o }} WHERE {{
          GRAPH <{g}> {{ ?s ?p ?o }}
          FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != <{g}>{other}) }}
        }} ;
        DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} ;
        DROP SILENT GRAPH <{g}> ;
        DELETE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{g}> ?p ?o }} <{g}> ?p ?o }}
        WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{g}> ?p ?o }} }}"""


def _nquad_triple(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def remove(store: ox.Store, graph_iri: str) -> int:
    """Drop an imported graph, its union copy and its metadata in one transaction."""
    graph = check_graph_iri(graph_iri)
    if not _graph_exists(store, graph):
        raise InputError([Problem("remove", None, f"no imported graph <{graph.value}> in the store")])
    triples = _count(store, graph)
    store.update(_unlink_update(graph))
    return triples


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


__all__ = ["IMPORTS_GRAPH", "ImportResult", "import_rdf", "imported", "remove", "QUAD_FORMATS"]
