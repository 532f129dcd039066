"""The facts of the 2014 review, asserted by SPARQL with exact values."""
from __future__ import annotations

import pytest

from sparql_helpers import ask, rows

OBSERVATIONS = """
SELECT ?obs ?indicator ?entity ?period ?value ?unit ?base ?growth ?qualifier WHERE {
  ?obs a qb:Observation ; lzo:indicator ?i ; lzo:refEntity ?e ; sdmx-dimension:refArea lz:liuzhou ;
       sdmx-dimension:refPeriod ?p ; lzo:statedValue ?value ; lzo:statedUnit ?u ;
       lzo:baseValue ?base ; lzo:valueQualifier ?q .
  ?u rdfs:label ?unit . FILTER (lang(?unit) = "zh")
  OPTIONAL { ?obs lzo:growthRate ?growth }
  BIND (STRAFTER(STR(?i), STR(lz:)) AS ?indicator)
  BIND (STRAFTER(STR(?e), STR(lz:)) AS ?entity)
  BIND (STRAFTER(STR(?p), STR(lz:)) AS ?period)
  BIND (STRAFTER(STR(?q), "qualifier-") AS ?qualifier)
}"""


def test_every_figure_of_2014(quad_store):
    got = {r[0].rsplit("/", 1)[1]: r[1:] for r in rows(quad_store, OBSERVATIONS)}
    # The shares of Guangxi are rounded fractions (2208.51 x 7 = 15,460 against Guangxi's ~15,670
    # 亿元 in 2014): approximate, not exact; land area is a standing quantity, not one of 2014.
    assert got == {
        "gdp-2014": ("gdp", "liuzhou", "year-2014", "2208.51", "亿元", "220851000000", "8.5", "exact"),
        "gross-industrial-output-2014": ("gross-industrial-output", "liuzhou", "year-2014", "4419.86", "亿元", "441986000000", "10.3", "exact"),
        "fiscal-revenue-2014": ("fiscal-revenue", "liuzhou", "year-2014", "316.55", "亿元", "31655000000", "11.05", "exact"),
        "fixed-asset-investment-2014": ("fixed-asset-investment", "liuzhou", "year-2014", "1765.49", "亿元", "176549000000", "16", "exact"),
        "share-of-guangxi-land-area": ("share-of-land-area", "liuzhou", "period-not-stated", "1/13", "分之", "0.0769230769", "", "approximate"),
        "share-of-guangxi-population-2014": ("share-of-population", "liuzhou", "year-2014", "1/12", "分之", "0.0833333333", "", "approximate"),
        "share-of-guangxi-economic-output-2014": ("share-of-economic-output", "liuzhou", "year-2014", "1/7", "分之", "0.1428571429", "", "approximate"),
        "share-of-guangxi-industrial-output-2014": ("share-of-industrial-output", "liuzhou", "year-2014", "1/5", "分之", "0.2", "", "approximate"),
        "share-of-guangxi-fiscal-revenue-2014": ("share-of-fiscal-revenue", "liuzhou", "year-2014", "1/7", "分之", "0.1428571429", "", "approximate"),
        "new-engineering-technology-centres-2014": ("new-engineering-technology-centres", "liuzhou", "year-2014", "5", "家", "5", "", "exact"),
        "new-enterprise-technology-centres-2014": ("new-enterprise-technology-centres", "liuzhou", "year-2014", "5", "家", "5", "", "exact"),
        "new-key-laboratories-2014": ("new-key-laboratories", "liuzhou", "year-2014", "1", "家", "1", "", "exact"),
        "national-high-tech-enterprises-2014": ("number-of-high-tech-enterprises", "liuzhou", "year-2014", "146", "家", "146", "", "exact"),
        "annual-vehicle-production-2014": ("annual-vehicle-production", "liuzhou", "year-2014", "200", "万辆", "2000000", "", "exceeded"),
        "automotive-industry-output-2014": ("output-value", "automotive-industry", "year-2014", "2000", "亿元", "200000000000", "13.7", "exceeded"),
        "sgmw-output-2014": ("output-value", "sgmw", "year-2014", "700", "亿元", "70000000000", "", "reached-level"),
        "dongfeng-liuzhou-output-2014": ("output-value", "dongfeng-liuzhou", "year-2014", "200", "亿元", "20000000000", "", "reached-level"),
        "liugang-steel-output-2014": ("steel-products-output", "liugang", "year-2014", "1300", "万吨", "13000000", "", "reached-level"),
        "strategic-emerging-industries-output-2014": ("output-value", "strategic-emerging-industries", "year-2014", "300", "亿元", "30000000000", "", "exceeded"),
        "strategic-emerging-industries-share-2014": ("share-of-city-total", "strategic-emerging-industries", "year-2014", "8.3", "%", "0.083", "", "exact"),
    }


