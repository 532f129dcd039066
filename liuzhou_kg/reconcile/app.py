"""The reconciliation service as a Starlette app, mounted by the server at ``/reconcile``.

Routes (all with CORS; preflight answered for every one):

- ``/reconcile`` — version 0.2: ``GET`` without parameters gives the manifest (JSONP with
  ``callback=``); ``queries=`` (GET, or POST form-encoded) a batch of queries; ``extend=`` data
  extension. ``/reconcile/suggest/{entity,type,property}``, ``/reconcile/preview?id=``,
  ``/reconcile/properties?type=`` (property proposals).
- ``/reconcile/v1`` — the 1.0 draft: manifest, ``POST /match`` and ``POST /extend`` with JSON
  bodies, ``/suggest/*``, ``/preview``, ``/extend/propose``; names in the ``Accept-Language``.

The catalog is read from the store on the first request (a second or so) and kept in memory;
it is read again when the store moves to a new generation (a rebuild, an import, a remove).
"""
from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match, Mount, Route, get_route_path

from .catalog import Catalog, load_catalog, load_config
from .engine import Engine, clean_text
from .extend import extend_v02, extend_v1, parse_extend, propose
from .manifest import manifest_v02, manifest_v1
from .preview import PREVIEW_CSP, render_preview
from .queries import BadRequest, candidate_json, load_json, parse_v02, parse_v1, run_query
from .suggest import Suggester

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_.$]{0,99}\Z")
DIGITS = re.compile(r"^[0-9]{1,12}\Z")  # ASCII only: str.isdigit() also takes "²", which int() refuses
DEFAULT_SUGGEST = 10


@dataclass
class Service:
    """What the routes answer from: the catalog, the matching engine and the suggester."""

    catalog: Catalog
    engine: Engine
    suggester: Suggester

    @classmethod
    def from_store(cls, store) -> "Service":
        catalog = load_catalog(store)
        return cls(catalog, Engine(catalog, store), Suggester(catalog))


class ServiceMount(Mount):
    """A Mount that also answers its own path without the trailing slash (``/reconcile``),
    which is the URL users paste into OpenRefine; a plain Mount would redirect it, and a redirect
    breaks POST bodies in some clients and every CORS preflight."""

    def matches(self, scope):
        if scope["type"] == "http" and get_route_path(scope) == self.path:
            match, child = super().matches({**scope, "path": scope["path"] + "/"})
            if match is Match.FULL:
                child["path"] = scope["path"] + "/"
            return match, child
        return super().matches(scope)


def reconcile_mount(settings, path: str = "/reconcile") -> Mount:
    """The route the server adds: the service, over the dataset of ``settings.spec``."""
    load_config()  # a broken service.yaml stops the server at start, not at the first request
    max_body = getattr(settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES)
    return ServiceMount(path, app=reconcile_app(settings.spec.open, max_body))


def _store_version(store):
    """The generation a store folder's HEAD names now (None for any other store, which never changes)."""
    from ..store.reader import LiveStore

    if not isinstance(store, LiveStore):
        return None
    store.current()  # re-reads HEAD; cheap (one stat) when it has not moved
    return store.generation


