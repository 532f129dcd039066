"""Shared helpers for the explorer's tests (imported by the other test_explorer_* modules)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Dataset

FIXTURES = Path(__file__).parent / "fixtures" / "explorer"
MINI = FIXTURES / "mini.trig"
HOSTILE = FIXTURES / "hostile.trig"
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"

LZ = "https://w3id.org/liuzhou-kg/resource/"
LZO = "https://w3id.org/liuzhou-kg/ontology#"
LIUGONG = LZ + "liugong"

_DATA = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def load(*paths: Path) -> Dataset:
    ds = Dataset()
    for path in paths:
        ds.parse(str(path), format="trig" if path.suffix == ".trig" else None)
    return ds


def page_json(html: str) -> dict:
    """The data block of a written page, parsed the way the browser parses it."""
    match = _DATA.search(html)
    assert match, "no data block in the page"
    return json.loads(match.group(1))


@pytest.fixture(scope="session")
def real_dist(request, tmp_path_factory) -> Path:
    """The real build's dist/ (the lead's ``built_dist`` fixture; built here if it is absent)."""
    try:
        return request.getfixturevalue("built_dist")
    except pytest.FixtureLookupError:
        from liuzhou_kg.build.pipeline import build
        from liuzhou_kg.core.layout import Layout

        out = tmp_path_factory.mktemp("explorer-build") / "dist"
        build(Layout.default(out))
        return out


def test_fixtures_follow_the_contract():
    """The fixture has the contract's named graphs, passages with sections, and zh/en labels."""
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    ds = load(MINI)
    names = {str(g.identifier) for g in ds.graphs()}
    assert "https://w3id.org/liuzhou-kg/graph/ontology" in names
    assert "https://w3id.org/liuzhou-kg/graph/provenance" in names
    assert "https://w3id.org/liuzhou-kg/graph/p04-s06" in names
    labels = {(o.language, str(o)) for o in ds.objects(URIRef(LIUGONG), RDFS.label)} or {
        (o.language, str(o)) for _, _, o, _ in ds.quads((URIRef(LIUGONG), RDFS.label, None, None))}
    assert labels == {("zh", "柳工"), ("en", "LiuGong")}
