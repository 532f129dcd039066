"""Data extension: property values of reconciled entities, for new columns; and property proposals.

Values come from the catalog (read once from the store): entities as ``{"id", "name"}``, codes,
IRIs and texts as ``{"str"}``, and stated figures as ``{"str"}`` combining the observation's
label, the stated value, its unit and the growth rate.
"""
from __future__ import annotations

from .catalog import Catalog, EntityRecord, PropertySpec
from .queries import BadRequest, load_json

LANGS = ("zh", "en")


def parse_extend(raw, catalog: Catalog, where: str = "extend") -> tuple[list[str], list[tuple[PropertySpec, str]]]:
    """Check a data extension query: the ids (as sent) and the properties with their language."""
    if isinstance(raw, str):
        raw = load_json(raw, where)
    if not isinstance(raw, dict) or not isinstance(raw.get("ids"), list) or not isinstance(
            raw.get("properties"), list):
        raise BadRequest(f"{where}: must be an object with \"ids\" and \"properties\" arrays")
    limits = catalog.config.limits
    if len(raw["ids"]) > limits["extend_ids"]:
        raise BadRequest(f"{where}.ids: at most {limits['extend_ids']} ids", 413)
    if len(raw["properties"]) > limits["extend_properties"]:
        raise BadRequest(f"{where}.properties: at most {limits['extend_properties']}", 413)
    ids = []
    for number, entity_id in enumerate(raw["ids"]):
        if not isinstance(entity_id, str):
            raise BadRequest(f"{where}.ids[{number}]: must be a string")
        ids.append(entity_id)
    props = []
    for number, prop in enumerate(raw["properties"]):
        at = f"{where}.properties[{number}]"
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise BadRequest(f"{at}: must be an object with an \"id\" string")
        spec = catalog.config.property(prop["id"])
        if spec is None:
            raise BadRequest(f"{at}.id: unknown property {prop['id'][:100]!r}")
        settings = prop.get("settings", {})
        if not isinstance(settings, dict):
            raise BadRequest(f"{at}.settings: must be an object")
        lang = settings.get("lang", "zh")
        if lang not in LANGS:
            raise BadRequest(f"{at}.settings.lang: must be one of {', '.join(LANGS)}")
        props.append((spec, lang))
    return ids, props


def values_of(catalog: Catalog, record: EntityRecord | None, spec: PropertySpec, lang: str) -> list[dict]:
    """The values of one property of one entity, in the protocol's value objects."""
    if record is None:
        return []
    out = []
    for value in record.values.get(spec.id, ()):
        if spec.kind == "entity":
            target = catalog.resolve_entity(value)
            out.append({"id": target.id if target else value, "name": catalog.label(value, lang)})
        elif spec.kind == "code":
            out.append({"str": value[0]})
        elif spec.kind == "iri":
            out.append({"str": value})
        elif spec.kind == "figures":
            out.append({"str": _figure(catalog, value, lang)})
        else:
            text, text_lang = value
            if spec.kind == "text" and text_lang.split("-")[0] not in ("", lang):
                continue
            out.append({"str": text})
    return out


def _figure(catalog: Catalog, value: tuple, lang: str) -> str:
    observation, stated, unit, growth = value
    text = f"{catalog.label(observation, lang)}: {stated}"
    if unit:
        text += f" {catalog.label(unit, lang)}"
    if growth:
        text += f" ({'增长' if lang == 'zh' else 'growth'} {growth}%)"
    return text


def extend_v02(catalog: Catalog, ids: list[str], props: list[tuple[PropertySpec, str]]) -> dict:
    """Data extension in the 0.2 protocol: for each entity id, the values of each requested
    property, with the properties' names as ``meta``."""
    meta = [{"id": spec.id, "name": spec.names.get(lang, spec.id)} for spec, lang in props]
    rows = {entity_id: {spec.id: values_of(catalog, catalog.resolve_entity(entity_id), spec, lang)
                        for spec, lang in props} for entity_id in ids}
    return {"meta": meta, "rows": rows}


def extend_v1(catalog: Catalog, ids: list[str], props: list[tuple[PropertySpec, str]]) -> dict:
    """Data extension in the 1.0 draft: the same values as :func:`extend_v02`, written as a list of
    rows with their properties."""
    meta = [{"id": spec.id, "name": spec.names.get(lang, spec.id)} for spec, lang in props]
    rows = [{"id": entity_id,
             "properties": [{"id": spec.id,
                             "values": values_of(catalog, catalog.resolve_entity(entity_id), spec, lang)}
                            for spec, lang in props]}
            for entity_id in ids]
    return {"meta": meta, "rows": rows}


def propose(catalog: Catalog, type_ref: str | None, limit, lang: str | None) -> dict:
    """The properties with a value on at least one entity of the type (subclasses included)."""
    if not type_ref:
        raise BadRequest("type: required (a type id, see /suggest/type)")
    type_iri = catalog.resolve_type(type_ref)
    if type_iri is None:
        raise BadRequest(f"type: unknown type {type_ref[:100]!r}")
    members = [r for r in catalog.entities.values() if type_iri in r.types]
    found = [spec for spec in catalog.config.properties
             if any(r.values.get(spec.id) for r in members)]
    response = {"type": type_ref, "properties": [
        {"id": spec.id, "name": spec.names.get(lang or "en", spec.names["en"])} for spec in found]}
    if limit is not None:
        if not (limit.isascii() and limit.isdigit()):
            raise BadRequest("limit: must be a positive integer")
        count = int(limit)
        if count < 1:
            raise BadRequest("limit: must be a positive integer")
        response["properties"] = response["properties"][:count]
        response["limit"] = count
    return response
