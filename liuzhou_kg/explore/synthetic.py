"""Synthetic datasets that follow docs/CONTRACT.md, of any size, for benchmarks and scale tests.

The shape mimics the real graph: enterprises in industries and located in cities, products,
programs that support industries, build platforms and aim at targets, and observations of
indicators; every fact graph is derived from a passage in one of the five sections. Everything is
drawn from a seeded random generator, so a given size always gives the same dataset.
"""
from __future__ import annotations

import random

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from ..core.namespaces import LZ, LZG, LZO, LZP, QB
from ..core.namespaces import SDMX_DIMENSION as SDMX

# (class, zh, en, share of the nodes)
CLASSES = [
    (LZO.City, "城市", "City", 0.004),
    (LZO.Industry, "产业", "Industry", 0.02),
    (LZO.Enterprise, "企业", "Enterprise", 0.36),
    (LZO.Product, "产品", "Product", 0.16),
    (LZO.Program, "计划", "Program", 0.10),
    (LZO.Target, "目标", "Target", 0.10),
    (LZO.InnovationPlatform, "创新平台", "Innovation platform", 0.08),
    (LZO.Indicator, "指标", "Indicator", 0.016),
    (QB.Observation, "统计观测", "Observation", 0.16),
]
PROPERTIES = [
    (LZO.locatedIn, "位于", "located in"), (LZO.inIndustry, "所属产业", "in industry"),
    (LZO.producesCategory, "生产", "produces"), (LZO.focusIndustry, "扶持", "supports"),
    (LZO.buildsPlatformKind, "建设", "builds"), (LZO.aimsAt, "目标是", "aims at"),
    (LZO.indicator, "指标", "indicator"), (SDMX.refArea, "地区", "area"),
    (LZO.statedValue, "数值", "value"), (LZO.growthRate, "增长率", "growth"),
]
SECTIONS = [("section-review-2014", "2014年回顾", "Review of 2014", 0),
            ("section-plan-1", "一、科技创新体系", "1. Innovation system", 1),
            ("section-plan-2", "二、人才强市", "2. Talent", 2),
            ("section-plan-3", "三、大众创业", "3. Entrepreneurship", 3),
            ("section-plan-4", "四、智慧城市", "4. Smart city", 4)]
DIGITS = "〇一二三四五六七八九"


def _zh_number(n: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(n))


