"""SPARQL 1.1 Protocol request parsing: which query, which dataset, which result format.

Every malformed request gets a 4xx naming what is wrong: a missing or wrong content type, a body
that is not UTF-8, a repeated ``query`` parameter, an update (this endpoint is read-only, and an
update by GET is never allowed), or no query at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the SPARQL protocol does not allow, with the HTTP ``status`` to answer it with."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass
class ProtocolRequest:
    """A parsed SPARQL protocol request: the query text and the dataset and format parameters it named."""

    query: str | None
    default_graph_uris: list[str] = field(default_factory=list)
    named_graph_uris: list[str] = field(default_factory=list)
    format: str | None = None  # the non-standard ``format`` parameter some clients send


def _params(data: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(data.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                         errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not UTF-8") from None


def _content_type(header: str | None) -> tuple[str | None, dict[str, str]]:
    if not header:
        return None, {}
    media, *params = header.split(";")
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), parsed


def _check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset and charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported; send UTF-8")


def parse(method: str, query_string: bytes, content_type: str | None, body: bytes) -> ProtocolRequest:
    """Read a SPARQL 1.1 protocol query request from its method, URL query string, Content-Type and body.

    GET takes the parameters from the URL; POST takes a form (``application/x-www-form-urlencoded``)
    or a raw query (``application/sparql-query``, UTF-8). Returns a :class:`ProtocolRequest` (its
    ``query`` is None when none was given). Raises :class:`ProtocolError`: 405 for another method or
    an update by GET, 403 for any SPARQL Update by POST, 415 for a missing or unsupported
    Content-Type or a charset other than UTF-8, 400 for parameters or a body that are not UTF-8, a
    query both in the body and the URL, or more than one query.
    """
    url_params = _params(query_string, "URL query string")
    if method == "GET":
        params = url_params
        if any(name == "update" for name, _ in params):
            raise ProtocolError(405, "this endpoint is read-only; and SPARQL Update is never "
                                     "accepted by GET")
    elif method == "POST":
        media, ct_params = _content_type(content_type)
        if media is None:
            raise ProtocolError(415, "a POST needs a Content-Type: application/sparql-query or "
                                     f"{FORM}")
        if media == SPARQL_UPDATE:
            raise ProtocolError(403, "this endpoint is read-only; SPARQL Update is refused")
        if media == FORM:
            _check_charset(ct_params)
            params = _params(body, "request body") + url_params
            if any(name == "update" for name, _ in params):
                raise ProtocolError(403, "this endpoint is read-only; SPARQL Update is refused")
        elif media == SPARQL_QUERY:
            _check_charset(ct_params)
            try:
                query_text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the request body is not UTF-8") from None
            if any(name == "query" for name, _ in url_params):
                raise ProtocolError(400, "the query is in the body; a query parameter in the URL "
                                         "as well is not allowed")
            params = [("query", query_text)] + url_params
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media}; use "
                                     f"{SPARQL_QUERY} or {FORM}")
    else:
        raise ProtocolError(405, f"{method} is not allowed; use GET or POST")

    queries = [value for name, value in params if name == "query"]
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query parameter")
    formats = [value for name, value in params if name in ("format", "output")]
    return ProtocolRequest(
        query=queries[0] if queries else None,
        default_graph_uris=[v for n, v in params if n == "default-graph-uri"],
        named_graph_uris=[v for n, v in params if n == "named-graph-uri"],
        format=formats[0] if formats else None,
    )
