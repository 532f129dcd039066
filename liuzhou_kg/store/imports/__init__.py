"""Importing other datasets into the store, each as its own named graph, with DCAT/VoID metadata.

- :func:`import_rdf` — an RDF file (any syntax pyoxigraph reads), streamed with a progress bar.
- :func:`remove` — drop an imported graph and its metadata.
- :func:`imported` — the catalogue of imported graphs.
- :mod:`.csv_cube` — regional statistics in CSV, through a declarative mapping, into Data Cube.
- :mod:`.limits` — the caps every input is checked against before it is parsed.

The metadata of every import is in the named graph ``https://w3id.org/liuzhou-kg/graph/imports``
(the catalogue): ``<graph> a dcat:Dataset, void:Dataset`` with ``dcterms:source``,
``dcterms:issued`` (the import time), ``dcterms:license``, ``void:triples`` and ``dcterms:format``.

Every write goes through :class:`liuzhou_kg.store.generations.StoreWriter`: under the store's lock, into a new
generation of the store that no reader sees until it is complete and published. So an import,
``--replace`` or ``remove`` is all or nothing whatever happens to the process, and a killed one
leaves nothing a query can see (its unpublished folder is deleted by the next writer).

Containment: the file is parsed, and every quad, whatever graph the file puts it in (TriG,
N-Quads, JSON-LD ``@graph`` with an ``@id``), is written into the import's own graph, with its
blank nodes renamed so that they cannot meet another dataset's. N3 formulas (graphs named by a
blank node) are refused. Before publishing, the new generation must hold no graph the previous
one did not, except the import's own, nothing in the default graph, every graph of the build as
large as before, and the catalogue as it was but for the import's entry; otherwise nothing is
published. So the build's graphs (``lzg:ontology``, passage graphs, ``lzg:links`` …) and the
catalogue are written only by their owners.
"""
from __future__ import annotations

import datetime as _dt
import os
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from ...core.errors import InputError, Problem
from ...core.namespaces import LZG
from .limits import check_decimal, line_of
from .progress import byte_progress
from .rdf_input import rdf_format_for, syntax_problem

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
XSD = "http://www.w3.org/2001/XMLSchema#"
_BATCH = 200_000  # quads per bulk write
GRAPHLESS_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML})


@dataclass
class ImportResult:
    """The outcome of an import: graph IRI, triple count, licence, and whether it replaced a graph."""

    graph: str
    triples: int
    license: str
    replaced: bool


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


def _catalogued(store, graph: str) -> bool:
    return bool(store.query(f"ASK {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph}> ?p ?o }} }}"))


def _count(store, graph: ox.NamedNode) -> int:
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


def _uncatalogue(store: ox.Store, graphs) -> None:
    """Delete the catalogue entries of ``graphs`` (a small update: a few triples per entry)."""
    for graph in graphs:
        store.update(f"DELETE WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ <{graph}> ?p ?o }} }}")


def store_root(store_dir: Path | None) -> Path:
    """The store folder to write: ``store_dir``, or ``dist/store``."""
    from ...core.layout import Layout

    return Path(store_dir) if store_dir is not None else Layout.default().store


