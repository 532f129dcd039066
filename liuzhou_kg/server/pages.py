"""Linked-data pages: every IRI of the graph dereferences on the server.

``https://w3id.org/liuzhou-kg/<path>`` is served at ``/<path>`` (``/resource/liugong``,
``/passage/p05-s02``, ``/ontology`` for every ``ontology#Term``). Machines get the resource's
description (its triples, the blank nodes they lead to, and the triples pointing at it) in Turtle,
JSON-LD or N-Triples; browsers get a page with the labels in zh and en, the properties, links to
the neighbours and, for every fact, the sentence that states it highlighted in its paragraph.

All lookups use the store's quad index directly (no user query runs here) and are bounded; an
indicator's page adds the chart of its figures (:mod:`.chart`, one fixed query with a LIMIT).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph
from pyoxigraph import Literal, NamedNode

from ..core.prefixes import compact, prefixes
from . import chart

BASE = "https://w3id.org/liuzhou-kg"
ONTOLOGY = BASE + "/ontology"
ONTOLOGY_NS = ONTOLOGY + "#"
GRAPH_NS = BASE + "/graph/"
PASSAGE_NS = BASE + "/passage/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
PROV_VALUE = NamedNode("http://www.w3.org/ns/prov#value")
PARAGRAPH = NamedNode(ONTOLOGY_NS + "paragraphNumber")
SENTENCE = NamedNode(ONTOLOGY_NS + "sentenceNumber")
IN_SECTION = NamedNode(ONTOLOGY_NS + "inSection")
PROVENANCE_GRAPH = NamedNode(GRAPH_NS + "provenance")
# Facts are read from all graphs at once (graph_name=None; the store keeps nothing in its default
# graph, see liuzhou_kg.store.generations), a triple in several graphs taken once; the named graphs say which
# passages state them.
ALL_GRAPHS = None

MAX_VALUES = 500
MAX_INCOMING = 200


def iri_for_path(path: str) -> str:
    """The dataset IRI served at the URL path ``path`` (the base IRI followed by the path)."""
    return BASE + path


def local_path(iri: str) -> str | None:
    """The server path for an IRI of this graph (fragment kept), None for outside IRIs."""
    if iri.startswith(BASE + "/"):
        return iri[len(BASE):]
    return None


@dataclass
class Link:
    """A resource as a page links to it: IRI, page href, zh and en labels, and its compact name."""

    iri: str
    href: str
    zh: str | None
    en: str | None
    short: str


@dataclass
class Value:
    """One object value on a page: a link to a resource, or a literal with its language or datatype.

    ``sources`` lists the passages that state the triple.
    """

    link: Link | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A passage that states a fact, shown as its paragraph with the stating sentence marked."""

    pid: str
    href: str
    section: Link | None
    segments: list[tuple[str, bool]]  # paragraph text, True for the stating sentence


@dataclass
class Block:
    """Everything a page shows about one resource.

    Labels in zh, en and other languages, its types, its properties with their values, the triples
    pointing at it (``incoming``, with ``incoming_more`` when the list was cut short) and the passages
    that state its facts. For a passage page, ``facts`` are the triples the sentence states and
    ``passage_text`` its paragraph with the sentence marked.
    """

    iri: str
    anchor: str
    zh: list[str]
    en: list[str]
    other_labels: list[str]
    types: list[Link]
    properties: list[tuple[Link, list[Value]]]
    incoming: list[tuple[Link, Link]]
    incoming_more: bool
    sources: list[Source]
    facts: list[tuple[Link, Link, Value]] = field(default_factory=list)
    passage_text: list[tuple[str, bool]] = field(default_factory=list)
    charts: list[chart.Chart] = field(default_factory=list)  # an indicator's figures (chart.py)


