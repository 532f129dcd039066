"""Push the dataset's named graphs into an external SPARQL 1.1 store.

Each named graph is sent with the Graph Store HTTP Protocol: ``PUT <graph-store>?graph=<iri>``
with the graph as Turtle (N-Triples lines), which replaces the graph, so pushing twice leaves the
same data. When the store has no Graph Store endpoint (no ``--graph-store`` and the endpoint
answers the first PUT with 400/404/405/415/501), every graph is sent as one SPARQL Update request
instead: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` (large graphs without blank
nodes in several requests; a graph with blank nodes as ``INSERT { … } WHERE {}`` in one request),
which is idempotent too.

Authentication (``user``/``password``) follows the server's challenge: Digest (Virtuoso's
``/sparql-graph-crud-auth`` and ``/sparql-auth``) or Basic (Fuseki, GraphDB).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import httpx
import pyoxigraph as ox

from ..core.errors import InputError, Problem
from .imports.catalogue import STAGING_BASE
from .imports.progress import step_progress

GSP_FALLBACK_STATUS = {400, 404, 405, 415, 501}
UPDATE_CHUNK = 5000  # triples per SPARQL Update request when a graph is split


class AutoAuth(httpx.Auth):
    """Answer the server's 401 challenge with Digest or Basic, whichever it asks for."""

    requires_request_body = True

    def __init__(self, user: str, password: str):
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self.scheme: str | None = None

    def auth_flow(self, request):
        if self.scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        if self.scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        if challenge.startswith("digest"):
            self.scheme = "digest"
            yield from self._digest.auth_flow(request)
        elif challenge.startswith("basic"):
            self.scheme = "basic"
            yield from self._basic.auth_flow(request)


@dataclass
class PushReport:
    """What a push sent: the method used, the graph and triple totals, and triples per graph IRI."""

    method: str  # "graph-store" or "update"
    graphs: int = 0
    triples: int = 0
    per_graph: dict[str, int] = field(default_factory=dict)


def graphs_of(store: ox.Store, only: Iterable[str] | None = None) -> list[ox.NamedNode]:
    """The named graphs of ``store`` to push, sorted by IRI, staging graphs left out.

    With ``only``, just those graph IRIs; raises ``InputError`` (``--graph``) naming any that the
    dataset does not have.
    """
    names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
                    and not g.value.startswith(STAGING_BASE)), key=lambda g: g.value)
    if only:
        wanted = set(only)
        missing = wanted - {g.value for g in names}
        if missing:
            raise InputError([Problem("--graph", None, f"not in the dataset: {', '.join(sorted(missing))}")])
        names = [g for g in names if g.value in wanted]
    return names


def _triples(store: ox.Store, graph: ox.NamedNode) -> list[str]:
    return [f"{q.subject} {q.predicate} {q.object} ."
            for q in store.quads_for_pattern(None, None, None, graph)]


def _has_bnode(lines: list[str]) -> bool:
    return any("_:" in line for line in lines)


