"""Every parser's error becomes Problem(file, line, column, message) in one place,
liuzhou_kg.core.errors. Each case feeds broken input through the code that reads that kind of file
and checks file:line:column, so a parser whose report stops being understood fails here."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.core.errors import InputError, Problem


def _problem(call, *args) -> Problem:
    with pytest.raises(InputError) as raised:
        call(*args)
    (problem,) = raised.value.problems
    return problem


def _where(problem: Problem) -> tuple:
    return Path(problem.file).name, problem.line, problem.column


def test_oxigraph_turtle_in_the_build(tmp_path):
    from liuzhou_kg.core.rdfio import parse_turtle_file

    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix a: <http://a/> .\na:x a:y a:z .\na:x a:y "unterminated .\n', encoding="utf-8")
    problem = _problem(parse_turtle_file, bad)
    assert _where(problem) == ("bad.ttl", 3, 9)
    assert problem.message == "malformed Turtle: Unexpected end of file"


def test_oxigraph_trig_as_a_data_file(tmp_path):
    from liuzhou_kg.store.load import load_memory_store

    bad = tmp_path / "bad.trig"
    bad.write_text('@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .\nlz:a lz:b zz:c .\n',
                   encoding="utf-8")
    problem = _problem(load_memory_store, bad)
    assert _where(problem) == ("bad.trig", 2, 11)
    assert problem.message == "The prefix zz: has not been declared"


def test_oxigraph_n_triples_in_an_import(tmp_path):
    from liuzhou_kg.store.imports.rdf_input import syntax_problem

    try:
        list(ox.parse(b"<http://a/x> <http://a/y> <http://a/z> .\n<a> <b> .\n",
                      format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as err:
        problem = syntax_problem(tmp_path / "x.nt", err)
    assert _where(problem) == ("x.nt", 2, 1)
    assert problem.message == "RDF syntax error: No scheme found in an absolute IRI"


def test_oxigraph_sparql_in_a_check(tmp_path):
    from liuzhou_kg.build.validate import run_checks

    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "bad-violation.rq").write_text("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER( }",
                                             encoding="utf-8")
    problem = _problem(run_checks, b"", checks)
    assert _where(problem) == ("bad-violation.rq", 3, 12)  # Oxigraph names the end of the text
    assert problem.message.startswith("malformed SPARQL: expected one of")


def test_the_query_paths_own_position_is_not_repeated_in_the_message(tmp_path):
    from liuzhou_kg.core.errors import query_problem
    from liuzhou_kg.sparql.errors import QuerySyntaxError

    problem = query_problem(tmp_path / "q.rq", QuerySyntaxError("expected OPTIONAL", 4, 4), "syntax error: ")
    assert str(problem) == f"{tmp_path / 'q.rq'}:4:4: syntax error: expected OPTIONAL"


def test_pyparsing_sparql_in_the_policy():
    from liuzhou_kg.core.errors import pyparsing_position
    from rdflib.plugins.sparql.parser import parseQuery

    with pytest.raises(Exception) as raised:
        parseQuery('SELECT * WHERE {\n  ?s ?p ?o .\n  ?s ?p "x"@@ }')
    line, column, message = pyparsing_position(raised.value)
    assert (line, column) == (3, 12) and "line:" not in message


def test_yaml_in_the_explorer_settings(tmp_path):
    from liuzhou_kg.explore.config import load_config

    bad = tmp_path / "explorer.yaml"
    bad.write_text("graphs:\n  ontology: lzg:ontology\n  provenance: [lzg:provenance\n", encoding="utf-8")
    problem = _problem(load_config, bad)
    assert _where(problem) == ("explorer.yaml", 4, 1)
    assert problem.message.startswith("malformed YAML: ")


def test_yaml_in_the_fact_records(tmp_path):
    from liuzhou_kg.build.records import _load_yaml

    bad = tmp_path / "99-bad.yaml"
    bad.write_text("- about: liugong\n  quote: a: b\n", encoding="utf-8")
    problem = _problem(_load_yaml, bad)
    assert _where(problem) == ("99-bad.yaml", 2, 11)
    assert problem.message == "malformed YAML: mapping values are not allowed here"


def test_expat_in_an_rdf_xml_import(tmp_path):
    from liuzhou_kg.store.imports.limits import check_rdf_file

    bad = tmp_path / "bad.rdf"
    bad.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                   " <rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
    problem = _problem(check_rdf_file, bad, ox.RdfFormat.RDF_XML)
    assert _where(problem) == ("bad.rdf", 3, 3)
    assert problem.message == "not well-formed XML: mismatched tag"


def test_rdflib_turtle_in_the_verified_links(tmp_path):
    from liuzhou_kg.link import verified_links_graph

    (tmp_path / "links.ttl").write_text('<http://a/x> <http://a/y> zz:q .\n', encoding="utf-8")
    problem = _problem(verified_links_graph, tmp_path)
    assert _where(problem) == ("links.ttl", 1, 27)
    assert problem.message == 'bad Turtle: Prefix "zz:" not bound'
