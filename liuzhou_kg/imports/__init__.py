"""Importing other datasets into the store, each as its own named graph, with DCAT/VoID metadata.

- :func:`import_rdf` — an RDF file (any syntax pyoxigraph reads), streamed with a progress bar.
- :func:`remove` — drop an imported graph and its metadata in one transaction.
- :func:`imported` — the catalogue of imported graphs.
- :mod:`.csv_cube` — regional statistics in CSV, through a declarative mapping, into Data Cube.

The metadata of every import is in the named graph ``https://w3id.org/liuzhou-kg/graph/imports``:
``<graph> a dcat:Dataset, void:Dataset`` with ``dcterms:source``, ``dcterms:issued`` (the import
time), ``dcterms:license``, ``void:triples`` and ``dcterms:format``.

The store keeps nothing in its default graph (liuzhou_kg.store): an import writes its named graph
and its catalogue entry, and queries that name no graph read the union of all graphs.

How an import runs (fast on millions of triples, see BENCHMARKS.md):

1. Check: the whole file is parsed once, nothing written. A syntax error anywhere (reported with
   line and column) or a missing licence stops here and the store is untouched.
2. Mark: one small transaction records the graph about to be loaded in the staging graph
   ``…/graph/staging/pending``.
3. Load: Oxigraph's bulk loader writes the triples into the graph (a new graph) or into a fresh
   staging graph (``--replace``). This step is not a transaction.
4. Commit: one SPARQL update, a transaction, writes the catalogue entry and drops the mark; for
   ``--replace`` the same update also takes the old triples and catalogue entry out, moves the
   staged triples into the graph and drops the staging graph.

Atomicity. Steps 1 and 4 decide: bad input changes nothing; ``--replace`` swaps old for new in
one transaction; ``remove`` is one update. If the process dies during steps 2–4, the store keeps a
partly loaded graph (or staging graph) without a catalogue entry, still marked; the next
``import`` or ``remove`` first deletes every marked graph and staging graph
(:func:`clean_staging`), which returns the store to its state before the interrupted import.
Until then, queries over the union of graphs see the partial triples.
"""
from __future__ import annotations

import datetime as _dt
import itertools
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from ..errors import InputError, Problem
from ..namespaces import LZG
from .progress import byte_progress
from .rdf_input import QUAD_FORMATS, rdf_format_for, syntax_problem

GRAPH_BASE = str(LZG)
IMPORTS_GRAPH = GRAPH_BASE + "imports"
IMPORT_GRAPH_BASE = GRAPH_BASE + "import/"
STAGING_BASE = GRAPH_BASE + "staging/"
# Marks of graphs being loaded: ``<graph> a <…/staging/IncompleteLoad>`` in this graph.
PENDING_GRAPH = STAGING_BASE + "pending"
# Graphs the build writes; an import may not take their names.
RESERVED_PREFIXES = ("ontology", "provenance", "reference", "links", "inferences", "imports", "staging/")

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
INCOMPLETE = ox.NamedNode(STAGING_BASE + "IncompleteLoad")
_BATCH = 500_000  # quads per bulk write when a quad file is re-graphed


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


def clean_staging(store: ox.Store) -> list[str]:
    """Delete what an interrupted import left: every graph marked as being loaded, and staging graphs.

    Returns the IRIs of the graphs deleted. Each deletion is a transaction of its own and the marks
    go last, so a cleaning that is itself interrupted is finished by the next one."""
    marks = ox.NamedNode(PENDING_GRAPH)
    leftovers = {q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, INCOMPLETE, marks)
                 if isinstance(q.subject, ox.NamedNode)}
    leftovers |= {g.value for g in store.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_BASE)}
    leftovers.discard(PENDING_GRAPH)
    for iri in sorted(leftovers):
        store.remove_graph(ox.NamedNode(iri))
    if store.contains_named_graph(marks):
        store.remove_graph(marks)
    return sorted(leftovers)


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
    try:
        stated = _check_file(path, fmt, source, progress)  # always: it is the syntax check
        chosen = license_iri or stated
        if chosen is None:
            raise InputError([Problem(path, None, "the dataset states no licence (dcterms:license); "
                                                  "pass --license IRI, e.g. --license "
                                                  "https://creativecommons.org/licenses/by/4.0/")])

        def load(target: ox.NamedNode) -> None:
            with path.open("rb") as raw, byte_progress(raw, path.stat().st_size,
                                                       f"import {path.name}", enabled=progress) as handle:
                if fmt in QUAD_FORMATS:  # every quad into the target graph, whatever its own graph
                    quads = (ox.Quad(q.subject, q.predicate, q.object, target)
                             for q in ox.parse(handle, format=fmt, base_iri=source))
                    while batch := list(itertools.islice(quads, _BATCH)):
                        store.bulk_extend(batch)
                else:
                    store.bulk_load(handle, format=fmt, base_iri=source, to_graph=target)

        return write_graph(store, graph, load, replace=replace, source=source, title=path.name,
                           license=chosen, media_type=fmt.media_type)
    except SyntaxError as err:  # only if the file changed between the check and the load
        raise InputError([syntax_problem(path, err)]) from None
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot import: {err}")]) from None


