"""The ontology: every term labelled in zh and en with a definition, aligned to standard vocabularies,
and in step with the closed namespace in the code."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from liuzhou_kg.core.namespaces import LZO
from liuzhou_kg.core.layout import Layout

ONTOLOGY_DIR = Layout.default().ontology

NS = str(LZO._NS)


def ontology() -> Graph:
    graph = Graph()
    for name in ("liuzhou.ttl", "schemes.ttl"):
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


def own_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
    return {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(NS)}


def test_every_term_has_zh_and_en_labels_and_a_definition():
    graph = ontology()
    problems = []
    for term in sorted(own_terms(graph)):
        langs = {label.language for label in graph.objects(term, RDFS.label)}
        if not {"zh", "en"} <= langs:
            problems.append(f"{term}: labels in {sorted(langs)}")
        if not list(graph.objects(term, SKOS.definition)):
            problems.append(f"{term}: no skos:definition")
    assert problems == []


def test_code_namespace_matches_the_ontology():
    declared = {str(t)[len(NS):] for t in own_terms(ontology())}
    in_code = set(LZO.__annotations__)
    assert declared == in_code


def test_version_and_alignment_to_standard_vocabularies():
    graph = ontology()
    onto = URIRef("https://w3id.org/liuzhou-kg/ontology")
    assert graph.value(onto, OWL.versionIRI) is not None and graph.value(onto, OWL.versionInfo) is not None
    superclasses = {str(o) for o in graph.objects(None, RDFS.subClassOf)}
    for standard in ("http://www.w3.org/ns/org#FormalOrganization", "https://schema.org/Product", "https://schema.org/City",
                     "http://www.w3.org/ns/prov#Plan", "http://www.w3.org/ns/prov#Entity", "http://purl.org/linked-data/cube#Observation",
                     "http://www.w3.org/2004/02/skos/core#Concept", "http://www.w3.org/ns/oa#SpecificResource"):
        assert standard in superclasses, standard
    superproperties = {str(o) for o in graph.objects(None, RDFS.subPropertyOf)}
    assert {"http://www.w3.org/ns/org#classification", "http://www.w3.org/ns/prov#wasAttributedTo",
            "https://schema.org/containedInPlace", "http://purl.org/linked-data/sdmx/2009/measure#obsValue"} <= superproperties


def test_every_concept_class_names_its_scheme():
    graph = ontology()
    concept_classes = {s for s in graph.subjects(RDFS.subClassOf, SKOS.Concept) if str(s).startswith(NS)}
    assert concept_classes == set(graph.subjects(LZO.conceptScheme, None))
