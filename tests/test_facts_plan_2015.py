"""The facts of the four sections of the 2015 plan, asserted by SPARQL with exact values."""
from __future__ import annotations

from sparql_helpers import ask, rows

from liuzhou_kg.core.namespaces import LZ as lz

TARGETS = """
SELECT ?target ?deadline ?stated WHERE {
  ?t a lzo:Target ; lzo:deadlineStated ?stated .
  OPTIONAL { ?t lzo:deadline ?d . ?d time:hasDateTimeDescription/time:year ?deadline }
  BIND (STRAFTER(STR(?t), STR(lz:)) AS ?target)
}"""


def labels_of(store, cls: str, lang: str = "zh") -> list[str]:
    return [r[0] for r in rows(store, f"""SELECT DISTINCT ?l WHERE {{ ?x a {cls} ; rdfs:label ?l . FILTER (lang(?l) = "{lang}") }}""")]


def test_goals_one_per_section_and_the_xijiang_goal(quad_store):
    assert rows(quad_store, """SELECT ?g ?section WHERE { ?goal a lzo:Goal ; prov:wasDerivedFrom ?p . ?p lzo:inSection/lzo:sectionNumber ?section
                                BIND (STRAFTER(STR(?goal), STR(lz:)) AS ?g) }""") == sorted([
        ("goal-xijiang-core-city", "0"), ("goal-innovation-system", "1"), ("goal-talent", "2"),
        ("goal-mass-entrepreneurship", "3"), ("goal-smart-city", "4")])


def test_every_target_with_its_deadline(quad_store):
    assert rows(quad_store, TARGETS) == sorted([
        ("target-xijiang-core-city", "", "false"),
        ("target-innovative-city-pilot-launched", "", "false"),
        ("target-platforms-built", "", "false"),
        ("target-enterprise-innovation-capacity", "", "false"),
        ("target-quality-demonstration-city", "", "false"),
        ("target-talent-policy-environment", "", "false"),
        ("target-high-level-talent-teams", "", "false"),
        ("target-entrepreneurship-space", "", "false"),
        ("target-training-full-coverage", "", "false"),
        ("target-service-oriented-vocational-education", "", "false"),
        ("target-demonstration-bases", "", "false"),
        ("target-entrepreneurial-enthusiasm", "", "false"),
        ("target-informatization-2018", "2018", "true"),
        ("target-two-integration-demonstration-parks", "", "false"),
        ("target-citizen-card-citywide", "", "false"),
        ("target-convenient-payment", "", "false"),
        ("target-new-mainstream-media", "", "false"),
    ])


def test_the_2018_informatization_target(quad_store):
    assert ask(quad_store, """ASK { lz:target-informatization-2018 lzo:targetOf lz:smart-city-construction ;
        lzo:measuredBy lz:informatization-level ; lzo:deadline lz:year-2018 ;
        lzo:aimedState "全市信息化水平步入全国先进行列"@zh . lz:goal-smart-city lzo:hasTarget lz:target-informatization-2018 }""")
    # 力争 ("strive to") is kept, and 步入全国先进行列 is joining the advanced ranks, not being the most advanced.
    assert rows(quad_store, """SELECT ?l WHERE { lz:target-informatization-2018 rdfs:label|lzo:aimedState ?l }""") == sorted([
        ("Strive to bring Liuzhou's informatization into the nation's advanced ranks by 2018",),
        ("the city's level of informatization has joined the nation's advanced ranks",),
        ("全市信息化水平步入全国先进行列",), ("力争到2018年全市信息化水平步入全国先进行列",)])


def test_the_platform_target_states_no_count_and_no_level(quad_store):
    # p06-s03's list is open (等) and only two of its items are national by name (audit, high).
    labels = [r[0] for r in rows(quad_store, "SELECT ?l WHERE { lz:target-platforms-built rdfs:label|lzo:aimedState ?l }")]
    assert len(labels) == 4
    for label in labels:
        assert not any(word in label for word in ("三", "three", "3 ", "国家级", "national-level", "National-level"))
    assert all("等" in label for label in labels if not label.isascii())
    assert rows(quad_store, "SELECT ?p WHERE { ?p lzo:partOf lz:innovation-platform-system ; lzo:describedAs \"重点推进建设的项目\"@zh }") == sorted([
        (str(lz) + name,) for name in ("3d-printing-demonstration-centre", "national-import-export-vehicle-testing-key-laboratory",
                                       "national-vehicle-quality-inspection-centre")])


