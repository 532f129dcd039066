"""Entities of a dataset as the linker sees them: names, codes, same-as IRIs, a category, parents.

The dataset is a pyoxigraph store (see :mod:`.datasets` for reading one); the entities are taken
from the union of its graphs, read with quad patterns only. What counts as a name, a code, a type
or a parent is declared in the link vocabulary (:mod:`.vocabulary`); codes are read by
:mod:`.codes`.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..core.hierarchy import superclass_closure
from .codes import MAX_CODE_LENGTH, Code, code_ancestors, code_of, iri_codes, scheme_named
from .normalize import MAX_LABELS, LabelKeys, label_keys, label_variants
from .vocabulary import Vocabulary, vocabulary

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
CONTEXT_DEPTH = 3


@dataclass
class Entity:
    """One thing to link: its IRI, names, codes, same-as IRIs, category and hierarchy."""

    iri: str
    labels: list[LabelKeys]
    category: str | None
    context: set[str] = field(default_factory=set)  # normalised names of the places it is in
    near: set[str] = field(default_factory=set)  # … of the places it is directly in
    codes: set[Code] = field(default_factory=set)
    same_as: set[str] = field(default_factory=set)  # its own IRI and the IRIs said to be it
    parents: set[str] = field(default_factory=set)  # IRIs of what it is directly in
    ancestors: set[str] = field(default_factory=set)  # IRIs of what it is in (3 steps up)
    ancestor_codes: set[Code] = field(default_factory=set)  # codes of those, and of the code tree
    types: set[str] = field(default_factory=set)  # its classes with their superclasses
    description: str = ""

    @property
    def legal_form(self) -> str | None:
        """"group" if any name says so, else "listed", else "company", else None."""
        forms = {k.legal_form for k in self.labels}
        for form in ("group", "listed", "company"):
            if form in forms:
                return form
        return None

    @property
    def name(self) -> str:
        """The first name read (the preferred one when there is one)."""
        return self.labels[0].label if self.labels else self.iri


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
    return superclass_closure(direct)


def category_of(types: set[str], closure: dict[str, set[str]], vocab: Vocabulary) -> str | None:
    """The first category of the mapping that one of ``types`` (or a superclass) belongs to."""
    expanded = _expand(types, closure)
    for name, members in vocab.categories:
        if expanded & members:
            return name
    return None


def entities(store: ox.Store, *, namespace: str | None = None, ontology: ox.Store | None = None,
             vocab: Vocabulary | None = None, shard: tuple[int, int] = (0, 1)) -> list[Entity]:
    """The named IRIs of ``store`` (optionally only those starting with ``namespace``).

    ``shard=(i, n)`` keeps the i-th of n disjoint parts (by a hash of the IRI), so that n
    processes can share the work on a large dataset."""
    vocab = vocab or vocabulary()
    labels: dict[str, list[str]] = defaultdict(list)
    label_props = vocab.label_properties
    for kind in ("preferred", "alternate"):
        for prop, prop_kind in label_props.items():
            if prop_kind != kind:
                continue
            for q in _union(store, p=ox.NamedNode(prop)):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    if namespace and not q.subject.value.startswith(namespace):
                        continue
                    names = labels[q.subject.value]
                    if len(names) < MAX_LABELS and q.object.value not in names:
                        names.append(q.object.value)
    codes: dict[str, set[Code]] = defaultdict(set)
    for prop in vocab.identifier_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                code = code_of(q.object.value, q.object.datatype.value, prop, vocab)
                if code is not None and len(codes[q.subject.value]) < MAX_LABELS:
                    codes[q.subject.value].add(code)
    _property_value_codes(store, vocab, codes)
    same: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.same_as:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                same[q.subject.value].add(q.object.value)
    descriptions: dict[str, str] = {}
    for prop in vocab.description_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.object, ox.Literal) and q.subject.value not in descriptions:
                descriptions[q.subject.value] = q.object.value[:200]
    types: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.type_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                types[q.subject.value].add(q.object.value)
    parents: dict[str, set[str]] = defaultdict(set)
    for prop in vocab.parent_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                parents[q.subject.value].add(q.object.value)
    countries: set[str] = set()
    for prop in vocab.country_properties:
        for q in _union(store, p=ox.NamedNode(prop)):
            if isinstance(q.object, ox.NamedNode):
                countries.add(q.object.value)
    closure = superclasses(store, ontology)

    by_types: dict[frozenset[str], tuple[frozenset[str], str | None]] = {}

    def typing(iri: str) -> tuple[frozenset[str], str | None]:
        """The classes of ``iri`` with their superclasses, and their category (once per set)."""
        key = frozenset(types.get(iri, ()))
        found = by_types.get(key)
        if found is None:
            expanded = frozenset(_expand(set(key), closure))
            found = by_types[key] = (expanded, category_of(set(key), closure, vocab))
        return found

    def category(iri: str) -> str | None:
        found = typing(iri)[1]
        if iri in countries and found in (None, "place"):
            return "country"  # what gn:parentCountry points to is a country, whatever its type
        if found is None or found in vocab.weak_categories:
            for scheme, value in sorted(codes.get(iri, ()), key=str):
                spec = vocab.schemes.get(scheme or "")
                implied = spec.category(value) if spec else None
                if implied:
                    return implied  # a code list files a city as a concept; its code says city
        return found

    keys_cache: dict[str, list[LabelKeys]] = {}

    def keys_of(iri: str) -> list[LabelKeys]:
        if iri not in keys_cache:
            keys: list[LabelKeys] = []
            for text in labels.get(iri, ()):
                for variant in label_variants(text):
                    if len(keys) < MAX_LABELS:
                        keys.append(label_keys(variant))
            keys_cache[iri] = keys
        return keys_cache[iri]

    codes_cache: dict[str, frozenset[Code]] = {}

    def all_codes(iri: str) -> frozenset[Code]:
        found = codes_cache.get(iri)
        if found is None:
            out = set(codes.get(iri, ())) | iri_codes(iri, vocab)
            for other in same.get(iri, ()):
                out |= iri_codes(other, vocab)
            found = codes_cache[iri] = frozenset(out)
        return found

    place_cache: dict[str, tuple[frozenset[str], bool]] = {}

    def place_names(place: str) -> tuple[frozenset[str], bool]:
        """The short names and pinyin of a place, and whether it is a country (computed once)."""
        found = place_cache.get(place)
        if found is None:
            names = frozenset(x for k in keys_of(place) for x in (k.short, k.pinyin) if x)
            found = place_cache[place] = (names, category(place) == "country")
        return found

    result = []
    empty: frozenset = frozenset()
    part, parts = shard
    for iri in labels:
        if parts > 1 and zlib.crc32(iri.encode("utf-8")) % parts != part:
            continue
        expanded = typing(iri)[0]
        if expanded & vocab.exclude_types:
            continue
        context: set[str] = set()
        near: set[str] = set()
        ancestors: set[str] = set()
        ancestor_codes: set[Code] = set()
        frontier, seen = parents.get(iri, empty), {iri}
        for depth in range(CONTEXT_DEPTH):
            nxt: set[str] = set()
            for place in frontier:
                if place in seen:
                    continue
                seen.add(place)
                ancestors.add(place)
                ancestors |= same.get(place, empty)
                ancestor_codes |= all_codes(place)
                names, is_country = place_names(place)
                context |= names
                # A country is too coarse to place a thing: GeoNames gives every feature
                # its country directly, so a village in Guangdong would "agree" with Liuzhou.
                if depth == 0 and not is_country:
                    near |= names
                nxt |= parents.get(place, empty)
            if not nxt:
                break
            frontier = nxt
        own_codes = set(all_codes(iri))
        for code in own_codes:
            ancestor_codes |= code_ancestors(code, vocab)
        result.append(Entity(
            iri, keys_of(iri), category(iri), context, near,
            codes=own_codes, same_as={iri} | same.get(iri, empty),
            parents=set(parents.get(iri, ())), ancestors=ancestors,
            ancestor_codes=ancestor_codes, types=set(expanded), description=descriptions.get(iri, "")))
    return result


def _property_value_codes(store: ox.Store, vocab: Vocabulary, codes: dict[str, set[Code]]) -> None:
    """Codes given as schema:identifier [ schema:propertyID "…" ; schema:value "…" ]."""
    for prop in vocab.pv_nodes:
        for q in _union(store, p=ox.NamedNode(prop)):
            if not isinstance(q.subject, ox.NamedNode) or isinstance(q.object, ox.Literal):
                continue
            scheme = value = None
            for sp in vocab.pv_scheme:
                for s in _union(store, s=q.object, p=ox.NamedNode(sp)):
                    scheme = scheme_named(s.object.value, vocab)
            for vp in vocab.pv_value:
                for v in _union(store, s=q.object, p=ox.NamedNode(vp)):
                    if isinstance(v.object, ox.Literal):
                        value = v.object.value
            if value is None or len(value) > MAX_CODE_LENGTH:
                continue
            if scheme is not None:
                normalised = vocab.schemes[scheme].normalize(value)
                codes[q.subject.value].add((scheme, normalised) if normalised
                                           else (None, value.strip().upper()))
            else:
                codes[q.subject.value].add(code_of(value, None, prop, vocab)
                                           or (None, value.strip().upper()))


def _expand(types: set[str], closure: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for t in types:
        out |= closure.get(t, {t})
    return out