def synthetic_dataset(n_nodes: int, seed: int = 7) -> Dataset:
    """A contract-shaped dataset with about ``n_nodes`` nodes (exactly, for n_nodes >= 250)."""
    rng = random.Random(seed)
    ds = Dataset()
    onto = ds.graph(LZG.ontology)
    for cls, zh, en, _ in CLASSES:
        onto.add((cls, RDF.type, OWL.Class))
        onto.add((cls, RDFS.label, Literal(zh, lang="zh")))
        onto.add((cls, RDFS.label, Literal(en, lang="en")))
    for prop, zh, en in PROPERTIES:
        onto.add((prop, RDF.type, OWL.ObjectProperty))
        onto.add((prop, RDFS.label, Literal(zh, lang="zh")))
        onto.add((prop, RDFS.label, Literal(en, lang="en")))
    prov = ds.graph(LZG.provenance)
    for slug, zh, en, number in SECTIONS:
        prov.add((LZ[slug], RDF.type, LZO.Section))
        prov.add((LZ[slug], RDFS.label, Literal(zh, lang="zh")))
        prov.add((LZ[slug], RDFS.label, Literal(en, lang="en")))
        prov.add((LZ[slug], LZO.sectionNumber, Literal(number)))

    members: dict[URIRef, list[URIRef]] = {}
    counts = [max(1, round(n_nodes * share)) for *_, share in CLASSES]
    counts[2] += n_nodes - sum(counts)  # enterprises absorb the rounding
    for (cls, zh, en, _), count in zip(CLASSES, counts):
        members[cls] = [LZ[f"{en.lower().replace(' ', '-')}-{i}"] for i in range(count)]

    passage_no = 0

    def fact_graph(section: int):
        nonlocal passage_no
        passage_no += 1
        pid = f"p{passage_no // 10 + 1:02d}-s{passage_no % 10 + 1:02d}-{passage_no}"
        prov.add((LZP[pid], RDF.type, LZO.Passage))
        prov.add((LZP[pid], PROV.value, Literal(f"第{_zh_number(passage_no)}句：合成的句子，用于测试。")))
        prov.add((LZP[pid], LZO.inSection, LZ[SECTIONS[section][0]]))
        prov.add((LZG[pid], PROV.wasDerivedFrom, LZP[pid]))
        return ds.graph(LZG[pid])

    def declare(g, node, cls, zh, en, i):
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(f"{zh}{_zh_number(i)}", lang="zh")))
        g.add((node, RDFS.label, Literal(f"{en} {i}", lang="en")))

    cities, industries = members[LZO.City], members[LZO.Industry]
    g = fact_graph(0)
    for i, city in enumerate(cities):
        declare(g, city, LZO.City, "城市", "City", i)
    for i, ind in enumerate(industries):
        declare(g, ind, LZO.Industry, "产业", "Industry", i)
    indicators = members[LZO.Indicator]
    for i, ind in enumerate(indicators):
        declare(onto, ind, LZO.Indicator, "指标", "Indicator", i)

    products = list(members[LZO.Product])
    for i, ent in enumerate(members[LZO.Enterprise]):
        g = fact_graph(0 if i % 3 else rng.randrange(5))
        declare(g, ent, LZO.Enterprise, "企业", "Enterprise", i)
        industry = industries[min(int(rng.paretovariate(1.2)) - 1, len(industries) - 1)
                              if rng.random() < 0.5 else rng.randrange(len(industries))]
        g.add((ent, LZO.inIndustry, industry))
        g.add((ent, LZO.locatedIn, rng.choice(cities)))
        if products and rng.random() < 0.45:
            product = products.pop()
            declare(g, product, LZO.Product, "产品", "Product", len(products))
            g.add((ent, LZO.producesCategory, product))
    for j, product in enumerate(products):  # products nobody was drawn for
        g = fact_graph(0)
        declare(g, product, LZO.Product, "产品", "Product", j)
        g.add((rng.choice(members[LZO.Enterprise]), LZO.producesCategory, product))

    targets, platforms = list(members[LZO.Target]), list(members[LZO.InnovationPlatform])
    for i, prog in enumerate(members[LZO.Program]):
        g = fact_graph(1 + i % 4)
        declare(g, prog, LZO.Program, "计划", "Program", i)
        g.add((prog, LZO.focusIndustry, rng.choice(industries)))
        g.add((prog, LZO.locatedIn, rng.choice(cities)))
        if targets:
            target = targets.pop()
            declare(g, target, LZO.Target, "目标", "Target", len(targets))
            g.add((prog, LZO.aimsAt, target))
        if platforms:
            platform = platforms.pop()
            declare(g, platform, LZO.InnovationPlatform, "创新平台", "Platform", len(platforms))
            g.add((prog, LZO.buildsPlatformKind, platform))
    programs = members[LZO.Program]
    for j, target in enumerate(targets):
        g = fact_graph(1 + j % 4)
        declare(g, target, LZO.Target, "目标", "Target", j)
        g.add((rng.choice(programs), LZO.aimsAt, target))
    for j, platform in enumerate(platforms):
        g = fact_graph(1 + j % 4)
        declare(g, platform, LZO.InnovationPlatform, "创新平台", "Platform", j)
        g.add((rng.choice(programs), LZO.buildsPlatformKind, platform))

    for i, obs in enumerate(members[QB.Observation]):
        g = fact_graph(0)
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, LZO.indicator, rng.choice(indicators)))
        g.add((obs, SDMX.refArea, rng.choice(cities)))
        g.add((obs, LZO.statedValue, Literal(f"{rng.uniform(1, 3000):.2f}", datatype=XSD.decimal)))
        g.add((obs, LZO.growthRate, Literal(f"{rng.uniform(-5, 20):.1f}", datatype=XSD.decimal)))
    return ds