def test_section_1_platforms_by_kind(quad_store):
    assert rows(quad_store, """SELECT ?zh ?kind ?level WHERE { ?p a lzo:InnovationPlatform ; rdfs:label ?zh ; lzo:platformKind ?k ;
            lzo:partOf lz:innovation-platform-system . OPTIONAL { ?p lzo:level ?l } FILTER (lang(?zh) = "zh")
            BIND (STRAFTER(STR(?k), STR(lz:)) AS ?kind) BIND (STRAFTER(STR(?l), STR(lz:)) AS ?level) }""") == sorted([
        ("国家汽车质量监督检验中心", "testing-centre", "level-national"),
        ("国家进出口汽车检测重点实验室", "key-laboratory", "level-national"),
        ("3D 打印技术应用示范推广中心", "demonstration-centre", ""),
    ])


def test_section_1_pilots_and_strategies(quad_store):
    # Both are work the plan starts (启动…工作): neither held yet nor a bid.
    assert labels_of(quad_store, "lzo:Pilot") == sorted(["国家创新型城市试点工作", "自主创新示范区创建工作"])
    assert labels_of(quad_store, "lzo:Pilot", "en") == sorted([
        "Work towards establishing an independent innovation demonstration zone", "Work towards the national innovative-city pilot"])
    strategies = labels_of(quad_store, "lzo:Strategy")
    for name in ("品牌战略", "标准战略", "知识产权战略", "质量强市", "“人才强市”战略", "“双核驱动”战略"):
        assert name in strategies
    assert ask(quad_store, "ASK { lz:priority-support lzo:supportsProjectKind lz:industrial-chain-technology-cooperation-projects , lz:industry-university-research-cooperation-projects ; lzo:aimsAt lz:enterprises-with-invention-patents }")
    assert ask(quad_store, "ASK { lz:enterprise-rd-centre-construction lzo:buildsPlatformKind lz:enterprise-technology-centre , lz:rd-centre , lz:engineering-technology-centre }")


def test_section_2_talent_categories_and_programs(quad_store):
    assert labels_of(quad_store, "lzo:TalentCategory") == sorted([
        "创新领军人才", "重点创新团队", "高层次创新人才", "科技专家", "院士顾问", "党政人才", "经营管理人才", "专业技术人才",
        "高技能人才", "农村实用人才", "社会工作人才", "高层次人才", "高新技术人才", "青年人才", "老年科技人才"])
    assert labels_of(quad_store, "lzo:TalentProgram") == ["优秀人才接触柳州计划", "双百人才工程"]
    assert labels_of(quad_store, "lzo:TalentProgram", "en") == ["Double Hundred Talent Project", "Outstanding Talent Get to Know Liuzhou Program"]
    # The text trains and recruits some categories and only draws on others (发挥…作用, 联系沟通).
    drawn = rows(quad_store, """SELECT ?c WHERE { ?i lzo:drawsOnTalent ?x BIND (STRAFTER(STR(?x), STR(lz:)) AS ?c) }""")
    assert drawn == [("academician-advisers",), ("older-scientists-and-technologists",), ("science-and-technology-experts",)]
    assert not ask(quad_store, "ASK { ?i lzo:developsTalent ?c . ?j lzo:drawsOnTalent ?c }")
    assert rows(quad_store, 'SELECT ?en WHERE { lz:older-scientists-and-technologists rdfs:label ?en FILTER (lang(?en) = "en") }') == [
        ("older (retired) scientists and technologists",)]
    assert ask(quad_store, "ASK { lz:excellent-talent-meet-liuzhou lzo:partOf lz:talent-strategy . lz:talent-strategy lzo:servesGoal lz:goal-talent }")