def reconcile_app(open_store, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
    """The ASGI app of the service; ``open_store()`` gives the pyoxigraph store to read."""
    holder: dict = {}
    lock = asyncio.Lock()

    async def service() -> Service:
        # The store is opened once. A store folder follows its HEAD (store.generations.LiveStore):
        # when a build, import or remove publishes a new generation, the catalog is read again from
        # it, so a running server reconciles against what the store holds now. Requests that
        # arrive meanwhile are answered from the previous catalog.
        if "store" not in holder:
            async with lock:
                if "store" not in holder:
                    holder["store"] = await run_in_threadpool(open_store)
        store = holder["store"]
        version = _store_version(store)
        if "service" not in holder or holder.get("version") != version:
            async with lock:
                if "service" not in holder or holder.get("version") != version:
                    holder["service"] = await run_in_threadpool(lambda: Service.from_store(store))
                    holder["version"] = version
        return holder["service"]

    def handled(endpoint):
        async def wrapper(request: Request) -> Response:
            try:
                return await endpoint(request, await service())
            except BadRequest as err:
                return JSONResponse({"error": err.message, "status": err.status},
                                    status_code=err.status)
        return wrapper

    async def body_of(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            if not DIGITS.match(length):
                raise BadRequest("invalid Content-Length")
            if int(length) > max_body_bytes:
                raise BadRequest(f"request body larger than {max_body_bytes} bytes", 413)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise BadRequest(f"request body larger than {max_body_bytes} bytes", 413)
            chunks.append(chunk)
        return b"".join(chunks)

    async def params_of(request: Request) -> dict[str, str]:
        """URL and (for POST) form parameters; each name at most once, all UTF-8."""
        pairs = _pairs(request.scope.get("query_string", b""), "URL query string")
        if request.method == "POST":
            media, charset = _media_type(request.headers.get("content-type"))
            if media != FORM:
                raise BadRequest(f"a POST needs Content-Type {FORM}", 415)
            if charset not in (None, "utf-8", "utf8"):
                raise BadRequest(f"charset {charset} is not supported; send UTF-8", 415)
            pairs += _pairs(await body_of(request), "request body")
        params: dict[str, str] = {}
        for name, value in pairs:
            if name in params:
                raise BadRequest(f"parameter {name[:40]!r} given more than once")
            params[name] = value
        return params

    async def json_body(request: Request):
        media, charset = _media_type(request.headers.get("content-type"))
        if media != JSON_TYPE:
            raise BadRequest(f"this route takes a JSON body (Content-Type: {JSON_TYPE})", 415)
        if charset not in (None, "utf-8", "utf8"):
            raise BadRequest(f"charset {charset} is not supported; send UTF-8", 415)
        try:
            text = (await body_of(request)).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the request body is not UTF-8") from None
        return load_json(text, "body")

    # --- version 0.2 ------------------------------------------------------------------------
    async def root_v02(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        callback = params.pop("callback", None) if request.method == "GET" else None
        if callback is not None and not CALLBACK.match(callback):
            raise BadRequest("callback: only letters, digits, _, $ and . (not starting with a digit)")
        if "queries" in params and "extend" in params:
            raise BadRequest("send either queries or extend, not both")
        if "queries" in params:
            batch = parse_v02(params["queries"], svc.catalog)
            data = await run_in_threadpool(_answer_v02, svc, batch)
        elif "extend" in params:
            ids, props = parse_extend(params["extend"], svc.catalog)
            data = extend_v02(svc.catalog, ids, props)
        elif request.method == "POST":
            raise BadRequest("no queries or extend parameter in the request")
        else:
            data = manifest_v02(svc.catalog, _origin(request))
        return _json(data, callback)

    async def suggest_v02(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        callback = params.pop("callback", None)
        if callback is not None and not CALLBACK.match(callback):
            raise BadRequest("callback: only letters, digits, _, $ and . (not starting with a digit)")
        offset = _count(params.get("cursor", params.get("offset")), "cursor", 0, 10_000)
        return _json({"result": _suggest(request, svc, params, offset, None)}, callback)

    async def preview(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        ref = params.get("id")
        if not ref:
            raise BadRequest("id: required")
        record = svc.catalog.resolve_entity(clean_text(ref, 300))
        lang = _accept_language(request.headers.get("accept-language")) or params.get("lang")
        lang = lang if lang in ("zh", "en") else "zh"
        headers = {"Content-Security-Policy": PREVIEW_CSP}
        if record is None:
            return HTMLResponse("<!DOCTYPE html><p>no such entity</p>", 404, headers=headers)
        return HTMLResponse(render_preview(svc.catalog, record, lang), headers=headers)

    async def properties_v02(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        return _json(propose(svc.catalog, params.get("type"), params.get("limit"), None))

    # --- version 1.0 draft ------------------------------------------------------------------
    async def root_v1(request: Request, svc: Service) -> Response:
        lang = _accept_language(request.headers.get("accept-language"))
        return _json(manifest_v1(svc.catalog, _origin(request), lang), lang=lang)

    async def match_v1(request: Request, svc: Service) -> Response:
        queries = parse_v1(await json_body(request), svc.catalog)
        lang = _accept_language(request.headers.get("accept-language"))
        data = await run_in_threadpool(_answer_v1, svc, queries, lang)
        return _json(data, lang=lang)

    async def suggest_v1(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        if "prefix" not in params:
            raise BadRequest("prefix: required")
        lang = _accept_language(request.headers.get("accept-language"))
        offset = _count(params.get("offset"), "offset", 0, 10_000)
        return _json({"result": _suggest(request, svc, params, offset, lang)}, lang=lang)

    async def extend_route_v1(request: Request, svc: Service) -> Response:
        lang = _accept_language(request.headers.get("accept-language"))
        body = await json_body(request)
        if isinstance(body, dict) and lang:
            for prop in body.get("properties", []) if isinstance(body.get("properties"), list) else []:
                if isinstance(prop, dict) and "settings" not in prop:
                    prop["settings"] = {"lang": lang}
        ids, props = parse_extend(body, svc.catalog, "body")
        return _json(extend_v1(svc.catalog, ids, props), lang=lang)

    async def propose_v1(request: Request, svc: Service) -> Response:
        params = await params_of(request)
        lang = _accept_language(request.headers.get("accept-language"))
        return _json(propose(svc.catalog, params.get("type"), params.get("limit"), lang), lang=lang)

    def _suggest(request: Request, svc: Service, params: dict, offset: int, lang) -> list[dict]:
        kind = request.path_params["kind"]
        limit = _count(params.get("limit"), "limit", 1, svc.catalog.config.limits["suggest"],
                       DEFAULT_SUGGEST)
        prefix = params.get("prefix", "")
        if kind == "entity":
            type_iri = None
            if params.get("type"):
                type_iri = svc.catalog.resolve_type(params["type"])
                if type_iri is None:
                    raise BadRequest(f"type: unknown type {params['type'][:100]!r}")
            found = svc.suggester.entities(prefix, lang, type_iri)
        elif kind == "type":
            found = svc.suggester.types(prefix, lang)
        else:
            found = svc.suggester.properties(prefix, lang)
        return found[offset:offset + limit]

    get, both = ["GET"], ["GET", "POST"]
    routes = [
        Route("/", handled(root_v02), methods=both),
        Route("/suggest/{kind:str}", handled(suggest_v02), methods=get),
        Route("/preview", handled(preview), methods=get),
        Route("/properties", handled(properties_v02), methods=get),
        Route("/v1", handled(root_v1), methods=get),
        Route("/v1/", handled(root_v1), methods=get),
        Route("/v1/match", handled(match_v1), methods=["POST"]),
        Route("/v1/suggest/{kind:str}", handled(suggest_v1), methods=get),
        Route("/v1/preview", handled(preview), methods=get),
        Route("/v1/extend", handled(extend_route_v1), methods=["POST"]),
        Route("/v1/extend/propose", handled(propose_v1), methods=get),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(_KindGuard)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], max_age=600)
    return app


class _KindGuard:
    """ASGI middleware: 404 for a suggest kind other than entity, type or property."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = get_route_path(scope)
            for prefix in ("/suggest/", "/v1/suggest/"):
                if path.startswith(prefix) and path[len(prefix):] not in ("entity", "type", "property"):
                    response = JSONResponse({"error": "suggest offers entity, type and property",
                                             "status": 404}, status_code=404)
                    return await response(scope, receive, send)
        await self.app(scope, receive, send)


def _answer_v02(svc: Service, batch) -> dict:
    return {key: {"result": [candidate_json(svc.catalog, c, None, False)
                             for c in run_query(svc.engine, query, None)]}
            for key, query in batch.items()}


def _answer_v1(svc: Service, queries, lang) -> dict:
    return {"results": [{"candidates": [candidate_json(svc.catalog, c, lang, True)
                                        for c in run_query(svc.engine, query, lang)]}
                        for query in queries]}


def _json(data, callback: str | None = None, lang: str | None = None) -> Response:
    headers = {"Content-Language": lang} if lang else {}
    if callback:
        text = json.dumps(data, ensure_ascii=False)
        return Response(f"/**/{callback}({text});", media_type="application/javascript",
                        headers=headers)
    return JSONResponse(data, headers=headers)


def _pairs(data: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(data.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                         errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not UTF-8") from None


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    media, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _count(value: str | None, name: str, low: int, high: int, default: int | None = None) -> int:
    if value is None or value == "":
        return default if default is not None else low
    if not DIGITS.match(value) or int(value) < low:
        raise BadRequest(f"{name}: must be an integer of at least {low}")
    return min(int(value), high)


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _accept_language(header: str | None) -> str | None:
    """zh or en, whichever the Accept-Language header prefers first (None if neither)."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None
