"""What the explorer draws: nodes, edges and the tables they refer to, independent of rdflib."""
from __future__ import annotations

from dataclasses import dataclass, field

LANGS = ("zh", "en")
Text = dict[str, str]  # one string per language in LANGS


@dataclass
class Node:
    """One node of the explorer: a resource with its labels, sections, shown values and sources."""

    key: str                      # the resource's IRI (or a blank node's N3 form)
    cls: str                      # IRI of the class that decides colour, shape and filter
    labels: Text
    sections: set[str] = field(default_factory=set)   # section IRIs
    props: list[tuple[str, Text]] = field(default_factory=list)  # (property IRI, value)
    sources: list[str] = field(default_factory=list)  # passage IRIs, most relevant first
    kind: Text | None = None      # label of the node's own class when ``cls`` is a superclass


@dataclass
class Edge:
    """One drawn relation between two node keys, with the passages that state it."""

    source: str
    target: str
    prop: str                     # property IRI (or a pseudo IRI for query results)
    sources: list[str] = field(default_factory=list)


@dataclass
class ClassInfo:
    """A class as the legend and the filter show it: labels per language, colour and shape."""

    labels: Text
    color: str
    shape: str


@dataclass
class Section:
    """A section of a source document for the filter: labels, its number, and its document's IRI
    (None when the data does not say which document the section is part of)."""

    labels: Text
    number: int
    document: str | None = None


@dataclass
class Document:
    """A source document for the filter, which groups its sections under it: labels per language
    and its date of issue (``dcterms:issued``, "" when not given), which orders the documents."""

    labels: Text
    issued: str = ""


@dataclass
class Passage:
    """A sentence of the source text a node or edge cites: its id, text and section IRI."""

    pid: str                      # e.g. p05-s02
    text: str
    section: str | None           # section IRI


@dataclass
class ExplorerGraph:
    """Everything one explorer page shows, independent of networkx and of HTML.

    ``nodes`` is keyed by node key; ``classes``, ``sections``, ``passages`` and ``properties`` are the
    lookup tables the nodes and edges refer to by IRI, and ``documents`` those the sections refer to. ``view`` names the kind of page and
    ``subtitle`` what a focused or query view is about.
    """

    view: str                     # graph | focus | query | ontology
    title: Text
    nodes: dict[str, Node]
    edges: list[Edge]
    classes: dict[str, ClassInfo]
    sections: dict[str, Section]
    passages: dict[str, Passage]
    properties: dict[str, Text]   # property IRI -> label
    subtitle: Text | None = None  # what a view shows, e.g. the focused entity
    documents: dict[str, Document] = field(default_factory=dict)  # the sections' documents

    def subgraph(self, keys: set[str], view: str, subtitle: Text | None = None) -> "ExplorerGraph":
        """The nodes in ``keys`` and the edges between them, with the tables they still use."""
        nodes = {k: n for k, n in self.nodes.items() if k in keys}
        edges = [e for e in self.edges if e.source in nodes and e.target in nodes]
        return self.with_content(nodes, edges, view, subtitle)

    def with_content(self, nodes: dict[str, Node], edges: list[Edge], view: str,
                     subtitle: Text | None = None) -> "ExplorerGraph":
        used_classes = {n.cls for n in nodes.values()}
        used_passages = {p for n in nodes.values() for p in n.sources} | {
            p for e in edges for p in e.sources}
        used_props = {e.prop for e in edges} | {p for n in nodes.values() for p, _ in n.props}
        return ExplorerGraph(
            view=view,
            title=self.title,
            subtitle=subtitle,
            nodes=nodes,
            edges=edges,
            classes={k: v for k, v in self.classes.items() if k in used_classes},
            # sections and their documents stay complete so the filter lists them all
            sections=dict(self.sections),
            documents=dict(self.documents),
            passages={k: v for k, v in self.passages.items() if k in used_passages},
            properties={k: v for k, v in self.properties.items() if k in used_props},
        )
