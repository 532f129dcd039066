"""The matching engine behind the reconciliation service: a thin adapter over the linker's.

Names are matched by :class:`liuzhou_kg.link.engine.Matcher`, the engine ``liuzhou-kg link``
runs, built over this graph's entities read from the service's store (quad patterns only: no
SPARQL is ever run). This module is the only place the service touches ``liuzhou_kg.link``, and
it imports from ``liuzhou_kg.link.engine`` alone; it defines no similarity of its own. What it adds
is the protocol's side:

- :meth:`Engine.candidates` ``(text, types, properties, limit, lang) -> list[Candidate]``: the
  Matcher's scores on the API's 0-100 scale, an entity id, IRI or code given as the cell, the
  query's properties checked against the catalog's values (agrees +5, conflicts -30 each);
- :meth:`Engine.decide` — sets ``match`` on a ranked list (used again when the 1.0 draft merges
  the candidates of several names of one query);
- :func:`search_forms` — the forms of a text that prefix search (suggest) compares.

Query text is plain text throughout: it is cut to a bounded length before any comparison, lone
surrogates are replaced, and it is only ever compared with names held in memory.

Types filter the Matcher's answers with their subclasses (:func:`~liuzhou_kg.link.engine.type_filter`,
``type_strict`` any/all/should). ``match`` is true for at most one candidate: the first, when it
reaches the threshold and either leads the next by the margin or is the only one whose name, id or
code equals the query (both from ``service.yaml``).
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from ..link.engine import (
    CODE_STRENGTH,
    MAX_CANDIDATES,
    Matcher,
    folded,
    name_keys,
    pinyin_of,
    type_filter,
)
from ..core.namespaces import LZ
from .catalog import Catalog, EntityRecord, PropertySpec

EVIDENCE_BONUS = 5.0            # per property value that agrees
IDENTIFIER_BONUS = 100 * CODE_STRENGTH  # … when it is a code or IRI: the linker's weight of a shared code
EVIDENCE_PENALTY = 30.0         # per property whose known values all disagree
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[\s\-_/()（）·,，、:：]+")


class UnknownProperty(ValueError):
    """A query named a property the service does not offer."""


@dataclass(frozen=True)
class Feature:
    """One piece of evidence behind a candidate's score, as the reconciliation API reports it: an
    id, a readable name and a value."""
    id: str
    name: str
    value: float | bool


@dataclass
class Candidate:
    """An entity proposed for a query: its id, name, types, score (0-100), whether it is the one
    clear match, and the features behind the score."""
    id: str
    name: str
    types: list[str]
    score: float
    match: bool
    features: list[Feature] = field(default_factory=list)
    description: str = ""
    exact: bool = False
    raw: float = 0.0  # the score before it is clipped to 0-100: orders candidates tied at 100


@dataclass(frozen=True)
class Evidence:
    """A property given in a query: its id, the values to compare, and whether it must agree."""

    pid: str
    values: tuple
    required: bool = False


def clean_text(text: str, limit: int) -> str:
    """Plain text, at most ``limit`` characters: lone surrogates replaced, controls made spaces."""
    text = text[: limit * 2].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return _SPACES.sub(" ", text).strip()[:limit]


def search_forms(text: str, words: bool = True) -> set[str]:
    """The forms of ``text`` that prefix search compares: folded (NFKC, simplified, lower case,
    no spaces or punctuation) and the toneless pinyin of that; with ``words``, also those of
    every word."""
    forms = set()
    for piece in [text, *(_WORDS.split(text) if words else ())]:
        form = folded(piece)
        if form:
            forms.add(form)
            forms.add(pinyin_of(form))
    return forms


def normalise_code(value) -> str:
    """A code for comparison: NFKC, no spaces, upper case; digits without leading zeros."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text


def text_language(text: str) -> str:
    """'zh' when ``text`` holds a Han character, else 'en': the language a cell's name is looked up
    in."""
    return "zh" if _HAN.search(text) else "en"


