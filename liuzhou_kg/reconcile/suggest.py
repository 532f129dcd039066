"""Suggest (auto-complete) for entities, types and properties: prefix search in zh, en and pinyin.

A prefix matches a name when one of the prefix's forms (folded: NFKC, simplified, lower case, no
spaces or punctuation; or its toneless pinyin) starts a form of the name or of the id (ranked
first, exact names before the rest), or of one of the name's words (ranked next); shorter names
first within a rank.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .catalog import Catalog
from .engine import clean_text, search_forms


@dataclass
class _Entry:
    id: str
    forms: set[str]   # of the whole names and the id
    words: set[str]   # of the words of the names


class Suggester:
    """Prefix search over the catalog's entities, classes and properties."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    @cached_property
    def _entities(self) -> list[_Entry]:
        return [_entry(r.id, [n.text for n in r.names] + [r.id])
                for r in sorted(self.catalog.entities.values(), key=lambda r: r.id)]

    @cached_property
    def _types(self) -> list[_Entry]:
        return [_entry(c.iri, [*c.names.values(), c.id, c.id.partition(":")[2]])
                for c in sorted(self.catalog.classes.values(), key=lambda c: c.id)]

    @cached_property
    def _properties(self) -> list[_Entry]:
        return [_entry(p.id, [*p.names.values(), p.id, p.id.partition(":")[2]])
                for p in self.catalog.config.properties]

    def _search(self, entries: list[_Entry], prefix: str, name_of) -> list[str]:
        prefix = clean_text(prefix, self.catalog.config.limits["query_chars"])
        if not prefix:
            return [e.id for e in entries]
        wanted = search_forms(prefix)
        hits = []
        for entry in entries:
            if wanted & entry.forms:
                rank = 0
            elif any(f.startswith(w) for f in entry.forms for w in wanted):
                rank = 1
            elif any(f.startswith(w) for f in entry.words for w in wanted):
                rank = 2
            else:
                continue
            hits.append((rank, len(name_of(entry.id)), entry.id))
        return [entry_id for *_, entry_id in sorted(hits)]

    def entities(self, prefix: str, lang: str | None, type_iri: str | None = None) -> list[dict]:
        ids = self._search(self._entities, prefix, lambda i: self.catalog.entities[i].name(lang))
        out = []
        for entity_id in ids:
            record = self.catalog.entities[entity_id]
            if type_iri and type_iri not in record.types:
                continue
            other = [n for n in record.names_in("en" if lang == "zh" else "zh")
                     if n != record.name(lang)][:1]
            item = {"id": record.id, "name": record.name(lang),
                    "notable": [{"id": self.catalog.type_id(t),
                                 "name": self.catalog.classes[t].name(lang)}
                                for t in record.shown_types if t in self.catalog.classes]}
            if other:
                item["description"] = other[0]
            out.append(item)
        return out

    def types(self, prefix: str, lang: str | None) -> list[dict]:
        classes = self.catalog.classes
        out = []
        for iri in self._search(self._types, prefix, lambda i: classes[i].name(lang)):
            cls = classes[iri]
            item = {"id": cls.id, "name": cls.name(lang),
                    "description": f"{cls.instances} entities / {cls.instances} 个实体"}
            broader = [{"id": classes[p].id, "name": classes[p].name(lang)}
                       for p in cls.parents if p in classes]
            if broader:
                item["broader"] = broader
            out.append(item)
        return out

    def properties(self, prefix: str, lang: str | None) -> list[dict]:
        specs = {p.id: p for p in self.catalog.config.properties}

        def name(pid: str) -> str:
            return specs[pid].names.get(lang or "en") or specs[pid].names["en"]

        return [{"id": pid, "name": name(pid),
                 "description": "data extension only" if specs[pid].kind == "figures"
                 else specs[pid].kind}
                for pid in self._search(self._properties, prefix, name)]


def _entry(entry_id: str, texts: list[str]) -> _Entry:
    forms: set[str] = set()
    words: set[str] = set()
    for text in texts:
        forms |= search_forms(text, words=False)
        words |= search_forms(text)
    return _Entry(entry_id, forms, words - forms)
