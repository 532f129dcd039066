"""The persistent pyoxigraph store: written once by the build, opened read-only by queries."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from liuzhou_kg.errors import InputError
from liuzhou_kg.store import load_memory_store, open_store, write_store

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
    named = [q for q in first.quads_for_pattern(None, None, None)
             if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)]
    assert len(named) == count
    # The default graph is the set union of the named graphs: each distinct triple once.
    union = list(first.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    assert len(union) == len({q.triple for q in named}) < count
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
