"""Run one query on a pyoxigraph store and serialize its answer, within a result-size limit.

This is the in-process step; :mod:`liuzhou_kg.sparql.workers` runs it in a worker process so the
time limit can stop it for real.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph

from . import labels
from .errors import (QueryError, QueryFailed, QuerySyntaxError, ResultTooLarge, TooManyRows,
                     split_position)
from .formats import BY_NAME, formats_for
from .guard import check_query
from .prefixes import prefixes, prologue, prologue_lines

DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024


@dataclass
class QueryRequest:
    query: str
    format: str | None = None  # a name from formats.BY_NAME; None: json / turtle
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    default_graph_uris: list[str] = field(default_factory=list)
    named_graph_uris: list[str] = field(default_factory=list)
    lang: str | None = None  # keep rows with labels in this language (SELECT only)
    max_rows: int | None = None  # more solutions or triples than this: TooManyRows (None: no limit)


@dataclass
class Answer:
    form: str
    format: str
    media_type: str
    body: bytes


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
    graphs (``use_default_graph_as_union``; see liuzhou_kg.store). That option must not be given
    with ``FROM``: Oxigraph would let it override the query's dataset.
    """
    if default_graph_uris or named_graph_uris:
        return {"default_graph": [pyoxigraph.NamedNode(g) for g in default_graph_uris],
                "named_graphs": [pyoxigraph.NamedNode(g) for g in named_graph_uris]}
    if has_from:
        return {}
    return {"use_default_graph_as_union": True}


def execute(store: pyoxigraph.Store, request: QueryRequest) -> Answer:
    info = check_query(request.query, graph_names(store), request.default_graph_uris,
                       request.named_graph_uris)
    kind = "graph" if info.returns_graph else "results"
    fmt = BY_NAME[request.format] if request.format else formats_for(kind)[0]
    if fmt.kind != kind:
        allowed = ", ".join(f.name for f in formats_for(kind))
        raise QueryError(f"a {info.form} query cannot be written as {fmt.name}; "
                               f"use one of: {allowed}")
    options = dataset_options(request.default_graph_uris, request.named_graph_uris,
                              bool(info.from_graphs or info.from_named_graphs))
    try:
        result = store.query(prologue() + request.query, **options)
        sink = _Limited(request.max_result_bytes)
        if isinstance(result, pyoxigraph.QuerySolutions) and (request.lang
                                                              or request.max_rows is not None):
            variables = [v.value for v in result.variables]
            rows = [[solution[v] for v in variables]
                    for solution in _at_most(result, request.max_rows)]
            if request.lang:
                rows = labels.choose_language(rows, request.lang)
            sink.write(labels.write_results(variables, rows, fmt.name))
        elif isinstance(result, pyoxigraph.QueryTriples) and (fmt.name == "turtle"
                                                               or request.max_rows is not None):
            extra = {"prefixes": prefixes()} if fmt.name == "turtle" else {}
            pyoxigraph.serialize(_at_most(result, request.max_rows), sink, fmt.oxigraph(), **extra)
        else:
            result.serialize(sink, fmt.oxigraph())
    except SyntaxError as err:
        line, column, message = split_position(str(err))
        if line is not None:
            line = max(1, line - prologue_lines())
        raise QuerySyntaxError(message, line, column) from None
    except (ResultTooLarge, TooManyRows, QuerySyntaxError):
        raise
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        raise QueryFailed(_safe_message(err)) from None
    return Answer(info.form, fmt.name, fmt.media_type, sink.getvalue())


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
