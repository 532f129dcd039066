"""The persistent pyoxigraph store: written once by the build, opened read-only by queries."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.store.load import load_memory_store, write_store
from liuzhou_kg.store.reader import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "mini.trig"


@pytest.fixture
def nquads(tmp_path) -> Path:
    path = tmp_path / "mini.nq"
    quads = list(pyoxigraph.parse(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG))
    pyoxigraph.serialize(quads, str(path), pyoxigraph.RdfFormat.N_QUADS)
    return path


def test_write_then_open_read_only(nquads, tmp_path):
    store_dir = tmp_path / "store"
    count = write_store(nquads, store_dir)
    expected = len(list(pyoxigraph.parse(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)))
    assert count == expected > 50
    first = open_store(store_dir)
    second = open_store(store_dir)  # many readers at once
    query = "ASK { GRAPH ?g { <https://w3id.org/liuzhou-kg/resource/liugong> ?p \"柳工\"@zh } }"
    assert bool(first.query(query)) and bool(second.query(query))
    quads = list(first.quads_for_pattern(None, None, None))
    assert len(quads) == count
    assert all(isinstance(q.graph_name, pyoxigraph.NamedNode) for q in quads)
    # Nothing is copied into the default graph: it stays empty.
    assert list(first.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())) == []
    # A query naming no graph reads the union of the graphs (this fixture, unlike the build,
    # repeats triples across graphs, so the union repeats them too unless DISTINCT).
    distinct = {q.triple for q in quads}
    assert len(distinct) < count
    union = "SELECT {} WHERE {{ ?s ?p ?o }}"
    assert len(list(first.query(union.format("*"), use_default_graph_as_union=True))) == count
    assert len(list(first.query(union.format("DISTINCT *"), use_default_graph_as_union=True))) == len(distinct)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")] == []


def test_refuses_existing_directory(nquads, tmp_path):
    (tmp_path / "store").mkdir()
    with pytest.raises(InputError, match="already exists"):
        write_store(nquads, tmp_path / "store")


def test_bad_nquads_leave_nothing_behind(tmp_path):
    bad = tmp_path / "bad.nq"
    bad.write_text('<http://a> <http://b> <http://c> <http://g> .\n<http://a> <http://b> .\n',
                   encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_store(bad, tmp_path / "store")
    problem = caught.value.problems[0]
    assert problem.line == 2 and problem.file == bad
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nq"]


def test_missing_inputs_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        write_store(tmp_path / "nope.nq", tmp_path / "store")
    with pytest.raises(InputError, match="no pyoxigraph store"):
        open_store(tmp_path)
    with pytest.raises(InputError, match="unknown RDF file extension"):
        (tmp_path / "x.txt").write_text("x", encoding="utf-8")
        load_memory_store(tmp_path / "x.txt")


def test_memory_store_keeps_named_graphs():
    store = load_memory_store(FIXTURE)
    graphs = {g.value for g in store.named_graphs()}
    assert "https://w3id.org/liuzhou-kg/graph/p04-s05" in graphs
    assert "https://w3id.org/liuzhou-kg/graph/provenance" in graphs


def test_built_store_is_the_named_graphs_and_its_union_has_each_triple_once(built_dist):
    """dist/store holds the quads of dist/liuzhou.nq exactly, its default graph is empty, and a
    query naming no graph (the project's query path) counts each distinct triple once: the build
    puts no triple in two named graphs."""
    store = open_store(built_dist / "store")
    quads = list(pyoxigraph.parse(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    stored = list(store.quads_for_pattern(None, None, None))
    assert len(stored) == len(set(quads)) == len(quads)
    reference = pyoxigraph.Store()  # the same file as Oxigraph stores it (literals normalised)
    reference.bulk_load(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    assert ({str(q) for q in stored if not _has_bnode(q)}
            == {str(q) for q in reference.quads_for_pattern(None, None, None) if not _has_bnode(q)})
    assert list(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())) == []
    triples = list(pyoxigraph.parse(path=str(built_dist / "liuzhou.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES))
    distinct = len(set(triples))
    assert distinct == len({q.triple for q in quads})  # liuzhou.nt is the union of the graphs
    answer = execute(store, QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json"))
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == str(distinct)
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert int(next(iter(rows))["n"].value) == distinct


def _has_bnode(quad) -> bool:
    return isinstance(quad.subject, pyoxigraph.BlankNode) or isinstance(quad.object, pyoxigraph.BlankNode)


def _count(store, query: str, **request) -> int:
    answer = execute(store, QueryRequest(query, "json", **request))
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def test_from_and_default_graph_uri_read_only_the_graphs_they_name(built_dist):
    """The union is the default only for a query that names no graph: FROM, FROM NAMED and
    default-graph-uri keep their meaning (Oxigraph's union option would override FROM)."""
    store = open_store(built_dist / "store")
    graph = "https://w3id.org/liuzhou-kg/graph/p04-s05"
    in_graph = sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))
    everything = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < in_graph < everything
    assert _count(store, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                  default_graph_uris=[graph]) == in_graph
    # FROM NAMED alone: an empty default graph, the named graph through GRAPH
    assert _count(store, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> WHERE {{ ?s ?p ?o }}") == 0
    assert _count(store, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> "
                         "WHERE { GRAPH ?g { ?s ?p ?o } }") == in_graph