def import_rdf(store_dir: Path, path: Path, *, graph_iri: str | None = None, replace: bool = False,
               license_iri: str | None = None, progress: bool = True, create: bool = False) -> ImportResult:
    """Load the RDF file ``path`` into the store folder ``store_dir`` as the named graph ``graph_iri``.

    All or nothing: see the module docstring. ``create`` makes a new, empty store folder when
    ``store_dir`` does not exist."""
    from .limits import check_rdf_file

    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path, None, "no such file")])
    fmt = rdf_format_for(path)
    graph = check_graph_iri(graph_iri or default_graph_iri(path))
    if license_iri is not None:
        _check_license_iri(license_iri)
    source = path.resolve().as_uri()
    checked = _identity(path.stat())
    check_rdf_file(path, fmt)  # caps on size, nesting, entities … before the parser runs
    found = _check_quads(path, fmt, source, progress)  # decimals, N3 formulas, the stated licence
    chosen = license_iri or (found[0] if found else None)
    if chosen is None:
        raise InputError([Problem(path, None, "the dataset states no licence (dcterms:license); "
                                              "pass --license IRI, e.g. --license "
                                              "https://creativecommons.org/licenses/by/4.0/")])

    def load(store: ox.Store, target: ox.NamedNode) -> None:
        try:
            with path.open("rb") as raw, byte_progress(raw, path.stat().st_size,
                                                       f"import {path.name}", enabled=progress) as handle:
                if _identity(os.fstat(raw.fileno())) != checked:
                    raise InputError([Problem(path, None, "the file changed after it was checked; "
                                                          "import it again")])
                if fmt in GRAPHLESS_FORMATS:
                    # No named graph can be written in these syntaxes: Oxigraph's bulk loader puts
                    # the one default graph into the target (and renames blank nodes) at full speed.
                    store.bulk_load(_skip_bom(handle), format=fmt, base_iri=source, to_graph=target)
                else:
                    quads = _contained(ox.parse(_skip_bom(handle), format=fmt, base_iri=source,
                                                rename_blank_nodes=True), target, path)
                    while batch := list(itertools.islice(quads, _BATCH)):
                        store.bulk_extend(batch)
        except SyntaxError as err:
            raise InputError([syntax_problem(path, err)]) from None
        except OSError as err:
            raise InputError([Problem(path, None, f"cannot import: {err}")]) from None

    return write_graph(store_dir, graph, load, replace=replace, source=source, title=path.name,
                       license=chosen, media_type=fmt.media_type, create=create)


def _identity(st: os.stat_result) -> tuple:
    """What tells a file's content changed: device, inode, size, modification time."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _check_license_iri(license_iri: str) -> None:
    try:
        ox.NamedNode(license_iri)
    except ValueError:
        raise InputError([Problem("--license", None, f"not an IRI: {license_iri!r}")]) from None


class _SkipBom:
    """A binary reader that drops a leading UTF-8 byte order mark (which pyoxigraph refuses)."""

    def __init__(self, raw):
        self._raw = raw
        self._first = True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
                if not data and size != 0:
                    data = self._raw.read(size)
        return data

    def readable(self) -> bool:
        return True


def _skip_bom(raw):
    return _SkipBom(raw)


def _contained(quads, target: ox.NamedNode, path: Path):
    """Every parsed quad moved into ``target``; N3 formulas refused."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.BlankNode):
            raise InputError([Problem(path, None, "an N3 formula ({ … }) is not RDF data: statements "
                                                  "about statements cannot be imported; refused")])
        yield ox.Quad(quad.subject, quad.predicate, quad.object, target)


def _check_quads(path: Path, fmt: ox.RdfFormat, source: str, progress: bool) -> list[str]:
    """Parse the whole file once, storing nothing: refuse N3 formulas and bad ``xsd:decimal``
    literals (an exponent, NaN, Infinity, too many digits), and return the first licence IRI the
    data states (``dcterms:license``), if any. (Reading the terms back from the on-disk store
    would cost a lookup per literal; the parser is faster.)"""
    found: list[str] = []
    try:
        with path.open("rb") as raw, byte_progress(raw, path.stat().st_size, f"check {path.name}",
                                                   enabled=progress) as handle:
            for quad in ox.parse(_skip_bom(handle), format=fmt, base_iri=source):
                if not isinstance(quad.graph_name, (ox.DefaultGraph, ox.NamedNode)):
                    raise InputError([Problem(path, None, "an N3 formula ({ … }) is not RDF data: "
                                                          "statements about statements cannot be "
                                                          "imported; refused")])
                value = quad.object
                if isinstance(value, ox.Literal):
                    wrong = check_decimal(value)
                    if wrong:
                        raise InputError([Problem(path, line_of(path, value.value), f"the object of "
                                                  f"{quad.subject} <{quad.predicate.value}>: {wrong}; refused")])
                elif not found and quad.predicate == DCT_LICENSE and isinstance(value, ox.NamedNode):
                    found.append(value.value)
    except SyntaxError as err:
        raise InputError([syntax_problem(path, err)]) from None
    return found


