"""The SPARQL 1.1 Protocol route (``/sparql``) and its service description.

User queries never run in this process: they go to the :class:`WorkerPool` whose workers are
killed at the time limit. This route only reads the request (bounded in size and time), parses it
in linear time and waits on pipes, so other clients are answered while a long query runs. A query
whose client goes away is cancelled, which stops its worker.
"""
from __future__ import annotations

import asyncio
import contextlib

import pyoxigraph
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import request_response

from ..core.templates import render
from ..sparql.errors import QueryError, QueryFailed, QueryTimeout
from ..sparql.execute import QueryRequest
from ..sparql.formats import (
    BY_NAME,
    FORMAT_PARAM_ALIASES,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Format,
    negotiate,
)
from . import protocol
from .admission import Admission, AnswerBudget, Refused
from .responses import HTML, TEMPLATES, error

WRITE_CHUNK = 64 * 1024
ALLOW = "GET, HEAD, POST, OPTIONS"


class SparqlEndpoint:
    """The ``/sparql`` route of one app: ``settings`` (an ``app.Settings``) bounds it, ``state``
    holds what the app's lifespan opened (``pool``, ``ld``)."""

    def __init__(self, settings, state: dict):
        self.settings = settings
        self.state = state
        self.admission = Admission(settings.workers, settings.max_client_queries,
                                   settings.retry_after)
        self.budget = AnswerBudget(settings.max_buffered_bytes, settings.retry_after)
        self.description_cache: dict[str, bytes] = {}

    def asgi(self):
        """The route's ASGI app: :meth:`sparql` behind CORS (every method reaches it, and it
        answers 405 to those the protocol does not allow)."""
        return CORSMiddleware(
            request_response(self.sparql), allow_origins=self.settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["Retry-After", "Content-Length"], max_age=600)

    def refusal(self, err: Refused) -> Response:
        """The answer to a client over one of its limits: the status and a Retry-After."""
        return error(err.status, err.message, {"Retry-After": str(err.retry_after)})

    async def read_body(self, request: Request, limit: int, what: str) -> bytes:
        """The request body, at most ``limit`` bytes (413 past it, counted on the raw bytes before
        anything is decoded or parsed), all of it within ``body_timeout`` seconds (408)."""
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit() or len(length) > 18:
                raise protocol.ProtocolError(400, "invalid Content-Length")
            if int(length) > limit:
                raise protocol.ProtocolError(413, f"{what} larger than {limit} bytes")

        async def collect() -> bytes:
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise protocol.ProtocolError(413, f"{what} larger than {limit} bytes")
                chunks.append(chunk)
            return b"".join(chunks)

        try:
            return await asyncio.wait_for(collect(), self.settings.body_timeout)
        except asyncio.TimeoutError:
            raise protocol.ProtocolError(408, f"the request body did not arrive within "
                                              f"{self.settings.body_timeout:g} s") from None

    def body_limit(self, request: Request) -> tuple[int, str]:
        """A query sent as the body may be max_query_bytes; a form also carries its encoding."""
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media == protocol.SPARQL_QUERY:
            return self.settings.max_query_bytes, "the query is"
        return self.settings.max_body_bytes, "the request body is"

    async def sparql(self, request: Request) -> Response:
        """Answer one SPARQL protocol request (a query, a preflight, or the service description)."""
        settings = self.settings
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":  # a preflight is answered by the CORS middleware before this
            return Response(status_code=204, headers={"Allow": ALLOW})
        query_string = request.scope.get("query_string", b"")
        # Percent-encoding makes a query up to three times longer in the URL.
        if len(query_string) > 3 * settings.max_query_bytes + 4096:
            return error(414, f"the URL is longer than {3 * settings.max_query_bytes + 4096} "
                              f"bytes; send a long query by POST (the query may be "
                              f"{settings.max_query_bytes} bytes)")
        try:
            body = b""
            if method == "POST":
                limit, what = self.body_limit(request)
                body = await self.read_body(request, limit, what)
            parsed = protocol.parse(method, query_string, request.headers.get("content-type"),
                                    body)
        except protocol.ProtocolError as err:
            headers = {"Allow": ALLOW} if err.status == 405 else None
            return error(err.status, err.message, headers)
        if parsed.query is None:
            if method == "POST":
                return error(400, "no query parameter in the request")
            return await self.service_description(request)
        if len(parsed.query) > settings.max_query_bytes or \
                len(parsed.query.encode("utf-8")) > settings.max_query_bytes:
            return error(413, f"the query is longer than {settings.max_query_bytes} bytes")
        client = request.client.host if request.client else "unknown"
        try:
            # The client's slot covers checking the query too, so one client cannot keep many
            # checks going at once.
            with self.admission.slot(client):
                return await self.check_and_run(request, parsed, client)
        except Refused as err:
            return self.refusal(err)

    async def check_and_run(self, request: Request, parsed: protocol.ProtocolRequest,
                            client: str) -> Response:
        """Check the query in a worker, choose the answer's format, run it and send the answer."""
        settings, pool = self.settings, self.state["pool"]
        try:  # the policy runs in a worker, off the event loop and under the time limit
            info = await pool.check(QueryRequest(
                parsed.query, default_graph_uris=parsed.default_graph_uris,
                named_graph_uris=parsed.named_graph_uris))
        except QueryError as err:
            return error(err.status, f"{err.title}: {err.message}")
        candidates = GRAPH_FORMATS if info.returns_graph else RESULT_FORMATS
        fmt = choose_format(parsed.format, request.headers.get("accept"), candidates)
        if fmt is None:
            offered = ", ".join(f.media_type for f in candidates)
            return error(406, f"cannot answer this {info.form} query in the accepted types; "
                              f"offered: {offered}")
        query_request = QueryRequest(parsed.query, fmt.name, settings.max_result_bytes,
                                     parsed.default_graph_uris, parsed.named_graph_uris,
                                     max_rows=settings.max_rows)
        try:
            answer = await unless_disconnected(request, pool.run(query_request))
        except QueryError as err:
            headers = {"Retry-After": str(settings.retry_after)} if err.status == 503 else None
            # A query that used its worker up to the time limit, or took the worker down (the
            # pool says so in a QueryFailed naming the worker), costs its client a wait.
            if isinstance(err, QueryTimeout) or (isinstance(err, QueryFailed)
                                                 and "worker" in err.message):
                self.admission.penalize(client)
                headers = {"Retry-After": str(settings.retry_after)}
            return error(err.status, f"{err.title}: {err.message}", headers)
        if answer is None:  # the client went away; its query was cancelled
            return Response(status_code=499)
        try:
            self.budget.take(len(answer.body))
        except Refused as err:
            return self.refusal(err)
        return HeldAnswer(answer.body, lambda size=len(answer.body): self.budget.give_back(size),
                          media_type=fmt.content_type,
                          headers={"Vary": "Accept", "Content-Length": str(len(answer.body))})

    async def service_description(self, request: Request) -> Response:
        """The SPARQL service description (``templates/service-description.ttl``) in the RDF
        syntax asked for; a browser is sent to the query page."""
        fmt = negotiate(request.headers.get("accept"), [*GRAPH_FORMATS, HTML])
        if fmt is HTML:
            return RedirectResponse("/", status_code=303, headers={"Vary": "Accept"})
        if fmt is None:
            return error(406, "the service description is available as "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS))
        endpoint = str(request.url.replace(query="", fragment=""))
        key = f"{fmt.name} {endpoint}"
        cache = self.description_cache
        if key not in cache:
            try:
                pyoxigraph.NamedNode(endpoint)
            except ValueError:
                return error(400, "the request's Host does not make a valid IRI")
            text = render(TEMPLATES, "service-description.ttl", endpoint=endpoint)
            triples = list(pyoxigraph.parse(text.encode("utf-8"),
                                            format=pyoxigraph.RdfFormat.TURTLE))
            if len(cache) >= 32:  # Host headers vary; keep a few
                cache.clear()
            cache[key] = self.state["ld"].serialize(triples, fmt.name)
        return Response(cache[key], media_type=fmt.content_type, headers={"Vary": "Accept"})


