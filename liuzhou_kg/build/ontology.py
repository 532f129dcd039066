"""Load the ontology, SKOS schemes and reference data, and index the terms that records may use."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..core.namespaces import LZ, LZO, PREFIXES
from ..core.layout import Layout
from ..core.rdfio import parse_turtle_file

VOCABULARY_FILES = ("liuzhou.ttl", "schemes.ttl")
REFERENCE_FILES = ("reference.ttl",)
SHAPES_FILE = "shapes.ttl"


@dataclass
class Vocabulary:
    """What the ontology declares, for resolving and checking record keys."""

    ontology: Graph  # classes, properties, schemes
    reference: Graph  # units, periods, sections, the data set
    classes: set[URIRef] = field(default_factory=set)
    object_properties: set[URIRef] = field(default_factory=set)
    datatype_properties: dict[URIRef, URIRef | None] = field(default_factory=dict)  # property -> range
    ranges: dict[URIRef, URIRef] = field(default_factory=dict)  # object property -> class range
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=dict)  # reflexive, transitive
    schemes: dict[URIRef, URIRef] = field(default_factory=dict)  # concept class -> concept scheme
    reference_types: dict[URIRef, set[URIRef]] = field(default_factory=dict)  # lz: resource -> types

    def is_subclass(self, cls: URIRef, ancestor: URIRef) -> bool:
        return ancestor in self.superclasses.get(cls, {cls})

    def is_concept_class(self, cls: URIRef) -> bool:
        return self.is_subclass(cls, SKOS.Concept)

    def scheme_of(self, cls: URIRef) -> URIRef | None:
        for ancestor in sorted(self.superclasses.get(cls, {cls})):
            if ancestor in self.schemes:
                return self.schemes[ancestor]
        return None

    def resolve_property(self, key: str) -> URIRef | None:
        """``inIndustry`` -> lzo:inIndustry; ``skos:broader`` -> skos:broader; None if undeclared."""
        if ":" in key:
            prefix, local = key.split(":", 1)
            if prefix not in PREFIXES:
                return None
            iri = URIRef(PREFIXES[prefix] + local)
        else:
            iri = URIRef(str(LZO._NS) + key)
        if iri in self.object_properties or iri in self.datatype_properties:
            return iri
        return None


def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Load the ontology and reference files of ``directory`` (default: the checkout's ``ontology/``) into a :class:`Vocabulary`.

    It indexes what record keys are resolved and checked against when triples are made: classes,
    object and datatype properties with their ranges, superclasses, concept schemes and the types
    of reference entities.
    Raises ``InputError`` with line and column when a Turtle file is malformed or unreadable.
    """
    directory = directory or Layout.default().ontology
    ontology = Graph()
    for name in VOCABULARY_FILES:
        ontology += parse_turtle_file(directory / name)
    reference = Graph()
    for name in REFERENCE_FILES:
        reference += parse_turtle_file(directory / name)
    vocab = Vocabulary(ontology, reference)
    vocab.classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    vocab.object_properties = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        vocab.datatype_properties[prop] = ontology.value(prop, RDFS.range)
    for prop in vocab.object_properties:
        rng = ontology.value(prop, RDFS.range)
        if isinstance(rng, URIRef):
            vocab.ranges[prop] = rng
    for cls in vocab.classes:
        vocab.superclasses[cls] = set(ontology.transitive_objects(cls, RDFS.subClassOf))
    for cls, scheme in ontology.subject_objects(LZO.conceptScheme):
        vocab.schemes[cls] = scheme
    for graph in (ontology, reference):
        for subject, cls in graph.subject_objects(RDF.type):
            if isinstance(subject, URIRef) and str(subject).startswith(str(LZ)):
                vocab.reference_types.setdefault(subject, set()).add(cls)
    return vocab


def load_shapes(directory: Path | None = None) -> Graph:
    """Load the SHACL shapes graph of ``directory`` (default: the checkout's ``ontology/``); ``InputError`` on malformed Turtle."""
    return parse_turtle_file((directory or Layout.default().ontology) / SHAPES_FILE)
