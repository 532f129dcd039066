"""Read a dataset that follows docs/CONTRACT.md into an :class:`ExplorerGraph`, and into networkx.

One pass over the quads builds indexes (types, labels and the class hierarchy from every graph;
passages and sections from ``lzg:provenance``). A second pass makes nodes, edges and node values:
the fact graphs (derived from a passage, and the default graph) create nodes; other named graphs
(links, inferences, reference data) only add values and edges to existing nodes. A node's sections
and source sentences come from the fact graphs it occurs in: fact graph -> ``prov:wasDerivedFrom``
passage -> ``lzo:inSection`` section. Everything is sorted, so the result does not depend on the
order the quads come in.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS

from .config import Config, load_config
from .model import LANGS, ClassInfo, Document, Edge, ExplorerGraph, Node, Passage, Section, Text

RESOURCE_CLASS = str(RDFS.Resource)
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass
class Index:
    """What the whole dataset says about every resource, whatever graph it is in."""

    types: dict = field(default_factory=lambda: defaultdict(set))
    labels: dict = field(default_factory=lambda: defaultdict(dict))   # term -> lang -> str
    subclass_of: dict = field(default_factory=lambda: defaultdict(set))
    graph_passage: dict = field(default_factory=dict)                 # fact graph -> passage
    passage_text: dict = field(default_factory=dict)
    passage_section: dict = field(default_factory=dict)
    section_number: dict = field(default_factory=dict)
    part_of: dict = field(default_factory=dict)                       # section -> document
    issued: dict = field(default_factory=dict)                        # document -> date
    ontology: list = field(default_factory=list)                      # (s, p, o) of lzg:ontology
    facts: list = field(default_factory=list)                         # (s, p, o, g)


def index_dataset(dataset: Dataset, cfg: Config) -> Index:
    """Scan every quad of ``dataset`` once into an :class:`Index`.

    Types, best labels (by the configured label property order, then tagged before untagged, then
    text, so the choice is stable), subclass links and section numbers come from every graph; the
    provenance graph gives the passage of each fact graph and the passages' text and section; the
    ontology graph is kept apart; the triples of every other graph are facts.
    """
    idx = Index()
    label_rank = {p: i for i, p in enumerate(cfg.label_properties)}
    label_seen: dict = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        g = getattr(g, "identifier", g)
        if p == RDF.type:
            idx.types[s].add(o)
        elif p in label_rank and isinstance(o, Literal):
            lang = (o.language or "").lower().split("-")[0]
            rank = (label_rank[p], 0 if o.language else 1, str(o))  # ties: the same label every build
            key = (s, lang)
            if key not in label_seen or rank < label_seen[key]:
                label_seen[key] = rank
                idx.labels[s][lang] = str(o)
        elif p == RDFS.subClassOf:
            idx.subclass_of[s].add(o)
        elif p == cfg.section_number and isinstance(o, Literal):
            idx.section_number[s] = _int(o)  # wherever the section is described
        elif p == cfg.part_of and isinstance(o, URIRef):
            idx.part_of.setdefault(s, set()).add(o)
        elif p == cfg.issued and isinstance(o, Literal):
            idx.issued[s] = str(o)
        if g == cfg.provenance_graph:
            if p == cfg.derived_from:
                idx.graph_passage[s] = o
            elif p == cfg.sentence:
                idx.passage_text[s] = str(o)
            elif p == cfg.in_section:
                idx.passage_section[s] = o
        elif g == cfg.ontology_graph:
            idx.ontology.append((s, p, o))
        else:
            # Every other graph holds facts; so does the default graph (with no passage).
            idx.facts.append((s, p, o, g))
    return idx


def _int(lit: Literal) -> int:
    try:
        return int(lit.toPython())
    except (TypeError, ValueError):
        return 0


def term_key(term) -> str:
    """The node key of an RDF term: its IRI or literal text, or ``_:id`` for a blank node."""
    return term.n3() if isinstance(term, BNode) else str(term)


def local_name(iri: str) -> str:
    """The last segment of ``iri`` after ``#``, ``/`` or ``:`` (the whole IRI if that is empty)."""
    tail = re.split(r"[#/:]", iri.rstrip("/#"))[-1]
    return tail or iri


