"""Reconciliation queries in, results out: the 0.2 batch (``queries=``) and the 1.0 draft's /match.

Both are checked field by field before any matching; a malformed batch raises
:class:`BadRequest` with a message naming the query key (or index) and the field, which the app
turns into a 400 (413 for a batch over the size limit). Nothing here builds a query language
string: each query becomes a :class:`Query` for :meth:`Engine.candidates`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .catalog import Catalog
from .engine import Candidate, Engine, Evidence, UnknownProperty, rank

V02_QUERY_FIELDS = {"query", "type", "limit", "properties", "type_strict"}
V1_QUERY_FIELDS = {"type", "limit", "conditions", "lang", "dir"}
V1_CONDITION_FIELDS = {"matchType", "propertyId", "propertyValue", "required", "matchQuantifier",
                       "matchQualifier"}
MAX_JSON_DEPTH = 20
MAX_VALUES = 20   # values of one property or condition
MAX_NAMES = 10    # names to match in one 1.0-draft query (each is matched on its own)


class BadRequest(Exception):
    """A request the service cannot answer, with the HTTP status and a message naming the spot."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Query:
    """One reconciliation query, protocol-independent."""

    texts: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    type_strict: str = "any"
    limit: int = 5
    evidence: list[Evidence] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    ids_required: bool = False


def load_json(text: str, where: str):
    """Parse JSON text; any problem (syntax, NaN, absurd numbers, deep nesting) is a BadRequest."""
    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    try:
        value = json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as err:
        raise BadRequest(f"{where}: not valid JSON: {err.msg} at line {err.lineno} column "
                         f"{err.colno}") from None
    except (ValueError, RecursionError) as err:
        raise BadRequest(f"{where}: not valid JSON: {str(err)[:200]}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(f"{where}: nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _depth(value, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _limit(value, where: str, catalog: Catalog) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and (not math.isfinite(value) or not value.is_integer())):
        raise BadRequest(f"{where}: limit must be a positive integer")
    if value < 1:
        raise BadRequest(f"{where}: limit must be a positive integer, not {value}")
    return min(int(value), catalog.config.limits["candidates"])


def _check_count(items: list, where: str, catalog: Catalog) -> None:
    most = catalog.config.limits["conditions"]
    if len(items) > most:
        raise BadRequest(f"{where}: at most {most} per query")


def _types(value, where: str, catalog: Catalog) -> list[str]:
    refs = value if isinstance(value, list) else [value]
    _check_count(refs, where, catalog)
    found = []
    for ref in refs:
        if not isinstance(ref, str):
            raise BadRequest(f"{where}: a type must be a string")
        iri = catalog.resolve_type(ref)
        if iri is None:
            raise BadRequest(f"{where}: unknown type {ref[:100]!r} (see /suggest/type)")
        found.append(iri)
    return found


def _property_values(value, where: str) -> tuple:
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_VALUES:
        raise BadRequest(f"{where}: at most {MAX_VALUES} values")
    for v in values:
        if isinstance(v, dict):
            if not isinstance(v.get("id"), str):
                raise BadRequest(f"{where}: an entity value needs an \"id\" string")
        elif isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise BadRequest(f"{where}: a value must be a string, number, boolean or "
                             "{\"id\": ...}")
    return tuple(values)


def _check_batch_size(count: int, catalog: Catalog) -> None:
    size = catalog.config.limits["batch_size"]
    if count > size:
        raise BadRequest(f"batch of {count} queries; at most {size} per batch (batchSize)", 413)


def parse_v02(text: str, catalog: Catalog) -> dict[str, Query]:
    """A 0.2 reconciliation query batch (the JSON of ``queries=``), keyed as sent."""
    batch = load_json(text, "queries")
    if not isinstance(batch, dict):
        raise BadRequest("queries: must be a JSON object of queries keyed q0, q1, …")
    _check_batch_size(len(batch), catalog)
    parsed: dict[str, Query] = {}
    for key, raw in batch.items():
        where = f"queries[{key[:40]!r}]"
        if not isinstance(raw, dict):
            raise BadRequest(f"{where}: must be an object")
        unknown = set(raw) - V02_QUERY_FIELDS
        if unknown:
            raise BadRequest(f"{where}: unknown field {sorted(unknown)[0][:40]!r}")
        query = Query(limit=catalog.config.limits["default_limit"])
        if "query" in raw:
            if not isinstance(raw["query"], str):
                raise BadRequest(f"{where}.query: must be a string")
            if raw["query"].strip():
                query.texts.append(raw["query"])
        if "type" in raw:
            query.types = _types(raw["type"], f"{where}.type", catalog)
        if "type_strict" in raw:
            if raw["type_strict"] not in ("any", "all", "should"):
                raise BadRequest(f"{where}.type_strict: must be \"any\", \"all\" or \"should\"")
            query.type_strict = raw["type_strict"]
        if "limit" in raw:
            query.limit = _limit(raw["limit"], f"{where}.limit", catalog)
        properties = raw.get("properties", [])
        if not isinstance(properties, list):
            raise BadRequest(f"{where}.properties: must be an array")
        _check_count(properties, f"{where}.properties", catalog)
        for number, prop in enumerate(properties):
            at = f"{where}.properties[{number}]"
            if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
                raise BadRequest(f"{at}: must be an object with \"pid\" (a string) and \"v\"")
            query.evidence.append(Evidence(prop["pid"], _property_values(prop["v"], f"{at}.v")))
        if not query.texts and not query.evidence:
            raise BadRequest(f"{where}: needs a non-empty \"query\" or \"properties\"")
        parsed[key] = query
    return parsed


def parse_v1(body, catalog: Catalog) -> list[Query]:
    """A 1.0-draft reconciliation query batch (the JSON body of POST /match)."""
    if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
        raise BadRequest("body: must be an object {\"queries\": [...]}")
    unknown = set(body) - {"queries"}
    if unknown:
        raise BadRequest(f"body: unknown field {sorted(unknown)[0][:40]!r}")
    _check_batch_size(len(body["queries"]), catalog)
    parsed = []
    for index, raw in enumerate(body["queries"]):
        where = f"queries[{index}]"
        if not isinstance(raw, dict):
            raise BadRequest(f"{where}: must be an object")
        unknown = set(raw) - V1_QUERY_FIELDS
        if unknown:
            raise BadRequest(f"{where}: unknown field {sorted(unknown)[0][:40]!r}")
        query = Query(limit=catalog.config.limits["default_limit"])
        if "type" in raw:
            if not isinstance(raw["type"], str):
                raise BadRequest(f"{where}.type: must be one type id (a string)")
            query.types = _types(raw["type"], f"{where}.type", catalog)
        if "limit" in raw:
            query.limit = _limit(raw["limit"], f"{where}.limit", catalog)
        for name in ("lang", "dir"):
            if name in raw and not isinstance(raw[name], str):
                raise BadRequest(f"{where}.{name}: must be a string")
        conditions = raw.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            raise BadRequest(f"{where}.conditions: must be a non-empty array")
        _check_count(conditions, f"{where}.conditions", catalog)
        for number, cond in enumerate(conditions):
            _condition(query, cond, f"{where}.conditions[{number}]")
        if not query.texts and not query.evidence and not query.ids:
            raise BadRequest(f"{where}: no condition with a value")
        if len(query.texts) > MAX_NAMES:
            raise BadRequest(f"{where}: at most {MAX_NAMES} names to match")
        parsed.append(query)
    return parsed


def _condition(query: Query, cond, where: str) -> None:
    if not isinstance(cond, dict):
        raise BadRequest(f"{where}: must be an object")
    unknown = set(cond) - V1_CONDITION_FIELDS
    if unknown:
        raise BadRequest(f"{where}: unknown field {sorted(unknown)[0][:40]!r}")
    kind = cond.get("matchType")
    if kind not in ("name", "id", "property"):
        raise BadRequest(f"{where}.matchType: must be \"name\", \"id\" or \"property\"")
    if "propertyValue" not in cond:
        raise BadRequest(f"{where}.propertyValue: missing")
    values = _property_values(cond["propertyValue"], f"{where}.propertyValue")
    required = cond.get("required", False)
    if not isinstance(required, bool):
        raise BadRequest(f"{where}.required: must be true or false")
    quantifier = cond.get("matchQuantifier", "any")
    if quantifier not in ("any", "all"):
        raise BadRequest(f"{where}.matchQuantifier: this service supports \"any\" and \"all\"")
    if "matchQualifier" in cond:
        raise BadRequest(f"{where}.matchQualifier: this service supports no match qualifier")
    if kind == "name":
        query.texts.extend(_as_text(v) for v in values)
    elif kind == "id":
        query.ids.extend(_as_text(v) for v in values)
        query.ids_required = query.ids_required or required
    else:
        pid = cond.get("propertyId")
        if not isinstance(pid, str):
            raise BadRequest(f"{where}.propertyId: required (a string) when matchType is property")
        groups = [(v,) for v in values] if quantifier == "all" else [values]
        query.evidence.extend(Evidence(pid, group, required) for group in groups)


def _as_text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("id") if value.get("id") is not None else value.get("name", ""))
    return str(value)


