"""The matching engine behind the reconciliation service: the one adapter to the linker's code.

This module is the only place the service touches ``liuzhou_kg.link`` (label normalisation and
pair scoring, the same functions ``liuzhou-kg link`` uses), so switching the service to another
engine means changing this file alone. Its interface is narrow:

- :meth:`Engine.candidates` ``(text, types, properties, limit, lang) -> list[Candidate]``;
- :meth:`Engine.decide` — sets ``match`` on a ranked list (used again when the 1.0 draft merges
  the candidates of several names of one query);
- :func:`search_forms` — the forms of a text that prefix search (suggest) compares.

Query text is plain text throughout: it is cut to a bounded length before any comparison, lone
surrogates are replaced, and it is only ever compared with names held in memory.

A candidate's score (0-100) is its name similarity (the linker's label score: same full name,
same name without legal form, same short name, same pinyin, else sequence similarity) times a type
factor, with the linker's penalty for a group (集团) against a company, plus or minus the evidence
of the query's properties. ``match`` is true for at most one candidate: the first, when it reaches
the threshold and either leads the next by the margin or is the only one whose name, id or code
equals the query (both from ``service.yaml``).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..link.normalize import LabelKeys, bigrams, label_keys, label_variants, to_pinyin
from ..link.scoring import GROUP_PENALTY, pair_label_score
from .catalog import Catalog, EntityRecord, PropertySpec

TYPE_MISMATCH_FACTOR = 0.8      # type_strict "should": a candidate of another type
EVIDENCE_BONUS = 5.0            # per property value that agrees
EVIDENCE_PENALTY = 30.0         # per property whose known values all disagree
POOL_SIZE = 25                  # entities scored per query beyond those sharing a whole key
SIMILARITY_WEIGHT = 0.85        # the linker's weight of sequence similarity (scoring.py)
PINYIN_SCORE = 0.9              # the linker's score for the same pinyin (scoring.py)
PINYIN_ONLY_SCORE = 0.8         # … demoted when the entity's own Latin names differ
_HAN = re.compile(r"[\u3400-\u9fff]")
_TONE_NUMBER = re.compile(r"(?<=[aeiouvüngr])[1-5](?![0-9])", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[\s\-_/()（）·,，、:：]+")


class UnknownProperty(ValueError):
    """A query named a property the service does not offer."""


@dataclass(frozen=True)
class Feature:
    id: str
    name: str
    value: float | bool


@dataclass
class Candidate:
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


def _without_tones(text: str) -> str:
    """Latin letters without diacritics (Liǔzhōu → Liuzhou) and pinyin tone numbers (liu3)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn" and kept and kept[-1].isascii():
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    if not _HAN.search(text):
        text = _TONE_NUMBER.sub("", text)
    return text


def _query_keys(text: str) -> list[LabelKeys]:
    forms = [text]
    plain = _without_tones(text)
    if plain != text:
        forms.append(plain)
    keys = []
    for form in forms:
        for variant in label_variants(form):
            keys.append(label_keys(variant))
    return keys


def _fold(text: str) -> str:
    return label_keys(text).full


def search_forms(text: str, words: bool = True) -> set[str]:
    """The forms of ``text`` that prefix search compares: folded (NFKC, simplified, lower case,
    no spaces or punctuation) and the toneless pinyin of that; with ``words``, also those of
    every word."""
    text = _without_tones(text)
    forms = set()
    for piece in [text, *(_WORDS.split(text) if words else ())]:
        folded = _fold(piece)
        if folded:
            forms.add(folded)
            forms.add(to_pinyin(folded))
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
    return "zh" if _HAN.search(text) else "en"


@dataclass
class _Indexed:
    record: EntityRecord
    keys: list[LabelKeys]
    key_set: set[str]
    has_latin_name: bool = False


