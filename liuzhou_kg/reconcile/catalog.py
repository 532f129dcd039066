"""The entities the reconciliation service offers, read once from the store into memory.

Everything is read with ``quads_for_pattern`` over all named graphs (no query text is ever built,
so nothing a client sends can reach SPARQL): the names of every IRI of the entity namespace, its
types with their ``rdfs:subClassOf`` closure, the values of the properties declared in
``service.yaml``, and the ontology's class labels. What is read, and the service's limits, are
declared in ``service.yaml`` beside this module.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..core.errors import InputError, Problem, yaml_problem
from ..core.hierarchy import superclass_closure
from ..core.prefixes import compact, prefixes

SERVICE_FILE = Path(__file__).with_name("service.yaml")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
REF_ENTITY = "https://w3id.org/liuzhou-kg/ontology#refEntity"
STATED_VALUE = "https://w3id.org/liuzhou-kg/ontology#statedValue"
STATED_UNIT = "https://w3id.org/liuzhou-kg/ontology#statedUnit"
GROWTH = "https://w3id.org/liuzhou-kg/ontology#growthRate"
PROPERTY_KINDS = ("entity", "text", "code", "iri", "label", "figures")


def expand(term: str, where: Path = SERVICE_FILE) -> str:
    """A CURIE over the predeclared prefixes, or a full IRI, as a full IRI."""
    if term.startswith(("http://", "https://")):
        return term
    prefix, sep, local = term.partition(":")
    known = prefixes()
    if sep and prefix in known and not local.startswith("//"):
        return known[prefix] + local
    raise InputError([Problem(where, None, f"{term!r} is neither a full IRI nor a CURIE over a "
                                           "predeclared prefix")])


@dataclass(frozen=True)
class PropertySpec:
    """One property of ``service.yaml``: evidence in queries, offered by suggest and extend."""

    id: str
    names: dict[str, str]
    kind: str
    predicate: str | None
    datatype: str | None = None
    lang: str | None = None
    transitive: bool = False


@dataclass(frozen=True)
class ServiceConfig:
    """The parsed ``service.yaml``."""

    names: dict[str, str]
    entity_namespace: str
    name_properties: tuple[str, ...]
    exclude_types: frozenset[str]
    type_namespaces: tuple[str, ...]
    limits: dict[str, int]
    candidate_floor: float
    preview_width: int
    preview_height: int
    properties: tuple[PropertySpec, ...]

    def property(self, pid: str) -> PropertySpec | None:
        """The property with this id, also when given as a full IRI."""
        for spec in self.properties:
            if pid == spec.id or (spec.predicate and pid == spec.predicate and not spec.datatype):
                return spec
        return None


@lru_cache(maxsize=None)
def load_config(path: Path = SERVICE_FILE) -> ServiceConfig:
    """Read and check ``service.yaml``; a bad entry is an InputError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    try:
        return _config(data, path)
    except KeyError as err:
        raise InputError([Problem(path, None, f"missing entry {err}")]) from None
    except (TypeError, ValueError, AttributeError) as err:
        raise InputError([Problem(path, None, f"malformed entry: {err}")]) from None


def _config(data: dict, path: Path) -> ServiceConfig:
    specs = []
    for entry in data["properties"]:
        kind = entry["kind"]
        if kind not in PROPERTY_KINDS:
            raise InputError([Problem(path, None, f"property {entry['id']}: unknown kind {kind!r}")])
        if kind == "code":
            predicate = SKOS_NOTATION
        elif kind in ("label", "figures"):
            predicate = None
        else:
            predicate = expand(entry["id"], path)
        specs.append(PropertySpec(
            id=entry["id"], names=dict(entry["name"]), kind=kind, predicate=predicate,
            datatype=expand(entry["datatype"], path) if entry.get("datatype") else None,
            lang=entry.get("lang"), transitive=bool(entry.get("transitive", False))))
    limits = {key: int(value) for key, value in data["limits"].items()}
    return ServiceConfig(
        names=dict(data["name"]),
        entity_namespace=expand(data["entity_namespace"], path),
        name_properties=tuple(expand(t, path) for t in data["name_properties"]),
        exclude_types=frozenset(expand(t, path) for t in data["exclude_types"]),
        type_namespaces=tuple(expand(t, path) for t in data["type_namespaces"]),
        limits=limits,
        candidate_floor=float(data["match"]["floor"]),
        preview_width=int(data["preview"]["width"]),
        preview_height=int(data["preview"]["height"]),
        properties=tuple(specs),
    )