class Engine:
    """The Matcher over the catalog's entities, and the catalog's codes and values for evidence."""

    def __init__(self, catalog: Catalog, store):
        self.catalog = catalog
        self.config = catalog.config
        self.matcher = Matcher.over_store(
            store, str(LZ), keep=lambda iri: catalog.entity_id(iri) in catalog.entities)
        self._codes: dict[str, set[str]] = defaultdict(set)
        for record in catalog.entities.values():
            for spec in self.config.properties:
                if spec.kind == "code":
                    for code, _datatype in record.values.get(spec.id, ()):
                        self._codes[normalise_code(code)].add(record.id)
        self._location_closure: dict[str, dict[str, set[str]]] = {}

    # --- the adapter's interface ----------------------------------------------------------
    def candidates(self, text: str | None, types: list[str] | tuple = (),
                   properties: list[Evidence] | tuple = (), limit: int = 5,
                   lang: str | None = None, type_strict: str = "any") -> list[Candidate]:
        """Candidates for one query, best first, at most ``limit``; the first may be a match.

        ``types`` are class IRIs (subclasses count); ``properties`` are evidence. Raises
        :class:`UnknownProperty` for a property the service does not offer."""
        limits = self.config.limits
        text = clean_text(text or "", limits["query_chars"])
        lang = lang or (text_language(text) if text else None)
        evidence = [self._prepare(e) for e in properties]
        scored: dict[str, tuple[float, bool, list[Feature]]] = {}
        if text:
            for entity_id, (name_score, exact, form) in self._from_matcher(text).items():
                scored[entity_id] = (name_score, exact, [
                    Feature("name_score", "name similarity (0-1)", round(name_score, 4)),
                    Feature("name_exact", "a name, id or code equals the query", exact),
                    *([Feature("legal_form_conflict", "a group against a company", True)]
                      if form else [])])
        elif evidence:
            for entity_id in self.catalog.entities:
                scored[entity_id] = (1.0, False, [])
        results: list[Candidate] = []
        for entity_id, (base, exact, features) in scored.items():
            record = self.catalog.entities[entity_id]
            factor = type_filter(record.types, set(types), type_strict)
            if factor is None:
                continue
            if types:
                features.append(Feature("type_match", "the candidate has a type of the query",
                                        factor == 1.0))
            agreed = conflicts = identifiers = 0
            dropped = False
            for number, (spec, ev, wanted_values) in enumerate(evidence):
                outcome = self._evidence(record, spec, wanted_values)
                features.append(Feature(f"property{number}:{spec.id}",
                                        f"{spec.names.get('en', spec.id)}: 1 agrees, 0 unknown, "
                                        "-1 conflicts", {"agrees": 1, "unknown": 0,
                                                         "conflicts": -1}[outcome]))
                if outcome != "agrees" and ev.required:
                    dropped = True
                if outcome == "agrees":
                    agreed += 1
                    identifiers += spec.kind in ("code", "iri")
                elif outcome == "conflicts":
                    conflicts += 1
            if dropped:
                continue
            if not text:
                if not agreed:
                    continue
                base = agreed / len(evidence)
                exact = agreed == len(evidence) and any(
                    spec.kind in ("code", "iri") for spec, _, _ in evidence)
            score = base * 100 * factor
            if text and identifiers:
                exact = True  # a code of the query equals the candidate's
            raw = (score + EVIDENCE_BONUS * (agreed - identifiers) + IDENTIFIER_BONUS * identifiers
                   - EVIDENCE_PENALTY * conflicts)
            score = max(0.0, min(100.0, raw))
            if score < self.config.candidate_floor:
                continue
            results.append(Candidate(
                id=record.id, name=record.name(lang), types=list(record.shown_types),
                score=round(score, 2), match=False, features=features,
                description=self._description(record, lang), exact=exact, raw=round(raw, 2)))
        results.sort(key=rank)
        self.decide(results)
        return results[:max(1, limit)]

    # --- names --------------------------------------------------------------------------
    def _from_matcher(self, text: str) -> dict[str, tuple[float, bool, bool]]:
        """entity id → (name score 0-1, exact, group/company conflict), from the Matcher."""
        found: dict[str, tuple[float, bool, bool]] = {}
        # An entity id, IRI or code given as the query finds its entity outright.
        record = self.catalog.resolve_entity(text)
        direct = {record.id} if record is not None else set()
        direct |= self._codes.get(normalise_code(text), set())
        for entity_id in direct:
            found[entity_id] = (1.0, True, False)
        for answer in self.matcher.match([text], limit=MAX_CANDIDATES):
            entity_id = self.catalog.entity_id(answer.iri)
            if entity_id not in found:
                found[entity_id] = (answer.score, answer.exact,
                                    "group vs company" in answer.evidence)
        return found

    def _description(self, record: EntityRecord, lang: str | None) -> str:
        other = "en" if lang == "zh" else "zh"
        names = record.names_in(other)
        shown = record.name(lang)
        extra = [n for n in names if n != shown][:1]
        type_names = [self.catalog.classes[t].name(lang) for t in record.shown_types
                      if t in self.catalog.classes]
        return " · ".join([*extra, *type_names])

    # --- evidence -------------------------------------------------------------------------
    def _prepare(self, evidence: Evidence) -> tuple[PropertySpec, Evidence, list]:
        spec = self.config.property(evidence.pid)
        if spec is None or spec.kind == "figures":
            raise UnknownProperty(evidence.pid)
        limit = self.config.limits["value_chars"]
        values = []
        for value in evidence.values[:20]:
            if isinstance(value, dict):
                ref = value.get("id")
                values.append(("id", clean_text(str(ref), limit)) if ref is not None
                              else ("text", clean_text(str(value.get("name", "")), limit)))
            elif isinstance(value, str):
                values.append(("text", clean_text(value, limit)))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                values.append(("number", value))
        return spec, evidence, values

    def _targets(self, record: EntityRecord, spec: PropertySpec) -> list[str]:
        direct = list(record.values.get(spec.id, ()))
        if not spec.transitive:
            return direct
        closure = self._location_closure.setdefault(spec.id, {})
        if record.id not in closure:
            seen, stack = set(direct), list(direct)
            while stack:
                target = self.catalog.resolve_entity(stack.pop())
                if target is None:
                    continue
                for parent in target.values.get(spec.id, ()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            closure[record.id] = seen
        return sorted(closure[record.id])

    def _evidence(self, record: EntityRecord, spec: PropertySpec, wanted: list) -> str:
        """"agrees", "conflicts" (the candidate has values, none equal) or "unknown" (it has none)."""
        have = self._targets(record, spec)
        if not have:
            return "unknown"
        for kind, value in wanted:
            if spec.kind == "entity":
                target = self.catalog.resolve_entity(str(value)) if kind != "number" else None
                if target is not None and target.iri in have:
                    return "agrees"
                if kind == "text":
                    keys = name_keys(value)
                    for iri in have:
                        other = self.catalog.entities.get(self.catalog.entity_id(iri))
                        if other is not None and keys & self._name_keys(other):
                            return "agrees"
            elif spec.kind == "code":
                if normalise_code(value) in {normalise_code(code) for code, _ in have}:
                    return "agrees"
            elif spec.kind == "iri":
                if str(value).strip() in have:
                    return "agrees"
            else:  # label, text
                keys = name_keys(str(value))
                if any(keys & name_keys(text) for text, _lang in have):
                    return "agrees"
        return "conflicts" if wanted else "unknown"

    def _name_keys(self, record: EntityRecord) -> set[str]:
        cache = self.__dict__.setdefault("_keys_cache", {})
        if record.id not in cache:
            cache[record.id] = {k for name in record.names for k in name_keys(name.text)}
        return cache[record.id]

    # --- the decision -------------------------------------------------------------------
    def decide(self, ranked: list[Candidate]) -> None:
        """Set ``match`` on the first of ``ranked`` (sorted best first) when it is a clear winner."""
        if not ranked:
            return
        top = ranked[0]
        if top.score < self.config.match_threshold:
            return
        if len(ranked) == 1:
            top.match = True
            return
        second = ranked[1]
        if top.raw - second.raw >= self.config.match_margin or (top.exact and not second.exact):
            top.match = True


def rank(candidate: Candidate) -> tuple:
    """Sort key, best first: score, then the unclipped score, then an exact name."""
    return (-candidate.score, -candidate.raw, not candidate.exact, candidate.name, candidate.id)


__all__ = ["Candidate", "Engine", "Evidence", "Feature", "UnknownProperty", "clean_text",
           "normalise_code", "rank", "search_forms", "text_language"]
