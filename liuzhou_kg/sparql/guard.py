"""Read-only and offline guard: what a query may ask of the service, decided before it runs.

The query is split into SPARQL tokens (strings, IRIs, comments and prefixed names are whole
tokens, exactly as the SPARQL grammar's lexer does), so a keyword inside a literal, an IRI or a
comment is never mistaken for one. Refused:

- SPARQL Update of any kind (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH);
- SERVICE (a federated query would make the service open an outgoing connection);
- FROM / FROM NAMED and the protocol's default-graph-uri / named-graph-uri, unless the IRI names
  a graph of this dataset (nothing is ever fetched or read from a file).

The engine itself (Oxigraph) never reads FROM graphs from outside the store; the guard is what
keeps SERVICE from reaching the network.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .errors import QueryRefused, QuerySyntaxError
from .prefixes import prefixes as predeclared

_PN_CHARS = r"A-Za-z0-9_\-\u00B7\u00C0-\U000EFFFF"
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][""" + _PN_CHARS + r"""]+)
  | (?P<bnode>_:[""" + _PN_CHARS + r""".]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\U000EFFFF][""" + _PN_CHARS + r""".]*)?:(?:[""" + _PN_CHARS + r""".:]|%[0-9A-Fa-f]{2}|\\.)*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|\S)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class Token:
    """A token; its line and column (1-based) are computed only when asked for (errors)."""

    __slots__ = ("kind", "text", "offset", "source")

    def __init__(self, kind: str, text: str, offset: int = 0, source: str = ""):
        self.kind, self.text, self.offset, self.source = kind, text, offset, source

    @property
    def line(self) -> int:
        return self.source.count("\n", 0, self.offset) + 1

    @property
    def column(self) -> int:
        return self.offset - (self.source.rfind("\n", 0, self.offset) + 1) + 1


@dataclass
class QueryInfo:
    """What the guard learned about a query it allowed."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    variables: set[str] = field(default_factory=set)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokenize(query: str) -> list[Token]:
    """SPARQL tokens without whitespace and comments, each with its 1-based line and column."""
    return [Token(match.lastgroup, match.group(), match.start(), query)
            for match in _TOKEN.finditer(query) if match.lastgroup != "comment"]


def check_query(query: str, allowed_graphs: set[str] | None = None,
                default_graph_uris: list[str] = (), named_graph_uris: list[str] = ()) -> QueryInfo:
    """Refuse what a read-only offline service must not do; return the query's form.

    The verdict depends only on its arguments, so it is remembered for the last 1,024 queries:
    a dashboard or client that repeats a query pays for the check once. Refusals are not cached
    (they raise). The returned QueryInfo is shared between callers; treat it as read-only.
    """
    allowed = None if allowed_graphs is None else frozenset(allowed_graphs)
    return _check_query_cached(query, allowed, tuple(default_graph_uris), tuple(named_graph_uris))


@functools.lru_cache(maxsize=1024)
def _check_query_cached(query: str, allowed_graphs: frozenset[str] | None,
                        default_graph_uris: tuple[str, ...], named_graph_uris: tuple[str, ...]) -> QueryInfo:
    return _check_query(query, allowed_graphs, default_graph_uris, named_graph_uris)


def _check_query(query: str, allowed_graphs: frozenset[str] | None,
                 default_graph_uris: tuple[str, ...], named_graph_uris: tuple[str, ...]) -> QueryInfo:
    """The check itself (see ``check_query``).

    ``allowed_graphs`` are the graph IRIs of the dataset that FROM may name (None: any graph
    IRI that is not a file or the wrong scheme is still refused unless listed; pass the set).
    """
    tokens = tokenize(query)
    declared: dict[str, str] = dict(predeclared())
    base: str | None = None
    form: str | None = None
    info = QueryInfo(form="")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        upper = token.text.upper() if token.kind == "word" else ""
        if upper in UPDATE_KEYWORDS:
            raise QueryRefused(f"line {token.line}, column {token.column}: this service is "
                               f"read-only; SPARQL Update ({upper}) is refused")
        if upper == "SERVICE":
            raise QueryRefused(f"line {token.line}, column {token.column}: SERVICE is refused; "
                               "this service never sends requests to other services")
        if upper == "PREFIX" and form is None and i + 2 < len(tokens):
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                declared[name.text[:-1]] = _resolve(iri.text[1:-1], base)
                i += 3
                continue
        if upper == "BASE" and form is None and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = _resolve(tokens[i + 1].text[1:-1], base)
            i += 2
            continue
        if upper in QUERY_FORMS and form is None:
            form = upper
        if upper == "FROM":
            named = i + 1 < len(tokens) and tokens[i + 1].text.upper() == "NAMED"
            at = i + 2 if named else i + 1
            target = tokens[at] if at < len(tokens) else None
            iri = _term_iri(target, declared, base) if target is not None else None
            if iri is None:
                where = target or token
                raise QuerySyntaxError("FROM must be followed by an IRI", where.line, where.column)
            _check_graph(iri, allowed_graphs, f"line {token.line}, column {token.column}: FROM")
            (info.from_named_graphs if named else info.from_graphs).append(iri)
            i += 3 if named else 2
            continue
        if token.kind == "var":
            info.variables.add(token.text[1:])
        i += 1
    for iri in default_graph_uris:
        _check_graph(iri, allowed_graphs, "default-graph-uri")
    for iri in named_graph_uris:
        _check_graph(iri, allowed_graphs, "named-graph-uri")
    if form is None:
        first = tokens[0] if tokens else Token("word", "", 0, query)
        raise QuerySyntaxError("expected a query: SELECT, ASK, CONSTRUCT or DESCRIBE",
                               first.line, first.column)
    info.form = form
    return info


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _term_iri(token: Token, declared: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in declared:
            return declared[prefix] + re.sub(r"\\(.)", r"\1", local)
        raise QuerySyntaxError(f"undeclared prefix {prefix}:", token.line, token.column)
    return None


def _check_graph(iri: str, allowed_graphs: set[str] | None, what: str) -> None:
    if allowed_graphs is not None and iri in allowed_graphs:
        return
    raise QueryRefused(f"{what} <{iri}> is not a graph of this dataset; this service never "
                       "fetches URLs or reads files, it only queries its own graphs")


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first query-form keyword), or None."""
    for token in tokenize(query):
        if token.kind == "word" and token.text.upper() in QUERY_FORMS:
            return token.text.upper()
    return None
