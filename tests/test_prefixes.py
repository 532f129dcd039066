"""One IRI shortener: liuzhou_kg.core.prefixes.curie, over the one prefix table (prefixes.rq).

Every module that shows an IRI as ``prefix:local`` goes through it; these cases pin the rules each
caller relies on, and a scan fails if a module grows a shortener of its own again."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from liuzhou_kg.core.prefixes import compact, curie, prefixes

LZ = "https://w3id.org/liuzhou-kg/resource/"
LZG = "https://w3id.org/liuzhou-kg/graph/"
PACKAGE = Path(__file__).resolve().parent.parent / "liuzhou_kg"


@pytest.mark.parametrize("iri, strict, loose", [
    (LZ + "liugong", "lz:liugong", "lz:liugong"),
    (LZ + "柳工", "lz:柳工", "lz:柳工"),
    (LZ, "lz:", "lz:"),
    ("https://w3id.org/liuzhou-kg/ontology#Enterprise", "lzo:Enterprise", "lzo:Enterprise"),
    # the longest namespace wins: sdmx-dimension, not a shorter one that also covers it
    ("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod", "sdmx-dimension:refPeriod",
     "sdmx-dimension:refPeriod"),
    # a local name SPARQL cannot read back as written: strict gives up, loose keeps the CURIE
    (LZG + "work-report-2022/p04-s02", None, "lzg:work-report-2022/p04-s02"),
    (LZ + "a.", None, "lz:a."),
    (LZ + "-a", None, "lz:-a"),
    (LZ + "a b", None, None),
    ("http://example.org/x", None, None),
])
def test_curie(iri, strict, loose):
    assert curie(iri) == strict
    assert curie(iri, strict=False) == loose


def test_compact_falls_back_to_an_iri_reference():
    assert compact(LZ + "liugong") == "lz:liugong"
    assert compact(LZ + "a/b") == f"<{LZ}a/b>"


def test_extra_namespaces_are_added_to_the_table_not_instead_of_it():
    wd = {"wd": "http://www.wikidata.org/entity/"}
    assert curie("http://www.wikidata.org/entity/Q148", extra=wd) == "wd:Q148"
    assert curie("http://www.wikidata.org/entity/Q148") is None
    assert curie(LZ + "liugong", extra=wd) == "lz:liugong"


def test_every_caller_agrees():
    from liuzhou_kg.explore.config import load_config
    from liuzhou_kg.store.export import compact as export_compact

    cfg = load_config()
    assert cfg.prefixes == prefixes()
    assert cfg.shorten(LZ + "liugong") == "lz:liugong"
    assert cfg.shorten(LZ + "a.") == LZ + "a."  # the explorer's old copy said lz:a.
    assert export_compact(LZG + "r/p1") == "lzg:r/p1"
    assert export_compact("http://www.wikidata.org/entity/Q148") == "wd:Q148"
    assert export_compact("http://example.org/x") == "http://example.org/x"


# What a hand-made shortener looks like: the local name cut off after a namespace it started with.
# (``f"{prefix}:{iri[len(ns):]}"`` or ``prefix + iri[len(ns):]``).
_COPY = re.compile(r"(\}:\{|\w \+ )\w+\[len\(\w+\):\]")


def test_no_module_shortens_iris_by_itself():
    copies = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
              if _COPY.search(path.read_text(encoding="utf-8")) and path.name != "prefixes.py"]
    assert copies == []