def write_graph(store_dir: Path, graph: ox.NamedNode, load: Callable[[ox.Store, ox.NamedNode], None], *,
                replace: bool, source: str, title: str, license, media_type: str,
                create: bool = False) -> ImportResult:
    """Write the graph ``graph`` with ``load(store, graph)`` and give it its catalogue entry, in a
    new generation of the store published only when all is done (see the module docstring).

    ``license`` is the licence IRI, or a function returning it once the data is loaded."""
    from ..generations import StoreWriter

    with StoreWriter(store_dir, f"import <{graph.value}>", create=create) as writer:
        current = writer.current()
        exists = current is not None and (_catalogued(current, graph.value)
                                          or current.contains_named_graph(graph))
        if exists and not replace:
            raise InputError([Problem(source, None, f"the store already has the graph <{graph.value}>; "
                                                    "pass --replace to replace it, or choose --graph")])
        before = _graph_names(current) if current is not None else set()
        owned = _owners_state(current, graph) if current is not None else {IMPORTS_GRAPH: frozenset()}
        del current
        leftovers = {g for g in before if g.startswith(STAGING_BASE)}  # of the layout before generations
        store = writer.begin(drop=({graph.value} if exists else set()) | leftovers)
        before -= leftovers
        if exists:
            _uncatalogue(store, [graph.value])
        load(store, graph)
        _check_contained(store, before - {graph.value}, graph)
        if _owners_state(store, graph) != owned:
            raise InputError([Problem(graph.value, None, "the import wrote into a graph of the build or "
                                                         "the catalogue; nothing was published")])
        chosen = license() if callable(license) else license
        triples = _count(store, graph)
        store.extend(_metadata(graph, source, title, triples, chosen, media_type))
        writer.commit()
    return ImportResult(graph.value, triples, chosen, exists)


def _owners_state(store, graph: ox.NamedNode) -> dict:
    """What an import must leave as it is: the size of every graph of the build (names under
    ``…/graph/`` that are not imports) and every catalogue statement not about ``graph``."""
    state: dict = {}
    for name in _graph_names(store):
        if name.startswith(GRAPH_BASE) and not name.startswith((IMPORT_GRAPH_BASE, STAGING_BASE)) \
                and name != IMPORTS_GRAPH:
            state[name] = _count(store, ox.NamedNode(name))
    state[IMPORTS_GRAPH] = frozenset(q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(IMPORTS_GRAPH))
                                     if q.subject != graph)
    return state


def _graph_names(store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


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


def remove(store_dir: Path, graph_iri: str) -> int:
    """Drop an imported graph and its catalogue entry (one new generation); returns its triples."""
    from ..generations import StoreWriter

    graph = check_graph_iri(graph_iri)
    with StoreWriter(store_dir, f"remove <{graph.value}>") as writer:
        current = writer.current()
        if current is None or not (_catalogued(current, graph.value) or current.contains_named_graph(graph)):
            raise InputError([Problem("remove", None, f"no imported graph <{graph.value}> in the store")])
        triples = _count(current, graph)
        leftovers = {g for g in _graph_names(current) if g.startswith(STAGING_BASE)}
        del current
        store = writer.begin(drop={graph.value} | leftovers)
        _uncatalogue(store, [graph.value])
        writer.commit()
    return triples


def carry_over_imports(writer, nquads: Path) -> list[str]:
    """The build's write: a new generation with the build's graphs from ``nquads`` and every
    catalogued import (graph and catalogue entry) of the current one; nothing else is kept.
    Returns the import graphs kept."""
    from ..generations import load_build_graphs

    current = writer.current()
    kept = import_graphs(current) if current is not None else set()
    everything = _graph_names(current) if current is not None else set()
    if current is not None:
        stale = {row["g"].value for row in current.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH <{IMPORTS_GRAPH}> {{ ?g ?p ?o }} }}")
            if isinstance(row["g"], ox.NamedNode)} - kept
    else:
        stale = set()
    del current
    store = writer.begin(drop=everything - kept - {IMPORTS_GRAPH})
    _uncatalogue(store, sorted(stale))
    # nothing but named graphs: what an older version let an N3 formula or a default graph leave
    for graph in list(store.named_graphs()):
        if not isinstance(graph, ox.NamedNode):
            store.remove_graph(graph)
    store.clear_graph(ox.DefaultGraph())
    load_build_graphs(store, nquads)
    return sorted(kept)


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


__all__ = ["IMPORTS_GRAPH", "ImportResult", "carry_over_imports", "import_rdf", "imported", "remove",
           "store_root"]
