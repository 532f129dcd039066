"""The pages people browse: the query page (``/``) and the linked-data pages of every IRI
(``/ontology``, ``/resource/…``, ``/passage/…``, ``/graph/…``), as HTML or RDF by content
negotiation. Lookups use bounded quad patterns (:mod:`.pages`) in a thread; no user query runs."""
from __future__ import annotations

import pyoxigraph
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..sparql import library
from ..sparql.formats import BY_NAME, FORMAT_PARAM_ALIASES, GRAPH_FORMATS, Format, negotiate
from . import pages
from .responses import HTML, error, page

LD_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]  # the others get 405 from the route


class Browse:
    """The query page and the linked-data routes of one app: ``settings`` (an ``app.Settings``)
    gives the time limit shown, ``state`` what the app's lifespan opened (``ld``,
    ``ontology_versions``)."""

    def __init__(self, settings, state: dict):
        self.settings = settings
        self.state = state
        # The store never changes while the server runs: the ontology is built once per format.
        self.ontology_cache: dict[str, bytes] = {}

    def routes(self) -> list[Route]:
        """``/`` and the linked-data routes."""
        return [Route("/", self.index, methods=["GET", "HEAD"]),
                Route("/ontology", self.linked_data_async, methods=LD_METHODS),
                Route("/ontology/{version}", self.linked_data_async, methods=LD_METHODS),
                Route("/resource/{rest:path}", self.linked_data_async, methods=LD_METHODS),
                Route("/passage/{rest:path}", self.linked_data_async, methods=LD_METHODS),
                Route("/graph/{rest:path}", self.linked_data_async, methods=LD_METHODS)]

    async def index(self, request: Request) -> Response:
        """The query page, with the library's questions (as a list and as JSON for its script)."""
        html = index_page(_questions(), self.settings.timeout)
        return Response(html, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})

    def linked_data(self, request: Request) -> Response:
        """The description of the IRI a path stands for: HTML for browsers, else RDF."""
        path = request.url.path
        ld: pages.LinkedData = self.state["ld"]
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
        ontology = path == "/ontology" or iri in self.state["ontology_versions"]
        if not ontology and not ld.exists(iri):
            return error(404, f"no resource <{iri}> in this graph")
        if fmt is None:
            return error(406, "this resource is available as text/html, "
                              + ", ".join(f.media_type for f in GRAPH_FORMATS), headers)
        if ontology:
            if fmt.name not in self.ontology_cache:
                self.ontology_cache[fmt.name] = self.ontology_page(fmt)
            return Response(self.ontology_cache[fmt.name], media_type=fmt.content_type,
                            headers=headers)
        if fmt is not HTML:
            body = ld.serialize(ld.description([iri]), fmt.name)
            return Response(body, media_type=fmt.content_type, headers=headers)
        block = ld.passage_block(iri) if path.startswith("/passage/") else ld.block(iri)
        title = block.zh[0] if block.zh else (block.en[0] if block.en else path)
        html = page("resource.html", blocks=[block], title=title, path=path, iri=iri)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)

    def ontology_page(self, fmt: Format) -> bytes:
        """The ontology's terms as one page (HTML) or one description (RDF)."""
        ld: pages.LinkedData = self.state["ld"]
        iris = ld.ontology_terms()
        if fmt is not HTML:
            return ld.serialize(ld.description(iris, with_incoming=False), fmt.name)
        blocks = [ld.block(iri, with_sources=False) for iri in iris]
        return page("resource.html", blocks=blocks, title="本体 / Ontology", path="/ontology",
                    iri=pages.ONTOLOGY).encode("utf-8")

    async def linked_data_async(self, request: Request) -> Response:
        """:meth:`linked_data` in a thread; methods other than GET and HEAD get 405."""
        if request.method not in ("GET", "HEAD"):
            return error(405, f"{request.method} is not allowed", {"Allow": "GET, HEAD"})
        return await run_in_threadpool(self.linked_data, request)


def _questions() -> list[dict]:
    return [{"name": q.name, "zh": q.question_zh, "en": q.question_en, "query": q.text}
            for q in library.library()]


def index_page(questions: list[dict], timeout: float) -> str:
    """The query page's HTML: ``questions`` (dicts with name, zh, en and query) listed and
    embedded as JSON for the editor's script (``tojson``), and the time limit ``timeout``."""
    return page("index.html", questions=questions, timeout=timeout)
