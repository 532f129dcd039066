"""The SPARQL 1.1 endpoint, the query page and the linked-data pages (a Starlette app).

This module assembles the app: its settings, the store and worker pool its lifespan opens, the
routes (:mod:`.endpoint` for ``/sparql``, :mod:`.browse` for the query page and the linked-data
pages, the editor's static assets, the reconciliation service) and the security headers.

What one client can take is bounded (see docs/query.md, "Limits"): the query length and request
body, the time to send them, the queries it runs at once (:mod:`.admission`), the rows and bytes of
an answer, the answer bytes this process holds for slow readers, and the time a reader may stall
(:mod:`.connections`).
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..reconcile.app import reconcile_mount
from ..sparql.execute import DEFAULT_MAX_RESULT_BYTES
from ..sparql.workers import DEFAULT_TIMEOUT, StoreSpec, WorkerPool
from . import pages
from .browse import Browse
from .endpoint import SparqlEndpoint

EDITOR_ASSETS = Path(__file__).resolve().parent.parent / "assets" / "sparql-editor"
DEFAULT_MAX_BODY_BYTES = 256 * 1024
DEFAULT_MAX_QUERY_BYTES = 64 * 1024
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BUFFERED_BYTES = 128 * 1024 * 1024
DEFAULT_BODY_TIMEOUT = 10.0
OWL_VERSION_IRI = pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")

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
    state: dict = {}

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

    routes = [
        *Browse(settings, state).routes(),
        Route("/sparql", SparqlEndpoint(settings, state).asgi()),
        Mount("/assets/sparql-editor", app=StaticFiles(directory=str(EDITOR_ASSETS)),
              name="editor"),
        reconcile_mount(settings),
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
                # A response with a policy of its own (the reconciliation preview, framed by
                # clients) keeps it; every other response gets the strict one.
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
