"""Run one query on a pyoxigraph store and serialize its answer, within a result-size limit.

This is the one step every way of running SPARQL shares: the policy's verdict
(:mod:`liuzhou_kg.sparql.policy`), the predeclared prefixes (one prologue, read by the policy's
parser and the engine alike), the dataset options (``FROM`` honoured), the engine and the result
limit. It runs inside a worker process (:mod:`liuzhou_kg.sparql.worker`) or, for the CLI, on a
thread of the command's own process (:mod:`liuzhou_kg.sparql.runner`); both stop it at the time
limit. Call it on a large stack (:func:`liuzhou_kg.sparql.large_stack.on_large_stack`).
"""
from __future__ import annotations

import pyoxigraph

from . import labels
from .errors import (
    QueryError,
    QueryFailed,
    QuerySyntaxError,
    ResultTooLarge,
    TooManyRows,
)
from ..core.errors import split_position
from .formats import BY_NAME, formats_for
from .analysis import Verdict
from .policy import Policy
from .limits import DEFAULT_MAX_RESULT_BYTES
from ..core.prefixes import prefixes, prologue, prologue_lines

# QueryRequest and Answer are plain classes, not dataclasses: importing ``dataclasses`` (with
# ``inspect``) would be a tenth of a cold ``liuzhou-kg query``'s start-up.


class QueryRequest:
    """One query to run: its text, result format (a name from formats.BY_NAME; None: JSON or
    Turtle by form), result-size limit, protocol graphs, label language (SELECT only) and row
    limit."""

    __slots__ = ("query", "format", "max_result_bytes", "default_graph_uris",
                 "named_graph_uris", "lang", "max_rows")

    def __init__(self, query: str, format: str | None = None,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
                 default_graph_uris: list[str] | None = None,
                 named_graph_uris: list[str] | None = None, lang: str | None = None,
                 max_rows: int | None = None):
        self.query, self.format, self.max_result_bytes = query, format, max_result_bytes
        self.default_graph_uris = list(default_graph_uris or [])
        self.named_graph_uris = list(named_graph_uris or [])
        self.lang = lang
        self.max_rows = max_rows  # more solutions or triples than this: TooManyRows (None: no limit)

    def __repr__(self) -> str:
        return f"QueryRequest({self.query[:60]!r}, format={self.format!r})"


class Answer:
    """A serialized answer: the query's form, the format's name and media type, the bytes."""

    __slots__ = ("form", "format", "media_type", "body")

    def __init__(self, form: str, format: str, media_type: str, body: bytes):
        self.form, self.format, self.media_type, self.body = form, format, media_type, body

    def __repr__(self) -> str:
        return f"Answer({self.form!r}, {self.format!r}, {len(self.body)} bytes)"


class _Limited:
    """A binary sink that raises ResultTooLarge once more than ``limit`` bytes are written."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge(self.limit)
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


# id(store) -> (store, graph names); the store is kept so that its id is never reused.
_graph_cache: dict[tuple, tuple[pyoxigraph.Store, frozenset[str]]] = {}


def graph_names(store: pyoxigraph.Store) -> frozenset[str]:
    """The named graphs of a store (cached per store object; stores here are never written).
    A frozenset, so the guard's cache hashes it once."""
    key = (id(store), getattr(store, "generation", None))  # a LiveStore moves to new generations
    if key not in _graph_cache:
        _graph_cache[key] = (store, frozenset(g.value for g in store.named_graphs()
                                              if isinstance(g, pyoxigraph.NamedNode)))
    return _graph_cache[key][1]


def dataset_options(default_graph_uris, named_graph_uris, has_from: bool) -> dict:
    """The ``Store.query`` options that choose a query's dataset.

    default-graph-uri / named-graph-uri (the protocol) name it explicitly; a query with ``FROM`` or
    ``FROM NAMED`` names its own. Otherwise the default graph is the union of all the store's
    graphs (``use_default_graph_as_union``; see liuzhou_kg.store.generations). That option must not be given
    with ``FROM``: Oxigraph would let it override the query's dataset.
    """
    if default_graph_uris or named_graph_uris:
        return {"default_graph": [pyoxigraph.NamedNode(g) for g in default_graph_uris],
                "named_graphs": [pyoxigraph.NamedNode(g) for g in named_graph_uris]}
    if has_from:
        return {}
    return {"use_default_graph_as_union": True}


def check(store: pyoxigraph.Store, request: QueryRequest, policy: Policy,
          need_form: bool = False) -> Verdict:
    """The policy's verdict on ``request`` against this store's graphs (raises when refused)."""
    return policy.check(request.query, graph_names(store), request.default_graph_uris,
                        request.named_graph_uris, need_form)


def execute(store: pyoxigraph.Store, request: QueryRequest, policy: Policy | None = None) -> Answer:
    """Check ``request`` with ``policy`` (default: the public endpoint's), run it, serialize it."""
    policy = policy if policy is not None else Policy.serve()
    info = check(store, request, policy)
    if info.form is not None:
        _format_for(info.returns_graph, info.form, request.format)
    options = dataset_options(request.default_graph_uris, request.named_graph_uris,
                              info.has_dataset)
    result = None
    try:
        result = store.query(prologue() + request.query, **options)
        graph = isinstance(result, pyoxigraph.QueryTriples)
        form = info.form or ("CONSTRUCT" if graph else
                             "ASK" if isinstance(result, pyoxigraph.QueryBoolean) else "SELECT")
        fmt = _format_for(graph, form, request.format)
        sink = _Limited(request.max_result_bytes)
        if isinstance(result, pyoxigraph.QuerySolutions) and (request.lang
                                                              or request.max_rows is not None):
            variables = [v.value for v in result.variables]
            rows = [[solution[v] for v in variables]
                    for solution in _at_most(result, request.max_rows)]
            if request.lang:
                rows = labels.choose_language(rows, request.lang)
            sink.write(labels.write_results(variables, rows, fmt.name))
        elif graph and (fmt.name == "turtle" or request.max_rows is not None):
            extra = {"prefixes": prefixes()} if fmt.name == "turtle" else {}
            pyoxigraph.serialize(_at_most(result, request.max_rows), sink, fmt.oxigraph(), **extra)
        else:
            result.serialize(sink, fmt.oxigraph())
    except SyntaxError as err:
        line, column, message = split_position(str(err))
        if line is not None:
            line = max(1, line - prologue_lines())
        raise QuerySyntaxError(message, line, column) from None
    except QueryError:
        raise
    except MemoryError:
        raise
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        raise QueryFailed(_safe_message(err)) from None
    finally:
        # pyoxigraph results belong to this thread; never let an exception carry one away.
        result = None
    return Answer(form, fmt.name, fmt.media_type, sink.getvalue())


def _format_for(graph: bool, form: str, name: str | None):
    """The result format ``name`` (None: the default for the form), refused if it does not fit."""
    kind = "graph" if graph else "results"
    fmt = BY_NAME[name] if name else formats_for(kind)[0]
    if fmt.kind != kind:
        allowed = ", ".join(f.name for f in formats_for(kind))
        raise QueryError(f"a {form} query cannot be written as {fmt.name}; use one of: {allowed}")
    return fmt


def _at_most(items, limit: int | None):
    """The solutions or triples of a result; TooManyRows as soon as there are more than ``limit``
    (never a silently shortened answer)."""
    for count, item in enumerate(items, 1):
        if limit is not None and count > limit:
            raise TooManyRows(limit)
        yield item


def _safe_message(err: Exception) -> str:
    """An engine error for the user: its first line, never a path or a traceback."""
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:300]