def choose_format(param: str | None, accept: str | None, candidates: list[Format]):
    """The answer format: the ``format`` parameter when given (a name or a media type), else the
    best match of the Accept header among ``candidates``; None when none fits."""
    if param:
        name = FORMAT_PARAM_ALIASES.get(param.lower())
        if name is None and "/" in param:
            return negotiate(param, candidates)
        return BY_NAME[name] if name and BY_NAME[name] in candidates else None
    return negotiate(accept, candidates)


async def unless_disconnected(request: Request, coroutine):
    """Await ``coroutine``; if the client disconnects first, cancel it (the worker pool then
    stops the worker running the query) and return None."""
    work = asyncio.ensure_future(coroutine)
    watcher = asyncio.ensure_future(_disconnected(request.receive))
    try:
        await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (work, watcher):
            if not task.done():
                task.cancel()
    if work.done() and not work.cancelled():
        return work.result()
    with contextlib.suppress(asyncio.CancelledError, QueryError):
        await work
    return None


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class HeldAnswer(StreamingResponse):
    """An answer written in WRITE_CHUNK pieces, so the transport buffers one piece at a time and
    a stalled reader is noticed (see connections.py). ``release`` is called once when the
    response ends in any way (sent, client gone, connection dropped): its bytes go back to the
    budget."""

    def __init__(self, body: bytes, release, **kwargs):
        super().__init__(self._pieces(body), **kwargs)
        self._release = release

    @staticmethod
    async def _pieces(body: bytes):
        for start in range(0, len(body), WRITE_CHUNK):
            yield body[start:start + WRITE_CHUNK]

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()
