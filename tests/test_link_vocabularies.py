"""What the linker reads from a dataset: names, codes, parents and types, vocabulary by vocabulary.

Every property of ``graph/mappings/link-vocabulary.yaml`` gets a one-entity dataset of its own, so a
property dropped from the mapping (or read wrongly) fails its own test.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.link.entities import entities
from liuzhou_kg.link.vocabulary import load_vocabulary, vocabulary

VOCAB = vocabulary()
LZO = "https://w3id.org/liuzhou-kg/ontology#"
X = "http://example.org/x"


def _store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def _one(turtle: str):
    found = [e for e in entities(_store(turtle)) if e.iri == X]
    assert len(found) == 1, [e.iri for e in entities(_store(turtle))]
    return found[0]


LABELS = [(group, kind, prop) for group, kinds in VOCAB.label_groups.items()
          for kind, props in kinds.items() for prop in props]


@pytest.mark.parametrize("group, kind, prop", LABELS, ids=[f"{g}:{p.rsplit('/', 1)[-1]}"
                                                           for g, _, p in LABELS])
@pytest.mark.parametrize("literal", ['"柳州市"', '"柳州市"@zh', '"柳州市"@zh-Hans-CN'])
def test_every_label_property_is_read_tagged_or_not(group, kind, prop, literal):
    entity = _one(f"<{X}> <{prop}> {literal} .")
    assert [k.label for k in entity.labels] == ["柳州市"]
    assert entity.labels[0].short == "柳州"


def test_the_mapping_covers_the_vocabularies_of_the_issue():
    props = set(VOCAB.label_properties)
    for iri in ["http://www.w3.org/2000/01/rdf-schema#label",
                "http://www.w3.org/2004/02/skos/core#prefLabel",
                "http://www.w3.org/2004/02/skos/core#altLabel",
                "http://www.w3.org/2004/02/skos/core#hiddenLabel",
                "http://schema.org/name", "http://schema.org/alternateName", "http://schema.org/legalName",
                "https://schema.org/name", "https://schema.org/alternateName", "https://schema.org/legalName",
                "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/elements/1.1/title",
                "http://purl.org/dc/terms/title", "https://www.geonames.org/ontology#name",
                "https://www.geonames.org/ontology#alternateName",
                "https://www.geonames.org/ontology#officialName",
                "https://www.geonames.org/ontology#shortName", "http://www.w3.org/2006/vcard/ns#fn"]:
        assert iri in props, iri
    assert "http://www.w3.org/ns/org#identifier" in VOCAB.identifier_properties


def test_a_description_is_not_a_name():
    store = _store(f'<{X}> <http://schema.org/description> "柳州市" .')
    assert entities(store) == []
    entity = _one(f'<{X}> <http://www.w3.org/2000/01/rdf-schema#label> "Liuzhou" ; '
                  f'<http://schema.org/description> "prefecture-level city in Guangxi" .')
    assert entity.description == "prefecture-level city in Guangxi"


@pytest.mark.parametrize("triples, code", [
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#notation> "450200"^^<{LZO}GBT2260Code>', ("gbt2260", "450200")),
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#notation> "450200000000"', ("gbt2260", "450200")),
    (f'<{X}> <http://www.wikidata.org/prop/direct/P442> "450200"', ("gbt2260", "450200")),
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#notation> "cn-gx"', ("iso3166-2", "CN-GX")),
    (f'<{X}> <http://schema.org/identifier> "CN-GX"', ("iso3166-2", "CN-GX")),
    (f'<{X}> <http://purl.org/dc/terms/identifier> "CN-GX"', ("iso3166-2", "CN-GX")),
    (f'<{X}> <http://www.w3.org/ns/org#identifier> "CN-GX"', ("iso3166-2", "CN-GX")),
    (f'<{X}> <http://www.wikidata.org/prop/direct/P300> "CN-GX"', ("iso3166-2", "CN-GX")),
    (f'<{X}> <http://www.wikidata.org/prop/direct/P1566> "1802851"', ("geonames", "1802851")),
    (f'<{X}> <https://www.geonames.org/ontology#geonamesID> "1802851"', (None, "1802851")),
    (f'<{X}> <http://schema.org/tickerSymbol> "000528"', (None, "000528")),
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#notation> "000528"^^<{LZO}SZSEStockCode>', ("stock-szse", "000528")),
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#notation> "601003"^^<{LZO}SSEStockCode>', ("stock-sse", "601003")),
    (f'<{X}> <http://schema.org/identifier> [ <http://schema.org/propertyID> "GB/T 2260" ; '
     f'<http://schema.org/value> "450200" ]', ("gbt2260", "450200")),
    (f'<{X}> <https://schema.org/identifier> [ <https://schema.org/propertyID> "geonames" ; '
     f'<https://schema.org/value> "1802851" ]', ("geonames", "1802851")),
    (f'<{X}> <http://www.w3.org/2002/07/owl#sameAs> <http://sws.geonames.org/1802851/about.rdf>',
     ("geonames", "1802851")),
    (f'<{X}> <http://www.w3.org/2004/02/skos/core#exactMatch> <http://www.wikidata.org/entity/Q148>',
     ("wikidata", "Q148")),
])
def test_codes_are_read_with_their_scheme(triples, code):
    entity = _one(f'<{X}> <http://www.w3.org/2000/01/rdf-schema#label> "x" . {triples} .')
    assert code in entity.codes


def test_a_huge_code_is_not_a_code():
    entity = _one(f'<{X}> <http://www.w3.org/2000/01/rdf-schema#label> "x" ; '
                  f'<http://schema.org/identifier> "{"9" * 1000}" .')
    assert entity.codes == set()


@pytest.mark.parametrize("prop", VOCAB.parent_properties, ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_parent_property_gives_the_hierarchy(prop):
    entity = _one(f'<{X}> <http://www.w3.org/2000/01/rdf-schema#label> "柳江区" ; <{prop}> <http://e/lz> .\n'
                  f'<http://e/lz> <http://www.w3.org/2000/01/rdf-schema#label> "柳州市" ; '
                  f'<http://www.w3.org/2004/02/skos/core#notation> "450200"^^<{LZO}GBT2260Code> .')
    assert entity.parents == {"http://e/lz"}
    assert "柳州" in entity.context
    assert ("gbt2260", "450200") in entity.ancestor_codes


def test_a_code_places_its_entity_in_the_code_tree():
    entity = _one(f'<{X}> <http://www.w3.org/2004/02/skos/core#prefLabel> "柳江区" ; '
                  f'<http://www.w3.org/2004/02/skos/core#notation> "450206"^^<{LZO}GBT2260Code> .')
    assert entity.ancestor_codes >= {("gbt2260", "450200"), ("gbt2260", "450000")}
    assert entity.category == "district"  # a code list's concept: its code says what it is


@pytest.mark.parametrize("cls, category", [
    ("http://schema.org/City", "city"), ("https://schema.org/City", "city"),
    ("http://www.wikidata.org/entity/Q748149", "city"), ("http://schema.org/Corporation", "organisation"),
    ("http://www.w3.org/2006/vcard/ns#Organization", "organisation"),
    ("https://www.geonames.org/ontology#A.ADM1", "region"), ("http://example.org/Unknown", None),
])
def test_types_map_to_categories(cls, category):
    entity = _one(f'<{X}> <http://www.w3.org/2000/01/rdf-schema#label> "x" ; '
                  f'<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cls}> .')
    assert entity.category == category


def test_what_a_parent_country_property_points_to_is_a_country():
    store = _store(f'<{X}> <https://www.geonames.org/ontology#name> "Liuzhou" ; '
                   f'<https://www.geonames.org/ontology#parentCountry> <http://e/cn> .\n'
                   f'<http://e/cn> a <https://www.geonames.org/ontology#Feature> ; '
                   f'<https://www.geonames.org/ontology#name> "China" .')
    by_iri = {e.iri: e for e in entities(store)}
    assert by_iri["http://e/cn"].category == "country"
    assert by_iri[X].near == set()  # a country is too coarse to place a thing


@pytest.mark.parametrize("old, new, problem", [
    ("rdfs: {preferred: [rdfs:label]}", "rdfs: {preferred: [nope:label]}", "unknown prefix"),
    ("pattern: '^(Q\\d+)$'", "pattern: '('", "bad pattern"),
    ("guess: [iso3166-2, gbt2260]", "guess: [iso3166-9]", "unknown scheme"),
    ("unknown: 0.75", "", "lacks the key 'unknown'"),
    ("labels:", "labels: [", "cannot read"),
])
def test_a_bad_mapping_file_names_the_file(tmp_path, old, new, problem):
    from liuzhou_kg.link.vocabulary import VOCABULARY

    text = VOCABULARY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "vocab.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=problem) as info:
        load_vocabulary(path)
    assert str(path) in str(info.value)


def test_a_mapping_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "vocab.yaml"
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a mapping"):
        load_vocabulary(path)
