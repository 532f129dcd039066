"""Every derived triple can be traced to its sentence, whose quote and offsets match the source."""
from __future__ import annotations

import json

from liuzhou_kg.build.corpus import load_catalogue
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.source import read_source
from sparql_helpers import rows

SOURCE_TEXT = Layout.default().source_text
SOURCES_DIR = Layout.default().sources


def test_every_sourced_entity_points_at_its_passages(quad_store):
    missing = rows(quad_store, """SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?t } FILTER REGEX(STR(?g), "/graph/([a-z0-9-]+/)?p[0-9]")
        FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?p . ?p a lzo:Passage } }""")
    assert missing == []


def test_passage_offsets_and_quotes_match_the_source_file(quad_store):
    documents = load_catalogue(SOURCES_DIR)
    assert documents[0].path == SOURCE_TEXT and len(read_source(SOURCE_TEXT).sentences) == 49
    for document in documents:
        raw = document.path.read_bytes().decode("utf-8")
        passages = rows(quad_store, f"""SELECT ?p ?quote ?exact ?start ?end WHERE {{ ?p a lzo:Passage ; prov:value ?quote ;
            oa:hasSource <{document.iri}> ; oa:hasSelector ?pos , ?q . ?pos oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }}""")
        assert len(passages) == len(document.source.sentences)
        for passage, quote, exact, start, end in passages:
            span = raw[int(start):int(end)]
            assert span.replace("\n", "") == quote == exact, passage


def test_which_sentence_says_liugong_leads_the_loader_market(quad_store):
    got = rows(quad_store, """SELECT ?sentence WHERE { GRAPH ?g { lz:liugong lzo:leadsMarketIn lz:large-tonnage-loaders }
        ?g prov:wasDerivedFrom ?passage . ?passage prov:value ?sentence }""")
    assert got == [("冶金、机械产业有效应对市场疲软困局，柳钢钢材产量迈上1300 万吨台阶，柳工大吨位装载机国内市场占有率继续保持首位。",)]


def test_gdp_comes_from_its_sentence_and_the_year_from_the_paragraph_opening(quad_store):
    got = rows(quad_store, """SELECT ?pid WHERE { lz:gdp-2014 prov:wasDerivedFrom ?p BIND (STRAFTER(STR(?p), STR(lzp:)) AS ?pid) }""")
    assert got == [("p03-s01",), ("p03-s02",)]
    stated_in = rows(quad_store, """SELECT ?g WHERE { GRAPH ?g { lz:gdp-2014 lzo:statedValue ?v } }""")
    assert stated_in == [("https://w3id.org/liuzhou-kg/graph/p03-s02",)]


def test_sections_of_the_passages(quad_store):
    got = rows(quad_store, """SELECT ?n (COUNT(?p) AS ?passages) WHERE { ?p a lzo:Passage ; oa:hasSource lz:source-liuzhou-innovation-2015 ;
        lzo:inSection/lzo:sectionNumber ?n } GROUP BY ?n""")
    assert got == [("0", "19"), ("1", "10"), ("2", "6"), ("3", "7"), ("4", "7")]


def test_coverage_report_lists_every_sentence(built_dist):
    coverage = json.loads((built_dist / "coverage.json").read_text(encoding="utf-8"))
    assert len(coverage["sentences"]) == 49
    assert coverage["summary"]["sentences_with_facts"] == 47
    facts = {s["passage"]: s["facts"] for s in coverage["sentences"]}
    assert "liugong" in facts["p04-s07"]
    assert facts["p05-s01"] == []
