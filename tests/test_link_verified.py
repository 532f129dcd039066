"""The verified external identifiers (graph/links/): exactly the cited ones, each with its source."""
from __future__ import annotations

import pyoxigraph
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, VOID

from liuzhou_kg.link import LINKS_GRAPH_IRI, verified_links_graph

LZ = Namespace("https://w3id.org/liuzhou-kg/resource/")
LZO = Namespace("https://w3id.org/liuzhou-kg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
GN = "https://sws.geonames.org/{}/"

EXPECTED_MATCHES = {
    (LZ.china, WD.Q148), (LZ.china, URIRef(GN.format(1814991))),
    (LZ.guangxi, WD.Q15176), (LZ.guangxi, URIRef(GN.format(1809867))),
    (LZ.liuzhou, URIRef(GN.format(1802851))),
}
EXPECTED_CODES = {
    (LZ.guangxi, Literal("450000", datatype=LZO.GBT2260Code)),
    (LZ.guangxi, Literal("CN-GX", datatype=LZO["ISO31662Code"])),
    (LZ.liuzhou, Literal("450200", datatype=LZO.GBT2260Code)),
    (LZ["liugong-machinery"], Literal("000528", datatype=LZO.SZSEStockCode)),
    (LZ["liuzhou-iron-steel"], Literal("601003", datatype=LZO.SSEStockCode)),
}


def test_exactly_the_verified_identifiers():
    graph = verified_links_graph()
    matches = set(graph.subject_objects(SKOS.exactMatch)) | set(graph.subject_objects(
        URIRef("http://www.w3.org/2002/07/owl#sameAs")))
    assert matches == EXPECTED_MATCHES
    assert set(graph.subject_objects(SKOS.notation)) == EXPECTED_CODES


def test_every_identifier_names_its_source():
    graph = verified_links_graph()
    stated = {(s, p, o) for s, o in EXPECTED_MATCHES for p in [SKOS.exactMatch]} | \
             {(s, SKOS.notation, o) for s, o in EXPECTED_CODES}
    reified = set()
    for statement in graph.subjects(RDF.type, RDF.Statement):
        triple = (graph.value(statement, RDF.subject), graph.value(statement, RDF.predicate),
                  graph.value(statement, RDF.object))
        reified.add(triple)
        dataset = graph.value(statement, VOID.inDataset)
        assert dataset is not None, statement
        sources = list(graph.objects(dataset, DCTERMS.source))
        assert sources, f"{dataset} has no dcterms:source"
        for source in sources:
            assert graph.value(source, RDFS.label) is not None, f"{source} is not described"
    assert reified == stated


def test_linksets_are_void_linksets_with_a_source():
    graph = verified_links_graph()
    linksets = set(graph.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 5
    for linkset in linksets:
        assert graph.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
        assert graph.value(linkset, DCTERMS.source) is not None
        assert graph.value(linkset, VOID.objectsTarget) is not None


def test_listed_companies_are_members_of_their_groups():
    graph = verified_links_graph()
    for company, group, zh in ((LZ["liugong-machinery"], LZ.liugong, "广西柳工机械股份有限公司"),
                               (LZ["liuzhou-iron-steel"], LZ.liugang, "柳州钢铁股份有限公司")):
        assert (company, ORG.subOrganizationOf, group) in graph
        assert (company, RDF.type, LZO.Enterprise) in graph
        labels = {(lit.language, str(lit)) for lit in graph.objects(company, RDFS.label)}
        assert ("zh", zh) in labels
        assert any(lang == "en" for lang, _ in labels)
    # The group itself gets no stock code: the code belongs to the listed company.
    assert not list(graph.objects(LZ.liugong, SKOS.notation))
    assert not list(graph.objects(LZ.liugang, SKOS.notation))


def test_build_loads_them_into_the_links_graph(built_dist):
    store = pyoxigraph.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    rows = list(store.query(f"""
        SELECT ?o WHERE {{ GRAPH <{LINKS_GRAPH_IRI}> {{
          <https://w3id.org/liuzhou-kg/resource/china> <{SKOS.exactMatch}> ?o }} }}"""))
    assert {row["o"].value for row in rows} == {str(WD.Q148), GN.format(1814991)}
    # the entities linked are the build's own
    for entity in ("china", "guangxi", "liuzhou", "liugong", "liugang"):
        assert store.query(f"ASK {{ GRAPH ?g {{ <{LZ[entity]}> a ?t }} "
                           f"FILTER(?g != <{LINKS_GRAPH_IRI}>) }}"), entity