def run_query(engine: Engine, query: Query, lang: str | None) -> list[Candidate]:
    """The candidates of one query: one engine call per name (best score per entity kept)."""
    texts = query.texts or ([query.ids[0]] if query.ids and not query.evidence else [None])
    try:
        merged: dict[str, Candidate] = {}
        for text in texts[:MAX_NAMES]:
            for cand in engine.candidates(text, query.types, query.evidence,
                                          engine.config.limits["candidates"], lang,
                                          query.type_strict):
                if cand.id not in merged or cand.score > merged[cand.id].score:
                    merged[cand.id] = cand
    except UnknownProperty as err:
        raise BadRequest(f"unknown property {str(err)[:100]!r} (see /suggest/property)") from None
    ranked = list(merged.values())
    if query.ids:
        wanted = {engine.catalog.resolve_entity(i).id for i in query.ids
                  if engine.catalog.resolve_entity(i) is not None}
        if query.ids_required:
            ranked = [c for c in ranked if c.id in wanted]
    ranked.sort(key=rank)
    for cand in ranked:
        cand.match = False
    engine.decide(ranked)
    return ranked[:query.limit]


def type_objects(catalog: Catalog, type_iris: list[str], lang: str | None) -> list[dict]:
    """The protocol's type objects ({id, name}) for ``type_iris``, named in ``lang``."""
    return [{"id": catalog.type_id(t), "name": catalog.classes[t].name(lang)
             if t in catalog.classes else catalog.label(t, lang)} for t in type_iris]


def candidate_json(catalog: Catalog, cand: Candidate, lang: str | None, v1: bool) -> dict:
    """A candidate as the protocol writes it (the 1.0 draft gives each feature a name)."""
    out = {"id": cand.id, "name": cand.name, "score": cand.score, "match": cand.match,
           "type": type_objects(catalog, cand.types, lang)}
    if cand.description:
        out["description"] = cand.description
    out["features"] = [({"id": f.id, "name": f.name, "value": f.value} if v1
                        else {"id": f.id, "value": f.value}) for f in cand.features]
    return out