class Pusher:
    """Send named graphs to a remote SPARQL store, by the Graph Store Protocol or SPARQL Update.

    ``endpoint`` is the query endpoint; ``graph_store`` and ``update_endpoint`` default to it.
    ``method`` is ``graph-store``, ``update`` or ``auto`` (Graph Store PUT, falling back to Update when
    the server refuses it). ``user`` and ``password`` go together (basic or digest auth). The
    constructor raises ``InputError`` for a URL that is not http(s) or a lone user or password;
    requests raise ``InputError`` for an unreachable store or an HTTP error, with its status and text.
    Call :meth:`close` when done.
    """

    def __init__(self, endpoint: str, *, graph_store: str | None = None, update_endpoint: str | None = None,
                 user: str | None = None, password: str | None = None, timeout: float = 300.0,
                 method: str = "auto"):
        for name, url in (("--endpoint", endpoint), ("--graph-store", graph_store),
                          ("--update-endpoint", update_endpoint)):
            if url is not None and not url.startswith(("http://", "https://")):
                raise InputError([Problem(name, None, f"not an http(s) URL: {url!r}")])
        if (user is None) != (password is None):
            raise InputError([Problem("--user/--password", None, "give both or neither")])
        self.endpoint = endpoint
        self.graph_store = graph_store or endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.method = method
        auth = AutoAuth(user, password) if user is not None else None
        self.client = httpx.Client(auth=auth, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def _fail(self, what: str, response: httpx.Response) -> InputError:
        return InputError([Problem(what, None, f"HTTP {response.status_code}: {response.text[:500].strip()}")])

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.HTTPError as err:
            raise InputError([Problem(url, None, f"cannot reach the store: {err}")]) from None

    def put_graph(self, graph: str, lines: list[str]) -> httpx.Response:
        body = ("\n".join(lines) + "\n").encode("utf-8")
        return self._request("PUT", self.graph_store, params={"graph": graph}, content=body,
                             headers={"Content-Type": "text/turtle; charset=utf-8"})

    def update(self, text: str, what: str) -> None:
        response = self._request("POST", self.update_endpoint, data={"update": text},
                                 headers={"Accept": "application/sparql-results+json, */*;q=0.1"})
        if response.status_code >= 300:
            raise self._fail(what, response)

    def update_graph(self, graph: str, lines: list[str]) -> None:
        if len(lines) <= UPDATE_CHUNK or _has_bnode(lines):
            chunks = [lines]
        else:
            chunks = [lines[i:i + UPDATE_CHUNK] for i in range(0, len(lines), UPDATE_CHUNK)]
        for index, chunk in enumerate(chunks):
            body = f"{{ GRAPH <{graph}> {{\n" + "\n".join(chunk) + "\n}}"
            # Blank nodes go in an INSERT template (one solution: one fresh node per label), which
            # every store takes; some (Virtuoso) refuse them in INSERT DATA.
            insert = f"INSERT {body} WHERE {{}}" if _has_bnode(chunk) else f"INSERT DATA {body}"
            text = (f"DROP SILENT GRAPH <{graph}> ;\n" + insert) if index == 0 else insert
            self.update(text, f"<{graph}>")

    def push(self, store: ox.Store, graphs: list[ox.NamedNode], *, progress: bool = True,
             report: Callable[[str], None] | None = None) -> PushReport:
        method = "update" if self.method == "update" else "graph-store"
        result = PushReport(method)
        with step_progress(len(graphs), "push graphs", enabled=progress) as advance:
            for graph in graphs:
                lines = _triples(store, graph)
                if method == "graph-store":
                    response = self.put_graph(graph.value, lines)
                    if response.status_code in GSP_FALLBACK_STATUS and self.method == "auto" \
                            and result.graphs == 0:
                        method = result.method = "update"
                        if report:
                            report(f"the graph store answered HTTP {response.status_code}; "
                                   "using SPARQL Update instead")
                    elif response.status_code >= 300:
                        raise self._fail(f"PUT <{graph.value}>", response)
                if method == "update":
                    self.update_graph(graph.value, lines)
                result.graphs += 1
                result.triples += len(lines)
                result.per_graph[graph.value] = len(lines)
                advance()
        return result

    def remote_counts(self, graphs: list[str]) -> dict[str, int]:
        """Triples per graph in the remote store (one SELECT on the query endpoint)."""
        values = " ".join(f"<{g}>" for g in graphs)
        query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                 "GROUP BY ?g")
        response = self._request("POST", self.endpoint, data={"query": query},
                                 headers={"Accept": "application/sparql-results+json"})
        if response.status_code != 200:
            raise self._fail("count query", response)
        try:
            bindings = response.json()["results"]["bindings"]
        except (ValueError, KeyError) as err:
            raise InputError([Problem(self.endpoint, None, f"not SPARQL JSON results: {err}")]) from None
        return {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}


def push(store: ox.Store, endpoint: str, *, graph_store: str | None = None,
         update_endpoint: str | None = None, user: str | None = None, password: str | None = None,
         graphs: Iterable[str] | None = None, method: str = "auto", verify: bool = True,
         progress: bool = True, timeout: float = 300.0,
         report: Callable[[str], None] | None = None) -> PushReport:
    """Push ``store``'s named graphs to ``endpoint``; with ``verify``, compare triple counts after."""
    names = graphs_of(store, graphs)
    if not names:
        raise InputError([Problem("push", None, "the dataset has no named graph to push")])
    pusher = Pusher(endpoint, graph_store=graph_store, update_endpoint=update_endpoint, user=user,
                    password=password, timeout=timeout, method=method)
    try:
        result = pusher.push(store, names, progress=progress, report=report)
        if verify:
            remote = pusher.remote_counts([g.value for g in names])
            wrong = {g: (n, remote.get(g, 0)) for g, n in result.per_graph.items() if remote.get(g, 0) != n}
            if wrong:
                lines = [f"<{g}>: {local} triples here, {there} in the store" for g, (local, there) in
                         sorted(wrong.items())]
                raise InputError([Problem(endpoint, None, "after the push the store differs:\n  "
                                          + "\n  ".join(lines))])
    finally:
        pusher.close()
    return result
