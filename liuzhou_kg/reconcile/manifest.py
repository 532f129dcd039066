"""The service manifests: version 0.2 (what OpenRefine reads) and the 1.0 draft.

Both are built per request from the request's own origin, so the URL templates point back at the
server that was asked (``view`` at the linked-data pages, ``/resource/{id}``).
"""
from __future__ import annotations

from .. import __version__
from .catalog import Catalog

LANG_SETTING_HELP = {"en": "Language of names and stated figures",
                     "zh": "名称和数据所用的语言"}


def default_types(catalog: Catalog, lang: str | None) -> list[dict]:
    """Every class with instances in the catalog, parents first, with its direct broader classes."""
    def depth(iri: str) -> int:
        return len(catalog.closure.get(iri, ()))

    ordered = sorted(catalog.classes.values(), key=lambda c: (depth(c.iri), c.id))
    types = []
    for cls in ordered:
        entry = {"id": cls.id, "name": cls.name(lang)}
        broader = [{"id": catalog.classes[p].id, "name": catalog.classes[p].name(lang)}
                   for p in cls.parents if p in catalog.classes]
        if broader:
            entry["broader"] = broader
        types.append(entry)
    return types


def _service_name(catalog: Catalog, lang: str | None) -> str:
    names = catalog.config.names
    return names.get(lang or "") or f"{names['en']} ({names['zh']})"


def manifest_v02(catalog: Catalog, origin: str, lang: str | None = None) -> dict:
    """The 0.2 manifest; ``origin`` is ``scheme://host:port`` of the request."""
    service = origin + "/reconcile"
    config = catalog.config
    return {
        "versions": ["0.2"],
        "name": _service_name(catalog, lang),
        "identifierSpace": config.entity_namespace,
        "schemaSpace": "https://w3id.org/liuzhou-kg/ontology#",
        "serviceVersion": __version__,
        "defaultTypes": default_types(catalog, lang),
        "view": {"url": origin + "/resource/{{id}}"},
        "preview": {"url": service + "/preview?id={{id}}", "width": config.preview_width,
                    "height": config.preview_height},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/properties"},
            "property_settings": [{
                "name": "lang", "label": "Language / 语言", "type": "select", "default": "zh",
                "help_text": LANG_SETTING_HELP["en"],
                "choices": [{"value": "zh", "name": "中文"}, {"value": "en", "name": "English"}],
            }],
        },
        "batchSize": config.limits["batch_size"],
    }


def manifest_v1(catalog: Catalog, origin: str, lang: str | None = None) -> dict:
    """The 1.0-draft manifest (routes relative to ``/reconcile/v1``)."""
    config = catalog.config
    return {
        "versions": ["1.0-draft"],
        "name": _service_name(catalog, lang),
        "serviceVersion": __version__,
        "defaultTypes": default_types(catalog, lang),
        "view": {"url": origin + "/resource/{id}"},
        "preview": {"width": config.preview_width, "height": config.preview_height},
        "suggest": {"entity": True, "property": True, "type": True},
        "extend": {
            "proposeProperties": True,
            "propertySettings": [{
                "id": "lang", "name": "Language / 语言", "type": "select", "default": lang or "zh",
                "helpText": LANG_SETTING_HELP.get(lang or "en", LANG_SETTING_HELP["en"]),
                "choices": [{"value": "zh", "name": "中文"}, {"value": "en", "name": "English"}],
            }],
        },
        "batchSize": config.limits["batch_size"],
        "standardizedScore": True,
    }
