"""The one query policy: whether this caller may run a query, and the verdicts it remembers.

Every way of running SPARQL in the project (``serve``, ``query``, ``viz --query``, ``federate``
and the library) asks :class:`Policy` before the engine sees the text. The policy checks the size
caps and the word screen first (:mod:`liuzhou_kg.sparql.screen`); a query the screen does not let
through is parsed (:func:`liuzhou_kg.sparql.analysis.analyse`) and judged on what the parser
found. Verdicts and refusals are kept in a cache bounded in bytes (:class:`VerdictCache`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from .analysis import Service, Verdict, analyse
from .errors import QueryError, QueryRefused, QuerySyntaxError, QueryTooComplex
from .screen import DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_CHARS, check_size, screen

DEFAULT_CACHE_BYTES = 8 * 1024 * 1024


class VerdictCache:
    """Verdicts (and refusals) by query text, least recently used first out, bounded in bytes.

    The size of an entry is its text's UTF-8 length plus a fixed allowance for the verdict, so a
    burst of large distinct queries evicts old entries instead of growing the process. A refusal
    (a :class:`QueryError`) goes in and comes out as a fresh copy (:meth:`QueryError.again`), so
    the kept one never carries a traceback: raising a kept object would pile every raise's frames,
    request bodies included, onto it.
    """

    ENTRY_OVERHEAD = 512

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _size(self, key) -> int:
        total = self.ENTRY_OVERHEAD
        for part in key:
            if isinstance(part, str):
                total += len(part.encode("utf-8", "surrogatepass"))
            elif isinstance(part, tuple):
                total += sum(len(p.encode("utf-8", "surrogatepass")) for p in part)
        return total

    def get(self, key):
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                value = self._entries[key]
                return value.again() if isinstance(value, QueryError) else value
        return None

    def put(self, key, value) -> None:
        """Keep ``value`` for ``key`` (a first value stays), evicting the least recently used
        entries beyond ``max_bytes``; an entry larger than the whole cache is not kept."""
        size = self._size(key)
        if size > self.max_bytes:
            return
        if isinstance(value, QueryError):
            value = value.again()  # a copy without the traceback of the raise that made it
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                old, _ = self._entries.popitem(last=False)
                self.bytes -= self._size(old)

    def __len__(self) -> int:
        return len(self._entries)


class Policy:
    """Who may run what: the SERVICE endpoints allowed and the graphs FROM may name.

    - ``Policy.serve()``: the public endpoint; every SERVICE is refused.
    - ``Policy.query(allow_service)``: the store's own user; SERVICE only if asked for.
    - ``Policy.federate(allow)``: SERVICE only to the endpoints of the allow-list, named by a
      constant IRI.

    Updates are refused everywhere (the query path never writes). ``FROM``, ``FROM NAMED`` and the
    protocol's ``default-graph-uri``/``named-graph-uri`` may name only graphs of the dataset
    (nothing is ever fetched or read from a file).
    """

    _SETTINGS = ("mode", "allow", "any_service", "max_query_chars", "max_depth", "cache_bytes")

    def __init__(self, mode: str = "serve", allow=frozenset(), any_service: bool = False,
                 max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
                 max_depth: int = DEFAULT_MAX_DEPTH, cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.mode, self.allow, self.any_service = mode, frozenset(allow), any_service
        self.max_query_chars, self.max_depth = max_query_chars, max_depth
        self.cache_bytes = cache_bytes
        self._cache = VerdictCache(cache_bytes)

    def __getstate__(self):
        # Sent to worker processes: the cache stays behind, each process keeps its own.
        return {key: getattr(self, key) for key in self._SETTINGS}

    def __setstate__(self, state):
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"Policy({self.mode!r}, allow={sorted(self.allow)!r}, any_service={self.any_service})"

    @classmethod
    def serve(cls, **limits) -> "Policy":
        """The public endpoint's policy: every SERVICE refused; ``limits`` as in the constructor."""
        return cls("serve", **limits)

    @classmethod
    def query(cls, allow_service: bool = False, **limits) -> "Policy":
        """The store's own user's policy: SERVICE only with ``allow_service``."""
        return cls("query", any_service=allow_service, **limits)

    @classmethod
    def federate(cls, allow, **limits) -> "Policy":
        """SERVICE only to the endpoint IRIs of ``allow``, named by a constant IRI."""
        return cls("federate", allow=frozenset(allow), **limits)

    def check(self, text: str, graphs: frozenset[str] | None = None,
              default_graph_uris=(), named_graph_uris=(), need_form: bool = False) -> Verdict:
        """The verdict on ``text``, or the QueryError that refuses it (remembered either way).

        ``graphs``: the dataset's graph IRIs that FROM and the protocol may name. ``need_form``:
        parse even a query the screen would let through, to know its form before running it.
        Call on a large stack (:func:`on_large_stack`) when the text may reach the parser.
        """
        key = (text, tuple(default_graph_uris), tuple(named_graph_uris), need_form)
        cached = self._cache.get(key)
        if cached is None:
            try:
                cached = self._decide(text, graphs, key[1], key[2], need_form)
            except (QueryRefused, QuerySyntaxError, QueryTooComplex) as err:
                cached = err
            self._cache.put(key, cached)
        if isinstance(cached, Exception):
            raise cached
        return cached

    def _decide(self, text, graphs, default_graph_uris, named_graph_uris, need_form) -> Verdict:
        check_size(text, self.max_query_chars, self.max_depth)
        if not need_form and screen(text):
            verdict = Verdict(form=None)
        else:
            try:
                verdict = analyse(text)
            except QueryRefused as err:  # SERVICE clauses the algebra lost
                raise _located(text, None, "lost", [(0, err.reason)]) from None
        if not verdict.read_only:
            raise _located(text, verdict, "update",
                           [(0, "SPARQL Update is refused: queries here are read-only")])
        refused = [(i, why) for i, service in enumerate(verdict.services)
                   if (why := self._service_refusal(service))]
        if refused:
            raise _located(text, verdict, "services", refused)
        for kind, iris, what in (("from_graphs", verdict.from_graphs, "FROM"),
                                 ("from_named", verdict.from_named_graphs, "FROM NAMED")):
            refused = [(i, why) for i, iri in enumerate(iris)
                       if (why := _graph_refusal(iri, graphs, what))]
            if refused:
                raise _located(text, verdict, kind, refused)
        for iris, what in ((default_graph_uris, "default-graph-uri"),
                           (named_graph_uris, "named-graph-uri")):
            for iri in iris:  # protocol parameters: not in the text, so no position
                why = _graph_refusal(iri, graphs, what)
                if why:
                    raise QueryRefused(why)
        return verdict

    def _service_refusal(self, service: Service) -> str | None:
        """Why this caller may not run ``service``, or None when it may."""
        if self.mode == "query" and self.any_service:
            return None
        if self.mode == "serve":
            return "SERVICE is refused: this service never sends requests to other services"
        if self.mode == "query":
            return ("SERVICE is refused unless you ask for it (--allow-service): it makes this "
                    "process send requests to another endpoint")
        if service.iri is None:
            return (f"SERVICE ?{service.variable}: a variable endpoint (chosen by the data) is "
                    "refused; name an allowed endpoint")
        if service.iri not in self.allow:
            hint = ("federation is off: list endpoints under federation.allow in the "
                    "configuration" if not self.allow else
                    "allowed: " + ", ".join(sorted(self.allow)))
            return f"SERVICE <{service.iri}> is not on the allow-list ({hint})"
        return None


def _graph_refusal(iri: str, graphs, what: str) -> str | None:
    """Why ``iri`` may not be named by ``what`` (FROM, a protocol parameter), or None."""
    if graphs is not None and iri in graphs:
        return None
    if ":" not in iri and what.startswith("FROM"):
        return f"{what} <{iri}> is a relative IRI and no BASE makes it absolute"
    return (f"{what} <{iri}> is not a graph of this dataset; queries here never fetch URLs or "
            "read files, they only query the dataset's own graphs")


def _located(text: str, verdict, kind: str, refused: list) -> QueryRefused:
    """The refusal of the construct of ``refused`` ((index among ``kind``, reason) pairs) that
    comes first in the text, with its line and column; the first one, without a position, when
    the parser's positions are not available (see :mod:`liuzhou_kg.sparql.locate`)."""
    from .locate import positions

    found = positions(text, verdict)
    where = getattr(found, kind, None)
    if kind == "update":
        where = [where]
    placed = [(where[i], why) for i, why in refused
              if where is not None and i < len(where) and where[i] is not None]
    if not placed:
        return QueryRefused(refused[0][1])
    (line, column), why = min(placed, key=lambda item: item[0])
    return QueryRefused(why, line, column)
