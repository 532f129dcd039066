"""The outputs: every format parses back to the same graph, builds are deterministic and atomic,
and the build works whatever the locale."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pyoxigraph
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from liuzhou_kg.build.pipeline import build
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

EXPECTED_FILES = {
    "ontology.ttl", "ontology.owl", "liuzhou.trig", "liuzhou.nq", "liuzhou.ttl", "liuzhou.nt", "liuzhou.jsonld",
    "context.jsonld", "void.ttl", "coverage.md", "coverage.json", "validation.md", "validation.json", "manifest.json",
}


def union_of(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def reference_quads(built_dist) -> Dataset:
    dataset = Dataset()
    dataset.parse(built_dist / "liuzhou.nq", format="nquads")
    return dataset


def test_every_output_is_written(built_dist):
    assert EXPECTED_FILES <= {p.name for p in built_dist.iterdir()}


def test_trig_round_trips_to_the_same_dataset(built_dist, reference_quads):
    trig = Dataset()
    trig.parse(built_dist / "liuzhou.trig", format="trig")
    names = lambda d: sorted(str(g.identifier) for g in d.graphs() if len(g))  # noqa: E731
    assert names(trig) == names(reference_quads)
    for graph in reference_quads.graphs():
        if len(graph):
            assert isomorphic(graph, trig.graph(graph.identifier)), graph.identifier


@pytest.mark.parametrize("name, fmt", [("liuzhou.ttl", "turtle"), ("liuzhou.nt", "nt"), ("liuzhou.jsonld", "json-ld")])
def test_union_formats_round_trip(built_dist, reference_quads, name, fmt):
    parsed = Graph().parse(built_dist / name, format=fmt)
    assert isomorphic(parsed, union_of(reference_quads))


def test_jsonld_also_parses_with_oxigraph(built_dist):
    triples = list(pyoxigraph.parse(path=str(built_dist / "liuzhou.jsonld"), format=pyoxigraph.RdfFormat.JSON_LD))
    assert len(triples) == len(Graph().parse(built_dist / "liuzhou.nt", format="nt"))


def test_ontology_in_turtle_and_rdfxml_are_the_same(built_dist, reference_quads):
    ttl = Graph().parse(built_dist / "ontology.ttl", format="turtle")
    owl = Graph().parse(built_dist / "ontology.owl", format="xml")
    assert isomorphic(ttl, owl)
    assert isomorphic(ttl, reference_quads.graph(next(g.identifier for g in reference_quads.graphs() if str(g.identifier).endswith("/graph/ontology"))))


def test_void_counts_and_license(built_dist):
    void = Graph().parse(built_dist / "void.ttl", format="turtle")
    result = {str(k): str(v) for k, v in void.query("""
        PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?k ?v WHERE { <https://w3id.org/liuzhou-kg/resource/dataset> ?k ?v } """) if not str(v).startswith("https://w3id.org/liuzhou-kg/graph/")}
    union = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    assert result["http://rdfs.org/ns/void#triples"] == str(len(union))
    assert result["http://purl.org/dc/terms/license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert result["http://purl.org/dc/terms/source"] == "https://w3id.org/liuzhou-kg/resource/source-liuzhou-innovation-2015"


def test_manifest_matches_the_files(built_dist):
    import hashlib

    files = json.loads((built_dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert EXPECTED_FILES - {"manifest.json"} <= set(files)
    for name, entry in files.items():
        assert hashlib.sha256((built_dist / name).read_bytes()).hexdigest() == entry["sha256"], name


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "--no-reasoner", "--dist", str(first)], check=True, env=env)
    env["PYTHONHASHSEED"] = "2"
    subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "--no-reasoner", "--dist", str(second)], check=True, env=env)
    one = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    two = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert one == two
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()


def test_build_under_the_c_locale_writes_utf8(tmp_path):
    dist = tmp_path / "dist"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--no-reasoner", "--dist", str(dist)],
                          env=env, capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert "柳工" in (dist / "liuzhou.ttl").read_text(encoding="utf-8")
    assert "柳工" in (dist / "coverage.md").read_text(encoding="utf-8")


def test_a_killed_build_leaves_the_previous_outputs(tmp_path):
    dist = tmp_path / "dist"
    build(Layout.default(dist), extras=False, reasoning=False)
    before = (dist / "manifest.json").read_bytes()
    (dist / "marker.txt").write_text("from the previous build", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "-q", "--dist", str(dist)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".dist-build-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    assert list(tmp_path.glob(".dist-build-*")), "the build never staged its outputs"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (dist / "marker.txt").read_text(encoding="utf-8") == "from the previous build"
    assert (dist / "manifest.json").read_bytes() == before
    # The next build clears the dead build's staging folder and swaps in complete outputs.
    build(Layout.default(dist), extras=False, reasoning=False)
    assert not (dist / "marker.txt").exists()
    assert not list(tmp_path.glob(".dist-build-*"))
