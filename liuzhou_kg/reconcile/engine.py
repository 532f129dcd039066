"""The matching engine behind the reconciliation service: a thin adapter over the linker's.

Names and property values are judged by :class:`liuzhou_kg.link.engine.Matcher`, the engine
``liuzhou-kg link`` runs, built over this graph's entities and their property values read from
the service's store (quad patterns only: no SPARQL is ever run). ``Matcher.match`` scores the
names, applies the query's properties as evidence (:mod:`liuzhou_kg.link.evidence`, weights in
``graph/mappings/link-evidence.yaml``) and decides ``match``
(:func:`liuzhou_kg.link.decisions.clear_winner`). This module is the only place the service
touches ``liuzhou_kg.link``, and it imports from ``liuzhou_kg.link.engine`` alone; it scores and
decides nothing itself. What it adds is the protocol's side:

- :meth:`Engine.candidates` ``(text, types, properties, limit, lang) -> list[Candidate]``: the
  property ids of the query looked up in the catalog (``service.yaml``) and turned into clues,
  an entity id given as the cell or as a value turned into its IRI, the Matcher's answers on the
  API's 0-100 scale with the API's features;
- :meth:`Engine.decide` — the Matcher's rule, on the 0-100 scale, for a list merged from the
  candidates of several names of one query (the 1.0 draft);
- :func:`search_forms` — the forms of a text that prefix search (suggest) compares.

Query text is plain text throughout: it is cut to a bounded length before any comparison, lone
surrogates are replaced, and it is only ever compared with names held in memory.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..link.engine import (
    EXACT_THRESHOLD,
    MARGIN,
    Clue,
    Matcher,
    clear_winner,
    folded,
    pinyin_of,
    rank_key,
)
from ..core.namespaces import LZ
from .catalog import Catalog, EntityRecord

SCALE = 100.0  # the API's scores are 0-100; the Matcher's 0-1
OUTCOME_VALUES = {"agrees": 1, "unknown": 0, "conflicts": -1}
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


def text_language(text: str) -> str:
    """'zh' when ``text`` holds a Han character, else 'en': the language a cell's name is looked up
    in."""
    return "zh" if _HAN.search(text) else "en"


class Engine:
    """The Matcher over the catalog's entities, with the protocol's side around it."""

    def __init__(self, catalog: Catalog, store):
        self.catalog = catalog
        self.config = catalog.config
        self.matcher = Matcher.over_store(
            store, str(LZ), keep=lambda iri: catalog.entity_id(iri) in catalog.entities)
        # Read every offered property's values now, not in the middle of a request.
        self.matcher.facts.prefetch(self._clue(Evidence(spec.id, ()))
                                    for spec in self.config.properties if spec.kind != "figures")

    # --- the adapter's interface ----------------------------------------------------------
    def candidates(self, text: str | None, types: list[str] | tuple = (),
                   properties: list[Evidence] | tuple = (), limit: int = 5,
                   lang: str | None = None, type_strict: str = "any") -> list[Candidate]:
        """Candidates for one query, best first, at most ``limit``; the first may be a match.

        ``types`` are class IRIs (subclasses count); ``properties`` are evidence. Raises
        :class:`UnknownProperty` for a property the service does not offer."""
        text = clean_text(text or "", self.config.limits["query_chars"])
        lang = lang or (text_language(text) if text else None)
        clues = [self._clue(e) for e in properties]
        names = []
        if text:
            names.append(text)
            record = self.catalog.resolve_entity(text)  # an id, CURIE or IRI as the cell
            if record is not None:
                names.append(record.iri)
        answers = self.matcher.match(names, type=list(types), limit=max(1, limit),
                                     floor=self.config.candidate_floor / SCALE,
                                     type_strict=type_strict, evidence=clues)
        results = []
        for answer in answers:
            record = self.catalog.entities[self.catalog.entity_id(answer.iri)]
            features = []
            if text:
                features += [
                    Feature("name_score", "name similarity (0-1)", answer.name_score),
                    Feature("name_exact", "a name, id or code equals the query", answer.exact)]
                if "group vs company" in answer.evidence:
                    features.append(Feature("legal_form_conflict", "a group against a company", True))
            if types:
                features.append(Feature("type_match", "the candidate has a type of the query",
                                        bool(answer.type_match)))
            for number, (ev, outcome) in enumerate(zip(properties, answer.outcomes)):
                spec = self.config.property(ev.pid)
                features.append(Feature(f"property{number}:{spec.id}",
                                        f"{spec.names.get('en', spec.id)}: 1 agrees, 0 unknown, "
                                        "-1 conflicts", OUTCOME_VALUES[outcome]))
            results.append(Candidate(
                id=record.id, name=record.name(lang), types=list(record.shown_types),
                score=round(answer.score * SCALE, 2), match=answer.match, features=features,
                description=self._description(record, lang), exact=answer.exact,
                raw=round(answer.raw * SCALE, 2)))
        return results

    def _clue(self, evidence: Evidence) -> Clue:
        """A property of the query as the Matcher's clue: the catalog's property, and the values
        cut to length, an entity id (``liuzhou``, ``lz:liuzhou``) given as its IRI."""
        spec = self.config.property(evidence.pid)
        if spec is None or spec.kind == "figures":
            raise UnknownProperty(evidence.pid)
        limit = self.config.limits["value_chars"]
        values = []
        for value in evidence.values[:20]:
            if isinstance(value, dict):
                ref = value.get("id")
                value = str(ref) if ref is not None else str(value.get("name", ""))
            if isinstance(value, str):
                value = clean_text(value, limit)
                record = self.catalog.resolve_entity(value) if spec.kind == "entity" else None
                values.append(record.iri if record is not None else value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                values.append(value)
        return Clue(spec.predicate, tuple(values), spec.kind, evidence.required, spec.datatype,
                    spec.lang, spec.transitive)

    def _description(self, record: EntityRecord, lang: str | None) -> str:
        other = "en" if lang == "zh" else "zh"
        names = record.names_in(other)
        shown = record.name(lang)
        extra = [n for n in names if n != shown][:1]
        type_names = [self.catalog.classes[t].name(lang) for t in record.shown_types
                      if t in self.catalog.classes]
        return " · ".join([*extra, *type_names])

    # --- the decision -------------------------------------------------------------------
    def decide(self, ranked: list[Candidate]) -> None:
        """Set ``match`` on a list merged from several names of one query (sorted by
        :func:`rank`): the Matcher's rule (:func:`clear_winner`), on the 0-100 scale."""
        for cand in ranked:
            cand.match = False
        if ranked:
            ranked[0].match = clear_winner(ranked, exact=EXACT_THRESHOLD * SCALE,
                                           margin=MARGIN * SCALE)


def rank(candidate: Candidate) -> tuple:
    """Sort key, best first: the Matcher's order (score, the unclipped score, an exact name),
    then the id (the Matcher's last key is the IRI, which is the id after the namespace)."""
    return (*rank_key(candidate), candidate.id)


__all__ = ["Candidate", "Engine", "Evidence", "Feature", "UnknownProperty", "clean_text",
           "rank", "search_forms", "text_language"]
