"""Entities of a dataset as the linker sees them: labels, a coarse category, a location context.

A dataset is an RDF file (any syntax pyoxigraph reads) or a SPARQL endpoint URL with a CONSTRUCT
query; either way it is read into an in-memory pyoxigraph store and the entities are taken from
the union of its graphs. What counts as a label, a type or a location is declared in
``graph/mappings/link-vocabulary.yaml``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..errors import InputError, Problem
from ..imports.rdf_input import load_into, rdf_format_for_media_type, syntax_problem
from ..paths import GRAPH_DIR
from .normalize import LabelKeys, label_keys, label_variants

VOCABULARY = GRAPH_DIR / "mappings" / "link-vocabulary.yaml"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
CONTEXT_DEPTH = 3


@dataclass(frozen=True)
class Vocabulary:
    label_properties: tuple[str, ...]
    type_properties: tuple[str, ...]
    location_properties: tuple[str, ...]
    exclude_types: frozenset[str]
    categories: tuple[tuple[str, frozenset[str]], ...]
    compatible: dict[frozenset[str], float]
    unknown: float


@lru_cache(maxsize=None)
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    prefixes = data["prefixes"]

    def expand(term: str) -> str:
        prefix, sep, local = term.partition(":")
        if sep and prefix in prefixes:
            return prefixes[prefix] + local
        if term.startswith(("http://", "https://")):
            return term
        raise InputError([Problem(path, None, f"unknown prefix in {term!r}")])

    return Vocabulary(
        label_properties=tuple(expand(t) for t in data["label_properties"]),
        type_properties=tuple(expand(t) for t in data["type_properties"]),
        location_properties=tuple(expand(t) for t in data["location_properties"]),
        exclude_types=frozenset(expand(t) for t in data["exclude_types"]),
        categories=tuple((name, frozenset(expand(t) for t in terms))
                         for name, terms in data["categories"].items()),
        compatible={frozenset((a, b)): float(f) for a, b, f in data["compatible"]},
        unknown=float(data["unknown"]),
    )


@dataclass
class Entity:
    iri: str
    labels: list[LabelKeys]
    category: str | None
    context: set[str] = field(default_factory=set)  # normalised names of the places it is in
    near: set[str] = field(default_factory=set)  # … of the places it is directly in

    @property
    def legal_form(self) -> str | None:
        """"group" if any name says so, else "listed", else "company", else None."""
        forms = {k.legal_form for k in self.labels}
        for form in ("group", "listed", "company"):
            if form in forms:
                return form
        return None


def read_dataset(source: str, query: str | None = None, timeout: float = 60.0) -> ox.Store:
    """An RDF file, or a SPARQL endpoint (http/https URL) asked a CONSTRUCT ``query``."""
    if source.startswith(("http://", "https://")):
        if not query:
            raise InputError([Problem(source, None,
                                      "a SPARQL endpoint needs --query FILE.rq (a CONSTRUCT query)")])
        return _read_endpoint(source, query, timeout)
    if query:
        raise InputError([Problem(source, None, "--query applies to a SPARQL endpoint URL, not a file")])
    store = ox.Store()
    load_into(store, Path(source))
    return store


def _read_endpoint(url: str, query: str, timeout: float) -> ox.Store:
    import httpx

    headers = {"Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"}
    try:
        response = httpx.post(url, data={"query": query}, headers=headers, timeout=timeout)
    except httpx.HTTPError as err:
        raise InputError([Problem(url, None, f"endpoint unreachable: {err}")]) from err
    if response.status_code != 200:
        raise InputError([Problem(url, None, f"endpoint answered HTTP {response.status_code}: "
                                              f"{response.text[:300]}")])
    fmt = rdf_format_for_media_type(response.headers.get("content-type", ""))
    if fmt is None:
        raise InputError([Problem(url, None, "endpoint did not answer with RDF (is the query a "
                                              f"CONSTRUCT?): {response.headers.get('content-type')}")])
    store = ox.Store()
    try:
        store.load(response.content, format=fmt)
    except SyntaxError as err:
        raise InputError([syntax_problem(url, err)]) from err
    return store


def _union(store: ox.Store, s=None, p=None, o=None):
    return store.quads_for_pattern(s, p, o, None)


def superclasses(store: ox.Store, extra: ox.Store | None = None) -> dict[str, set[str]]:
    """Each class IRI → itself and its superclasses (rdfs:subClassOf*), from both stores."""
    direct: dict[str, set[str]] = defaultdict(set)
    for st in (store, extra):
        if st is None:
            continue
        for q in _union(st, p=ox.NamedNode(SUBCLASS)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                direct[q.subject.value].add(q.object.value)
    closure: dict[str, set[str]] = {}

    def up(cls: str) -> set[str]:
        if cls in closure:
            return closure[cls]
        closure[cls] = {cls}
        stack, seen = [cls], {cls}
        while stack:
            for parent in direct.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        closure[cls] = seen
        return seen

    for cls in list(direct):
        up(cls)
    return closure


def category_of(types: set[str], closure: dict[str, set[str]], vocab: Vocabulary) -> str | None:
    expanded: set[str] = set()
    for t in types:
        expanded |= closure.get(t, {t})
    for name, members in vocab.categories:
        if expanded & members:
            return name
    return None


def entities(store: ox.Store, *, namespace: str | None = None, ontology: ox.Store | None = None,
             vocab: Vocabulary | None = None) -> list[Entity]:
    """The labelled IRIs of ``store`` (optionally only those starting with ``namespace``)."""
    vocab = vocab or vocabulary()
    labels: dict[str, list[str]] = defaultdict(list)
    for prop in vocab.label_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                if namespace and not q.subject.value.startswith(namespace):
                    continue
                if q.object.value not in labels[q.subject.value]:
                    labels[q.subject.value].append(q.object.value)
    types: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.type_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                types[q.subject.value].add(q.object.value)
    parents: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.location_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                parents[q.subject.value].add(q.object.value)
    closure = superclasses(store, ontology)
    keys_cache: dict[str, list[LabelKeys]] = {}

    def keys_of(iri: str) -> list[LabelKeys]:
        if iri not in keys_cache:
            keys_cache[iri] = [label_keys(variant) for text in labels.get(iri, ())
                               for variant in label_variants(text)]
        return keys_cache[iri]

    result = []
    for iri, texts in labels.items():
        if types[iri] & vocab.exclude_types:
            continue
        if types[iri] and any(t in vocab.exclude_types for t in _expand(types[iri], closure)):
            continue
        context: set[str] = set()
        near: set[str] = set()
        frontier, seen = set(parents.get(iri, ())), {iri}
        for depth in range(CONTEXT_DEPTH):
            nxt: set[str] = set()
            for place in frontier - seen:
                seen.add(place)
                for k in keys_of(place):
                    names = {x for x in (k.short, k.pinyin) if x}
                    context |= names
                    # A country is too coarse to place a thing: GeoNames gives every feature
                        # its country directly, so a village in Guangdong would "agree" with Liuzhou.
                    if depth == 0 and category_of(types[place], closure, vocab) != "country":
                        near |= names
                nxt |= parents.get(place, set())
            frontier = nxt
        result.append(Entity(iri, keys_of(iri), category_of(types[iri], closure, vocab), context, near))
    return result


def _expand(types: set[str], closure: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for t in types:
        out |= closure.get(t, {t})
    return out
