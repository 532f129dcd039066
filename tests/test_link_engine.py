"""The matching engine: hierarchy, codes and types as evidence, one-to-one clear winners, bounded
work per label, the library API (``Matcher.match``) and a review CSV safe for spreadsheets.

The small datasets here are written by us as regression guards for one rule each; the evidence
that the engine generalises is in tests/test_link_gazetteers.py (data from packages).
"""
from __future__ import annotations

import csv

import pyoxigraph as ox
import pytest

from liuzhou_kg.link.discover import discover, graph_matcher
from liuzhou_kg.link.engine import Matcher
from liuzhou_kg.link.entities import entities
from liuzhou_kg.link.normalize import MAX_LABEL_LENGTH, label_keys

LZO = "https://w3id.org/liuzhou-kg/ontology#"
LZ = "https://w3id.org/liuzhou-kg/resource/"
PREFIXES = f"""@prefix l: <http://local.example/> . @prefix e: <http://ext.example/> .
@prefix s: <http://schema.org/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix lzo: <{LZO}> .
"""
LOCAL = PREFIXES + """
l:gx a s:State ; rdfs:label "广西" ; skos:notation "450000"^^lzo:GBT2260Code .
l:sc a s:State ; rdfs:label "四川" .
l:liuzhou a s:City ; rdfs:label "柳州市" , "Liuzhou" ; s:containedInPlace l:gx ;
    skos:notation "450200"^^lzo:GBT2260Code .
"""


def _entities(turtle: str):
    store = ox.Store()
    store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return entities(store)


def _link(local: str, external: str, **kwargs):
    found = Matcher(_entities(local)).link(_entities(PREFIXES + external), **kwargs)
    return {(c.local.iri.rsplit("/", 1)[1], c.external.iri.rsplit("/", 1)[1]): c for c in found}


def test_hierarchy_separates_the_city_from_its_districts_and_namesakes():
    found = _link(LOCAL, """
    e:gx a s:State ; s:name "广西壮族自治区" .
    e:sc a s:State ; s:name "四川省" .
    e:ha a s:State ; s:name "河南省" .
    e:lz a s:City ; s:name "Liuzhou" ; s:containedInPlace e:gx .
    e:liujiang a s:City ; s:name "柳江区" ; s:containedInPlace e:lz .
    e:liunan a s:City ; s:name "柳南区" ; s:containedInPlace e:lz .
    e:liucheng a s:City ; s:name "柳城县" ; s:containedInPlace e:lz .
    e:seat a s:City ; s:name "柳州" ; s:containedInPlace e:lz .
    e:luzhou a s:City ; s:name "泸州" , "Luzhou" ; s:containedInPlace e:sc .
    e:linzhou a s:City ; s:name "林州" , "Linzhou" ; s:containedInPlace e:ha .
    """)
    assert found[("liuzhou", "lz")].decision == "exact"
    for decoy in ("liujiang", "liunan", "liucheng", "seat", "luzhou", "linzhou"):
        cand = found.get(("liuzhou", decoy))
        assert cand is None or cand.decision != "exact", decoy
    assert "one is part of the other" in found[("liuzhou", "seat")].evidence \
        if ("liuzhou", "seat") in found else True


def test_a_code_below_ours_is_a_part_not_the_same():
    found = _link(LOCAL, """
    e:c450206 a skos:Concept ; skos:prefLabel "柳州市柳江区" ; skos:notation "450206" .
    e:c450200 a skos:Concept ; skos:prefLabel "柳州" ; skos:notation "450200" .
    """, close=0.0)
    assert found[("liuzhou", "c450200")].decision == "exact"
    assert ("liuzhou", "c450206") not in found or found[("liuzhou", "c450206")].decision != "exact"


def test_different_codes_of_one_scheme_conflict_and_the_same_code_wins():
    found = _link(LOCAL, """
    e:a a s:City ; s:name "柳州市" ; s:identifier [ s:propertyID "GB/T 2260" ; s:value "510500" ] .
    """)
    cand = found.get(("liuzhou", "a"))
    assert cand is None or (cand.decision != "exact" and any("different" in e for e in cand.evidence))
    found = _link(LOCAL, 'e:b s:name "Liuchow" ; s:identifier [ s:propertyID "adcode" ; s:value "450200" ] .')
    assert found[("liuzhou", "b")].decision == "exact"  # an old spelling, and the same code


def test_type_evidence_and_no_veto_for_an_unknown_type():
    found = _link(LOCAL, """
    e:org a s:Organization ; s:name "柳州市" .
    e:thing a <http://unknown.example/Thing> ; s:name "柳州市" .
    """)
    assert ("liuzhou", "org") not in found  # a city is no organisation
    assert ("liuzhou", "thing") in found  # an unknown type is never a veto
    assert found[("liuzhou", "thing")].type_factor < 1.0


def test_one_to_one_and_exact_only_for_a_clear_winner():
    found = _link(LOCAL, """
    e:one a s:City ; s:name "柳州市" .
    e:two a s:City ; s:name "柳州市" .
    """)
    decisions = {found[("liuzhou", x)].decision for x in ("one", "two")}
    assert decisions == {"close"}  # two equal namesakes: a person decides
    found = _link(LOCAL, 'e:one a s:City ; s:name "柳州市" .')
    assert found[("liuzhou", "one")].decision == "exact"


