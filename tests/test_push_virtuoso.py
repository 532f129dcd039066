"""`liuzhou-kg push` against a real Virtuoso Open Source instance the test starts and stops.

After the push every competency question (queries/*.rq) gives the same rows on Virtuoso as on
the embedded store. Values are compared as RDF terms with two allowances for Virtuoso: numbers
compare by value ("0"/"false" booleans too) and GROUP_CONCAT strings compare as sets of their
parts without language tag (SPARQL leaves the concatenation order open, and Virtuoso drops the
tag of an aggregate).
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.push import push
from liuzhou_kg.core.prefixes import PREFIXES_FILE

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "link"))
import virtuoso  # noqa: E402

QUERIES_DIR = Layout.default().queries
REPO = Layout.default().repo

pytestmark = pytest.mark.skipif(virtuoso.VIRTUOSO is None,
                                reason="virtuoso-t not installed (apt-get install virtuoso-opensource)")

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("decimal", "integer", "double", "float", "int", "long", "short",
                             "nonNegativeInteger", "positiveInteger")}
PLAIN = {None, XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
PROLOGUE = PREFIXES_FILE.read_text(encoding="utf-8")
QUERIES = sorted(QUERIES_DIR.glob("*.rq"))


@pytest.fixture(scope="module")
def server():
    instance = virtuoso.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def store(built_dist):
    from liuzhou_kg.store.reader import open_store

    return open_store(built_dist / "store")  # the store folder's current generation


@pytest.fixture(scope="module")
def pushed(server, store):
    first = push(store, server.sparql_auth, graph_store=server.graph_store, user="dba", password="dba",
                 progress=False)
    second = push(store, server.sparql_auth, graph_store=server.graph_store, user="dba", password="dba",
                  progress=False)
    return first, second


def term_key(kind: str, value: str, datatype: str | None):
    if kind == "iri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)
    if datatype in NUMERIC:
        return ("number", Decimal(value).normalize())
    if datatype == XSD + "boolean":
        return ("boolean", value in ("true", "1"))
    if datatype in PLAIN:
        return ("text", tuple(sorted(value.split(", "))))
    return ("literal", value, datatype)


def local_key(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term_key("iri", term.value, None)
    if isinstance(term, ox.BlankNode):
        return term_key("bnode", "", None)
    datatype = None if term.language else term.datatype.value
    return term_key("literal", term.value, datatype)


def remote_key(binding):
    if binding is None:
        return None
    kind = {"uri": "iri", "bnode": "bnode"}.get(binding["type"], "literal")
    datatype = None if "xml:lang" in binding else binding.get("datatype")
    return term_key(kind, binding["value"], datatype)


def local_answer(store, text):
    result = store.query(PROLOGUE + text, use_default_graph_as_union=True)  # as the project runs it
    if isinstance(result, bool):
        return result
    if isinstance(result, ox.QueryTriples):
        return Counter(tuple(local_key(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in result)
    names = [v.value for v in result.variables]
    return Counter(tuple(local_key(row[n]) for n in names) for row in result), names


def remote_answer(server, text, names=None):
    query = PROLOGUE + text
    is_graph = isinstance(names, str)
    accept = "text/turtle" if is_graph else "application/sparql-results+json"
    response = httpx.post(server.sparql, data={"query": query}, headers={"Accept": accept}, timeout=120)
    assert response.status_code == 200, response.text[:500]
    if is_graph:
        triples = ox.parse(response.content, format=ox.RdfFormat.TURTLE)
        return Counter(tuple(local_key(t) for t in (q.subject, q.predicate, q.object)) for q in triples)
    data = response.json()
    if "boolean" in data:
        return data["boolean"]
    return Counter(tuple(remote_key(b.get(n)) for n in names) for b in data["results"]["bindings"])


def test_push_uses_the_graph_store_and_is_idempotent(pushed, store):
    first, second = pushed
    named = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    assert first.method == second.method == "graph-store"
    assert first.graphs == second.graphs == len(named)
    assert first.per_graph == second.per_graph
    assert first.triples == sum(1 for g in named for _ in store.quads_for_pattern(None, None, None, g))


def test_there_are_competency_questions():
    assert len(QUERIES) >= 10, "queries/*.rq is the competency-question library"


# Questions across documents answer no rows on the published graph (the 2015 text alone);
# tests/test_query_library.py and tests/test_portable_queries.py check them on the fixture corpus.
ACROSS_DOCUMENTS = {"indicator-change-across-documents", "targets-reported-later"}


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_competency_question_gives_the_same_rows_on_virtuoso(pushed, server, store, path):
    text = path.read_text(encoding="utf-8")
    local = local_answer(store, text)
    if isinstance(local, bool):
        assert remote_answer(server, text) == local
    elif isinstance(local, Counter):
        assert remote_answer(server, text, "graph") == local
        assert local, f"{path.name} gives no triples here"
    else:
        rows, names = local
        if path.stem in ACROSS_DOCUMENTS:  # the published graph holds one document: nothing to compare
            assert not rows, f"{path.name} gives rows on the published graph"
        else:
            assert rows, f"{path.name} gives no rows here"
        assert remote_answer(server, text, names) == rows


def test_sparql_update_fallback(server, store, tmp_path):
    graphs = ["https://w3id.org/liuzhou-kg/graph/ontology", "https://w3id.org/liuzhou-kg/graph/links"]
    reports = []
    result = push(store, server.sparql_auth, graph_store=server.base + "/no-graph-store-here",
                  user="dba", password="dba", graphs=graphs, progress=False, report=reports.append)
    assert result.method == "update" and result.graphs == 2
    assert "SPARQL Update" in reports[0]
    # twice gives the same (counts are checked inside push)
    push(store, server.sparql_auth, user="dba", password="dba", graphs=graphs, method="update",
         progress=False)


def test_wrong_password_and_unknown_graph_are_input_errors(server, store):
    with pytest.raises(InputError, match="HTTP 401"):
        push(store, server.sparql_auth, graph_store=server.graph_store, user="dba", password="wrong",
             graphs=["https://w3id.org/liuzhou-kg/graph/links"], progress=False)
    with pytest.raises(InputError, match="not in the dataset"):
        push(store, server.sparql_auth, graphs=["http://example.org/none"], progress=False)
    with pytest.raises(InputError, match="cannot reach"):
        push(store, "http://127.0.0.1:9/sparql", graphs=["https://w3id.org/liuzhou-kg/graph/links"],
             progress=False, timeout=5)


def test_cli_push_under_c_locale(server, built_dist):
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "LIUZHOU_KG_PUSH_PASSWORD": "dba"}
    proc = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "push", "--endpoint", server.sparql_auth,
                           "--graph-store", server.graph_store, "--user", "dba",
                           "--data", str(built_dist / "liuzhou.trig")],
                          cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "by graph-store, counts checked" in proc.stdout
    env["LIUZHOU_KG_PUSH_PASSWORD"] = "wrong"
    proc = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "push", "--endpoint", server.sparql_auth,
                           "--graph-store", server.graph_store, "--user", "dba",
                           "--data", str(built_dist / "liuzhou.trig")],
                          cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 2 and "HTTP 401" in proc.stderr and "Traceback" not in proc.stderr
