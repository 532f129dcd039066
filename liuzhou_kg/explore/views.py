"""The explorer's views besides the whole graph: a neighbourhood, a query result, the ontology."""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..core.errors import InputError, Problem, query_problem
from .config import Config, load_config
from .model import LANGS, Edge, ExplorerGraph, Node, Text
from .network import GraphBuilder, Index, dataset_title, index_dataset, term_key
from .oxi import store_from_dataset, to_rdflib

VAR_NS = "urn:liuzhou-kg:explore:var:"


@dataclass
class Explorer:
    """A dataset read once, from which every view is made."""

    cfg: Config
    idx: Index
    builder: GraphBuilder
    full: ExplorerGraph
    dataset: Dataset

    @classmethod
    def from_dataset(cls, dataset: Dataset, cfg: Config | None = None) -> "Explorer":
        cfg = cfg or load_config()
        idx = index_dataset(dataset, cfg)
        builder = GraphBuilder(idx, cfg)
        return cls(cfg, idx, builder, builder.build(dataset_title(idx, cfg)), dataset)

    # --- focus ------------------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """The node an IRI, a prefixed name (lz:liugong) or an exact label (柳工, LiuGong) names."""
        text = name.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if text in self.full.nodes:
            return text
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.cfg.prefixes and not local.startswith("//"):
            iri = self.cfg.prefixes[prefix] + local
            if iri in self.full.nodes:
                return iri
        wanted = text.casefold()
        hits = sorted(k for k, n in self.full.nodes.items()
                      if any(v.casefold() == wanted for v in n.labels.values()))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError([Problem("--focus", None, f"{name!r} names {len(hits)} entities; use "
                                      "one of their IRIs: " + ", ".join(hits[:10]))])
        near = sorted(k for k, n in self.full.nodes.items()
                      if any(wanted in v.casefold() for v in n.labels.values()))
        hint = ("; did you mean: " + ", ".join(
            f"{self.full.nodes[k].labels['zh']} ({self.cfg.shorten(k)})" for k in near[:8])) if near else ""
        raise InputError([Problem("--focus", None, f"no entity with IRI or label {name!r}{hint}")])

    def focus(self, name: str, depth: int) -> ExplorerGraph:
        if depth < 0:
            raise InputError([Problem("--depth", None, f"must be 0 or more, not {depth}")])
        start = self.resolve(name)
        neighbours: dict[str, set[str]] = defaultdict(set)
        for e in self.full.edges:
            neighbours[e.source].add(e.target)
            neighbours[e.target].add(e.source)
        seen = {start: 0}
        queue = deque([start])
        while queue:
            key = queue.popleft()
            if seen[key] >= depth:
                continue
            for nxt in sorted(neighbours[key]):
                if nxt not in seen:
                    seen[nxt] = seen[key] + 1
                    queue.append(nxt)
        node = self.full.nodes[start]
        subtitle = {lang: f"{node.labels[lang]} ± {depth}" for lang in LANGS}
        return self.full.subgraph(set(seen), "focus", subtitle)

    # --- ontology ---------------------------------------------------------------------------
    def ontology(self) -> ExplorerGraph:
        """Classes (sub-class edges) and the object properties between them (domain -> range)."""
        triples = self.idx.ontology
        class_types = {OWL.Class, RDFS.Class}
        classes: set = {s for s, p, o in triples if p == RDF.type and o in class_types}
        subclass, domains, ranges = [], defaultdict(set), defaultdict(set)
        object_props, data_props = set(), set()
        for s, p, o in triples:
            if p == RDFS.subClassOf and isinstance(o, URIRef) and isinstance(s, URIRef):
                subclass.append((s, o))
                classes |= {s, o}
            elif p == RDFS.domain and isinstance(o, URIRef):
                domains[s].add(o)
            elif p == RDFS.range and isinstance(o, URIRef):
                ranges[s].add(o)
            elif p == RDF.type and o == OWL.ObjectProperty:
                object_props.add(s)
            elif p == RDF.type and o == OWL.DatatypeProperty:
                data_props.add(s)
        classes = {c for c in classes if isinstance(c, URIRef)}
        edges: list[Edge] = [Edge(str(s), str(o), str(RDFS.subClassOf)) for s, o in sorted(subclass)]
        for prop in sorted(object_props):
            for d in sorted(domains.get(prop, ())):
                for r in sorted(ranges.get(prop, ())):
                    if d in classes and r in classes:
                        edges.append(Edge(str(d), str(r), str(prop)))
        instances: dict = defaultdict(int)
        for term, types in self.idx.types.items():
            if term_key(term) in self.full.nodes:
                for t in types:
                    instances[t] += 1
        count_prop = VAR_NS + "instances"
        attr_prop = VAR_NS + "attributes"
        nodes: dict[str, Node] = {}
        for c in sorted(classes, key=str):
            props: list[tuple[str, Text]] = [(count_prop, {lang: str(instances.get(c, 0)) for lang in LANGS})]
            attrs = sorted(dp for dp in data_props if c in domains.get(dp, ()))
            if attrs:
                labels = [self.builder.label(a) for a in attrs]
                props.append((attr_prop, {lang: "、".join(l[lang] for l in labels) if lang == "zh"
                                          else ", ".join(l[lang] for l in labels) for lang in LANGS}))
            comments = [(p_, o) for s, p_, o in triples if s == c and isinstance(o, Literal)
                        and p_ in (RDFS.comment, URIRef("http://www.w3.org/2004/02/skos/core#definition"))]
            for p_, o in comments[:2]:
                props.append((str(p_), {lang: str(o) for lang in LANGS}))
            nodes[str(c)] = Node(str(c), str(c), self.builder.label(c), set(), props, [])
        return ExplorerGraph(
            view="ontology", title=self.full.title, nodes=nodes, edges=edges,
            classes=self.builder.class_table(set(nodes)), sections={}, passages={},
            properties={**self.builder.property_labels({e.prop for e in edges}
                                                       | {p for n in nodes.values() for p, _ in n.props}),
                        count_prop: {lang: self.cfg.ui[lang]["instances"] for lang in LANGS},
                        attr_prop: {lang: self.cfg.ui[lang]["data_properties"] for lang in LANGS}},
        )

    # --- query ------------------------------------------------------------------------------
    def query(self, path: Path, store: ox.Store | None = None,
              timeout: float | None = None) -> ExplorerGraph:
        """The network of a SELECT or CONSTRUCT query's answer.

        The query runs on ``store`` (default: a store made from this explorer's dataset) through
        the project's one query step: the policy (``query`` mode, no SERVICE), the predeclared
        prefixes, FROM honoured and, with ``timeout``, the command's time limit
        (:func:`liuzhou_kg.sparql.runner.run_here` ends the process at the limit).
        """
        from ..sparql.library import read_query_file

        text = read_query_file(path)
        answer = run_view_query(store if store is not None else store_from_dataset(self.dataset),
                                text, path, timeout)
        return self.query_answer(answer, path)

    def query_answer(self, answer, path: Path) -> ExplorerGraph:
        """The network of a query's serialized answer (from :func:`run_view_query`)."""
        if answer.form == "ASK":
            raise InputError([Problem(path, None, "an ASK query answers yes or no; there is no "
                                      "network to draw (use SELECT or CONSTRUCT)")])
        if answer.form in ("CONSTRUCT", "DESCRIBE"):
            triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                       for t in ox.parse(answer.body, format=ox.RdfFormat.TURTLE)]
            return self._from_triples(triples, path)
        result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        variables = [v.value for v in result.variables]
        rows = [[to_rdflib(s[v]) if s[v] is not None else None for v in variables] for s in result]
        return self._from_rows(variables, rows, path)

    def _node_for(self, term) -> Node:
        key = term_key(term)
        if key in self.full.nodes:
            full = self.full.nodes[key]
            return Node(key, full.cls, full.labels, set(full.sections), list(full.props),
                        list(full.sources), full.kind)
        own = self.builder.own_class(term)
        cls = self.builder.styled_class(own)
        return Node(key, cls, self.builder.label(term),
                    kind=self.builder.label(URIRef(own)) if own != cls else None)

    def _from_triples(self, triples, path: Path) -> ExplorerGraph:
        nodes: dict[str, Node] = {}
        edges: dict[tuple, Edge] = {}
        extra_props: dict[str, list] = defaultdict(list)
        full_edges = {(e.source, e.prop, e.target): e for e in self.full.edges}
        for s, p, o in triples:
            if isinstance(s, Literal):
                continue
            nodes.setdefault(term_key(s), self._node_for(s))
            if p in self.cfg.hidden_predicates:
                continue
            if isinstance(o, (URIRef, BNode)) and (self.builder.is_node(o) or isinstance(o, BNode)
                                                   or term_key(o) in self.full.nodes):
                nodes.setdefault(term_key(o), self._node_for(o))
                key = (term_key(s), str(p), term_key(o))
                known = full_edges.get(key)
                edges.setdefault(key, Edge(key[0], key[2], key[1], list(known.sources) if known else []))
            else:
                extra_props[term_key(s)].append((str(p), self.builder.value_text(p, o)))
        for key, props in extra_props.items():
            have = {(p, v["zh"]) for p, v in nodes[key].props}
            nodes[key].props.extend((p, v) for p, v in props if (p, v["zh"]) not in have)
        return self._result_graph(nodes, list(edges.values()), path)

    def _from_rows(self, variables: list[str], rows: list[list], path: Path) -> ExplorerGraph:
        names = [v.lower() for v in variables]
        for trio in (("s", "p", "o"), ("subject", "predicate", "object")):
            if all(t in names for t in trio):
                at = [names.index(t) for t in trio]
                triples = [(r[at[0]], r[at[1]], r[at[2]]) for r in rows
                           if r[at[0]] is not None and isinstance(r[at[1]], URIRef) and r[at[2]] is not None]
                return self._from_triples(triples, path)
        nodes: dict[str, Node] = {}
        edges: dict[tuple, Edge] = {}
        pair_edges: dict[tuple, list[Edge]] = defaultdict(list)
        for e in self.full.edges:
            pair_edges[(e.source, e.target)].append(e)
        var_labels: dict[str, Text] = {}
        for row in rows:
            bound = [(variables[i], t) for i, t in enumerate(row)
                     if isinstance(t, (URIRef, BNode))]
            literals = [(variables[i], t) for i, t in enumerate(row) if isinstance(t, Literal)]
            for _, term in bound:
                nodes.setdefault(term_key(term), self._node_for(term))
            for (va, a), (vb, b) in zip(bound, bound[1:]):
                ka, kb = term_key(a), term_key(b)
                real = pair_edges.get((ka, kb), []) + pair_edges.get((kb, ka), [])
                if real:
                    for e in real:
                        edges.setdefault((e.source, e.prop, e.target), e)
                elif ka != kb:
                    prop = f"{VAR_NS}{va}-{vb}"
                    var_labels[prop] = {lang: f"?{va} → ?{vb}" for lang in LANGS}
                    edges.setdefault((ka, prop, kb), Edge(ka, kb, prop))
            if bound and literals:
                owner = nodes[term_key(bound[0][1])]
                for var, lit in literals:
                    prop = VAR_NS + var
                    var_labels[prop] = {lang: f"?{var}" for lang in LANGS}
                    value = {lang: str(lit) for lang in LANGS}
                    if (prop, value) not in owner.props:
                        owner.props.append((prop, value))
        if rows and not nodes:
            raise InputError([Problem(path, None, "the result has no resources (IRIs) to draw, only "
                                      "values; select the resources themselves (e.g. ?enterprise), "
                                      "not only their labels or counts")])
        graph = self._result_graph(nodes, list(edges.values()), path)
        graph.properties.update(var_labels)
        return graph

    def _result_graph(self, nodes: dict[str, Node], edges: list[Edge], path: Path) -> ExplorerGraph:
        used_props = {e.prop for e in edges} | {p for n in nodes.values() for p, _ in n.props}
        props = self.builder.property_labels(p for p in used_props if not p.startswith(VAR_NS))
        subtitle = {lang: Path(path).name for lang in LANGS}
        return ExplorerGraph(
            view="query", title=self.full.title, subtitle=subtitle, nodes=nodes, edges=edges,
            classes=self.builder.class_table({n.cls for n in nodes.values()}),
            sections=dict(self.full.sections), documents=dict(self.full.documents),
            passages={k: v for k, v in self.full.passages.items()
                      if any(k in n.sources for n in nodes.values()) or any(k in e.sources for e in edges)},
            properties=props,
        )


def run_view_query(store: ox.Store, text: str, path: Path, timeout: float | None = None):
    """Run a view's query on ``store``: JSON results or N-Triples; errors name the file."""
    from ..sparql.errors import QueryError, QuerySyntaxError
    from ..sparql.execute import QueryRequest, execute
    from ..sparql.large_stack import on_large_stack
    from ..sparql.policy import Policy
    from ..sparql.runner import run_here

    policy = Policy.query()
    try:
        request = QueryRequest(text)  # SELECT: JSON results; CONSTRUCT: Turtle
        if timeout is None:
            return on_large_stack(execute, store, request, policy)
        return run_here(store, request, policy, timeout, str(path))
    except QuerySyntaxError as err:
        raise InputError([query_problem(path, err)]) from None
    except QueryError as err:
        raise InputError([query_problem(path, err)]) from None



