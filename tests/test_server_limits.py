"""The endpoint's conventions and limits, each tried the way a client or an attacker would.

The server runs as a subprocess (`liuzhou-kg serve`) with small limits so that every attack is
cheap and bounded: CORS, the row limit, Accept negotiation, query and body caps, slow headers,
slow bodies, oversized headers, clients that never read their answer, per-client limits with
Retry-After, cancellation when the client leaves, shutdown with an unread answer, invalid IRIs on
linked-data routes, HEAD, the ontology's version IRI. Every wait is bounded by a socket timeout or
a deadline; no test asserts how fast something was. One test runs the server as ``nobody``.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from liuzhou_kg.sparql.errors import TooManyRows
from liuzhou_kg.sparql.execute import QueryRequest, execute
from liuzhou_kg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from liuzhou_kg.store.load import load_memory_store
from unprivileged import nobody_python

from test_server import FIXTURE, REPO, client_from, free_port

TIMEOUT = 4.0
MAX_ROWS = 5
MAX_QUERY_BYTES = 4000
MAX_BODY_BYTES = 16000
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
WRITE_TIMEOUT = 2.0
MAX_HEADER_BYTES = 4096
MAX_BUFFERED_BYTES = 20_000_000
LIMITS = ["--timeout", str(TIMEOUT), "--workers", "3", "--max-rows", str(MAX_ROWS),
          "--max-query-bytes", str(MAX_QUERY_BYTES), "--max-body-bytes", str(MAX_BODY_BYTES),
          "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT),
          "--write-timeout", str(WRITE_TIMEOUT), "--max-header-bytes", str(MAX_HEADER_BYTES),
          "--max-buffered-bytes", str(MAX_BUFFERED_BYTES), "--max-client-queries", "2",
          "--shutdown-timeout", "2", "--max-client-connections", "8"]
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n1 ?o . ?p ?q ?r }")


def big_answer_query(doublings: int) -> str:
    """One row whose value is 100 characters doubled ``doublings`` times (100 * 2**n bytes)."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(doublings))
    return f'SELECT ?s{doublings} WHERE {{ BIND("{"x" * 100}" AS ?s0) {binds} }}'


