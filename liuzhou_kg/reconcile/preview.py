"""The preview card: a small HTML page about one entity, made to sit in a client's iframe.

Everything in it comes from the catalog and is escaped by Jinja2's autoescape.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from ..core.templates import render
from .catalog import Catalog, EntityRecord
from .extend import values_of

TEMPLATES = Path(__file__).with_name("templates")
PREVIEW_PROPERTIES = ("lzo:locatedIn", "lzo:inIndustry", "org:subOrganizationOf", "skos:notation")
# The card may be framed by any page (that is its purpose); it loads nothing and runs no script.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors *")



def render_preview(catalog: Catalog, record: EntityRecord, lang: str) -> str:
    """The preview card of one entity (a small HTML page for OpenRefine's iframe): its name, other
    names, types and a few property values, in ``lang``."""
    name = record.name(lang)
    others = [n.text for n in record.names if n.text != name][:3]
    types = [catalog.classes[t].name(lang) for t in record.shown_types if t in catalog.classes]
    rows = []
    for pid in PREVIEW_PROPERTIES:
        spec = catalog.config.property(pid)
        if spec is None:
            continue
        values = [v.get("name") or v.get("str") for v in values_of(catalog, record, spec, lang)]
        if values:
            rows.append((spec.names.get(lang, spec.id), values))
    return render(TEMPLATES, "preview.html", lang=lang, name=name, others=others, types=types,
                  rows=rows, page="/resource/" + quote(record.id, safe=""),
                  page_label="完整页面" if lang == "zh" else "Full page")
