"""Federated queries: SERVICE reaches only allow-listed endpoints (a second local endpoint here)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.core.errors import InputError
from liuzhou_kg.sparql.federation import check_services, federated_query, load_allow_list
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.sparql.errors import QueryRefused
from liuzhou_kg.sparql.large_stack import on_large_stack
from liuzhou_kg.sparql.policy import Policy

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "federation"))
from endpoint import Endpoint  # noqa: E402

REPO = Layout.default().repo

NANNING = """@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/nanning/city> rdfs:label "南宁市"@zh ;
    <http://example.org/nanning/neighbourOf> lz:liuzhou .
"""
QUERY = """SELECT ?city ?label WHERE {
  SERVICE <%s> { ?city <http://example.org/nanning/neighbourOf> lz:liuzhou ; rdfs:label ?n }
  lz:liuzhou rdfs:label ?label FILTER(LANG(?label) = "zh")
}"""


@pytest.fixture(scope="module")
def second_endpoint():
    remote = ox.Store()
    remote.load(NANNING, format=ox.RdfFormat.TURTLE)
    with Endpoint(remote) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def store(built_dist):
    from liuzhou_kg.store.reader import open_store

    return open_store(built_dist / "store")  # the store folder's current generation


def config(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "federation.yaml"
    path.write_text("federation:\n  allow:\n" + "".join(f"    - {u}\n" for u in urls) if urls
                    else "federation: {}\n", encoding="utf-8")
    return path


def test_allowed_service_joins_the_second_endpoint(store, second_endpoint, tmp_path):
    allow = load_allow_list(config(tmp_path, second_endpoint.url))
    answer = federated_query(store, QUERY % second_endpoint.url, allow, "json")
    rows = list(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON))
    assert [(r["city"].value, r["label"].value) for r in rows] == [("http://example.org/nanning/city", "柳州市")]
    assert second_endpoint.requests  # the second endpoint was asked


def test_federation_is_off_without_configuration(store, second_endpoint):
    count = len(second_endpoint.requests)
    with pytest.raises(InputError, match="federation is off"):
        federated_query(store, QUERY % second_endpoint.url, load_allow_list(None))
    assert len(second_endpoint.requests) == count


def test_endpoints_not_on_the_list_are_refused_before_any_request(store, second_endpoint, tmp_path):
    allow = load_allow_list(config(tmp_path, "http://127.0.0.1:1/other"))
    count = len(second_endpoint.requests)
    with pytest.raises(InputError) as err:
        federated_query(store, QUERY % second_endpoint.url, allow)
    assert f"SERVICE <{second_endpoint.url}> is not on the allow-list" in str(err.value)
    assert len(second_endpoint.requests) == count


@pytest.mark.parametrize("query, refused", [
    ("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }", "variable endpoint"),
    ("PREFIX e: <http://evil.example/>\nSELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
     "SERVICE <http://evil.example/sparql>"),
    ("BASE <http://evil.example/>\nSELECT * WHERE { SERVICE SILENT <sparql> { ?s ?p ?o } }",
     "SERVICE <http://evil.example/sparql>"),
    ("LOAD <http://evil.example/data.ttl>", "SPARQL Update"),
    ("PREFIX : <http://evil.example/>\nSELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
     "SERVICE <http://evil.example/sparql>"),
    ("SELECT * WHERE { SERVIC\\u0045 <http://evil.example/sparql> { ?s ?p ?o } }",
     "SERVICE <http://evil.example/sparql>"),
])
def test_tricks_are_refused(query, refused):
    with pytest.raises(InputError, match=refused):
        check_services(query, {"http://127.0.0.1:3030/sparql"})


def test_service_words_in_strings_and_comments_are_not_services():
    query = 'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" } # SERVICE <http://y/>'
    assert check_services(query, set()) == []


def test_the_public_endpoint_policy_still_refuses_service(second_endpoint):
    with pytest.raises(QueryRefused):
        on_large_stack(Policy.serve().check, QUERY % second_endpoint.url, frozenset())


def test_bad_configuration_is_reported(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("federation:\n  allow: [ftp://example.org/]\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an http"):
        load_allow_list(path)
    path.write_text("federation:\n  allow: [\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_allow_list(path)
    assert err.value.problems[0].line is not None


def test_cli_federate(built_dist, second_endpoint, tmp_path):
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    query = tmp_path / "q.rq"
    query.write_text(QUERY % second_endpoint.url, encoding="utf-8")
    base = [sys.executable, "-m", "liuzhou_kg.cli", "federate", "-f", str(query),
            "--store", str(built_dist / "store")]
    proc = subprocess.run(base + ["--config", str(config(tmp_path, second_endpoint.url))], cwd=REPO,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "柳州市" in proc.stdout and "http://example.org/nanning/city" in proc.stdout
    proc = subprocess.run(base, cwd=REPO, env={k: v for k, v in env.items() if k != "LIUZHOU_KG_CONFIG"},
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2 and "federation is off" in proc.stderr
