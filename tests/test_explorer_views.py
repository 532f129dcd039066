"""The views: an entity's neighbourhood, a query result as a network, the ontology."""
from __future__ import annotations

from pathlib import Path

import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.explore.views import VAR_NS, Explorer
from test_explorer_support import FIXTURES, LIUGONG, LZ, LZO, MINI, load, real_dist  # noqa: F401

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@pytest.fixture(scope="module")
def explorer():
    return Explorer.from_dataset(load(MINI))


@pytest.mark.parametrize("name", ["柳工", "LiuGong", "liugong", "lz:liugong", LIUGONG, f"<{LIUGONG}>"])
def test_an_entity_is_found_by_iri_prefixed_name_or_label(explorer, name):
    assert explorer.resolve(name) == LIUGONG


def test_neighbourhood_of_depth_one(explorer):
    view = explorer.focus("柳工", 1)
    assert set(view.nodes) == {LIUGONG, LZ + "liuzhou", LZ + "machinery-industry", LZ + "large-loader"}
    assert {(e.source, e.target) for e in view.edges} == {
        (LIUGONG, LZ + "liuzhou"), (LIUGONG, LZ + "machinery-industry"), (LIUGONG, LZ + "large-loader")}
    assert view.view == "focus" and view.subtitle["zh"] == "柳工 ± 1"
    # the tables keep what the nodes need (their sentence) and every section for the filter
    assert sorted(view.passages) == ["https://w3id.org/liuzhou-kg/passage/p03-s02",
                                   "https://w3id.org/liuzhou-kg/passage/p04-s05",
                                   "https://w3id.org/liuzhou-kg/passage/p04-s06",
                                   "https://w3id.org/liuzhou-kg/passage/p07-s02",
                                   "https://w3id.org/liuzhou-kg/passage/p07-s03",
                                   "https://w3id.org/liuzhou-kg/passage/p08-s06",
                                   "https://w3id.org/liuzhou-kg/passage/p10-s01"]
    assert len(view.sections) == 5


def test_neighbourhood_grows_with_depth(explorer):
    assert set(explorer.focus("柳工", 0).nodes) == {LIUGONG}
    two = explorer.focus("柳工", 2)
    assert LZ + "liusteel" in two.nodes and LZ + "program-smart-city" in two.nodes
    assert LZ + "target-informatization-2018" not in two.nodes  # three steps away
    assert LZ + "target-informatization-2018" in explorer.focus("柳工", 3).nodes


def test_unknown_or_ambiguous_entities_are_input_errors(explorer):
    with pytest.raises(InputError, match="no entity with IRI or label 'Nowhere'"):
        explorer.resolve("Nowhere")
    with pytest.raises(InputError, match="did you mean: .*柳工 \\(lz:liugong\\)"):
        explorer.resolve("柳")
    with pytest.raises(InputError, match="must be 0 or more"):
        explorer.focus("柳工", -1)


def test_ontology_view_has_the_class_hierarchy_and_the_properties_between_classes(explorer):
    view = explorer.ontology()
    assert view.view == "ontology"
    assert LZO + "Enterprise" in view.nodes and LZO + "Agent" in view.nodes
    edges = {(e.source, e.prop, e.target) for e in view.edges}
    assert (LZO + "Enterprise", RDFS_SUBCLASS, LZO + "Organization") in edges
    assert (LZO + "Organization", RDFS_SUBCLASS, LZO + "Agent") in edges
    assert (LZO + "Enterprise", LZO + "produces", LZO + "Product") in edges
    assert (LZO + "Program", LZO + "aimsAt", LZO + "Target") in edges
    assert view.properties[RDFS_SUBCLASS]["zh"] == "子类"
    counts = {k: dict(n.props)[VAR_NS + "instances"]["en"] for k, n in view.nodes.items()}
    assert counts[LZO + "Enterprise"] == "4" and counts[LZO + "Program"] == "5"
    attributes = dict(view.nodes["http://purl.org/linked-data/cube#Observation"].props)
    assert "增长率" in attributes[VAR_NS + "attributes"]["zh"]


def test_select_result_uses_the_real_edges_between_its_values(explorer):
    view = explorer.query(FIXTURES / "programs-targets.rq")
    assert set(view.nodes) == {LZ + "program-innovative-city", LZ + "target-innovative-city",
                               LZ + "program-smart-city", LZ + "target-informatization-2018"}
    assert {e.prop for e in view.edges} == {LZO + "aimsAt"}
    assert all(e.sources for e in view.edges)  # the sentence of each fact comes along
    assert view.subtitle["en"] == "programs-targets.rq"


def test_select_without_an_edge_in_the_data_links_the_row_by_variable(explorer, tmp_path):
    rq = tmp_path / "pairs.rq"
    rq.write_text("SELECT ?enterprise ?program (STR(?l) AS ?name) WHERE {\n"
                  "  ?enterprise a lzo:Enterprise ; rdfs:label ?l . FILTER(lang(?l) = 'en')\n"
                  "  ?program a lzo:Program .\n} LIMIT 3\n", encoding="utf-8")
    view = explorer.query(rq)
    assert {e.prop for e in view.edges} == {VAR_NS + "enterprise-program"}
    assert view.properties[VAR_NS + "enterprise-program"]["en"] == "?enterprise → ?program"
    owner = next(n for n in view.nodes.values() if any(p == VAR_NS + "name" for p, _ in n.props))
    assert owner.cls == LZO + "Enterprise"


