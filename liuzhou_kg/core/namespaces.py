"""Namespaces of the project and the vocabularies it reuses.

``LZO`` is a closed namespace: a misspelt ontology term is an error at import, not a new IRI.
Keep its term list in step with ``ontology/liuzhou.ttl`` (a test checks that they agree).
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD, DefinedNamespace

from .prefixes import prefixes as _prefix_table

BASE = "https://w3id.org/liuzhou-kg/"
LZ = Namespace(BASE + "resource/")
LZP = Namespace(BASE + "passage/")
LZG = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")

QB = Namespace("http://purl.org/linked-data/cube#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
VANN = Namespace("http://purl.org/vocab/vann/")


class LZO(DefinedNamespace):
    """The liuzhou-kg ontology (``ontology/liuzhou.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Place: URIRef
    AdministrativeArea: URIRef
    Country: URIRef
    AutonomousRegion: URIRef
    City: URIRef
    EconomicBelt: URIRef
    Park: URIRef
    IndustrialZone: URIRef
    IndustrialPark: URIRef
    EntrepreneurshipPark: URIRef
    Incubator: URIRef
    Enterprise: URIRef
    InnovationPlatform: URIRef
    KeyLaboratory: URIRef
    TestingCentre: URIRef
    EngineeringTechnologyCentre: URIRef
    EnterpriseTechnologyCentre: URIRef
    DemonstrationCentre: URIRef
    Product: URIRef
    Initiative: URIRef
    Strategy: URIRef
    Policy: URIRef
    Plan: URIRef
    RegionalPlan: URIRef
    Program: URIRef
    TalentProgram: URIRef
    Pilot: URIRef
    Project: URIRef
    DemonstrationProject: URIRef
    SmartCityProject: URIRef
    Goal: URIRef
    Target: URIRef
    Observation: URIRef
    Unit: URIRef
    Indicator: URIRef
    Industry: URIRef
    ProductCategory: URIRef
    PlatformKind: URIRef
    ProjectKind: URIRef
    SmartCityDomain: URIRef
    TalentCategory: URIRef
    TargetGroup: URIRef
    AdministrativeLevel: URIRef
    ValueQualifier: URIRef
    SourceDocument: URIRef
    Section: URIRef
    Passage: URIRef
    # object properties
    locatedIn: URIRef
    inIndustry: URIRef
    producesCategory: URIRef
    leadsMarketIn: URIRef
    productCategory: URIRef
    launchedIn: URIRef
    producedIn: URIRef
    platformKind: URIRef
    level: URIRef
    adoptedBy: URIRef
    approvedBy: URIRef
    appliesTo: URIRef
    activeIn: URIRef
    partOf: URIRef
    servesGoal: URIRef
    hasTarget: URIRef
    targetOf: URIRef
    measuredBy: URIRef
    deadline: URIRef
    aimsAt: URIRef
    developsTalent: URIRef
    drawsOnTalent: URIRef
    seizesOpportunity: URIRef
    focusIndustry: URIRef
    supportsProjectKind: URIRef
    buildsPlatformKind: URIRef
    inDomain: URIRef
    indicator: URIRef
    refEntity: URIRef
    shareOf: URIRef
    statedUnit: URIRef
    baseUnit: URIRef
    valueQualifier: URIRef
    inSection: URIRef
    # datatype properties
    statedValue: URIRef
    baseValue: URIRef
    growthRate: URIRef
    thresholdPassingOrder: URIRef
    deadlineStated: URIRef
    aimedState: URIRef
    issuedBy: URIRef
    describedAs: URIRef
    progress: URIRef
    scope: URIRef
    conversionFactor: URIRef
    sectionNumber: URIRef
    paragraphNumber: URIRef
    sentenceNumber: URIRef
    # annotation properties
    conceptScheme: URIRef
    # identifiers of linked datasets
    GBT2260Code: URIRef
    ISO31662Code: URIRef
    SZSEStockCode: URIRef
    SSEStockCode: URIRef
    evidence: URIRef
    scoreThreshold: URIRef


# The one prefix table is liuzhou_kg/core/prefixes.rq (a SPARQL prologue kept as data); the
# namespace objects above must agree with it (tests/test_portable_queries.py checks that).
PREFIXES: dict[str, str] = dict(_prefix_table())


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph or Dataset (replacing rdflib's defaults)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