def _check_file(path: Path, fmt: ox.RdfFormat, source: str, progress: bool) -> str | None:
    """Parse the whole file, storing nothing; return its first dcterms:license IRI (or None).
    Raises InputError with line and column on a syntax error."""
    found: str | None = None
    try:
        with path.open("rb") as raw, byte_progress(raw, path.stat().st_size, f"check {path.name}",
                                                   enabled=progress) as handle:
            for quad in ox.parse(handle, format=fmt, base_iri=source):
                if found is None and quad.predicate == DCT_LICENSE and isinstance(quad.object, ox.NamedNode):
                    found = quad.object.value
    except SyntaxError as err:
        raise InputError([syntax_problem(path, err)]) from None
    return found


def write_graph(store: ox.Store, graph: ox.NamedNode, load: Callable[[ox.NamedNode], None], *,
                replace: bool, source: str, title: str, license: str, media_type: str) -> ImportResult:
    """Write the graph ``graph`` with ``load(target)`` and give it its catalogue entry.

    ``load`` writes already checked data into the named graph ``target`` (it may bulk-load: it
    need not be a transaction). A new graph is loaded in place; an existing one (``replace``) is
    loaded into a staging graph and swapped in by one SPARQL update. See the module docstring for
    what is atomic and what an interrupted import leaves.
    """
    clean_staging(store)
    exists = _graph_exists(store, graph)
    if exists and not replace:
        raise InputError([Problem(source, None, f"the store already has the graph <{graph.value}>; "
                                                "pass --replace to replace it, or choose --graph")])
    target = ox.NamedNode(STAGING_BASE + uuid.uuid4().hex) if exists else graph
    mark = ox.Quad(target, RDF_TYPE, INCOMPLETE, ox.NamedNode(PENDING_GRAPH))
    store.add(mark)
    try:
        load(target)
        triples = _count(store, target)
        metadata = " ".join(_nquad_triple(q) for q in _metadata(graph, source, title, triples, license,
                                                                 media_type))
        unmark = f"DROP SILENT GRAPH <{PENDING_GRAPH}>"  # only this import's mark is in it
        if not exists:
            store.update(f"INSERT DATA {{ GRAPH <{IMPORTS_GRAPH}> {{ {metadata} }} }} ; {unmark}")
        else:
            # (DELETE WHERE before DROP measured faster in Oxigraph than DROP alone and MOVE.)
            store.update(_unlink_update(graph) + f""" ;
                INSERT {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}
                WHERE {{ GRAPH <{target.value}> {{ ?s ?p ?o }} }} ;
                DELETE WHERE {{ GRAPH <{target.value}> {{ ?s ?p ?o }} }} ;
                DROP SILENT GRAPH <{target.value}> ;
                INSERT DATA {{ GRAPH <{IMPORTS_GRAPH}> {{ {metadata} }} }} ;
                {unmark}""")
    except BaseException:
        # A failure (not a kill) after the mark: take out what was loaded, now.
        clean_staging(store)
        raise
    return ImportResult(graph.value, triples, license, exists)


def _unlink_update(graph: ox.NamedNode) -> str:
    """SPARQL Update text that takes ``graph`` and its catalogue entry out of the store."""
    g = graph.value
    return f"""
        DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} ;
        DROP SILENT GRAPH <{g}> ;
        DELETE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{g}> ?p ?o }} }}
        WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{g}> ?p ?o }} }}"""


def _nquad_triple(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def remove(store: ox.Store, graph_iri: str) -> int:
    """Drop an imported graph and its catalogue entry in one transaction (after deleting what an
    interrupted import may have left, see :func:`clean_staging`)."""
    graph = check_graph_iri(graph_iri)
    clean_staging(store)
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
