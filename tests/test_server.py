"""The SPARQL 1.1 endpoint, exercised over real HTTP: `liuzhou-kg serve` runs as a subprocess.

Real clients (SPARQLWrapper) for the positive cases, raw HTTP for the W3C protocol test suite's
negative cases, the time limit, a load of 200 requests at concurrency 20, and SSRF checks with a
local listener that must receive no connection at all.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "query" / "mini.trig"
TIMEOUT = 2.0
MAX_RESULT_BYTES = 30_000
MAX_BODY_BYTES = 100_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(*args: str):
    """Start `liuzhou-kg serve` on a free port; yield its base URL and process."""
    port = free_port()
    env = {**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "liuzhou_kg.cli", "serve", "--port", str(port), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited: " + process.stderr.read().decode("utf-8", "replace"))
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server():
    with running_server("--data", str(FIXTURE), "--timeout", str(TIMEOUT), "--workers", "3",
                        "--max-result-bytes", str(MAX_RESULT_BYTES),
                        "--max-body-bytes", str(MAX_BODY_BYTES)) as (url, process):
        yield url, process


@pytest.fixture(scope="module")
def url(server):
    return server[0]


LIUGONG_LABELS = "SELECT ?label WHERE { lz:liugong rdfs:label ?label } ORDER BY ?label"


# --- real clients -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_sparqlwrapper_select(url, method, fmt):
    from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, XML, SPARQLWrapper

    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(LIUGONG_LABELS)
    client.setMethod(GET if method == "GET" else POST)
    if method == "POSTDIRECTLY":
        client.setRequestMethod(POSTDIRECTLY)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV}[fmt])
    result = client.query()
    content_type = result.response.headers["Content-Type"]
    converted = result.convert()
    if fmt == "json":
        assert content_type.startswith("application/sparql-results+json")
        labels = [b["label"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == "xml":
        assert content_type.startswith("application/sparql-results+xml")
        labels = [node.firstChild.data for node in converted.getElementsByTagName("literal")]
    else:
        assert content_type.startswith("text/csv")
        labels = [row["label"] for row in csv.DictReader(io.StringIO(converted.decode("utf-8")))]
    assert labels == ["LiuGong", "柳工"]


def test_sparqlwrapper_construct_turtle(url):
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    client = SPARQLWrapper(url + "/sparql")
    client.setQuery("CONSTRUCT WHERE { lz:liugong rdfs:label ?l }")
    client.setReturnFormat(TURTLE)
    body = client.query().convert()
    import rdflib

    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert {str(o) for o in graph.objects()} == {"LiuGong", "柳工"}


@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_results_content_negotiation(url, accept, media):
    response = httpx.get(url + "/sparql", params={"query": LIUGONG_LABELS},
                         headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "柳工" in response.text
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("accept,media,parse_as", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
])
def test_graph_content_negotiation(url, accept, media, parse_as):
    import rdflib

    response = httpx.post(url + "/sparql", content="DESCRIBE lz:liugong".encode(),
                          headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=response.text, format=parse_as)
    assert (rdflib.URIRef("https://w3id.org/liuzhou-kg/resource/liugong"), rdflib.RDFS.label,
            rdflib.Literal("柳工", lang="zh")) in graph


def test_unacceptable_type_is_406(url):
    response = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                         headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_ask_and_form_post(url):
    response = httpx.post(url + "/sparql", data={"query": "ASK { lz:liugong a lzo:Enterprise }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_service_description(url):
    import rdflib

    response = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(url + "/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph


def test_named_graph_dataset_parameters(url):
    query = "SELECT ?s WHERE { ?s a lzo:Enterprise }"
    allowed = httpx.get(url + "/sparql", params={
        "query": query, "default-graph-uri": "https://w3id.org/liuzhou-kg/graph/p08-s01"})
    assert allowed.status_code == 200
    assert allowed.json()["results"]["bindings"] == []
    fact_graph = httpx.get(url + "/sparql", params={
        "query": query, "default-graph-uri": "https://w3id.org/liuzhou-kg/graph/p04-s05"})
    assert [b["s"]["value"] for b in fact_graph.json()["results"]["bindings"]] == [
        "https://w3id.org/liuzhou-kg/resource/liugong"]


# --- W3C SPARQL 1.1 Protocol negative cases ----------------------------------------------------

NEGATIVE = {
    "query via PUT": ("PUT", {}, {"Content-Type": "application/sparql-query"}, b"ASK {}"),
    "query via DELETE": ("DELETE", {"query": "ASK {}"}, {}, b""),
    "missing form type": ("POST", {}, {}, b"query=ASK%20%7B%7D"),
    "missing direct type": ("POST", {}, {}, b"ASK {}"),
    "wrong media type": ("POST", {}, {"Content-Type": "text/plain"}, b"ASK {}"),
    "non-UTF-8 charset": ("POST", {}, {"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
                          "ASK { ?s ?p \"é\" }".encode("latin-1")),
    "non-UTF-8 direct body": ("POST", {}, {"Content-Type": "application/sparql-query"},
                              "ASK { ?s ?p \"é\" }".encode("latin-1")),
    "non-UTF-8 form body": ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"},
                            b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%E9%22%20%7D"),
    "non-UTF-8 URL": ("GET", None, {}, b""),
    "multiple queries GET": ("GET", [("query", "ASK {}"), ("query", "ASK {}")], {}, b""),
    "multiple queries form": ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"},
                              b"query=ASK%7B%7D&query=ASK%7B%7D"),
    "query in URL and body": ("POST", {"query": "ASK {}"}, {"Content-Type": "application/sparql-query"},
                              b"ASK {}"),
    "update by GET": ("GET", {"update": "CLEAR ALL"}, {}, b""),
    "update by form": ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"},
                       b"update=CLEAR%20ALL"),
    "update direct": ("POST", {}, {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"),
    "update in query parameter": ("GET", {"query": "INSERT DATA { lz:a lz:b lz:c }"}, {}, b""),
    "DELETE WHERE": ("GET", {"query": "DELETE WHERE { ?s ?p ?o }"}, {}, b""),
    "LOAD": ("GET", {"query": "LOAD <http://example.org/data.ttl>"}, {}, b""),
    "syntax error": ("GET", {"query": "SELECT * WHERE { ?s ?p }"}, {}, b""),
    "syntax error form": ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"},
                          b"query=SELECT%20%2A%20WHERE%20%7B%20%3Fs%20%7D"),
    "empty query": ("GET", {"query": ""}, {}, b""),
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_protocol_negative_cases_get_4xx(url, name):
    method, params, headers, body = NEGATIVE[name]
    target = url + "/sparql"
    if params is None:  # a percent-encoded byte that is not UTF-8
        target += "?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%E9%22%20%7D"
        params = {}
    response = httpx.request(method, target, params=params or None, headers=headers,
                             content=body)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert "Traceback" not in response.text


def test_syntax_error_names_line_and_column(url):
    response = httpx.get(url + "/sparql", params={"query": "SELECT *\nWHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert re.search(r"line 4, column \d+", response.text)


def test_refusal_names_line_and_column(url):
    query = "PREFIX : <http://127.0.0.1:9/>\nSELECT * WHERE {\n  SERVICE:x { ?s ?p ?o } }"
    for response in (httpx.get(url + "/sparql", params={"query": query}),
                     httpx.post(url + "/sparql", content=query.encode("utf-8"),
                                headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 403
        assert response.text.startswith("query refused: line 3, column 3: SERVICE is refused")
    response = httpx.get(url + "/sparql", params={
        "query": "SELECT *\n  FROM <file:///etc/passwd>\nWHERE { ?s ?p ?o }"})
    assert response.status_code == 403
    assert response.text.startswith("query refused: line 2, column 3: FROM <file:///etc/passwd>")


def test_body_limit_is_413(url):
    query = "ASK {}" + " " * (MAX_BODY_BYTES + 10)
    response = httpx.post(url + "/sparql", content=query.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_result_limit_is_an_explicit_error(url):
    response = httpx.get(url + "/sparql", params={
        "query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 5000"})
    assert response.status_code == 400
    assert "result too large" in response.text
    assert str(MAX_RESULT_BYTES) in response.text


# --- read-only and offline: no outgoing request, no local file ---------------------------------

class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.socket.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def ssrf_queries(port: int) -> dict[str, dict]:
    base = f"http://127.0.0.1:{port}"
    return {
        "SERVICE": {"query": f"SELECT * WHERE {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}"},
        "SERVICE SILENT": {"query": f"SELECT * WHERE {{ SERVICE SILENT <{base}/sparql> {{ ?s ?p ?o }} }}"},
        "service lower case": {"query": f"select * {{ service <{base}/x> {{ ?s ?p ?o }} }}"},
        "SERVICE by prefixed name": {"query": f"PREFIX e: <{base}/>\nSELECT * {{ SERVICE e:sparql {{ ?s ?p ?o }} }}"},
        "LOAD": {"query": f"LOAD <{base}/data.ttl>"},
        "LOAD INTO": {"query": f"LOAD <{base}/data.ttl> INTO GRAPH <{base}/g>"},
        "FROM": {"query": f"SELECT * FROM <{base}/data.ttl> WHERE {{ ?s ?p ?o }}"},
        "FROM NAMED": {"query": f"SELECT * FROM NAMED <{base}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        "FROM with BASE": {"query": f"BASE <{base}/>\nSELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}"},
        "default-graph-uri": {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": f"{base}/g.ttl"},
        "named-graph-uri": {"query": "SELECT * WHERE { ?s ?p ?o }", "named-graph-uri": f"{base}/g.ttl"},
        "FROM file": {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"},
        "FROM NAMED file": {"query": "SELECT * FROM NAMED <file:///etc/hostname> WHERE { GRAPH ?g { ?s ?p ?o } }"},
    }


@pytest.mark.parametrize("name", sorted(ssrf_queries(1)))
def test_no_outgoing_request_and_no_file_read(url, listener, name):
    params = ssrf_queries(listener.port)[name]
    for method in ("GET", "POST"):
        if method == "GET":
            response = httpx.get(url + "/sparql", params=params)
        else:
            response = httpx.post(url + "/sparql", data=params)
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert "root:" not in response.text  # nothing of /etc/passwd
        assert "Traceback" not in response.text
    time.sleep(0.3)
    assert listener.connections == 0


def test_keywords_inside_literals_and_comments_are_not_refused(url):
    query = ('SELECT ("SERVICE <http://x> LOAD FROM" AS ?text) WHERE { } # INSERT DATA LOAD\n')
    response = httpx.get(url + "/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["text"]["value"].startswith("SERVICE")


# --- the time limit ----------------------------------------------------------------------------

CARTESIAN = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
             "?m ?n1 ?o . ?p ?q ?r }")


def test_timeout_stops_the_query_while_others_are_answered(server):
    """A query at the time limit is stopped for real (its worker is killed and replaced) while
    another client is answered. No CPU-share or latency threshold: those depend on the machine's
    load, so the test asserts order and process identity instead (figures are in bench/)."""
    from processes import living_descendants

    url, process = server
    results: dict = {}
    workers_before = living_descendants(process.pid)

    def slow():
        started = time.monotonic()
        # From its own address: a client whose query reached the time limit waits a while before
        # its next one (test_server_limits.py), and this test's client asks again below.
        with client_from("127.0.0.99") as client:
            results["slow"] = client.get(url + "/sparql", params={"query": CARTESIAN})
        results["slow_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the cartesian product is running now
    ask = httpx.get(url + "/sparql", params={"query": "ASK { lz:liugong a lzo:Enterprise }"},
                    timeout=30)
    answered_while_slow_ran = thread.is_alive()
    thread.join(60)
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    assert answered_while_slow_ran, "the ASK waited for the slow query instead of being answered"
    slow_response = results["slow"]
    assert slow_response.status_code == 503
    assert "time limit" in slow_response.text
    assert results["slow_seconds"] >= TIMEOUT
    # The query was really stopped: exactly one worker of before is gone, and a new one took its
    # place...
    deadline = time.monotonic() + 10
    while True:
        alive = living_descendants(process.pid)
        if len(workers_before - alive) == 1 and len(alive) >= len(workers_before) or \
                time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(workers_before - alive) == 1, (workers_before, alive)
    assert len(alive) >= len(workers_before)
    # (A killed process uses no CPU; measuring CPU shares here would only measure the machine's
    # load and the replacement worker's start-up.)
    # The service still answers.
    again = httpx.get(url + "/sparql", params={"query": "ASK {}"})
    assert again.status_code == 200


# --- load --------------------------------------------------------------------------------------

def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any of 127.0.0.0/8 on Linux), so
    one test can be several clients as the endpoint's per-client limits see them."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_200_requests_from_20_clients_at_once(url):
    expected = sorted(["LiuGong", "柳工"])
    queries = [LIUGONG_LABELS, "ASK { lz:liugong lzo:locatedIn lz:liuzhou }",
               "SELECT (COUNT(*) AS ?n) WHERE { ?s a lzo:Passage }"]
    clients = [client_from(f"127.0.0.{10 + i}") for i in range(20)]

    def one(i: int):
        query = queries[i % 3]
        response = clients[i % 20].post(url + "/sparql", data={"query": query},
                                        headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        body = response.json()
        if i % 3 == 0:
            assert sorted(b["label"]["value"] for b in body["results"]["bindings"]) == expected
        elif i % 3 == 1:
            assert body["boolean"] is True
        else:
            assert body["results"]["bindings"][0]["n"]["value"] == "4"
        return True

    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            # client i % 20 sends requests i, i + 20, ...: one at a time per client
            outcomes = list(pool.map(lambda c: all(one(i) for i in range(c, 200, 20)), range(20)))
    finally:
        for client in clients:
            client.close()
    assert outcomes == [True] * 20


# --- linked-data pages and the query page ------------------------------------------------------

def test_resource_html_has_labels_properties_neighbours_and_highlighted_source(url):
    response = httpx.get(url + "/resource/liugong", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    html = response.text
    assert "柳工" in html and "LiuGong" in html
    assert 'href="/resource/liuzhou"' in html  # neighbour
    assert 'href="/ontology#makes"' in html  # property
    assert "<mark>柳钢钢材产量迈上1300 万吨台阶，柳工大吨位装载机国内市场占有率继续保持首位。</mark>" in html


def test_source_sentence_is_highlighted_inside_its_paragraph(url):
    html = httpx.get(url + "/resource/obs-gdp-2014", headers={"Accept": "text/html"}).text
    first = "2014 年，面对错综复杂和异常严峻的发展形势，柳州保持了经济持续健康发展和社会大局的和谐稳定。"
    assert f"{first}<mark>全市实现地区生产总值 2208.51亿元，增长 8.5%；</mark>" in html


def test_passage_page_lists_the_facts_it_states(url):
    html = httpx.get(url + "/passage/p04-s05", headers={"Accept": "text/html"}).text
    assert "<mark>柳钢钢材产量" in html
    assert 'href="/resource/large-wheel-loader"' in html


@pytest.mark.parametrize("accept,parse_as", [("text/turtle", "turtle"),
                                             ("application/ld+json", "json-ld"),
                                             ("application/n-triples", "nt")])
def test_resource_rdf_by_accept(url, accept, parse_as):
    import rdflib

    response = httpx.get(url + "/resource/liugong", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    graph = rdflib.Graph().parse(data=response.text, format=parse_as)
    liugong = rdflib.URIRef("https://w3id.org/liuzhou-kg/resource/liugong")
    assert (liugong, rdflib.URIRef("https://w3id.org/liuzhou-kg/ontology#locatedIn"),
            rdflib.URIRef("https://w3id.org/liuzhou-kg/resource/liuzhou")) in graph


def test_ontology_and_passage_iris_dereference(url):
    import rdflib

    onto = httpx.get(url + "/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=onto.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/liuzhou-kg/ontology#makes"), rdflib.RDFS.label,
            rdflib.Literal("生产", lang="zh")) in graph
    html = httpx.get(url + "/ontology", headers={"Accept": "text/html"}).text
    assert 'id="Enterprise"' in html
    passage = httpx.get(url + "/passage/p03-s02", headers={"Accept": "application/n-triples"})
    assert passage.status_code == 200 and "2208.51" in passage.text


def test_unknown_resource_is_404(url):
    assert httpx.get(url + "/resource/no-such-thing").status_code == 404


def test_html_escapes_data(url):
    html = httpx.get(url + "/resource/liugong", headers={"Accept": "text/html"}).text
    assert "<script" not in html  # the resource page runs no script at all


def test_query_page_bundles_editor_and_questions(url):
    html = httpx.get(url + "/").text
    assert '/assets/sparql-editor/yasgui.min.js' in html
    assert "http://" not in html.split("<main>")[0] and "https://" not in html.split("<main>")[0]
    for asset in ("yasgui.min.js", "yasgui.min.css", "init.js", "site.css"):
        response = httpx.get(url + "/assets/sparql-editor/" + asset)
        assert response.status_code == 200 and len(response.content) > 100
    data = html.split('id="questions-data">')[1].split("</script>")[0]
    questions = json.loads(data)
    names = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
    assert [q["name"] for q in questions] == names


def test_linked_data_pages_read_all_graphs_and_show_a_repeated_triple_once():
    """The store has no union copy in its default graph: the pages read every named graph, and a
    triple that two graphs state (an import may repeat one of the build's) is shown once."""
    import pyoxigraph as ox

    from liuzhou_kg.server.pages import RDFS_LABEL, LinkedData

    x, y, z = (ox.NamedNode(f"https://w3id.org/liuzhou-kg/resource/{n}") for n in ("x", "y", "z"))
    p = ox.NamedNode("https://w3id.org/liuzhou-kg/ontology#relatedTo")
    g1, g2 = (ox.NamedNode(f"https://w3id.org/liuzhou-kg/graph/{n}") for n in ("p01-s01", "import/other"))
    store = ox.Store()
    for g in (g1, g2):
        store.extend([ox.Quad(x, RDFS_LABEL, ox.Literal("X", language="en"), g), ox.Quad(x, p, y, g),
                      ox.Quad(z, p, x, g)])
    pages = LinkedData(store)
    triples = pages.description([x.value])
    assert len(triples) == len(set(triples)) == 3
    block = pages.block(x.value, with_sources=False)
    assert block.en == ["X"]
    properties = {link.iri: values for link, values in block.properties}
    assert [v.text for v in properties[RDFS_LABEL.value]] == ["X"]
    assert [v.link.iri for v in properties[p.value]] == [y.value]
    assert [(s.iri, q.iri) for s, q in block.incoming] == [(z.value, p.value)]
