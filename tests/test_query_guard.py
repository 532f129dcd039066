"""The read-only/offline guard and the in-process query step."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from liuzhou_kg.sparql.errors import QueryError, QueryRefused, QuerySyntaxError, ResultTooLarge
from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.sparql.guard import check_query, query_form, tokenize
from liuzhou_kg.store import load_memory_store

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "mini.trig"
GRAPH = "https://w3id.org/liuzhou-kg/graph/p04-s05"


@pytest.fixture(scope="module")
def store():
    return load_memory_store(FIXTURE)


def test_tokens_keep_strings_iris_and_comments_whole():
    tokens = tokenize('SELECT ("SERVICE" AS ?x) { <http://a/SERVICE> ex:LOAD """a\n"b"""\' } # FROM\n')
    kinds = [(t.kind, t.text) for t in tokens]
    assert ("string", '"SERVICE"') in kinds
    assert ("iri", "<http://a/SERVICE>") in kinds
    assert ("pname", "ex:LOAD") in kinds
    assert not any(t.text == "FROM" for t in tokens)


def test_less_than_is_not_an_iri():
    tokens = tokenize("SELECT * { ?a ?b ?c FILTER(?c < 3 && ?c > 1) }")
    assert ("punct", "<") in [(t.kind, t.text) for t in tokens]


@pytest.mark.parametrize("query", [
    "INSERT DATA { <a> <b> <c> }",
    "delete where { ?s ?p ?o }",
    "LOAD <http://example.org/>",
    "CLEAR ALL", "DROP GRAPH <http://g>", "CREATE GRAPH <http://g>",
    "ADD <http://a> TO <http://b>", "MOVE DEFAULT TO <http://b>", "COPY <http://a> TO DEFAULT",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o OPTIONAL { SERVICE SILENT ?endpoint { ?s ?p ?o } } }",
    "SELECT * FROM <http://example.org/data.ttl> { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> { ?s ?p ?o }",
    "BASE <file:///etc/>\nSELECT * FROM <passwd> { ?s ?p ?o }",
    "PREFIX f: <file:///etc/>\nSELECT * FROM f:passwd { ?s ?p ?o }",
])
def test_refused(query):
    with pytest.raises(QueryRefused):
        check_query(query, {GRAPH})


def test_dataset_graphs_are_allowed():
    info = check_query(f"SELECT * FROM <{GRAPH}> FROM NAMED lzg:p04-s05 {{ ?s ?p ?o }}", {GRAPH})
    assert info.from_graphs == [GRAPH] and info.from_named_graphs == [GRAPH]
    with pytest.raises(QueryRefused):
        check_query("SELECT * { ?s ?p ?o }", {GRAPH}, default_graph_uris=["http://evil/"])


def test_query_form():
    assert query_form("PREFIX a: <x:>\n# SELECT\nconstruct where { ?s ?p ?o }") == "CONSTRUCT"
    assert check_query("ASK {}", set()).form == "ASK"
    with pytest.raises(QuerySyntaxError):
        check_query("PREFIX a: <x:>", set())


def test_execute_select_with_predeclared_prefixes(store):
    answer = execute(store, QueryRequest("SELECT ?l { lz:liugong rdfs:label ?l } ORDER BY ?l"))
    body = json.loads(answer.body)
    assert [b["l"]["value"] for b in body["results"]["bindings"]] == ["LiuGong", "柳工"]


def test_lang_keeps_the_chosen_labels_and_unique_text(store):
    query = ("SELECT ?s ?label ?text { ?s rdfs:label ?label ; lzo:makes ?x . "
             "GRAPH ?g { ?s lzo:makes ?x } ?g prov:wasDerivedFrom ?p . ?p prov:value ?text }")
    rows = json.loads(execute(store, QueryRequest(query, lang="en")).body)["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["LiuGong"]
    assert rows[0]["text"]["value"].startswith("柳钢")  # zh-only text is kept
    for fmt in ("csv", "tsv", "xml"):
        body = execute(store, QueryRequest(query, format=fmt, lang="zh")).body.decode()
        assert "柳工" in body and "LiuGong" not in body


def test_syntax_error_has_position(store):
    with pytest.raises(QuerySyntaxError) as caught:
        execute(store, QueryRequest("SELECT *\nWHERE { ?s ?p }"))
    assert caught.value.line == 2 and caught.value.column is not None


def test_result_limit(store):
    with pytest.raises(ResultTooLarge):
        execute(store, QueryRequest("SELECT * { ?s ?p ?o }", max_result_bytes=1000))


def test_format_must_fit_the_form(store):
    with pytest.raises(QueryError, match="cannot be written as turtle"):
        execute(store, QueryRequest("SELECT * { ?s ?p ?o }", format="turtle"))