@contextlib.contextmanager
def serve(*args: str, prefix: tuple[str, ...] = (), cwd: Path = REPO, python: str = sys.executable,
          env: dict | None = None):
    """Run `liuzhou-kg serve` (optionally under ``prefix``, e.g. setpriv); yield (url, process)."""
    port = free_port()
    env = {**(env or os.environ), "LC_ALL": "C.UTF-8"}
    env.setdefault("PYTHONPATH", str(REPO))
    process = subprocess.Popen(
        [*prefix, python, "-m", "liuzhou_kg.cli", "serve", "--port", str(port), *args],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.extend(iter(process.stderr.readline, b"")),
                              daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                reader.join(5)
                raise RuntimeError("server exited: " + b"".join(stderr).decode("utf-8", "replace"))
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/sparql", params={"query": "ASK {}"},
                             timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 90 s")
            time.sleep(0.1)
        process.log = stderr  # type: ignore[attr-defined]
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(5)


@pytest.fixture(scope="module")
def server():
    with serve("--data", str(FIXTURE), *LIMITS) as running:
        yield running


@pytest.fixture(scope="module")
def url(server):
    return server[0]


def raw(url: str) -> socket.socket:
    host, port = url.rsplit("/", 1)[-1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=20)
    return sock


def read_until_closed(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    data = b""
    with contextlib.suppress(ConnectionResetError, socket.timeout):
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


# --- CORS -------------------------------------------------------------------------------------

def test_cors_allows_any_origin_by_default(url):
    response = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                         headers={"Origin": "https://notebook.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    # errors carry it too, so a browser client can read why
    bad = httpx.get(url + "/sparql", params={"query": "SELEC"},
                    headers={"Origin": "https://notebook.example"})
    assert bad.status_code == 400 and bad.headers["access-control-allow-origin"] == "*"
    post = httpx.post(url + "/sparql", content="ASK {}",
                      headers={"Origin": "https://notebook.example",
                               "Content-Type": "application/sparql-query"})
    assert post.status_code == 200 and post.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_for_a_sparql_query_post(url):
    response = httpx.options(url + "/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    plain = httpx.options(url + "/sparql")
    assert plain.status_code == 204 and "POST" in plain.headers["allow"]


def test_cors_origin_can_be_restricted():
    with serve("--data", str(FIXTURE), "--cors-origin", "https://allowed.example") as (url, _):
        allowed = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                            headers={"Origin": "https://allowed.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
        other = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                          headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = httpx.options(url + "/sparql", headers={
            "Origin": "https://other.example", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 400


def test_cors_origin_is_checked_on_the_command_line():
    done = subprocess.run([sys.executable, "-m", "liuzhou_kg.cli", "serve", "--data",
                           str(FIXTURE), "--cors-origin", "allowed.example/"],
                          cwd=REPO, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"--cors-origin" in done.stderr


# --- the row limit ----------------------------------------------------------------------------

def test_row_limit_refuses_a_longer_answer_and_never_cuts_it(url):
    rows = "SELECT ?n WHERE { VALUES ?n { %s } }"
    exact = httpx.get(url + "/sparql", params={"query": rows % " ".join(map(str, range(MAX_ROWS)))},
                      headers={"Accept": "application/sparql-results+json"})
    assert exact.status_code == 200
    assert len(exact.json()["results"]["bindings"]) == MAX_ROWS
    over = httpx.get(url + "/sparql",
                     params={"query": rows % " ".join(map(str, range(MAX_ROWS + 1)))},
                     headers={"Accept": "text/csv"})
    assert over.status_code == 400
    assert f"more than {MAX_ROWS} rows" in over.text and "LIMIT" in over.text
    triples = httpx.get(url + "/sparql", params={
        "query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert triples.status_code == 400 and "too many rows" in triples.text


def test_row_limit_in_execute():
    store = load_memory_store(FIXTURE)
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
    for fmt in ("json", "xml", "csv", "tsv"):
        limited = execute(store, QueryRequest(query, fmt, max_rows=3)).body.decode("utf-8")
        unlimited = execute(store, QueryRequest(query, fmt)).body.decode("utf-8")
        if fmt == "json":
            assert json.loads(limited) == json.loads(unlimited)
        elif fmt == "csv":
            assert limited.split() == unlimited.split()
        elif fmt == "tsv":  # TSV may write 1 or "1"^^xsd:integer; both are SPARQL 1.1 TSV
            assert len(limited.split()) == len(unlimited.split()) == 4
        with pytest.raises(TooManyRows):
            execute(store, QueryRequest(query, fmt, max_rows=2))
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 4"
    assert execute(store, QueryRequest(construct, "nt", max_rows=4)).body.count(b"\n") == 4
    with pytest.raises(TooManyRows):
        execute(store, QueryRequest(construct, "turtle", max_rows=3))


# --- Accept -----------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, graph, results", [
    ("text/*;q=0.5, text/turtle;q=0", "nt", "csv"),
    ("text/turtle;q=0, */*;q=0.1", "jsonld", "json"),
    ("application/sparql-results+json;q=0, */*", "turtle", "xml"),
    ("*/*;q=0", None, None),
    ("text/turtle", "turtle", None),
    ("application/sparql-results+xml;q=0.5, text/csv", None, "csv"),
    ("TEXT/CSV", None, "csv"),
    ("not a media range", None, None),
    (None, "turtle", "json"),
])
def test_accept_negotiation(accept, graph, results):
    chosen_graph = negotiate(accept, GRAPH_FORMATS)
    chosen_results = negotiate(accept, RESULT_FORMATS)
    assert (chosen_graph.name if chosen_graph else None) == graph
    assert (chosen_results.name if chosen_results else None) == results


def test_q_zero_is_respected_over_http(url):
    construct = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2"
    response = httpx.get(url + "/sparql", params={"query": construct},
                         headers={"Accept": "text/*;q=0.5, text/turtle;q=0"})
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/turtle")
    refused = httpx.get(url + "/sparql", params={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json;q=0, "
                                           "application/sparql-results+xml;q=0"})
    assert refused.status_code == 406


# --- sizes and read deadlines ----------------------------------------------------------------

def test_cjk_post_larger_than_the_query_cap_is_413_and_others_are_answered(url):
    query = "SELECT * WHERE {?s ?p ?o} " + "中" * 45_000  # 135 KB, as in the issue
    for content, headers in ((query.encode("utf-8"), {"Content-Type": "application/sparql-query"}),
                             ({"query": query}, {})):
        kwargs = {"content": content} if isinstance(content, bytes) else {"data": content}
        response = httpx.post(url + "/sparql", headers=headers, timeout=20, **kwargs)
        assert response.status_code == 413, response.text
    with raw(url) as sock:
        target = "/sparql?" + str(httpx.QueryParams({"query": query}))
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        reply = read_until_closed(sock, 4096)
    assert reply.startswith((b"HTTP/1.1 413", b"HTTP/1.1 414", b"HTTP/1.1 431")), reply[:100]
    just_over = "ASK {}" + " " * (MAX_QUERY_BYTES - 5)
    form = httpx.post(url + "/sparql", data={"query": just_over}, timeout=20)
    assert form.status_code == 413 and "query is longer" in form.text
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_declared_body_over_the_cap_is_refused_before_it_is_sent(url):
    with raw(url) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 1000000000\r\n\r\n")
        reply = read_until_closed(sock, 4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_slow_body_gets_408(url):
    with raw(url) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK")
        reply = read_until_closed(sock, 4096)  # bounded by the socket timeout (20 s)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]


def test_slow_loris_headers_are_cut_off(url):
    """A header byte every 0.25 s: the connection is closed after the header deadline, long
    before the trickle would end, and other clients are answered meanwhile."""
    line = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 400
    sent = 0
    closed_by_server = False
    with raw(url) as sock:
        sock.settimeout(0.25)
        deadline = time.monotonic() + HEADER_TIMEOUT + 15
        for byte in line:
            try:
                sock.sendall(bytes([byte]))
                sent += 1
                data = sock.recv(4096)
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    closed_by_server = True
                    break
            except socket.timeout:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed_by_server = True
                break
            if time.monotonic() > deadline:
                break
            if sent == 8:
                assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    assert closed_by_server and sent < len(line)


def test_one_client_cannot_hold_every_connection(url):
    """Idle connections from one address: past --max-client-connections (8 here) each new one is
    refused at once; another address is still served, and so is the first once it lets go."""
    source = ("127.0.0.20", 0)
    server_address = ("127.0.0.1", int(url.rsplit(":", 1)[1]))
    held = [socket.create_connection(server_address, timeout=20, source_address=source)
            for _ in range(8)]
    try:
        with socket.create_connection(server_address, timeout=20, source_address=source) as extra:
            reply = read_until_closed(extra, 4096)
        assert reply.startswith(b"HTTP/1.1 503")
        with client_from("127.0.0.21") as other:
            assert other.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)
    with client_from("127.0.0.20") as again:
        assert again.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_header_size_limit(url):
    with raw(url) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (2 * MAX_HEADER_BYTES)
                     + b"\r\n\r\n")
        reply = read_until_closed(sock, 4096)
    assert reply.startswith(b"HTTP/1.1 4"), reply[:100]


# --- clients that never read ---------------------------------------------------------------

def _request_without_reading(url: str, query: str) -> socket.socket:
    sock = raw(url)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    target = "/sparql?" + str(httpx.QueryParams({"query": query}))
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode())
    return sock


def _status_line(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def test_unread_answers_are_bounded_and_dropped_after_the_write_timeout(server):
    """Answers of 13 MB each: the first is held for its client, the second would pass the
    20 MB budget and gets 503 with Retry-After; the stalled reader is cut off after the write
    timeout, and then the budget is free again."""
    url, process = server
    query = big_answer_query(17)  # 100 * 2**17 = 13.1 MB
    first = _request_without_reading(url, query)
    assert _status_line(first).startswith(b"HTTP/1.1 200")
    time.sleep(0.5)
    second = raw(url)
    target = "/sparql?" + str(httpx.QueryParams({"query": query}))
    second.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode())
    reply = read_until_closed(second, 4096)
    second.close()
    assert reply.startswith(b"HTTP/1.1 503") and b"retry-after:" in reply.lower()
    # The first client still has not read; after the write timeout the server drops its
    # connection and the answer it held (the kernel may still deliver what it had queued).
    import psutil

    time.sleep(WRITE_TIMEOUT + 2)
    port = first.getsockname()[1]
    established = [c for c in psutil.Process(process.pid).net_connections(kind="tcp")
                   if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED]
    assert established == []
    again = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"},
                      timeout=60)
    first.close()
    assert again.status_code == 200 and len(again.content) > 13_000_000


def test_sigterm_does_not_wait_for_a_client_that_never_reads():
    with serve("--data", str(FIXTURE), *LIMITS) as (url, process):
        sock = _request_without_reading(url, big_answer_query(17))
        assert _status_line(sock).startswith(b"HTTP/1.1 200")
        process.send_signal(signal.SIGTERM)
        # bounded: the shutdown deadline (2 s) and the write timeout (2 s) both end it
        process.wait(30)
        sock.close()
    assert process.returncode is not None


# --- fairness: per-client limits, Retry-After, cancellation --------------------------------

def test_two_clients_looping_slow_queries_leave_a_worker_for_a_third(url):
    stop = threading.Event()
    statuses: list[int] = []

    def loop(address: str):
        with client_from(address) as client:
            while not stop.is_set():
                statuses.append(client.get(url + "/sparql", params={"query": SLOW}).status_code)

    threads = [threading.Thread(target=loop, args=(a,)) for a in ("127.0.0.2", "127.0.0.3")]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        with client_from("127.0.0.4") as prober:
            answers = [prober.get(url + "/sparql", params={"query": "ASK {}"}) for _ in range(5)]
    finally:
        stop.set()
        for thread in threads:
            thread.join(3 * TIMEOUT + 10)
    assert [a.status_code for a in answers] == [200] * 5
    # each slow query ran to its time limit (503); the next one of that client then had to wait
    assert 503 in statuses and set(statuses) <= {503, 429}


def test_a_client_whose_query_reached_the_time_limit_waits_before_the_next(url):
    with client_from("127.0.0.8") as client:
        first = client.get(url + "/sparql", params={"query": SLOW})
        cheap = client.get(url + "/sparql", params={"query": "ASK {}"})
    assert first.status_code == 503 and "time limit" in first.text
    assert cheap.status_code == 429 and int(cheap.headers["retry-after"]) >= 1
    assert "time limit" in cheap.text
    with client_from("127.0.0.9") as other:  # nobody else is held back
        assert other.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_per_client_limit_is_429_with_retry_after(url):
    with client_from("127.0.0.5") as client:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(client.get, url + "/sparql", params={"query": SLOW})
                       for _ in range(3)]
            responses = [f.result() for f in futures]
    codes = sorted(r.status_code for r in responses)
    assert 429 in codes, codes
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert "client" in refused.text


def test_saturated_pool_is_503_with_retry_after():
    # One worker, and a client waits for it at most --queue-timeout seconds.
    with serve("--data", str(FIXTURE), "--timeout", str(TIMEOUT), "--workers", "1",
               "--queue-timeout", "1") as (url, _):
        with client_from("127.0.0.6") as a, client_from("127.0.0.7") as b:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                slow = pool.submit(a.get, url + "/sparql", params={"query": SLOW})
                time.sleep(0.5)
                waiting = b.get(url + "/sparql", params={"query": "ASK {}"})
                slow.result()
    assert waiting.status_code == 503
    assert int(waiting.headers["retry-after"]) >= 1


def test_a_query_whose_client_leaves_is_cancelled(server):
    """The client closes its connection while its slow query runs: the worker running it is
    stopped (killed and replaced) before the query's time limit would have stopped it."""
    from processes import living_descendants

    url, process = server
    before = living_descendants(process.pid)
    with raw(url) as sock:
        target = "/sparql?" + str(httpx.QueryParams({"query": SLOW}))
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.5)
    time.sleep(1.0)  # well inside the 4 s time limit
    after = living_descendants(process.pid)
    assert before - after, "no worker was stopped when the client left"


# --- linked-data routes ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/resource/a%20b", "/resource/%3C", "/resource/%00",
                                  "/resource/%7B", "/passage/%3E", "/graph/a%22b"])
def test_invalid_iri_on_a_linked_data_route_is_400(server, path):
    url, process = server
    response = httpx.get(url + path)
    assert response.status_code == 400
    assert "not a valid IRI" in response.text


def test_head_works_on_sparql_and_pages(url):
    for path, params in (("/sparql", {"query": "ASK {}"}), ("/sparql", {}),
                         ("/resource/liugong", {}), ("/ontology", {}), ("/", {})):
        get = httpx.get(url + path, params=params)
        head = httpx.head(url + path, params=params)
        assert head.status_code == get.status_code == 200, path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.content == b""


def test_no_traceback_in_the_log(server):
    url, process = server
    for path in ("/resource/%00", "/resource/%7B", "/ontology/%3C"):
        assert httpx.get(url + path).status_code == 400
    time.sleep(0.5)
    log = b"".join(process.log)
    assert b"Traceback" not in log and b"Exception in ASGI" not in log


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_ontology_version_iri_resolves_and_the_page_is_built_once(built_dist, monkeypatch):
    from starlette.testclient import TestClient

    from liuzhou_kg.server import pages
    from liuzhou_kg.server.app import Settings, create_app
    from liuzhou_kg.sparql.workers import StoreSpec

    calls = []
    original = pages.LinkedData.ontology_terms
    monkeypatch.setattr(pages.LinkedData, "ontology_terms",
                        lambda self: calls.append(1) or original(self))
    app = create_app(Settings(StoreSpec(store_dir=str(built_dist / "store")), workers=1))
    with TestClient(app) as client:
        pages_seen = [client.get("/ontology", headers={"Accept": "text/html"}) for _ in range(3)]
        version = client.get("/ontology/0.1.0", headers={"Accept": "text/html"})
        turtle = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
        missing = client.get("/ontology/9.9.9")
    assert all(p.status_code == 200 for p in pages_seen)
    assert len({p.content for p in pages_seen}) == 1
    assert version.status_code == 200 and version.content == pages_seen[0].content
    assert turtle.status_code == 200 and "owl:versionIRI" in turtle.text
    assert missing.status_code == 404
    assert len(calls) == 2  # once for the HTML page, once for the Turtle description


# --- an ordinary service account -------------------------------------------------------------

@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0,
                    reason="needs root and setpriv to start the server as nobody")