def test_section_3_target_groups_and_platforms(quad_store):
    groups = rows(quad_store, """SELECT ?zh WHERE { lz:entrepreneurial-actors lzo:aimsAt ?g . ?g rdfs:label ?zh FILTER (lang(?zh) = "zh") }""")
    assert [g[0] for g in groups] == sorted(["科技人员", "大中专毕业生", "返乡农民工", "自主择业军转干部", "留学回国人员"])
    assert rows(quad_store, """SELECT ?zh ?type WHERE { ?p lzo:partOf lz:entrepreneurship-platforms ; rdfs:label ?zh . GRAPH ?g { ?p a ?t } FILTER (?g != lzg:inferences)
            FILTER (lang(?zh) = "zh" && STRSTARTS(STR(?t), STR(lzo:))) BIND (STRAFTER(STR(?t), "#") AS ?type) }""") == sorted([
        ("高新技术创业服务中心", "Incubator"), ("留学生创业园", "EntrepreneurshipPark"),
        ("大学生创业园", "EntrepreneurshipPark"), ("信息产业园", "IndustrialPark")])
    assert ask(quad_store, "ASK { lz:target-training-full-coverage lzo:targetOf lz:entrepreneurship-training ; lzo:deadlineStated false }")
    # p08-s05 states two aims: one target each.
    assert ask(quad_store, """ASK { lz:goal-mass-entrepreneurship lzo:hasTarget lz:target-service-oriented-vocational-education .
            lz:target-service-oriented-vocational-education lzo:targetOf lz:entrepreneurship-training }""")
    # 大中专 includes secondary specialised schools (中专).
    assert rows(quad_store, 'SELECT ?en WHERE { lz:college-graduates rdfs:label ?en FILTER (lang(?en) = "en") }') == [
        ("graduates of universities, colleges and secondary specialised schools",)]


def test_section_4_smart_city_domains_and_projects(quad_store):
    got = rows(quad_store, """SELECT ?domain (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a lzo:SmartCityProject ; lzo:inDomain ?d .
            ?d rdfs:label ?domain FILTER (lang(?domain) = "zh") } GROUP BY ?domain""")
    # 大数据资源库及信息交换平台 is two systems; convenient payment, media convergence and new mainstream
    # media are directions (Program), not projects; the smart-manufacturing 示范工程 spans whole industries.
    assert got == sorted([("智慧政务", "6"), ("智慧交通", "1"), ("智慧消费", "1"), ("智慧新媒体", "1")])
    assert rows(quad_store, """SELECT DISTINCT ?p WHERE { ?x a lzo:Program ; lzo:inDomain ?d BIND (STRAFTER(STR(?x), STR(lz:)) AS ?p) }""") == [
        ("convenient-payment",), ("integration-of-informatization-and-industrialization",), ("intelligent-applications",),
        ("media-convergence",), ("new-mainstream-media",), ("smart-manufacturing-demonstration-project",)]
    assert ask(quad_store, """ASK { lz:smart-manufacturing-demonstration-project a lzo:Program ; lzo:inDomain lz:smart-industry ;
            lzo:focusIndustry lz:automotive-industry , lz:machinery }""")
    assert ask(quad_store, """ASK { lz:target-two-integration-demonstration-parks lzo:appliesTo lz:yanghe-industrial-new-area , lz:hexi-industrial-park .
            lz:yanghe-industrial-new-area a lzo:IndustrialZone . lz:hexi-industrial-park a lzo:IndustrialPark }""")
    assert ask(quad_store, "ASK { lz:automotive-industry skos:broader lz:pillar-industries . lz:machinery skos:broader lz:pillar-industries }")


def test_every_entity_has_labels_in_both_languages(quad_store):
    missing = rows(quad_store, """SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?t } FILTER (STRSTARTS(STR(?x), STR(lz:)) && REGEX(STR(?g), "/graph/p[0-9]"))
        FILTER NOT EXISTS { ?x rdfs:label ?zh FILTER (lang(?zh) = "zh") } }""")
    missing += rows(quad_store, """SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?t } FILTER (STRSTARTS(STR(?x), STR(lz:)) && REGEX(STR(?g), "/graph/p[0-9]"))
        FILTER NOT EXISTS { ?x rdfs:label ?en FILTER (lang(?en) = "en") } }""")
    assert missing == []


def test_subclass_types_are_materialized_apart(quad_store):
    assert ask(quad_store, "ASK { GRAPH lzg:inferences { lz:national-import-export-vehicle-testing-key-laboratory a lzo:InnovationPlatform , org:Organization } }")
    assert not ask(quad_store, "ASK { GRAPH ?g { lz:national-import-export-vehicle-testing-key-laboratory a lzo:InnovationPlatform } FILTER (?g != lzg:inferences) }")


def test_class_counts(quad_store):
    def count(cls: str) -> int:
        return int(rows(quad_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a lzo:{cls} }}")[0][0])

    assert count("Enterprise") >= 4
    assert count("Target") == 17
    assert count("Goal") == 5
    assert count("Observation") == 20
    assert count("Passage") == 49