def test_values_are_typed_literals(built_dist):
    # Read the published file with rdflib: Oxigraph stores xsd:positiveInteger as xsd:integer.
    from rdflib import Graph

    graph = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    datatypes = sorted({(str(r[0]), str(r[1])) for r in graph.query("""
        PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT DISTINCT ?p ?dt WHERE { ?o a qb:Observation ; ?p ?v . FILTER isLiteral(?v) BIND (datatype(?v) AS ?dt) }""")})
    assert datatypes == sorted([
        (str_("lzo", "baseValue"), "http://www.w3.org/2001/XMLSchema#decimal"),
        (str_("lzo", "growthRate"), "http://www.w3.org/2001/XMLSchema#decimal"),
        (str_("lzo", "thresholdPassingOrder"), "http://www.w3.org/2001/XMLSchema#positiveInteger"),
        (str_("lzo", "statedValue"), "http://www.w3.org/2001/XMLSchema#decimal"),
        (str_("lzo", "statedValue"), "http://www.w3.org/2002/07/owl#rational"),
        ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"),
    ])


def str_(prefix: str, local: str) -> str:
    from liuzhou_kg.core.namespaces import PREFIXES

    return PREFIXES[prefix] + local


def test_shares_are_of_guangxi(quad_store):
    assert rows(quad_store, """SELECT ?whole (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o lzo:statedUnit lz:unit-fraction ; lzo:shareOf ?whole }
                               GROUP BY ?whole""") == [(str_("lz", "guangxi"), "5")]


def test_liuzhou_was_fifth_city_past_two_million_vehicles(quad_store):
    # 第五个…突破 is the order of passing the 2-million mark, not a rank by output (audit, high).
    assert rows(quad_store, "SELECT ?order WHERE { lz:annual-vehicle-production-2014 lzo:thresholdPassingOrder ?order }") == [("5",)]
    assert rows(quad_store, """SELECT ?label WHERE { GRAPH lzg:ontology { lzo:thresholdPassingOrder rdfs:label ?label } }""") == [
        ("order of passing the threshold",), ("第几个突破该数值",)]
    assert not ask(quad_store, "ASK { GRAPH ?g { ?s ?p ?o } FILTER (CONTAINS(STR(?p), 'nationalRank') || CONTAINS(STR(?s), 'nationalRank')) }")
    assert not ask(quad_store, 'ASK { ?s rdfs:label ?l FILTER (STR(?l) IN ("national rank", "全国位次")) }')


def test_observation_labels_name_the_whole_once(quad_store):
    labels = [r[0] for r in rows(quad_store, """SELECT ?l WHERE { ?o a qb:Observation ; lzo:shareOf ?w ; rdfs:label ?l FILTER (lang(?l) = "zh") }""")]
    assert "柳州市2014年经济总量占比（占比基数：广西）" in labels
    assert "柳州市面积占比（占比基数：广西）" in labels  # no year: land area is no figure of 2014
    assert not [label for label in labels if label.count("占") > 2 or "占广西的" in label]


def test_launch_of_new_models_sits_in_the_sentence_that_states_it(quad_store):
    # p04-s05 says the models were launched (相继上市); p04-s02 only opens the paragraph with "2014 年".
    assert rows(quad_store, "SELECT ?g WHERE { GRAPH ?g { lz:baojun-730 lzo:launchedIn lz:year-2014 } }") == [(str_("lzg", "p04-s05"),)]
    assert rows(quad_store, "SELECT ?g WHERE { GRAPH ?g { lz:jingyi-s50 lzo:launchedIn lz:year-2014 } }") == [(str_("lzg", "p04-s05"),)]
    assert ask(quad_store, "ASK { GRAPH lzg:p04-s02 { lz:baojun-730 prov:wasDerivedFrom lzp:p04-s02 } }")
    assert not ask(quad_store, "ASK { GRAPH lzg:p04-s02 { lz:baojun-730 lzo:launchedIn ?y } }")


def test_p02_s02_states_the_opportunities_liuzhou_seized(quad_store):
    assert rows(quad_store, """SELECT ?plan WHERE { GRAPH lzg:p02-s02 { lz:liuzhou lzo:seizesOpportunity ?p }
                                BIND (STRAFTER(STR(?p), STR(lz:)) AS ?plan) }""") == [
        ("dual-core-drive-strategy",), ("pearl-river-xijiang-development-plan",)]


def test_guangxi_names_are_where_the_text_uses_them(quad_store):
    # 自治区 is a generic noun used in p02-s02: a hidden label there, not an alternative name from p01-s01.
    assert rows(quad_store, "SELECT ?g WHERE { GRAPH ?g { lz:guangxi skos:hiddenLabel \"自治区\"@zh } }") == [(str_("lzg", "p02-s02"),)]
    assert not ask(quad_store, 'ASK { lz:guangxi skos:altLabel "自治区"@zh }')
    # The full name is not in the text: the note says it comes from general knowledge.
    assert ask(quad_store, 'ASK { lz:guangxi skos:altLabel "Guangxi Zhuang Autonomous Region"@en ; skos:editorialNote ?n '
                           'FILTER (lang(?n) = "en" && CONTAINS(?n, "not in the text")) }')


