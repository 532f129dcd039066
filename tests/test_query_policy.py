"""The query policy (parser-based verdicts, screen, limits, cache) and the in-process query step.

Regression guards written for this project; the differential corpus (test_policy_corpus.py)
is the evidence that the policy agrees with the engine.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from liuzhou_kg.sparql import library
from liuzhou_kg.sparql.errors import (QueryError, QueryRefused, QuerySyntaxError, QueryTooComplex,
                                      ResultTooLarge)
from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.sparql.analysis import analyse
from liuzhou_kg.sparql.large_stack import on_large_stack
from liuzhou_kg.sparql.policy import Policy, VerdictCache
from liuzhou_kg.sparql.screen import nesting_depth, screen
from liuzhou_kg.store.load import load_memory_store

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "mini.trig"
GRAPH = "https://w3id.org/liuzhou-kg/graph/p04-s05"
TRIPLE_QUOTES = "'" * 3


@pytest.fixture(scope="module")
def store():
    return load_memory_store(FIXTURE)


def run(store, request):
    return on_large_stack(execute, store, request, Policy.serve())


def check_query(query, graphs, default_graph_uris=(), policy=None):
    policy = policy or Policy.serve()
    return on_large_stack(policy.check, query, frozenset(graphs), tuple(default_graph_uris), (),
                          True)


def query_form(query):
    return on_large_stack(analyse, query).form


def test_screen_lets_every_library_question_through_unparsed():
    for question in library.library():
        assert screen(question.text), question.name


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE:x {} }", "select * from:g {}", "SELECT * { sErViCe <http://a/> {} }",
    "SELECT * { SERVIC\\u0045 <http://a/> {} }", "SELECT * { ?s ?p 1SERVICE <http://a/> {} }",
    "SELECT * { ?s ?p 'x' } # a trailing comment naming FROM", "SELECT ('LOAD' AS ?x) {}",
    "SELECT * { ?s ?p ?o }\n  " + TRIPLE_QUOTES + "\n# SERVICE <http://a/> {}" + TRIPLE_QUOTES,
    "SELECT * { ?s ?p ?o } #x\n " + TRIPLE_QUOTES + "\n # " + TRIPLE_QUOTES
    + " SERVICE <http://a/> {}",
])
def test_screen_sends_anything_doubtful_to_the_parser(query):
    assert not screen(query)


def test_screen_blanks_names_and_whole_line_comments_only():
    assert screen("# which facts come FROM section 4?\n"
                  "SELECT ?from_x { ?g prov:wasDerivedFrom ?from_x }")


def test_nesting_and_length_limits():
    assert nesting_depth("{ ( [ ] ) } (") == 3
    assert nesting_depth(")))" + "{" * 5) == 5  # closing brackets first never hide depth
    with pytest.raises(QueryTooComplex, match="too deeply nested"):
        check_query("SELECT * WHERE " + "{" * 10_000 + "}" * 10_000, set())
    with pytest.raises(QueryTooComplex, match="too deeply nested"):
        check_query("SELECT * { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }", set())
    with pytest.raises(QueryTooComplex, match="characters long"):
        check_query("SELECT * {} #" + "x" * 100, set(), policy=Policy.serve(max_query_chars=50))


def test_deep_nesting_within_the_limit_parses_on_the_large_stack():
    assert check_query("SELECT * WHERE " + "{" * 250 + "}" * 250, set()).form == "SELECT"


def test_verdicts_and_refusals_are_cached_within_a_byte_bound():
    cache = VerdictCache(max_bytes=4096)
    for i in range(100):
        cache.put((f"SELECT {i} " + "x" * 1000, (), (), False), i)
    assert cache.bytes <= 4096 and 0 < len(cache) <= 3
    policy = Policy.serve(cache_bytes=10_000)
    for _ in range(2):
        with pytest.raises(QueryRefused):
            check_query("SELECT * { SERVICE <http://a/> {} }", set(), policy=policy)
    assert len(policy._cache) == 1


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
    "PREFIX : <http://127.0.0.1:1/>\nSELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "PREFIX : <file:///etc/>\nSELECT * FROM:passwd { ?s ?p ?o }",
])
def test_refused(query):
    with pytest.raises(QueryRefused):
        check_query(query, {GRAPH})


def test_dataset_graphs_are_allowed():
    info = check_query(f"SELECT * FROM <{GRAPH}> FROM NAMED lzg:p04-s05 {{ ?s ?p ?o }}", {GRAPH})
    assert info.from_graphs == (GRAPH,) and info.from_named_graphs == (GRAPH,)
    with pytest.raises(QueryRefused):
        check_query("SELECT * { ?s ?p ?o }", {GRAPH}, default_graph_uris=["http://evil/"])


def test_query_form():
    assert query_form("PREFIX a: <x:>\n# SELECT\nconstruct where { ?s ?p ?o }") == "CONSTRUCT"
    assert check_query("ASK {}", set()).form == "ASK"
    with pytest.raises(QuerySyntaxError):
        check_query("PREFIX a: <x:> SELECT", set())


def test_modes_for_service():
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> {} }"
    with pytest.raises(QueryRefused, match="--allow-service"):
        check_query(query, set(), policy=Policy.query())
    assert check_query(query, set(), policy=Policy.query(allow_service=True)).services
    assert check_query(query, set(), policy=Policy.federate({"http://127.0.0.1:9/sparql"})).services
    with pytest.raises(QueryRefused, match="variable endpoint"):
        check_query("SELECT * { VALUES ?e { <http://127.0.0.1:9/sparql> } SERVICE ?e {} }", set(),
                    policy=Policy.federate({"http://127.0.0.1:9/sparql"}))


def test_from_is_honoured(store):
    # FROM picks one graph; without it the default graph is the union of all graphs.
    text = "SELECT (COUNT(*) AS ?n) FROM lzg:p04-s05 { ?s ?p ?o }"
    one = json.loads(run(store, QueryRequest(text)).body)["results"]["bindings"][0]["n"]["value"]
    every = json.loads(run(store, QueryRequest("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")).body)
    assert 0 < int(one) < int(every["results"]["bindings"][0]["n"]["value"])


def test_execute_select_with_predeclared_prefixes(store):
    answer = run(store, QueryRequest("SELECT ?l { lz:liugong rdfs:label ?l } ORDER BY ?l"))
    body = json.loads(answer.body)
    assert [b["l"]["value"] for b in body["results"]["bindings"]] == ["LiuGong", "柳工"]


def test_lang_keeps_the_chosen_labels_and_unique_text(store):
    query = ("SELECT ?s ?label ?text { ?s rdfs:label ?label ; lzo:makes ?x . "
             "GRAPH ?g { ?s lzo:makes ?x } ?g prov:wasDerivedFrom ?p . ?p prov:value ?text }")
    rows = json.loads(run(store, QueryRequest(query, lang="en")).body)["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["LiuGong"]
    assert rows[0]["text"]["value"].startswith("柳钢")  # zh-only text is kept
    for fmt in ("csv", "tsv", "xml"):
        body = run(store, QueryRequest(query, format=fmt, lang="zh")).body.decode()
        assert "柳工" in body and "LiuGong" not in body


def test_syntax_error_has_position(store):
    with pytest.raises(QuerySyntaxError) as caught:
        run(store, QueryRequest("SELECT *\nWHERE { ?s ?p }"))
    assert caught.value.line == 2 and caught.value.column is not None


def test_result_limit(store):
    with pytest.raises(ResultTooLarge):
        run(store, QueryRequest("SELECT * { ?s ?p ?o }", max_result_bytes=1000))


def test_format_must_fit_the_form(store):
    with pytest.raises(QueryError, match="cannot be written as turtle"):
        run(store, QueryRequest("SELECT * { ?s ?p ?o }", format="turtle"))


def _traceback_length(error: BaseException) -> int:
    length, tb = 0, error.__traceback__
    while tb is not None:
        length, tb = length + 1, tb.tb_next
    return length


def test_a_kept_refusal_does_not_gather_the_tracebacks_of_its_repeats():
    """The attack bench's repeated 63 KB query grew the server by ~50 KB a request: the cached
    refusal, raised again and again, kept every raise's traceback and its frames' locals."""
    policy = Policy.serve()
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    lengths, seen = [], []
    for _ in range(50):
        with pytest.raises(QueryRefused) as caught:
            policy.check(query)
        lengths.append(_traceback_length(caught.value))
        seen.append(caught.value)
    assert max(lengths) == lengths[0], lengths
    assert len({id(error) for error in seen}) == len(seen)  # a fresh error each time
    kept = [value for value in policy._cache._entries.values() if isinstance(value, Exception)]
    assert kept and all(error.__traceback__ is None and error.__context__ is None
                        for error in kept)