@dataclass(frozen=True)
class Name:
    """One name of an entity: its text, language tag (lower case, may be empty) and property."""

    text: str
    lang: str
    preferred: bool


@dataclass
class EntityRecord:
    """An entity as the service sees it."""

    iri: str
    id: str
    names: list[Name] = field(default_factory=list)
    types: set[str] = field(default_factory=set)          # with all superclasses
    shown_types: list[str] = field(default_factory=list)  # the most specific, for display
    values: dict[str, list] = field(default_factory=dict)  # property id → values

    def name(self, lang: str | None = None) -> str:
        """The preferred name in ``lang`` (zh or en), else any preferred name, else any name."""
        def rank(n: Name):
            same = bool(lang) and n.lang.split("-")[0] == lang
            return (not n.preferred, not same, n.lang.split("-")[0] != "zh")
        return min(self.names, key=rank).text if self.names else self.id

    def names_in(self, lang: str) -> list[str]:
        return [n.text for n in self.names if n.lang.split("-")[0] == lang]


@dataclass
class ClassRecord:
    """A class of the ontology (or a reused one) that entities of the catalog belong to."""

    iri: str
    id: str
    names: dict[str, str]
    parents: list[str]
    instances: int = 0

    def name(self, lang: str | None = None) -> str:
        return self.names.get(lang or "", "") or self.names.get("en") or self.names.get("zh") or self.id


@dataclass
class Catalog:
    """The entities, classes and property values the service answers from."""

    config: ServiceConfig
    entities: dict[str, EntityRecord]
    classes: dict[str, ClassRecord]
    closure: dict[str, set[str]]
    labels: dict[str, dict[str, str]]  # any IRI → {lang: preferred name}

    # --- identifiers ---------------------------------------------------------------------
    def entity_id(self, iri: str) -> str:
        return iri[len(self.config.entity_namespace):]

    def resolve_entity(self, ref: str) -> EntityRecord | None:
        """An entity from its id (``liugong``), CURIE (``lz:liugong``) or IRI."""
        ref = ref.strip()
        if ref in self.entities:
            return self.entities[ref]
        for candidate in (ref, _try_expand(ref)):
            if candidate and candidate.startswith(self.config.entity_namespace):
                return self.entities.get(self.entity_id(candidate))
        return None

    def type_id(self, iri: str) -> str:
        return compact(iri)

    def resolve_type(self, ref: str) -> str | None:
        """A class IRI from its CURIE (``lzo:City``), IRI or bare ontology name (``City``)."""
        ref = ref.strip()
        known = self.known_types
        for candidate in (_try_expand(ref), ref, _try_expand("lzo:" + ref)):
            if candidate and candidate in known:
                return candidate
        return None

    @cached_property
    def known_types(self) -> frozenset[str]:
        """Every class an entity belongs to, superclasses included (schema:Place, org:Organization …)."""
        return frozenset(t for found in self.closure.values() for t in found)

    def label(self, iri: str, lang: str | None = None) -> str:
        found = self.labels.get(iri, {})
        if iri.startswith(self.config.entity_namespace) and self.entity_id(iri) in self.entities:
            return self.entities[self.entity_id(iri)].name(lang)
        return found.get(lang or "") or found.get("en") or found.get("zh") or compact(iri)


def _try_expand(term: str) -> str | None:
    try:
        return expand(term)
    except InputError:
        return None


def _language(literal: ox.Literal) -> str:
    return (literal.language or "").lower()


