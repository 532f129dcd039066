"""Where a refusal points: the line and column of the refused construct, in every form.

The corpus (test_policy_corpus.py, ``where:``) checks the positions case by case; these tests
check the rest: the size limits, the structured form (attributes, ``to_dict``, the worker pipe),
that locating leaves rdflib's own grammar alone and works on several threads at once, that a
refusal without a position is still a refusal, and that the cold path never loads the locator.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
import threading

import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.sparql import locate
from liuzhou_kg.sparql.errors import QueryRefused, QuerySyntaxError, QueryTooComplex
from liuzhou_kg.sparql.federation import check_services
from liuzhou_kg.sparql.large_stack import on_large_stack
from liuzhou_kg.sparql.policy import Policy

SERVICE_ON_LINE_3 = "PREFIX : <http://127.0.0.1:9/>\nSELECT * WHERE {\n  SERVICE:x { ?s ?p ?o } }"


def refusal(text, policy=None, graphs=(), default_graph_uris=()):
    policy = policy or Policy.serve()
    with pytest.raises((QueryRefused, QueryTooComplex)) as caught:
        on_large_stack(policy.check, text, frozenset(graphs), tuple(default_graph_uris), (), False)
    return caught.value


def test_the_refusal_carries_its_position_in_every_form():
    err = refusal(SERVICE_ON_LINE_3, Policy.query())
    assert (err.line, err.column) == (3, 3)
    assert err.message == ("line 3, column 3: SERVICE is refused unless you ask for it "
                           "(--allow-service): it makes this process send requests to another "
                           "endpoint")
    assert err.reason.startswith("SERVICE is refused")
    assert err.to_dict() == {"error": "query refused", "message": err.reason, "line": 3,
                             "column": 3}
    again = pickle.loads(pickle.dumps(err))  # as it crosses the worker's pipe
    assert (type(again), again.line, again.column, again.message, again.to_dict()) == \
        (QueryRefused, 3, 3, err.message, err.to_dict())


def test_the_first_refused_construct_in_the_text_is_named():
    # In the algebra the second SERVICE comes first (the filter wraps the pattern); the refusal
    # still names the one that comes first in the text.
    text = ("SELECT * WHERE {\n  SERVICE <http://a.invalid/> { }\n"
            "  FILTER EXISTS { SERVICE <http://b.invalid/> { } } }")
    federate = Policy.federate({"http://c.invalid/"})
    err = refusal(text, federate)
    assert (err.line, err.column) == (2, 3) and "<http://a.invalid/>" in err.message
    err = refusal(text.replace("a.invalid", "c.invalid"), federate)
    assert (err.line, err.column) == (3, 19) and "<http://b.invalid/>" in err.message


def test_protocol_parameters_are_refused_without_a_position():
    err = refusal("SELECT * WHERE { ?s ?p ?o }", default_graph_uris=["http://x.invalid/g"])
    assert err.line is None and err.message.startswith("default-graph-uri <http://x.invalid/g>")
    assert "line" not in err.to_dict()


def test_size_limits_point_where_they_are_passed():
    err = refusal("SELECT *\nWHERE { ?s ?p ?o } # " + "x" * 60, Policy.serve(max_query_chars=50))
    assert (err.line, err.column) == (2, 42) and "characters long" in err.message
    text = "SELECT * WHERE {\n  " + "{ " * 5 + "(" + ")" + " }" * 5 + " }"
    err = refusal(text, Policy.serve(max_depth=4))
    assert (err.line, err.column) == (2, 9) and "opens level 5" in err.message


def test_federate_names_file_line_and_column():
    with pytest.raises(InputError) as caught:
        check_services("SELECT * WHERE {\n  SERVICE ?endpoint { } }", {"http://a.invalid/"})
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, 3)
    assert str(problem).startswith("<query>:2:3: SERVICE ?endpoint: a variable endpoint")


def test_locating_leaves_rdflibs_grammar_alone():
    from rdflib.plugins.sparql import parser

    actions = {name: list(getattr(parser, name).parseAction) for name in locate.MARKED}
    refusal(SERVICE_ON_LINE_3)
    refusal("SELECT * FROM <file:///etc/passwd> WHERE { }")
    refusal("LOAD <file:///etc/passwd>")
    assert {name: list(getattr(parser, name).parseAction) for name in locate.MARKED} == actions
    parsed = parser.parseQuery("SELECT * WHERE { SERVICE <http://a.invalid/> { } }")
    assert "ServiceGraphPattern" in repr(parsed) and "_at" not in repr(parsed)


def test_positions_on_several_threads_at_once():
    texts = {f"SELECT * WHERE {{{' ' * n}SERVICE <http://a.invalid/> {{ }} }}": 17 + n
             for n in range(6)}
    failures = []

    def locate_all():
        for _ in range(5):
            for text, column in texts.items():
                found = on_large_stack(locate.positions, text)
                if found.services != [(1, column)]:
                    failures.append((text, found.services))

    threads = [threading.Thread(target=locate_all) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures


def test_a_refusal_without_a_position_is_still_a_refusal(monkeypatch):
    def broken():
        raise RuntimeError("no grammar")

    monkeypatch.setattr(locate, "_get_grammar", broken)
    err = refusal("SELECT * WHERE { SERVICE <http://a.invalid/> { } }")
    assert err.line is None and err.message.startswith("SERVICE is refused")


def test_a_query_rdflib_cannot_translate_gets_the_engines_position():
    # The parser reads it, its translation stops at the undeclared prefix: the error still says
    # where, from the engine, which refuses the same text.
    with pytest.raises(QuerySyntaxError) as caught:
        on_large_stack(Policy.serve().check, "SELECT * FROM <x:g>\nWHERE { ?s nope:p ?o }",
                       frozenset(), (), (), False)
    assert caught.value.line == 2 and 12 <= caught.value.column <= 18  # at or after nope:p


def test_the_cold_path_never_loads_the_locator():
    code = ("import sys\nfrom liuzhou_kg.sparql.policy import Policy\n"
            "Policy.query().check('SELECT * WHERE { ?s ?p ?o }', None)\n"
            "print(sorted(m for m in ('rdflib', 'pyparsing', 'liuzhou_kg.sparql.locate') "
            "if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"