def test_relations_inferred_from_context_say_so(quad_store):
    for entity in ("baojun-730", "jingyi-s50", "yanghe-industrial-new-area", "hexi-industrial-park",
                   "target-enterprise-innovation-capacity", "share-of-city-total"):
        assert ask(quad_store, f'ASK {{ lz:{entity} skos:editorialNote ?n FILTER (lang(?n) = "zh") }}'), entity
    assert not ask(quad_store, "ASK { lz:national-high-tech-enterprises ?p ?o }")  # no TargetGroup that nothing addresses


def test_enterprises_with_industries_and_products(quad_store):
    got = rows(quad_store, """
        SELECT ?zh ?en ?industry WHERE {
          ?e a lzo:Enterprise ; rdfs:label ?zh , ?en ; lzo:inIndustry ?i ; lzo:locatedIn lz:liuzhou .
          FILTER (lang(?zh) = "zh" && lang(?en) = "en")
          BIND (STRAFTER(STR(?i), STR(lz:)) AS ?industry) }""")
    assert got == sorted([
        ("上汽通用五菱", "SAIC-GM-Wuling (SGMW)", "automotive-industry"),
        ("东风柳汽", "Dongfeng Liuzhou Motor", "automotive-industry"),
        ("柳钢", "Liugang (Liuzhou Iron and Steel Group)", "metallurgy"),
        ("柳工", "LiuGong", "machinery"),
    ])
    assert ask(quad_store, "ASK { lz:liugong lzo:leadsMarketIn lz:large-tonnage-loaders ; lzo:producesCategory lz:large-tonnage-loaders }")
    assert ask(quad_store, "ASK { lz:liugang lzo:producesCategory lz:steel-products }")
    assert ask(quad_store, "ASK { lz:liuzhou lzo:leadsMarketIn lz:mini-vehicles , lz:mpv }")


def test_new_car_products_of_2014(quad_store):
    assert rows(quad_store, """
        SELECT ?zh ?en WHERE { ?p a lzo:Product ; rdfs:label ?zh , ?en ; lzo:productCategory lz:automobiles ;
                               lzo:launchedIn lz:year-2014 ; lzo:producedIn lz:liuzhou .
                               FILTER (lang(?zh) = "zh" && lang(?en) = "en") }""") == [("宝骏 730", "Baojun 730"), ("景逸 S50", "Joyear S50")]


def test_areas_plans_and_strategies(quad_store):
    assert ask(quad_store, "ASK { lz:liuzhou a lzo:City ; lzo:locatedIn lz:guangxi , lz:china . lz:guangxi a lzo:AutonomousRegion . lz:china a lzo:Country }")
    assert ask(quad_store, """ASK { lz:pearl-river-xijiang-development-plan a lzo:RegionalPlan ; lzo:approvedBy lz:china ;
                                  lzo:appliesTo lz:pearl-river-xijiang-economic-belt . lz:pearl-river-xijiang-economic-belt a lzo:EconomicBelt }""")
    assert ask(quad_store, "ASK { lz:dual-core-drive-strategy a lzo:Strategy ; lzo:adoptedBy lz:guangxi }")
    assert ask(quad_store, """ASK { lz:industry-and-openness-strategy a lzo:Strategy ; lzo:adoptedBy lz:liuzhou ; lzo:activeIn lz:year-2014 ;
                                  lzo:servesGoal lz:goal-xijiang-core-city . lz:goal-xijiang-core-city lzo:appliesTo lz:xijiang-economic-belt }""")


@pytest.mark.parametrize("indicator, zh", [
    ("gdp", "地区生产总值"), ("gross-industrial-output", "工业总产值"), ("fiscal-revenue", "财政收入"),
    ("fixed-asset-investment", "全社会固定资产投资"),
])
def test_indicators_are_skos_concepts(quad_store, indicator, zh):
    assert ask(quad_store, f"""ASK {{ lz:{indicator} a lzo:Indicator , skos:Concept ; skos:prefLabel "{zh}"@zh ;
                                    skos:inScheme lz:scheme-indicators }}""")


def test_a_note_needs_both_languages_and_its_figures_quoted(tmp_path):
    from liuzhou_kg.core.errors import InputError
    from liuzhou_kg.build.records import _load_yaml

    path = tmp_path / "99-note.yaml"
    path.write_text("- about: liugong\n  quote: 柳工大吨位装载机国内市场占有率继续保持首位\n  note: {en: inferred}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        _load_yaml(path)
    assert "99-note.yaml:3: `note` has no zh text" in str(err.value.problems[0])


def test_a_note_with_a_figure_not_in_its_quote_is_refused(repo_copy, tmp_path, capsys):
    from liuzhou_kg.cli import main

    (repo_copy / "graph" / "facts" / "99-note.yaml").write_text(
        "- about: liugong\n  quote: 柳工大吨位装载机国内市场占有率继续保持首位\n"
        "  note: {zh: 市场占有率约为 35%, en: a market share of about 35%}\n", encoding="utf-8")
    code = main(["build", "--repo", str(repo_copy), "--dist", str(tmp_path / "dist"), "-q", "--no-reasoner"])
    assert code == 2
    assert "number 35 is not in the record's quote" in capsys.readouterr().err