def test_server_runs_as_nobody_on_a_store_copy_and_holds_its_limits(built_dist):
    """No root, no capabilities: the service as a deployment would run it, on a copy of the
    built store that only needs to be readable."""
    home = Path(tempfile.mkdtemp(prefix="liuzhou-nobody-", dir="/tmp"))
    try:
        shutil.copytree(built_dist / "store", home / "store")
        for path in [home, *home.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        (home / "mnt").mkdir()
        command, env = nobody_python(home / "mnt")
        with serve("--store", str(home / "store"), *LIMITS, prefix=tuple(command[:-1]), cwd=home,
                   python=command[-1], env=env) as (url, process):
            import psutil

            assert psutil.Process(process.pid).uids().effective != 0
            ok = httpx.get(url + "/sparql", params={
                "query": "ASK { <https://w3id.org/liuzhou-kg/resource/liugong> ?p ?o }"})
            assert ok.status_code == 200 and ok.json()["boolean"] is True
            assert httpx.get(url + "/resource/a%20b").status_code == 400
            assert httpx.get(url + "/ontology/0.1.0").status_code == 200
            big = httpx.post(url + "/sparql", content=("ASK {} #" + "中" * 45_000).encode(),
                             headers={"Content-Type": "application/sparql-query"})
            assert big.status_code == 413
            rows = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
            assert rows.status_code == 400 and "too many rows" in rows.text
    finally:
        shutil.rmtree(home, ignore_errors=True)