def test_a_one_megabyte_label_costs_what_a_short_one_does():
    huge = "柳州" + "钢" * 1_000_000
    keys = label_keys(huge)
    assert len(keys.label) == MAX_LABEL_LENGTH
    assert keys == label_keys(huge[:MAX_LABEL_LENGTH])
    found = _link(LOCAL, f'e:huge a s:City ; s:name "{huge}" , "柳州市" .')
    assert found[("liuzhou", "huge")].decision == "exact"


def test_many_labels_per_entity_are_capped():
    names = " , ".join(f'"名{i}"' for i in range(500))
    (entity,) = [e for e in _entities(PREFIXES + f"e:x s:name {names} .")]
    assert len(entity.labels) == 64


# ---------------------------------------------------------------- the library API, on the graph

@pytest.fixture(scope="module")
def matcher(built_dist):
    return graph_matcher(built_dist / "liuzhou.trig")


@pytest.mark.parametrize("names, type_, expected", [
    (["柳州"], LZO + "City", "liuzhou"),
    (["柳州"], LZO + "Place", "liuzhou"),  # a superclass finds the city
    (["廣西"], None, "guangxi"),  # traditional characters
    (["柳工"], None, "liugong"),
    (["LiuGong"], None, "liugong"),
    (["Liǔzhōu"], None, "liuzhou"),  # pinyin with tones
    (["ＬＩＵＧＯＮＧ"], None, "liugong"),  # full-width
])
def test_match_finds_the_entity_first_and_says_so(matcher, names, type_, expected):
    answers = matcher.match(names, type=type_, limit=3)
    assert answers[0].iri == LZ + expected
    assert answers[0].match is True
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)
    assert sum(a.match for a in answers) == 1


def test_match_with_a_code_property(matcher):
    answers = matcher.match(["Liuzhou"], properties={"http://www.wikidata.org/prop/direct/P442": "450200"})
    assert answers[0].iri == LZ + "liuzhou" and answers[0].match
    assert any("same code" in e for e in answers[0].evidence)
    answers = matcher.match(["柳工股份"], properties={"stock code": "000528"})
    assert answers[0].iri == LZ + "liugong-machinery"


def test_a_type_restricts_the_answers(matcher):
    assert all(LZO + "Enterprise" in a.types for a in matcher.match(["柳州"], type=LZO + "Enterprise"))


def test_type_strict_any_all_should(matcher):
    """"any" and "all" filter (subclasses count); "should" keeps the others, × 0.8, and says so."""
    place, enterprise = LZO + "Place", LZO + "Enterprise"
    assert matcher.match(["柳州"], type=[place, enterprise], type_strict="all") == []
    assert matcher.match(["柳州"], type=[place, enterprise])[0].iri == LZ + "liuzhou"
    soft = matcher.match(["柳州"], type=enterprise, type_strict="should", limit=10)
    assert (soft[0].iri, soft[0].score, soft[0].type_match) == (LZ + "liuzhou", 0.8, False)
    assert all(a.type_match for a in soft if enterprise in a.types)


def test_tone_numbers_and_the_pinyin_only_cap(matcher):
    assert matcher.match(["liu3 zhou1"])[0].iri == LZ + "liuzhou"
    # Guojia (towns in GeoNames) is only the pinyin of 国家, a name of China, whose own Latin
    # names differ: a candidate at 0.8, never a match
    guojia = matcher.match(["Guojia"], limit=3)
    assert guojia[0].iri == LZ + "china" and guojia[0].score == 0.8 and not guojia[0].match
    assert "pinyin only" in guojia[0].evidence
    # the entity's own Latin name is not capped
    assert matcher.match(["Liuzhou"])[0].score == 1.0


def test_exact_says_a_name_or_code_equals_the_query(matcher):
    assert matcher.match(["柳钢"])[0].exact  # the group's own name
    listed = [a for a in matcher.match(["柳钢"], limit=5) if a.iri == LZ + "liuzhou-iron-steel"]
    assert listed and not listed[0].exact  # shares only the name without legal form
    assert matcher.match(["柳钢股份有限公司"])[0].exact  # same name, same legal form spelt otherwise
    coded = matcher.match(["Liuzhou"], properties={"http://www.wikidata.org/prop/direct/P442": "450200"})
    assert coded[0].exact


@pytest.mark.parametrize("text", ["qwertyuiop zxcv", "' } ; DROP GRAPH <x> ; SELECT * WHERE { ?s ?p ?o",
                                  "😀🎉", "柳" * 2000, "", "   "])
def test_nonsense_and_hostile_text_gets_no_match(matcher, text):
    answers = matcher.match([text], limit=5)
    assert not any(a.match for a in answers)


# ---------------------------------------------------------------- the review CSV

def test_review_csv_cells_never_start_a_formula(built_dist, tmp_path):
    data = tmp_path / "formulas.ttl"
    data.write_text(PREFIXES + """
    e:a a s:City ; s:name "柳州市" , "=HYPERLINK(\\"http://evil\\",\\"x\\")" , "+1" , "-2" , "@SUM(A1)" ,
        "\\tLiuzhou" , "\\rLiuzhou" .
    """, encoding="utf-8")
    result = discover(str(data), kg=built_dist / "liuzhou.trig", out_dir=tmp_path / "out")
    with result.review_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    labels = next(row for row in rows[1:] if row[2] == "http://ext.example/a")[3]
    assert "柳州市" in labels
    assert "=HYPERLINK" in labels  # kept, inside the cell
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(cell):
    from liuzhou_kg.link.linkset import neutralise

    assert neutralise(cell) == "'" + cell
    assert neutralise("柳州 " + cell) == "柳州 " + cell