def load_catalog(store: ox.Store, config: ServiceConfig | None = None) -> Catalog:
    """Read the catalog from ``store`` (all named graphs)."""
    config = config or load_config()
    quads = store.quads_for_pattern
    namespace = config.entity_namespace

    # The class hierarchy, from whatever graph states it (the ontology graph, imports).
    direct: dict[str, set[str]] = defaultdict(set)
    for q in quads(None, ox.NamedNode(SUBCLASS), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            direct[q.subject.value].add(q.object.value)
    types_of: dict[str, set[str]] = defaultdict(set)
    for q in quads(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            types_of[q.subject.value].add(q.object.value)
    closure = superclass_closure(direct)

    def up(cls: str) -> set[str]:
        """``cls`` and the classes above it (a class with no superclass: itself)."""
        return closure.setdefault(cls, {cls})

    # Names: preferred (skos:prefLabel, rdfs:label) first, then alternative ones.
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    names: dict[str, list[Name]] = defaultdict(list)
    for rank, prop in enumerate(config.name_properties):
        preferred = prop != expand("skos:altLabel")
        for q in quads(None, ox.NamedNode(prop), None, None):
            if not (isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)):
                continue
            iri, lang = q.subject.value, _language(q.object)
            if preferred:
                labels[iri].setdefault(lang.split("-")[0], q.object.value)
            if iri.startswith(namespace):
                name = Name(q.object.value, lang, preferred)
                if all(n.text != name.text or n.lang != name.lang for n in names[iri]):
                    names[iri].append(name)

    entities: dict[str, EntityRecord] = {}
    for iri, found in names.items():
        expanded: set[str] = set()
        for t in types_of.get(iri, ()):
            expanded |= up(t)
        if expanded & config.exclude_types:
            continue
        record = EntityRecord(iri, iri[len(namespace):], sorted(found, key=lambda n: not n.preferred),
                              expanded)
        shown = [t for t in expanded if t.startswith(config.type_namespaces)]
        # The most specific: drop a class when a subclass of it is also shown.
        record.shown_types = sorted(t for t in shown
                                    if not any(o != t and t in up(o) for o in shown))
        entities[record.id] = record

    _read_values(store, config, entities, labels)

    classes: dict[str, ClassRecord] = {}
    for record in entities.values():
        for t in record.types:
            if t.startswith(config.type_namespaces) and t in labels:
                if t not in classes:
                    parents = sorted(p for p in direct.get(t, ()) if p.startswith(config.type_namespaces))
                    classes[t] = ClassRecord(t, compact(t), dict(labels[t]), parents)
                classes[t].instances += 1
    for cls in list(classes) + [t for r in entities.values() for t in r.types]:
        up(cls)
    return Catalog(config, entities, classes, closure, dict(labels))


def _read_values(store: ox.Store, config: ServiceConfig, entities: dict[str, EntityRecord],
                 labels: dict[str, dict[str, str]]) -> None:
    """Fill each entity's ``values`` for the properties of the configuration."""
    namespace = config.entity_namespace
    by_iri = {record.iri: record for record in entities.values()}
    for spec in config.properties:
        for record in entities.values():
            record.values[spec.id] = []
        if spec.kind == "label":
            for record in entities.values():
                record.values[spec.id] = [(n.text, n.lang) for n in record.names
                                          if n.preferred and n.lang.split("-")[0] == spec.lang]
            continue
        if spec.kind == "figures":
            _read_figures(store, spec, by_iri, labels)
            continue
        for q in store.quads_for_pattern(None, ox.NamedNode(spec.predicate), None, None):
            record = by_iri.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            if record is None:
                continue
            obj = q.object
            if spec.kind == "entity" and isinstance(obj, ox.NamedNode) and obj.value.startswith(namespace):
                value = obj.value
            elif spec.kind == "code" and isinstance(obj, ox.Literal):
                if spec.datatype and obj.datatype.value != spec.datatype:
                    continue
                value = (obj.value, compact(obj.datatype.value))
            elif spec.kind == "iri" and isinstance(obj, ox.NamedNode):
                value = obj.value
            elif spec.kind == "text" and isinstance(obj, ox.Literal):
                value = (obj.value, _language(obj))
            else:
                continue
            if value not in record.values[spec.id]:
                record.values[spec.id].append(value)
        for record in entities.values():
            record.values[spec.id].sort(key=str)


def _read_figures(store: ox.Store, spec: PropertySpec, by_iri: dict[str, EntityRecord],
                  labels: dict[str, dict[str, str]]) -> None:
    """The statistics stated about each entity: (observation IRI, stated value, unit IRI, growth)."""
    def one(subject, predicate):
        for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None):
            return q.object
        return None

    for q in store.quads_for_pattern(None, ox.NamedNode(REF_ENTITY), None, None):
        record = by_iri.get(q.object.value) if isinstance(q.object, ox.NamedNode) else None
        if record is None:
            continue
        value, unit, growth = (one(q.subject, STATED_VALUE), one(q.subject, STATED_UNIT),
                               one(q.subject, GROWTH))
        if value is None:
            continue
        record.values[spec.id].append((q.subject.value, value.value,
                                       unit.value if unit is not None else None,
                                       growth.value if growth is not None else None))
    for record in by_iri.values():
        record.values[spec.id].sort()
