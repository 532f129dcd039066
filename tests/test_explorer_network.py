"""From a contract-shaped dataset to the explorer's nodes, edges, provenance and layout."""
from __future__ import annotations

import math
import random

import pytest
from rdflib import Dataset

from liuzhou_kg.explore.config import load_config
from liuzhou_kg.explore.layout import centrality, node_sizes, node_values, positions, undirected
from liuzhou_kg.explore.network import explorer_graph, to_networkx
from liuzhou_kg.explore.synthetic import synthetic_dataset
from test_explorer_support import HOSTILE, LIUGONG, LZ, LZO, MINI, load

PREFIXES = """
@prefix lzo: <https://w3id.org/liuzhou-kg/ontology#> .
@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .
@prefix lzp: <https://w3id.org/liuzhou-kg/passage/> .
@prefix lzg: <https://w3id.org/liuzhou-kg/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


@pytest.fixture(scope="module")
def graph():
    return explorer_graph(load(MINI, HOSTILE))


def test_entities_become_nodes_with_both_labels_and_their_class(graph):
    liugong = graph.nodes[LIUGONG]
    assert liugong.labels == {"zh": "柳工", "en": "LiuGong"}
    assert liugong.cls == LZO + "Enterprise"
    assert graph.classes[LZO + "Enterprise"].labels == {"zh": "企业", "en": "Enterprise"}


def test_units_years_passages_and_sections_are_values_not_nodes(graph):
    for key in (LZ + "unit-yi-yuan", LZ + "year-2014", LZ + "section-review-2014",
                "https://w3id.org/liuzhou-kg/passage/p04-s06"):
        assert key not in graph.nodes


def test_a_node_knows_its_source_sentence_and_section(graph):
    liugong = graph.nodes[LIUGONG]
    assert liugong.sources == ["https://w3id.org/liuzhou-kg/passage/p04-s06"]
    passage = graph.passages[liugong.sources[0]]
    assert "柳工大吨位装载机国内市场占有率继续保持首位" in passage.text
    assert passage.pid == "p04-s06"
    assert liugong.sections == {LZ + "section-review-2014"}
    assert graph.sections[LZ + "section-review-2014"].labels["en"] == "Review of 2014"
    # Liuzhou is mentioned from every section's sentences
    assert graph.nodes[LZ + "liuzhou"].sections == set(graph.sections)


def test_sections_are_in_the_order_of_the_text(graph):
    assert [s.number for s in graph.sections.values()] == [0, 1, 2, 3, 4]


def test_observations_show_values_with_units_years_and_growth(graph):
    obs = graph.nodes[LZ + "obs-gdp-2014"]
    props = {graph.properties[p]["en"]: v for p, v in obs.props}
    assert props["value"] == {"zh": "2208.51 亿元", "en": "2208.51 100 million yuan"}
    assert props["growth"]["zh"] == "8.5%"
    assert props["period"] == {"zh": "2014年", "en": "2014"}
    # no label in the data: made from indicator, period and value
    assert obs.labels["zh"] == "地区生产总值 2014年: 2208.51 亿元"
    assert obs.labels["en"].startswith("Gross regional product 2014")


def test_edges_carry_their_property_and_source(graph):
    edges = {(e.source, e.prop, e.target): e for e in graph.edges}
    located = edges[(LIUGONG, LZO + "locatedIn", LZ + "liuzhou")]
    assert located.sources == ["https://w3id.org/liuzhou-kg/passage/p04-s06"]
    assert graph.properties[LZO + "locatedIn"] == {"zh": "位于", "en": "located in"}
    # rdf:type and labels are never edges
    assert all(not e.prop.endswith(("#type", "#label")) for e in graph.edges)


def test_networkx_graph_has_every_node_and_edge(graph):
    g = to_networkx(graph)
    assert g.number_of_nodes() == len(graph.nodes)
    assert g.number_of_edges() == len(graph.edges)
    assert g.nodes[LIUGONG]["label_zh"] == "柳工"


def test_other_graphs_describe_nodes_but_do_not_add_any():
    extra = Dataset()
    extra.parse(data=PREFIXES + """
    lzg:links {
      lz:liugong skos:exactMatch <http://www.wikidata.org/entity/Q1061463> .
      lz:liugong-subsidiary a lzo:Enterprise ; rdfs:label "柳工子公司"@zh, "LiuGong subsidiary"@en ;
        lzo:locatedIn lz:liuzhou .
      lz:liugong lzo:partnerOf lz:liuzhou .
    }""", format="trig")
    ds = load(MINI)
    for quad in extra.quads((None, None, None, None)):
        ds.add(quad)
    graph = explorer_graph(ds)
    assert LZ + "liugong-subsidiary" not in graph.nodes
    props = dict(graph.nodes[LIUGONG].props)
    assert props["http://www.w3.org/2004/02/skos/core#exactMatch"]["en"] == "http://www.wikidata.org/entity/Q1061463"
    partner = [e for e in graph.edges if e.prop == LZO + "partnerOf"]
    assert len(partner) == 1 and partner[0].sources == []


def test_a_subclass_without_a_style_takes_its_superclass_style():
    ds = load(MINI)
    ds.parse(data=PREFIXES + """
    lzg:ontology { lzo:Pilot a owl:Class ; rdfs:subClassOf lzo:Program ; rdfs:label "试点"@zh, "pilot"@en . }
    lzg:p07-s02 { lz:program-innovative-city a lzo:Pilot . }
    """, format="trig")
    graph = explorer_graph(ds)
    node = graph.nodes[LZ + "program-innovative-city"]
    assert node.cls == LZO + "Program"
    assert node.kind == {"zh": "试点", "en": "pilot"}


def test_a_plain_turtle_graph_in_the_default_graph_is_drawn():
    ds = Dataset()
    ds.parse(data=PREFIXES + """
    lz:a a lzo:Enterprise ; rdfs:label "甲"@zh, "A"@en ; lzo:locatedIn lz:b .
    lz:b a lzo:City ; rdfs:label "乙"@zh, "B"@en .
    """, format="turtle")
    graph = explorer_graph(ds)
    assert set(graph.nodes) == {LZ + "a", LZ + "b"}
    assert graph.nodes[LZ + "a"].sources == [] and len(graph.edges) == 1
    assert graph.nodes[LZ + "b"].labels["zh"] == "乙"


def test_missing_labels_fall_back_to_the_other_language_then_the_local_name():
    ds = Dataset()
    ds.parse(data=PREFIXES + """
    lz:only-zh a lzo:Enterprise ; rdfs:label "只有中文"@zh .
    lz:no-label a lzo:Enterprise ; lzo:locatedIn lz:only-zh .
    """, format="turtle")
    graph = explorer_graph(ds)
    assert graph.nodes[LZ + "only-zh"].labels == {"zh": "只有中文", "en": "只有中文"}
    assert graph.nodes[LZ + "no-label"].labels == {"zh": "no-label", "en": "no-label"}


# --- layout and size ----------------------------------------------------------------------

def _mean_edge_vs_pair_distance(pos, g):
    edge = sum(math.dist(pos[u], pos[v]) for u, v in g.edges()) / g.number_of_edges()
    rng = random.Random(1)
    keys = sorted(pos)
    pairs = [(rng.choice(keys), rng.choice(keys)) for _ in range(2000)]
    pair = sum(math.dist(pos[u], pos[v]) for u, v in pairs) / len(pairs)
    return edge, pair


def test_layout_is_the_same_from_one_build_to_the_next(graph):
    cfg = load_config()
    first = positions(undirected(graph), cfg)
    # the same data loaded in another order
    shuffled = Dataset()
    quads = list(load(MINI, HOSTILE).quads((None, None, None, None)))
    random.Random(5).shuffle(quads)
    for q in quads:
        shuffled.add(q)
    second = positions(undirected(explorer_graph(shuffled)), cfg)
    assert first == second


def test_linked_nodes_are_laid_out_near_each_other(graph):
    g = undirected(graph)
    pos = positions(g, load_config())
    edge, pair = _mean_edge_vs_pair_distance(pos, g)
    assert edge < pair


def test_large_graphs_are_laid_out_by_communities_without_collisions():
    graph = explorer_graph(synthetic_dataset(1000))
    g = undirected(graph)
    pos = positions(g, load_config())
    assert len(pos) == 1000
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len(set(pos.values())) == 1000  # no two nodes on the same spot
    edge, pair = _mean_edge_vs_pair_distance(pos, g)
    assert edge < pair / 2


def test_node_size_follows_degree_centrality(graph):
    g = undirected(graph)
    cent = centrality(g)
    values = node_values(cent)
    assert max(values, key=values.get) == LZ + "liuzhou"  # every program and enterprise points at it
    assert values[LZ + "liuzhou"] == 1.0 and 0 < values[LIUGONG] < 1
    sizes = node_sizes(cent, load_config())
    assert sizes[LZ + "liuzhou"] == load_config().size_max
    assert sizes[LIUGONG] < sizes[LZ + "liuzhou"]
    assert min(sizes.values()) == load_config().size_min


def test_tiny_components_are_shelved_below_the_rest():
    import networkx as nx

    g = nx.Graph()
    nx.add_path(g, [f"p{i}" for i in range(12)])
    g.add_nodes_from(["lonely-a", "lonely-b"])
    g.add_edge("pair-a", "pair-b")
    pos = positions(g, load_config())
    lowest_of_path = max(pos[f"p{i}"][1] for i in range(12))  # vis-network's y grows downwards
    for key in ("lonely-a", "lonely-b", "pair-a", "pair-b"):
        assert pos[key][1] > lowest_of_path
    assert pos["pair-a"][0] == pytest.approx(pos["pair-b"][0], abs=load_config().spacing)
