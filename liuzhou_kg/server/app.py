"""The SPARQL 1.1 endpoint, the query page and the linked-data pages (a Starlette app).

User queries never run in this process: they go to a :class:`WorkerPool` whose workers are killed
at the time limit. The event loop only reads requests (bounded in size and time), parses them in
linear time and waits on pipes, so other clients are answered while a long query runs. Linked-data
pages use bounded quad lookups in a thread.

What one client can take is bounded (see docs/query.md, "Limits"): the query length and request
body, the time to send them, the queries it runs at once (:mod:`.admission`), the rows and bytes of
an answer, the answer bytes this process holds for slow readers, and the time a reader may stall
(:mod:`.connections`). A query whose client goes away is cancelled, which stops its worker.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, request_response
from starlette.staticfiles import StaticFiles

from ..reconcile.app import reconcile_mount
from ..sparql import library
from ..sparql.errors import QueryError, QueryFailed, QueryTimeout
from ..sparql.execute import DEFAULT_MAX_RESULT_BYTES, QueryRequest
from ..sparql.formats import (
    BY_NAME,
    FORMAT_PARAM_ALIASES,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Format,
    negotiate,
)
from ..sparql.workers import DEFAULT_TIMEOUT, StoreSpec, WorkerPool
from . import pages, protocol
from .admission import Admission, AnswerBudget, Refused

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
EDITOR_ASSETS = HERE.parent / "assets" / "sparql-editor"
DEFAULT_MAX_BODY_BYTES = 256 * 1024
DEFAULT_MAX_QUERY_BYTES = 64 * 1024
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BUFFERED_BYTES = 128 * 1024 * 1024
DEFAULT_BODY_TIMEOUT = 10.0
WRITE_CHUNK = 64 * 1024
OWL_VERSION_IRI = pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")

HTML = Format("html", "text/html", "page", ("application/xhtml+xml",))
# Content security policy: nothing may be loaded from, or sent to, anywhere but this server.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@dataclass
class Settings:
    """What the endpoint serves and its limits (``liuzhou-kg serve`` sets them from its options)."""

    spec: StoreSpec
    timeout: float = DEFAULT_TIMEOUT
    workers: int = 3
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_rows: int | None = DEFAULT_MAX_ROWS
    cors_origins: list[str] = field(default_factory=lambda: ["*"])
    max_client_queries: int = 2
    max_buffered_bytes: int = DEFAULT_MAX_BUFFERED_BYTES
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    queue_timeout: float | None = None  # wait for a free worker at most this (None: timeout)

    @property
    def retry_after(self) -> int:
        """Seconds a refused client should wait: a running query ends within the time limit."""
        return max(1, math.ceil(self.timeout))


def create_app(settings: Settings) -> Starlette:
    """Build the Starlette application that serves the dataset of ``settings``.

    Routes: ``/`` (the query page with the library questions), ``/sparql`` (the read-only
    SPARQL 1.1 protocol endpoint, with CORS), the editor's assets, the linked-data pages under
    ``/ontology``, ``/resource``, ``/passage`` and ``/graph``, and the reconciliation service.
    The store and the query worker pool are opened when the app starts (its lifespan) and closed
    when it stops; nothing is opened by this call itself.
    """
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    state: dict = {}
    admission = Admission(settings.workers, settings.max_client_queries, settings.retry_after)
    budget = AnswerBudget(settings.max_buffered_bytes, settings.retry_after)
    # The store never changes while the server runs: these pages are built once.
    ontology_cache: dict[str, bytes] = {}
    description_cache: dict[str, bytes] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        store = await run_in_threadpool(settings.spec.open)
        state["store"] = store
        state["ld"] = pages.LinkedData(store)
        state["ontology_versions"] = {
            quad.object.value for quad in store.quads_for_pattern(
                pyoxigraph.NamedNode(pages.ONTOLOGY), OWL_VERSION_IRI, None)
            if isinstance(quad.object, pyoxigraph.NamedNode)}
        pool = WorkerPool(settings.spec, settings.workers, settings.timeout,
                          queue_timeout=settings.queue_timeout)
        await pool.start()
        state["pool"] = pool
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    def error(status: int, message: str, headers: dict | None = None) -> Response:
        # Errors are plain text, never a traceback and never the content of a file.
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)

    def refusal(err: Refused) -> Response:
        return error(err.status, err.message, {"Retry-After": str(err.retry_after)})

    async def read_body(request: Request, limit: int, what: str) -> bytes:
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
            return await asyncio.wait_for(collect(), settings.body_timeout)
        except asyncio.TimeoutError:
            raise protocol.ProtocolError(408, f"the request body did not arrive within "
                                              f"{settings.body_timeout:g} s") from None

    def body_limit(request: Request) -> tuple[int, str]:
        """A query sent as the body may be max_query_bytes; a form also carries its encoding."""
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media == protocol.SPARQL_QUERY:
            return settings.max_query_bytes, "the query is"
        return settings.max_body_bytes, "the request body is"

    async def sparql(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":  # a preflight is answered by the CORS middleware before this
            return Response(status_code=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        query_string = request.scope.get("query_string", b"")
        # Percent-encoding makes a query up to three times longer in the URL.
        if len(query_string) > 3 * settings.max_query_bytes + 4096:
            return error(414, f"the URL is longer than {3 * settings.max_query_bytes + 4096} "
                              f"bytes; send a long query by POST (the query may be "
                              f"{settings.max_query_bytes} bytes)")
        try:
            body = b""
            if method == "POST":
                limit, what = body_limit(request)
                body = await read_body(request, limit, what)
            parsed = protocol.parse(method, query_string, request.headers.get("content-type"),
                                    body)
        except protocol.ProtocolError as err:
            headers = {"Allow": "GET, HEAD, POST, OPTIONS"} if err.status == 405 else None
            return error(err.status, err.message, headers)
        if parsed.query is None:
            if method == "POST":
                return error(400, "no query parameter in the request")
            return await service_description(request)
        if len(parsed.query) > settings.max_query_bytes or \
                len(parsed.query.encode("utf-8")) > settings.max_query_bytes:
            return error(413, f"the query is longer than {settings.max_query_bytes} bytes")
        client = request.client.host if request.client else "unknown"
        try:
            # The client's slot covers checking the query too, so one client cannot keep many
            # checks going at once.
            with admission.slot(client):
                return await check_and_run(request, parsed, client)
        except Refused as err:
            return refusal(err)

    async def check_and_run(request: Request, parsed: protocol.ProtocolRequest,
                            client: str) -> Response:
        try:  # the policy runs in a worker, off the event loop and under the time limit
            info = await state["pool"].check(QueryRequest(
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
            answer = await unless_disconnected(request, state["pool"].run(query_request))
        except QueryError as err:
            headers = {"Retry-After": str(settings.retry_after)} if err.status == 503 else None
            # A query that used its worker up to the time limit, or took the worker down (the
            # pool says so in a QueryFailed naming the worker), costs its client a wait.
            if isinstance(err, QueryTimeout) or (isinstance(err, QueryFailed)
                                                 and "worker" in err.message):
                admission.penalize(client)
                headers = {"Retry-After": str(settings.retry_after)}
            return error(err.status, f"{err.title}: {err.message}", headers)
        if answer is None:  # the client went away; its query was cancelled
            return Response(status_code=499)
        try:
            budget.take(len(answer.body))
        except Refused as err:
            return refusal(err)
        return HeldAnswer(answer.body, lambda size=len(answer.body): budget.give_back(size),
                          media_type=fmt.content_type,
                          headers={"Vary": "Accept", "Content-Length": str(len(answer.body))})

    async def unless_disconnected(request: Request, coroutine):
        """Await ``coroutine``; if the client disconnects first, cancel it (the worker pool then
        stops the worker running the query) and return None."""
        work = asyncio.ensure_future(coroutine)
        watcher = asyncio.ensure_future(disconnected(request.receive))
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

    async def disconnected(receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    async def service_description(request: Request) -> Response:
        fmt = negotiate(request.headers.get("accept"), [*GRAPH_FORMATS, HTML])
        if fmt is HTML:
            return RedirectResponse("/", status_code=303, headers={"Vary": "Accept"})
        if fmt is None:
            return error(406, "the service description is available as "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS))
        endpoint = str(request.url.replace(query="", fragment=""))
        key = f"{fmt.name} {endpoint}"
        if key not in description_cache:
            text = (TEMPLATES / "service-description.ttl").read_text(encoding="utf-8")
            text = text.replace("{{endpoint}}", endpoint)
            triples = list(pyoxigraph.parse(text.encode("utf-8"),
                                            format=pyoxigraph.RdfFormat.TURTLE))
            if len(description_cache) >= 32:  # Host headers vary; keep a few
                description_cache.clear()
            description_cache[key] = state["ld"].serialize(triples, fmt.name)
        return Response(description_cache[key], media_type=fmt.content_type,
                        headers={"Vary": "Accept"})

    def choose_format(param: str | None, accept: str | None, candidates: list[Format]):
        if param:
            name = FORMAT_PARAM_ALIASES.get(param.lower())
            if name is None and "/" in param:
                return negotiate(param, candidates)
            return BY_NAME[name] if name and BY_NAME[name] in candidates else None
        return negotiate(accept, candidates)

    async def index(request: Request) -> Response:
        questions = [{"name": q.name, "zh": q.question_zh, "en": q.question_en, "query": q.text}
                     for q in library.library()]
        # Inside <script type="application/json">, "<" must never start markup.
        payload = json.dumps(questions, ensure_ascii=False).replace("<", "\\u003c")
        html = env.get_template("index.html").render(questions=questions, questions_json=payload,
                                                      timeout=settings.timeout)
        return Response(html, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})

    def linked_data(request: Request) -> Response:
        path = request.url.path
        ld: pages.LinkedData = state["ld"]
        fmt = negotiate(request.headers.get("accept"), [HTML, *GRAPH_FORMATS])
        param = FORMAT_PARAM_ALIASES.get(request.query_params.get("format", "").lower())
        if param in ("turtle", "jsonld", "nt"):
            fmt = BY_NAME[param]
        headers = {"Vary": "Accept"}
        iri = pages.iri_for_path(path)
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            return error(400, f"{path!r} does not name a resource: the IRI it stands for is "
                              "not a valid IRI")
        # The ontology's version IRI names the ontology as published in this version.
        ontology = path == "/ontology" or iri in state["ontology_versions"]
        if not ontology and not ld.exists(iri):
            return error(404, f"no resource <{iri}> in this graph")
        if fmt is None:
            return error(406, "this resource is available as text/html, "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS), headers)
        if ontology:
            if fmt.name not in ontology_cache:
                ontology_cache[fmt.name] = ontology_page(fmt)
            return Response(ontology_cache[fmt.name], media_type=fmt.content_type,
                            headers=headers)
        if fmt is not HTML:
            body = ld.serialize(ld.description([iri]), fmt.name)
            return Response(body, media_type=fmt.content_type, headers=headers)
        block = ld.passage_block(iri) if path.startswith("/passage/") else ld.block(iri)
        title = block.zh[0] if block.zh else (block.en[0] if block.en else path)
        html = env.get_template("resource.html").render(blocks=[block], title=title, path=path,
                                                         iri=iri)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)

    def ontology_page(fmt: Format) -> bytes:
        """The ontology's terms as one page (HTML) or one description (RDF)."""
        ld: pages.LinkedData = state["ld"]
        iris = ld.ontology_terms()
        if fmt is not HTML:
            return ld.serialize(ld.description(iris, with_incoming=False), fmt.name)
        blocks = [ld.block(iri, with_sources=False) for iri in iris]
        return env.get_template("resource.html").render(
            blocks=blocks, title="本体 / Ontology", path="/ontology",
            iri=pages.ONTOLOGY).encode("utf-8")

    async def linked_data_async(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return error(405, f"{request.method} is not allowed", {"Allow": "GET, HEAD"})
        return await run_in_threadpool(linked_data, request)

    sparql_app = CORSMiddleware(
        request_response(sparql), allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=["Retry-After", "Content-Length"], max_age=600)
    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", sparql_app),  # every method reaches sparql(), which answers 405
        Mount("/assets/sparql-editor", app=StaticFiles(directory=str(EDITOR_ASSETS)),
              name="editor"),
        Route("/ontology", linked_data_async, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/ontology/{version}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/resource/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/passage/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/graph/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        reconcile_mount(settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)

    app.add_middleware(SecurityHeaders)
    return app


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


class SecurityHeaders:
    """ASGI middleware adding a strict content security policy to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A response with a policy of its own (the reconciliation preview, framed by
                # clients) keeps it; every other response gets the strict one.
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
