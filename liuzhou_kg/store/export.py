"""Exports for other tools: GraphML and GEXF (Gephi, through networkx) and CSV lists of nodes and edges.

The network is the entities and the relations between them: every triple whose object is an IRI
(not ``rdf:type``) in the fact graphs, the links graph, the reference graph and imported graphs
(``--all-graphs`` adds the ontology and provenance graphs). A triple stated by several passages
is one edge listing all its graphs. Nodes carry their labels (zh, en) and their type; edges their
predicate, its label and the graphs that state them. Outputs are written to temporary files and
renamed into place.

Labels: the build's own graphs come first; a label from an imported graph is used only for a
language the build gives no label in (an import cannot rename ``lz:liugong``). Safe for any
label: CSV cells a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) get a leading ``'`` (the OWASP advice), and characters XML 1.0 forbids (control
characters such as U+0001) become U+FFFD in GraphML and GEXF, so both stay well-formed XML.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from ..core.fileio import atomic_write
from ..core.namespaces import LZG
from ..core.prefixes import curie

GRAPH_BASE = str(LZG)
SKIPPED_GRAPHS = (GRAPH_BASE + "ontology", GRAPH_BASE + "provenance", GRAPH_BASE + "imports")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")
FORMATS = ("graphml", "gexf", "csv")
# Namespaces the export shortens beyond the project's prefix table (the links point into them).
EXTRA_PREFIXES = {"wd": "http://www.wikidata.org/entity/"}


def compact(iri: str) -> str:
    """``iri`` as a CURIE for people to read (``lzg:report/p04-s02``, ``wd:Q148``; see
    :func:`liuzhou_kg.core.prefixes.curie`, not strict), else the IRI unchanged."""
    return curie(iri, strict=False, extra=EXTRA_PREFIXES) or iri


@dataclass
class Network:
    """The entity network to export: a networkx multigraph of labelled nodes and predicate edges."""

    graph: nx.MultiDiGraph

    @property
    def nodes(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def edges(self) -> int:
        return self.graph.number_of_edges()


# Characters XML 1.0 does not allow in a document, even escaped.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def csv_safe(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``'`` before ``= + - @``, tab or CR."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _imported_graphs(store: ox.Store) -> set[str]:
    """Graphs that hold imported data: catalogued ones and any under ``…/graph/import/``."""
    from .imports.catalogue import IMPORT_GRAPH_BASE, import_graphs

    names = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    return {g for g in names if g.startswith(IMPORT_GRAPH_BASE)} | (import_graphs(store) & names)


def _labels(store: ox.Store) -> dict[str, dict[str, str]]:
    """Labels by IRI and language: the build's graphs first, then imports for missing languages;
    within each, prefLabel over rdfs:label."""
    imported = _imported_graphs(store)
    ranked: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for prop_rank, prop in enumerate(LABELS):
        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
                rank = (2 if graph in imported else 0) + prop_rank
                lang = quad.object.language or ""
                best = ranked[quad.subject.value].get(lang)
                if best is None or (rank, quad.object.value) < best:
                    ranked[quad.subject.value][lang] = (rank, quad.object.value)
    return {iri: {lang: value for lang, (_, value) in names.items()} for iri, names in ranked.items()}


def build_network(store: ox.Store, *, all_graphs: bool = False) -> Network:
    """The entity network of ``store`` (the union of all its graphs)."""
    labels = _labels(store)
    types: dict[str, list[str]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            t = compact(quad.object.value)
            if t not in types[quad.subject.value]:
                types[quad.subject.value].append(t)
    edges: dict[tuple[str, str, str], list[str]] = {}
    # Every graph is read (the store keeps nothing copied in its default graph, see
    # liuzhou_kg.store.generations); an edge stated in several graphs is one edge listing them all.
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if not all_graphs and graph in SKIPPED_GRAPHS:
            continue
        if not (isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode)):
            continue
        if quad.predicate.value == RDF_TYPE:
            continue
        key = (quad.subject.value, quad.predicate.value, quad.object.value)
        graphs = edges.setdefault(key, [])
        if graph and compact(graph) not in graphs:
            graphs.append(compact(graph))
    network = nx.MultiDiGraph()

    def node(iri: str) -> None:
        if iri in network:
            return
        names = labels.get(iri, {})
        zh = names.get("zh", "")
        en = names.get("en", "")
        network.add_node(iri, label=zh or en or names.get("", "") or compact(iri), label_zh=zh,
                         label_en=en, type=" ".join(sorted(types.get(iri, []))), iri=iri)

    for (s, p, o), graphs in sorted(edges.items()):
        node(s)
        node(o)
        names = labels.get(p, {})
        network.add_edge(s, o, key=p, predicate=compact(p),
                         label=names.get("en", "") or names.get("zh", "") or compact(p),
                         label_zh=names.get("zh", ""), graphs=" ".join(sorted(graphs)))
    return Network(network)


def _xml_safe_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    copy = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        copy.add_node(xml_safe(node), **{k: xml_safe(v) if isinstance(v, str) else v for k, v in data.items()})
    for s, o, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(xml_safe(s), xml_safe(o), key=xml_safe(key),
                      **{k: xml_safe(v) if isinstance(v, str) else v for k, v in data.items()})
    return copy


def _graphml(network: Network) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(_xml_safe_copy(network.graph), buffer, encoding="utf-8", named_key_ids=True)
    return buffer.getvalue()


def _gexf(network: Network) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(_xml_safe_copy(network.graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8")


def export(store: ox.Store, out_dir: Path, formats: tuple[str, ...] = FORMATS, *,
           all_graphs: bool = False, name: str = "liuzhou") -> list[Path]:
    """Write the chosen formats into ``out_dir``; return the files written."""
    network = build_network(store, all_graphs=all_graphs)
    out_dir = Path(out_dir)
    written: list[Path] = []
    if "graphml" in formats:
        path = out_dir / f"{name}.graphml"
        atomic_write(path, _graphml(network))
        written.append(path)
    if "gexf" in formats:
        path = out_dir / f"{name}.gexf"
        atomic_write(path, _gexf(network))
        written.append(path)
    if "csv" in formats:
        nodes = [{"id": iri, **{k: data[k] for k in ("label", "label_zh", "label_en", "type")}}
                 for iri, data in network.graph.nodes(data=True)]
        edges = [{"source": s, "target": o, **{k: data[k] for k in ("predicate", "label", "label_zh", "graphs")}}
                 for s, o, data in network.graph.edges(data=True)]
        for filename, rows, columns in (
                (f"{name}-nodes.csv", nodes, ["id", "label", "label_zh", "label_en", "type"]),
                (f"{name}-edges.csv", edges, ["source", "target", "predicate", "label", "label_zh", "graphs"])):
            path = out_dir / filename
            atomic_write(path, _csv(rows, columns))
            written.append(path)
    return written