class Engine:
    """An in-memory index of the catalog's names, ids and codes, and the scoring over it."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.config = catalog.config
        self._items: dict[str, _Indexed] = {}
        self._blocks: dict[str, set[str]] = defaultdict(set)
        self._codes: dict[str, set[str]] = defaultdict(set)
        for record in catalog.entities.values():
            keys = [label_keys(v) for name in record.names for v in label_variants(name.text)]
            item = _Indexed(record, keys, {k for lk in keys for k in lk.keys()},
                            any(not _HAN.search(n.text) for n in record.names))
            self._items[record.id] = item
            for block in _blocking(keys):
                self._blocks[block].add(record.id)
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
            for entity_id, (name_score, exact, form) in self._name_scores(text).items():
                scored[entity_id] = (name_score, exact, [
                    Feature("name_score", "name similarity (0-1)", round(name_score, 4)),
                    Feature("name_exact", "a name, id or code equals the query", exact),
                    *([Feature("legal_form_conflict", "a group against a company", True)]
                      if form else [])])
        elif evidence:
            for entity_id in self._items:
                scored[entity_id] = (1.0, False, [])
        results: list[Candidate] = []
        for entity_id, (base, exact, features) in scored.items():
            record = self._items[entity_id].record
            factor = 1.0
            if types:
                wanted = [t in record.types for t in types]
                matched = all(wanted) if type_strict == "all" else any(wanted)
                if not matched and type_strict != "should":
                    continue
                if not matched:
                    factor = TYPE_MISMATCH_FACTOR
                features.append(Feature("type_match", "the candidate has a type of the query",
                                        matched))
            agreed = conflicts = 0
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
            raw = score + EVIDENCE_BONUS * agreed - EVIDENCE_PENALTY * conflicts
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
    def _name_scores(self, text: str) -> dict[str, tuple[float, bool, bool]]:
        """entity id → (name score 0-1, exact, group/company conflict) for entities sharing a key."""
        query = _query_keys(text)
        found: dict[str, tuple[float, bool, bool]] = {}
        # An entity id, IRI or code given as the query finds its entity outright.
        direct = set()
        record = self.catalog.resolve_entity(text)
        if record is not None:
            direct.add(record.id)
        direct |= self._codes.get(normalise_code(text), set())
        for entity_id in direct:
            found[entity_id] = (1.0, True, False)
        # Blocking: entities sharing a normalised key, and the POOL_SIZE entities sharing the
        # most character bigrams; only they are scored.
        shared: Counter[str] = Counter()
        keyed: set[str] = set()
        for block in _blocking(query):
            hits = self._blocks.get(block, ())
            if block.startswith("k:"):
                keyed.update(hits)
            shared.update(hits)
        pool = keyed | {entity_id for entity_id, _ in shared.most_common(POOL_SIZE)}
        query_full = {k.full for k in query if k.full}
        for entity_id in pool - direct:
            item = self._items[entity_id]
            best, best_pair = 0.0, None
            for q in query:
                for k in item.keys:
                    if not (q.keys() & k.keys()) and _similarity_bound(q, k) <= best:
                        continue  # not even identical characters could beat the best so far
                    s = pair_label_score(q, k)
                    if s > best:
                        best, best_pair = s, (q, k)
            if best <= 0.0 or best_pair is None:
                continue
            q, k = best_pair
            if (best == PINYIN_SCORE and q.short != k.short and not _HAN.search(q.label)
                    and _HAN.search(k.label) and item.has_latin_name):
                # Only the pinyin of a Chinese name, and the entity's own Latin names differ:
                # a candidate, never a match by itself (Guojia, a town, is not 国家 "the State").
                best = PINYIN_ONLY_SCORE
            conflict = {q.legal_form, k.legal_form} >= {"group"} and bool(
                {q.legal_form, k.legal_form} & {"listed", "company"})
            if conflict:
                best *= GROUP_PENALTY
            # Exact: the same name, or the same name with the same legal form spelt otherwise
            # (柳钢股份有限公司 and 柳钢股份 are both the listed company 柳钢).
            exact = bool(query_full & {lk.full for lk in item.keys}) or (
                q.legal_form is not None and q.core == k.core and q.legal_form == k.legal_form)
            found[entity_id] = (best, exact, conflict)
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
                    keys = {k for v in label_variants(value) for k in label_keys(v).keys()}
                    for iri in have:
                        other = self._items.get(self.catalog.entity_id(iri))
                        if other is not None and keys & other.key_set:
                            return "agrees"
            elif spec.kind == "code":
                if normalise_code(value) in {normalise_code(code) for code, _ in have}:
                    return "agrees"
            elif spec.kind == "iri":
                if str(value).strip() in have:
                    return "agrees"
            else:  # label, text
                keys = label_keys(str(value)).keys()
                if any(keys & label_keys(text).keys() for text, _lang in have):
                    return "agrees"
        return "conflicts" if wanted else "unknown"

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


def _similarity_bound(a: LabelKeys, b: LabelKeys) -> float:
    """The most the linker's sequence-similarity fallback can give two names of these lengths."""
    total = len(a.short) + len(b.short)
    return SIMILARITY_WEIGHT * 2 * min(len(a.short), len(b.short)) / total if total else 0.0


def _blocking(keys: list[LabelKeys]) -> set[str]:
    blocks: set[str] = set()
    for k in keys:
        blocks |= {"k:" + x for x in k.keys()}
        blocks |= {"b:" + x for x in bigrams(k.short)}
        blocks |= {"b:" + x for x in bigrams(k.pinyin)}
    return blocks


__all__ = ["Candidate", "Engine", "Evidence", "Feature", "UnknownProperty", "clean_text",
           "normalise_code", "rank", "search_forms", "text_language"]