class LinkedData:
    """Read the descriptions and page content of resources straight from the store's quad index.

    Labels are cached per IRI, which is safe because the store does not change while the server
    runs. No user query is run, and every lookup is bounded.
    """

    def __init__(self, store: pyoxigraph.Store):
        self.store = store
        self._labels: dict[str, tuple[str | None, str | None]] = {}

    # --- lookups -----------------------------------------------------------------------
    def exists(self, iri: str) -> bool:
        node = NamedNode(iri)
        for _ in self.store.quads_for_pattern(node, None, None):
            return True
        for _ in self.store.quads_for_pattern(None, None, node):
            return True
        return False

    def ontology_terms(self) -> list[str]:
        terms = set()
        for quad in self.store.quads_for_pattern(None, RDF_TYPE, None):
            subject = quad.subject
            if isinstance(subject, NamedNode) and (subject.value.startswith(ONTOLOGY_NS)
                                                   or subject.value == ONTOLOGY):
                terms.add(subject.value)
        return sorted(terms, key=lambda t: (t != ONTOLOGY, t))

    def labels(self, iri: str) -> tuple[str | None, str | None]:
        if iri not in self._labels:
            found: dict[str, str] = {}
            node = NamedNode(iri)
            for predicate in (SKOS_PREF, RDFS_LABEL):
                for quad in self.store.quads_for_pattern(node, predicate, None):
                    obj = quad.object
                    if isinstance(obj, Literal) and obj.language:
                        found.setdefault(obj.language.split("-")[0].lower(), obj.value)
            self._labels[iri] = (found.get("zh"), found.get("en"))
        return self._labels[iri]

    def link(self, node) -> Link:
        iri = node.value
        zh, en = self.labels(iri)
        href = local_path(iri) or iri
        if iri.startswith(ONTOLOGY_NS):
            href = "/ontology#" + iri[len(ONTOLOGY_NS):]
        return Link(iri, href, zh, en, compact(iri))

    # --- RDF descriptions ----------------------------------------------------------------
    def description(self, iris: list[str], with_incoming: bool = True) -> list[pyoxigraph.Triple]:
        """Triples about ``iris`` (all graphs merged), their blank-node closure, and the triples
        pointing at them (bounded)."""
        seen: set = set()
        triples: list[pyoxigraph.Triple] = []
        todo = [NamedNode(i) for i in iris]
        visited: set = set()
        while todo:
            node = todo.pop()
            if node in visited:
                continue
            visited.add(node)
            for quad in self.store.quads_for_pattern(node, None, None, ALL_GRAPHS):
                triple = quad.triple
                if triple not in seen:
                    seen.add(triple)
                    triples.append(triple)
                    if isinstance(quad.object, pyoxigraph.BlankNode):
                        todo.append(quad.object)
        if with_incoming:
            for iri in iris:
                count = 0
                for quad in self.store.quads_for_pattern(None, None, NamedNode(iri), ALL_GRAPHS):
                    triple = quad.triple
                    if triple not in seen and not isinstance(quad.subject, pyoxigraph.BlankNode):
                        seen.add(triple)
                        triples.append(triple)
                        count += 1
                        if count >= MAX_INCOMING:
                            break
        return triples

    def serialize(self, triples, fmt: str) -> bytes:
        formats = {"turtle": pyoxigraph.RdfFormat.TURTLE, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
                   "nt": pyoxigraph.RdfFormat.N_TRIPLES}
        if fmt == "turtle":
            return pyoxigraph.serialize(triples, format=formats[fmt], prefixes=prefixes())
        return pyoxigraph.serialize(triples, format=formats[fmt])

    # --- HTML blocks ---------------------------------------------------------------------
    def block(self, iri: str, with_sources: bool = True) -> Block:
        node = NamedNode(iri)
        zh, en, other = [], [], []
        types: list[Link] = []
        grouped: dict[str, tuple[Link, list[Value]]] = {}
        source_pids: list[str] = []
        values: dict[tuple, Value] = {}
        for quad in self.store.quads_for_pattern(node, None, None, ALL_GRAPHS):
            key = (quad.predicate, quad.object)
            pids = self._passages_stating(node, quad.predicate, quad.object) if with_sources else []
            for pid in pids:
                if pid not in source_pids:
                    source_pids.append(pid)
            if key in values:
                continue
            obj = quad.object
            if quad.predicate in (RDFS_LABEL, SKOS_PREF) and isinstance(obj, Literal):
                lang = (obj.language or "").split("-")[0].lower()
                target = zh if lang == "zh" else en if lang == "en" else other
                if obj.value not in target:
                    target.append(obj.value)
            if quad.predicate == RDF_TYPE and isinstance(obj, NamedNode):
                if all(t.iri != obj.value for t in types):
                    types.append(self.link(obj))
                continue
            entry = grouped.setdefault(quad.predicate.value, (self.link(quad.predicate), []))
            if len(entry[1]) >= MAX_VALUES:
                continue
            value = self._value(obj)
            value.sources.extend(pids)
            values[key] = value
            entry[1].append(value)
        for _, entry_values in grouped.values():
            for value in entry_values:
                value.sources.sort()
        properties = sorted(grouped.values(), key=lambda e: (e[0].en or e[0].short).lower())
        incoming, more = self._incoming(node)
        sources = [self._source(pid) for pid in sorted(source_pids)] if with_sources else []
        anchor = iri[len(ONTOLOGY_NS):] if iri.startswith(ONTOLOGY_NS) else ""
        block = Block(iri, anchor, zh, en, other, types, properties, incoming, more, sources)
        if with_sources:
            block.charts = chart.indicator_charts(self.store, iri, lambda i: self.link(NamedNode(i)))
        return block

    def passage_block(self, iri: str) -> Block:
        block = self.block(iri, with_sources=False)
        pid = iri[len(PASSAGE_NS):]
        source = self._source(pid)
        block.passage_text = source.segments if source else []
        block.sources = []
        graph = NamedNode(GRAPH_NS + pid)
        for quad in self.store.quads_for_pattern(None, None, None, graph):
            if isinstance(quad.subject, NamedNode):
                block.facts.append((self.link(quad.subject), self.link(quad.predicate),
                                    self._value(quad.object)))
        block.facts.sort(key=lambda f: (f[0].iri, f[1].iri))
        return block

    def _value(self, obj) -> Value:
        if isinstance(obj, NamedNode):
            return Value(link=self.link(obj))
        if isinstance(obj, Literal):
            datatype = None
            if not obj.language and obj.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                datatype = compact(obj.datatype.value)
            return Value(text=obj.value, lang=obj.language, datatype=datatype)
        return Value(text=str(obj))

    def _incoming(self, node) -> tuple[list[tuple[Link, Link]], bool]:
        seen, result = set(), []
        for quad in self.store.quads_for_pattern(None, None, node, ALL_GRAPHS):
            if not isinstance(quad.subject, NamedNode):
                continue
            key = (quad.subject, quad.predicate)
            if key in seen:
                continue
            seen.add(key)
            if len(result) >= MAX_INCOMING:
                return result, True
            result.append((self.link(quad.subject), self.link(quad.predicate)))
        result.sort(key=lambda r: (r[1].iri, r[0].iri))
        return result, False

    def _passages_stating(self, subject, predicate, obj) -> list[str]:
        pids = []
        for quad in self.store.quads_for_pattern(subject, predicate, obj):
            pid = self._passage_of(quad.graph_name)
            if pid and pid not in pids:
                pids.append(pid)
        return pids

    def _passage_of(self, graph) -> str | None:
        if not isinstance(graph, NamedNode) or not graph.value.startswith(GRAPH_NS):
            return None
        for quad in self.store.quads_for_pattern(graph, DERIVED, None, PROVENANCE_GRAPH):
            if isinstance(quad.object, NamedNode) and quad.object.value.startswith(PASSAGE_NS):
                return quad.object.value[len(PASSAGE_NS):]
        return None

    def _one(self, subject, predicate):
        for quad in self.store.quads_for_pattern(subject, predicate, None):
            return quad.object
        return None

    def _source(self, pid: str) -> Source | None:
        passage = NamedNode(PASSAGE_NS + pid)
        paragraph = self._one(passage, PARAGRAPH)
        section = self._one(passage, IN_SECTION)
        sentences: list[tuple[int, str, bool]] = []
        if paragraph is not None:
            for quad in self.store.quads_for_pattern(None, PARAGRAPH, paragraph):
                other = quad.subject
                text = self._one(other, PROV_VALUE)
                number = self._one(other, SENTENCE)
                if text is None:
                    continue
                try:
                    order = int(number.value) if number is not None else 0
                except ValueError:
                    order = 0
                sentences.append((order, text.value, other == passage))
        if not sentences:
            text = self._one(passage, PROV_VALUE)
            sentences = [(0, text.value, True)] if text is not None else []
        unique = {}
        for order, text, mine in sorted(sentences, key=lambda s: (s[0], not s[2])):
            unique.setdefault((order, text), mine)
        segments = [(text, mine) for (order, text), mine in unique.items()]
        return Source(pid, "/passage/" + pid,
                      self.link(section) if isinstance(section, NamedNode) else None, segments)
