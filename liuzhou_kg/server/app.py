"""The SPARQL 1.1 endpoint, the query page and the linked-data pages (a Starlette app).

User queries never run in this process: they go to a :class:`WorkerPool` whose workers are killed
at the time limit. The event loop only parses requests and waits on pipes, so other clients are
answered while a long query runs. Linked-data pages use bounded quad lookups in a thread.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..sparql import library
from ..sparql.errors import QueryError
from ..sparql.execute import DEFAULT_MAX_RESULT_BYTES, QueryRequest, graph_names
from ..sparql.formats import (BY_NAME, FORMAT_PARAM_ALIASES, GRAPH_FORMATS, RESULT_FORMATS,
                              Format, negotiate)
from ..sparql.workers import DEFAULT_TIMEOUT, StoreSpec, WorkerPool
from . import pages, protocol

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
EDITOR_ASSETS = HERE.parent / "assets" / "sparql-editor"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

HTML = Format("html", "text/html", "page", ("application/xhtml+xml",))
# Content security policy: nothing may be loaded from, or sent to, anywhere but this server.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@dataclass
class Settings:
    spec: StoreSpec
    timeout: float = DEFAULT_TIMEOUT
    workers: int = 2
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def create_app(settings: Settings) -> Starlette:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    state: dict = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        store = await run_in_threadpool(settings.spec.open)
        state["store"] = store
        state["graphs"] = graph_names(store)
        state["ld"] = pages.LinkedData(store)
        pool = WorkerPool(settings.spec, settings.workers, settings.timeout)
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

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                if int(length) > settings.max_body_bytes:
                    raise protocol.ProtocolError(413, f"request body larger than "
                                                      f"{settings.max_body_bytes} bytes")
            except ValueError:
                raise protocol.ProtocolError(400, "invalid Content-Length") from None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_body_bytes:
                raise protocol.ProtocolError(413, f"request body larger than "
                                                  f"{settings.max_body_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def sparql(request: Request) -> Response:
        try:
            body = await read_body(request) if request.method == "POST" else b""
            parsed = protocol.parse(request.method, request.scope.get("query_string", b""),
                                    request.headers.get("content-type"), body)
        except protocol.ProtocolError as err:
            headers = {"Allow": "GET, POST"} if err.status == 405 else None
            return error(err.status, err.message, headers)
        if parsed.query is None:
            if request.method == "POST":
                return error(400, "no query parameter in the request")
            return await service_description(request)
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
                                     parsed.default_graph_uris, parsed.named_graph_uris)
        try:
            answer = await state["pool"].run(query_request)
        except QueryError as err:
            return error(err.status, f"{err.title}: {err.message}")
        return Response(answer.body, media_type=fmt.content_type, headers={"Vary": "Accept"})

    async def service_description(request: Request) -> Response:
        fmt = negotiate(request.headers.get("accept"), [*GRAPH_FORMATS, HTML])
        if fmt is HTML:
            return RedirectResponse("/", status_code=303, headers={"Vary": "Accept"})
        if fmt is None:
            return error(406, "the service description is available as "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS))
        endpoint = str(request.url.replace(query="", fragment=""))
        text = (TEMPLATES / "service-description.ttl").read_text(encoding="utf-8")
        text = text.replace("{{endpoint}}", endpoint)
        triples = list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
        body = state["ld"].serialize(triples, fmt.name)
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})

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
        if path == "/ontology":
            iris = ld.ontology_terms()
        else:
            iri = pages.iri_for_path(path)
            iris = [iri] if ld.exists(iri) else []
        if not iris:
            return error(404, f"no resource <{pages.iri_for_path(path)}> in this graph")
        if fmt is None:
            return error(406, "this resource is available as text/html, "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS), headers)
        if fmt is not HTML:
            body = ld.serialize(ld.description(iris, with_incoming=path != "/ontology"), fmt.name)
            return Response(body, media_type=fmt.content_type, headers=headers)
        if path.startswith("/passage/"):
            blocks = [ld.passage_block(iris[0])]
        elif path == "/ontology":
            blocks = [ld.block(iri, with_sources=False) for iri in iris]
        else:
            blocks = [ld.block(iris[0])]
        title = blocks[0].zh[0] if blocks[0].zh else (blocks[0].en[0] if blocks[0].en else path)
        if path == "/ontology":
            title = "本体 / Ontology"
        html = env.get_template("resource.html").render(blocks=blocks, title=title, path=path,
                                                         iri=pages.iri_for_path(path))
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)

    async def linked_data_async(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return error(405, f"{request.method} is not allowed", {"Allow": "GET, HEAD"})
        return await run_in_threadpool(linked_data, request)

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        Mount("/assets/sparql-editor", app=StaticFiles(directory=str(EDITOR_ASSETS)),
              name="editor"),
        Route("/ontology", linked_data_async, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/resource/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/passage/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        Route("/graph/{rest:path}", linked_data_async,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)

    app.add_middleware(SecurityHeaders)
    return app


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
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
