"""Differential test: the query policy against the engine it protects, case by case.

Each case of ``tests/fixtures/policy/corpus.yaml`` runs through the policy (every mode) and
through bare pyoxigraph on a tiny in-memory store, with a listener on 127.0.0.1 and a local file
as targets. Whenever the engine connected to the listener or read the file, the policy must have
refused the case; and every case has the verdict the corpus expects from the public endpoint.
Every refusal points (line and column) exactly where the case's ``where`` says.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from liuzhou_kg.sparql.errors import QueryError, QueryRefused
from liuzhou_kg.sparql.large_stack import on_large_stack
from liuzhou_kg.sparql.policy import Policy
from liuzhou_kg.sparql.screen import screen
from liuzhou_kg.core.prefixes import prologue

CORPUS = Path(__file__).parent / "fixtures" / "policy" / "corpus.yaml"
CASES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["cases"]
GRAPH = "https://w3id.org/liuzhou-kg/graph/p04-s05"
REACHED: list[str] = []  # the cases with which the engine connected or read the file


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers each with a 500."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 500 no\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    listener = Listener()
    data = tmp_path_factory.mktemp("corpus") / "data.ttl"
    data.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    yield listener, data
    listener.close()


def fill(text: str, listener: Listener, data: Path) -> str:
    return (text.replace("%URL%", f"http://127.0.0.1:{listener.port}/")
            .replace("%PORT%", str(listener.port)).replace("%FILE%", data.as_uri()))


def tiny_store(listener: Listener) -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode(GRAPH)
    store.add(ox.Quad(ox.NamedNode("urn:x:svc"), ox.NamedNode("urn:x:at"),
                      ox.NamedNode(f"http://127.0.0.1:{listener.port}/sparql"), graph))
    store.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.Literal("c"), graph))
    return store


def engine_reached_out(text: str, kind: str, listener: Listener, data: Path) -> bool:
    """Run ``text`` on bare pyoxigraph (10 s bound); did it connect or read the file?"""
    os.utime(data, (0, time.time()))  # relatime: any read moves atime past mtime
    before = listener.connections
    store = tiny_store(listener)
    done = threading.Event()

    def run():
        try:
            if kind == "update":
                store.update(prologue() + text)
            else:
                result = store.query(prologue() + text)
                if not isinstance(result, ox.QueryBoolean):
                    for _ in result:
                        pass
        except (SyntaxError, OSError, ValueError, RuntimeError):
            pass
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), "the engine did not finish within 10 s"
    time.sleep(0.05)  # let the listener thread count a connection that just arrived
    return listener.connections > before or os.stat(data).st_atime > 0


def verdict(policy: Policy, text: str) -> str:
    try:
        on_large_stack(policy.check, text, frozenset({GRAPH}), (), (), False)
    except QueryError:
        return "refuse"
    return "allow"


def test_the_corpus_is_large_and_named_uniquely():
    names = [case["name"] for case in CASES]
    assert len(names) >= 60 and len(set(names)) == len(names)


def test_the_listener_and_file_probes_detect_contact(targets):
    listener, data = targets
    assert engine_reached_out(fill("SELECT * WHERE { SERVICE <%URL%> { } }", listener, data),
                              "query", listener, data)
    os.utime(data, (0, time.time()))
    data.read_bytes()
    assert os.stat(data).st_atime > 0


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_policy_refuses_whatever_the_engine_would_reach(case, targets):
    listener, data = targets
    text = fill(case["query"], listener, data)
    serve = verdict(Policy.serve(), text)
    assert serve == case["expect"], f"{case['name']}: expected {case['expect']}, got {serve}"
    if engine_reached_out(text, case["kind"], listener, data):
        REACHED.append(case["name"])
        assert serve == "refuse"
        assert verdict(Policy.query(), text) == "refuse"
        assert verdict(Policy.federate({"http://127.0.0.1:1/other"}), text) == "refuse"
        assert not screen(text)


def filled_position(template: str, where: str, listener: Listener, data: Path) -> tuple[int, int]:
    """The (line, column) in the filled text of ``where`` ("L:C" in the case as written)."""
    line, column = map(int, where.split(":"))
    lines = template.split("\n")
    before = fill("\n".join(lines[:line - 1] + [lines[line - 1][:column - 1]]), listener, data)
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def refusal(policy: Policy, text: str) -> QueryError | None:
    try:
        on_large_stack(policy.check, text, frozenset({GRAPH}), (), (), False)
    except QueryError as err:
        return err
    return None


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_refusal_points_where_the_corpus_says(case, targets):
    listener, data = targets
    text = fill(case["query"], listener, data)
    policies = (Policy.serve(), Policy.query(),
                Policy.federate({"http://127.0.0.1:1/other"}))
    for policy in policies:
        err = refusal(policy, text)
        if not isinstance(err, QueryRefused):
            assert "where" not in case, f"{case['name']}: {policy} gave {err!r}, not a refusal"
            continue
        assert "where" in case, f"{case['name']}: refused at {err.line}:{err.column}; add where:"
        expected = filled_position(case["query"], case["where"], listener, data)
        assert (err.line, err.column) == expected, (case["name"], policy, err.message)
        assert err.message.startswith(f"line {expected[0]}, column {expected[1]}: ")
        assert err.to_dict()["line"] == expected[0] and err.to_dict()["column"] == expected[1]


def test_positions_are_checked_for_most_refusals():
    assert sum("where" in case for case in CASES) >= 70


def test_the_engine_really_reached_out_in_many_cases():
    # Run after the corpus (file order): without this, a broken probe would pass everything.
    assert len(REACHED) >= 30, REACHED