def test_spo_select_and_construct_are_drawn_as_triples(explorer, tmp_path):
    spo = tmp_path / "spo.rq"
    spo.write_text("SELECT ?s ?p ?o WHERE { ?s lzo:inIndustry ?o . BIND(lzo:inIndustry AS ?p) }",
                   encoding="utf-8")
    view = explorer.query(spo)
    assert {e.prop for e in view.edges} == {LZO + "inIndustry"} and len(view.edges) == 4
    built = explorer.query(FIXTURES / "enterprises.rq")
    props = {e.prop for e in built.edges}
    assert props == {LZO + "inIndustry", LZO + "produces"}
    assert built.nodes[LIUGONG].labels["zh"] == "柳工"


@pytest.mark.parametrize("text, line, message", [
    ("SELECT ?s WHERE {\n  ?s ?p \n}\n", 3, ""),
    ("SELECT * WHERE {\n SERVICE <http://example.org/sparql> { ?s ?p ?o } }", None, "SERVICE is refused"),
    ("ASK { ?s ?p ?o }", None, "ASK query"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", None, "FROM"),
])
def test_bad_queries_are_input_errors_with_their_position(explorer, tmp_path, text, line, message):
    rq = tmp_path / "bad.rq"
    rq.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        explorer.query(rq)
    problem = info.value.problems[0]
    assert Path(problem.file) == rq
    if line is not None:
        assert problem.line == line
    assert message in str(info.value)


def test_a_missing_query_file_is_an_input_error(explorer, tmp_path):
    with pytest.raises(InputError, match="not found"):
        explorer.query(tmp_path / "missing.rq")


# --- the real build ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_explorer(real_dist):
    from liuzhou_kg.explore.oxi import dataset_from_store
    from liuzhou_kg.store.reader import open_store

    return Explorer.from_dataset(dataset_from_store(open_store(Path(real_dist) / "store")))


def test_real_graph_liugong_and_its_sentence(real_explorer):
    liugong = real_explorer.full.nodes[LIUGONG]
    assert liugong.labels == {"zh": "柳工", "en": "LiuGong"}
    assert liugong.cls == LZO + "Enterprise"
    sentences = [real_explorer.full.passages[p].text for p in liugong.sources]
    assert any("柳工大吨位装载机" in s for s in sentences)
    assert liugong.sections  # from the named graphs, via the passage
    focus = real_explorer.focus("LiuGong", 1)
    assert LZ + "liuzhou" in focus.nodes and len(focus.nodes) >= 3


def test_real_graph_has_no_provenance_or_vocabulary_nodes(real_explorer):
    for key, node in real_explorer.full.nodes.items():
        assert not key.startswith(("https://w3id.org/liuzhou-kg/passage/",
                                   "https://w3id.org/liuzhou-kg/graph/",
                                   "https://w3id.org/liuzhou-kg/ontology#")), key
    # every class in the legend has a label in both languages
    for info in real_explorer.full.classes.values():
        assert info.labels["zh"] and info.labels["en"]


def test_real_ontology_view(real_explorer):
    view = real_explorer.ontology()
    edges = {(e.source, e.prop, e.target) for e in view.edges}
    assert any(p == RDFS_SUBCLASS for _, p, _ in edges)
    assert any(p.startswith(LZO) for _, p, _ in edges)  # object properties domain -> range
    assert LZO + "Enterprise" in view.nodes


def test_a_select_of_values_only_has_nothing_to_draw(explorer, tmp_path):
    rq = tmp_path / "counts.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a lzo:Enterprise }", encoding="utf-8")
    with pytest.raises(InputError, match="no resources"):
        explorer.query(rq)
    empty = tmp_path / "empty.rq"
    empty.write_text("SELECT ?s WHERE { ?s a lzo:Nothing }", encoding="utf-8")
    assert explorer.query(empty).nodes == {}


def test_dataset_from_store_keeps_every_graph_as_it_is():
    """Nothing in the store is a union copy any more: named graphs and the default graph come
    over as they are, a triple in two graphs stays in both."""
    import pyoxigraph as ox
    from rdflib import XSD, Literal, URIRef

    from liuzhou_kg.explore.oxi import dataset_from_store

    a, p = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p")
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    store = ox.Store()
    store.extend([ox.Quad(a, p, ox.Literal("1"), g1), ox.Quad(a, p, ox.Literal("1"), g2),
                  ox.Quad(a, p, ox.Literal("1")), ox.Quad(a, p, ox.Literal("2"))])
    dataset = dataset_from_store(store)
    one, two = (Literal(v, datatype=XSD.string) for v in ("1", "2"))
    triple = (URIRef(a.value), URIRef(p.value), one)
    assert triple in dataset.graph(URIRef(g1.value)) and triple in dataset.graph(URIRef(g2.value))
    assert set(dataset.default_graph) == {triple, (URIRef(a.value), URIRef(p.value), two)}