def passage_id(iri: str) -> str:
    """A passage's id: what follows ``/passage/`` (``p05-s02``, ``work-report-2022/p05-s01``, so
    passages of two documents never share one), else the IRI's last segment."""
    head, sep, tail = iri.partition("/passage/")
    return tail if sep and tail else local_name(iri)


def texts(labels: dict[str, str], fallback: str) -> Text:
    """One label per language, borrowing from the other language (then ``fallback``) if absent."""
    any_label = next((labels[k] for k in ("zh", "en", "") if labels.get(k)), None)
    if any_label is None and labels:
        any_label = next(iter(labels.values()))
    out = {}
    for lang in LANGS:
        out[lang] = labels.get(lang) or labels.get("") or any_label or fallback
    return out


class GraphBuilder:
    """Turns an :class:`Index` into an :class:`ExplorerGraph`."""

    def __init__(self, idx: Index, cfg: Config):
        self.idx = idx
        self.cfg = cfg
        self._node_cache: dict = {}
        self._ancestor_cache: dict = {}

    # --- classification -------------------------------------------------------------------
    def is_node(self, term) -> bool:
        """A resource is drawn if it has a label or a type, and none of its most specific types
        is folded (``fold_classes``): inferred supertypes such as skos:Concept do not count."""
        if isinstance(term, Literal):
            return False
        cached = self._node_cache.get(term)
        if cached is None:
            types = self.idx.types.get(term)
            if types:
                cached = not (self._most_specific(types) & self.cfg.fold_classes)
            else:
                cached = bool(self.idx.labels.get(term))
            self._node_cache[term] = cached
        return cached

    def _most_specific(self, types) -> set:
        ancestors = set()
        for t in types:
            ancestors |= self._ancestors(t)
        return {t for t in types if t not in ancestors} or set(types)

    def own_class(self, term) -> str:
        """The resource's class: the first of ``class_priority`` it has, else its most specific."""
        types = self.idx.types.get(term, set()) - self.cfg.fold_classes
        for cls in self.cfg.class_priority:
            if cls in types:
                return str(cls)
        if not types:
            return RESOURCE_CLASS
        return sorted(map(str, self._most_specific(types)))[0]

    def styled_class(self, cls: str) -> str:
        """``cls`` if it has a style, else its nearest styled superclass (breadth first), else itself."""
        frontier, seen = [URIRef(cls)], {URIRef(cls)}
        while frontier:
            for c in frontier:
                if c in self.cfg.class_styles:
                    return str(c)
            nxt = []
            for c in frontier:
                for sup in sorted(self.idx.subclass_of.get(c, ()), key=str):
                    if sup not in seen and isinstance(sup, URIRef):
                        seen.add(sup)
                        nxt.append(sup)
            frontier = nxt
        return cls

    def main_class(self, term) -> str:
        return self.styled_class(self.own_class(term))

    def _ancestors(self, cls) -> set:
        """Every superclass of ``cls`` (rdfs:subClassOf, transitively; cycles are fine)."""
        found = self._ancestor_cache.get(cls)
        if found is None:
            found, stack = set(), [cls]
            while stack:
                for sup in self.idx.subclass_of.get(stack.pop(), ()):
                    if sup not in found and sup != cls:
                        found.add(sup)
                        stack.append(sup)
            self._ancestor_cache[cls] = found
        return found

    def label(self, term) -> Text:
        labels = self.idx.labels.get(term) or self.cfg.builtin_labels.get(term, {})
        return texts(labels, local_name(str(term)))

    # --- tables ---------------------------------------------------------------------------
    def class_table(self, class_keys) -> dict[str, ClassInfo]:
        table = {}
        unstyled = []
        for key in sorted(class_keys):
            style = self.cfg.class_styles.get(URIRef(key))
            if style is None:
                unstyled.append(key)
                continue
            table[key] = ClassInfo(self.label(URIRef(key)), style.color, style.shape)
        for i, key in enumerate(unstyled):
            table[key] = ClassInfo(self.label(URIRef(key)), self.cfg.palette[i % len(self.cfg.palette)], "dot")
        return table

    def sections_and_passages(self) -> tuple[dict[str, Section], dict[str, Passage], dict[str, Document]]:
        """The sections (grouped by document, then in the order of their text), the passages and the
        documents the sections are part of (ordered by date of issue, then IRI)."""
        idx = self.idx
        section_terms = set(idx.passage_section.values()) | set(idx.section_number)
        doc_of = {sec: min(idx.part_of[sec], key=str) for sec in section_terms if idx.part_of.get(sec)}
        documents = {str(doc): Document(self.label(doc), idx.issued.get(doc, ""))
                     for doc in sorted(set(doc_of.values()), key=lambda d: (idx.issued.get(d, ""), str(d)))}
        doc_order = {key: i for i, key in enumerate(documents)}
        sections = {}
        for sec in section_terms:
            doc = str(doc_of[sec]) if sec in doc_of else None
            sections[str(sec)] = Section(self.label(sec), idx.section_number.get(sec, 99), doc)
        sections = dict(sorted(sections.items(), key=lambda kv: (
            doc_order.get(kv[1].document, len(doc_order)), kv[1].number, kv[0])))
        passages = {}
        for passage, text in idx.passage_text.items():
            sec = idx.passage_section.get(passage)
            passages[str(passage)] = Passage(passage_id(str(passage)), text,
                                             str(sec) if sec is not None else None)
        return sections, passages, documents

    def property_labels(self, props) -> dict[str, Text]:
        return {str(p): self.label(URIRef(p)) for p in sorted(props)}

    # --- values ---------------------------------------------------------------------------
    def value_text(self, prop, term) -> Text:
        suffix = self.cfg.value_suffixes.get(prop, "")
        if isinstance(term, Literal):
            return {lang: f"{term}{suffix}" for lang in LANGS}
        if self.idx.labels.get(term) or self.idx.types.get(term):
            return {lang: f"{v}{suffix}" for lang, v in self.label(term).items()}
        return {lang: str(term) for lang in LANGS}

    def node_props(self, values: dict) -> list[tuple[str, Text]]:
        """Format a node's property values: units joined to their values, languages kept apart."""
        values = {p: list(vs) for p, vs in values.items()}
        rows: list[tuple[str, Text]] = []
        for value_prop, unit_prop in self.cfg.value_units:
            if value_prop in values and unit_prop in values:
                unit = self.value_text(unit_prop, sorted(values.pop(unit_prop), key=str)[0])
                for v in sorted(values.pop(value_prop), key=str):
                    val = self.value_text(value_prop, v)
                    rows.append((str(value_prop), {lang: f"{val[lang]} {unit[lang]}" for lang in LANGS}))
        for prop in sorted(values, key=str):
            tagged: dict[str, list[str]] = defaultdict(list)
            for v in sorted(values[prop], key=lambda t: (str(t), t.n3())):
                if isinstance(v, Literal) and v.language:
                    tagged[v.language.lower().split("-")[0]].append(str(v))
                else:
                    rows.append((str(prop), self.value_text(prop, v)))
            if tagged:
                rows.append((str(prop), texts({k: "；".join(v) for k, v in tagged.items()}, "")))
        return rows

    def derived_label(self, cls: str, values: dict) -> Text | None:
        template = self.cfg.derived_labels.get(URIRef(cls))
        if template is None:
            return None
        out = {}
        for lang in LANGS:
            def fill(match, lang=lang):
                prop = self.cfg.expand(match.group(1).strip())
                vs = values.get(prop)
                if not vs:
                    return ""
                text = self.value_text(prop, sorted(vs, key=str)[0])[lang]
                for value_prop, unit_prop in self.cfg.value_units:
                    if prop == value_prop and values.get(unit_prop):
                        text += " " + self.value_text(unit_prop, sorted(values[unit_prop], key=str)[0])[lang]
                return text
            out[lang] = re.sub(r"\s+", " ", _PLACEHOLDER.sub(fill, template)).strip(" :：")
        return out if any(out.values()) else None

    # --- the graph ------------------------------------------------------------------------
    def build(self, title: Text) -> ExplorerGraph:
        idx, cfg = self.idx, self.cfg
        hidden = cfg.hidden_predicates
        node_terms: dict[str, object] = {}
        subject_sources: dict[str, set] = defaultdict(set)
        object_sources: dict[str, set] = defaultdict(set)
        values: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        links: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        edge_sources: dict[tuple, set] = {}
        # Fact graphs (derived from a passage, or the default graph) first: they create nodes.
        # Other named graphs (links, reference data) only describe nodes that exist already.
        def creates_nodes(g) -> bool:
            return g in idx.graph_passage or g == DATASET_DEFAULT_GRAPH_ID or g is None

        facts = sorted(idx.facts, key=lambda q: not creates_nodes(q[3]))
        for s, p, o, g in facts:
            passage = idx.graph_passage.get(g)
            if not creates_nodes(g):
                if term_key(s) not in node_terms or p in hidden:
                    continue
                if not isinstance(o, Literal) and self.is_node(o) and term_key(o) not in node_terms:
                    values[term_key(s)][p].append(o)  # shown as a value, not a new node
                    continue
            s_node = self.is_node(s)
            if s_node:
                key = term_key(s)
                node_terms[key] = s
                if passage is not None:
                    subject_sources[key].add(passage)
            if p in hidden:
                continue
            o_node = self.is_node(o)
            if o_node:
                okey = term_key(o)
                node_terms[okey] = o
                if passage is not None:
                    object_sources[okey].add(passage)
            if s_node and o_node:
                sources = edge_sources.setdefault((term_key(s), p, term_key(o)), set())
                if o not in links[term_key(s)][p]:
                    links[term_key(s)][p].append(o)
                if passage is not None:
                    sources.add(passage)
            elif s_node:
                bucket = values[term_key(s)][p]
                if o not in bucket:
                    bucket.append(o)

        nodes: dict[str, Node] = {}
        for key in sorted(node_terms):
            term = node_terms[key]
            own = self.own_class(term)
            cls = self.styled_class(own)
            labels = self.idx.labels.get(term)
            label = self.label(term) if labels else (
                self.derived_label(cls, {**links.get(key, {}), **values.get(key, {})})
                or self.label(term))
            subj = sorted(map(str, subject_sources.get(key, ())))
            obj = sorted(map(str, object_sources.get(key, set()) - subject_sources.get(key, set())))
            sections = {str(idx.passage_section[URIRef(p)]) for p in subj + obj
                        if URIRef(p) in idx.passage_section}
            nodes[key] = Node(key, cls, label, sections, self.node_props(values.get(key, {})),
                              subj + obj, self.label(URIRef(own)) if own != cls else None)
        edges = [Edge(s, o, str(p), sorted(map(str, srcs)))
                 for (s, p, o), srcs in sorted(edge_sources.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2]))]
        sections, passages, documents = self.sections_and_passages()
        return ExplorerGraph(
            view="graph", title=title, nodes=nodes, edges=edges,
            classes=self.class_table({n.cls for n in nodes.values()}),
            sections=sections, passages=passages, documents=documents,
            properties=self.property_labels({e.prop for e in edges}
                                            | {p for n in nodes.values() for p, _ in n.props}),
        )


def dataset_title(idx: Index, cfg: Config) -> Text:
    """The page title per language, from the configuration's interface texts."""
    ui = cfg.ui
    return {lang: ui[lang]["title"] for lang in LANGS}


def explorer_graph(dataset: Dataset, cfg: Config | None = None) -> ExplorerGraph:
    """The whole knowledge graph as the explorer draws it."""
    cfg = cfg or load_config()
    idx = index_dataset(dataset, cfg)
    return GraphBuilder(idx, cfg).build(dataset_title(idx, cfg))


def to_networkx(graph: ExplorerGraph) -> nx.MultiDiGraph:
    """The explorer graph as networkx: node keys, and one edge per property (key = property IRI)."""
    g = nx.MultiDiGraph()
    for key, node in graph.nodes.items():
        g.add_node(key, cls=node.cls, label_zh=node.labels["zh"], label_en=node.labels["en"])
    for e in graph.edges:
        g.add_edge(e.source, e.target, key=e.prop)
    return g


