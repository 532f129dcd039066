"""The matching engine: an index over one side's entities, scored candidates, one-to-one links.

One engine serves ``liuzhou-kg link`` (every entity of another dataset against this graph) and
any client that asks for names (``Matcher.match``: a reconciliation service, a script):

    >>> matcher = Matcher(entities(store, namespace=LZ))             # doctest: +SKIP
    >>> matcher.match(["柳州"], type=LZO + "City", limit=3)            # doctest: +SKIP
    [Match(iri='…/liuzhou', name='柳州', score=1.0, match=True, …)]

**Candidates** come from an inverted index, never from all pairs: normalised names (full, without
legal form, short name, pinyin), character bigrams of Chinese short names and trigrams of Latin
ones, codes (scheme and value) and same-as IRIs. A key shared by more than ``MAX_POSTING``
entities is too common to select anything and is skipped; at most ``MAX_CANDIDATES`` entities, the
ones sharing most keys, are scored per query. Names are cut to 256 characters and an entity has at
most 64 of them (``normalize.py``), so the work per entity is bounded.

**Score** of a pair: :mod:`.similarity` (label similarity × type factor, ± place, then
identifiers and hierarchy; every factor is documented there and in docs/linking.md).

**Evidence** of a query (``Matcher.match(..., evidence=[Clue(...)])``): each property the query
gives is judged against the candidate's own values, read from the store (:mod:`.evidence`;
weights in ``graph/mappings/link-evidence.yaml``).

**Decisions** (:mod:`.decisions`): for ``link``, pairs at or above ``exact`` are assigned
one-to-one, strongest first, and become exact only when clear: no other candidate of either side
whose other entity is still free ranks within ``MARGIN``; the rest at or above ``close`` are left
for review. For one query, :func:`~.decisions.clear_winner` is the same rule on one list.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .codes import Code, code_of
from .decisions import (CLOSE_THRESHOLD, CODE_STRENGTH, EXACT_THRESHOLD, IRI_STRENGTH, MARGIN,
                        STRUCTURE_BONUS, _structure, clear_winner, decide, rank_key, strength)
from .entities import Entity, entities
from .evidence import AGREES, Clue, Facts, adjustment, judge
from .normalize import (LabelKeys, label_keys, label_variants, name_keys, to_pinyin,
                        without_tone_numbers)
from .similarity import PINYIN_SCORE, Candidate, Profile, code_key, score_pair, short_names
from .vocabulary import Vocabulary, vocabulary

MAX_POSTING = 5000
MAX_CANDIDATES = 50
GRAM_SHARE = 0.5  # share of a name's n-grams another name must have to be scored
TYPE_SHOULD_FACTOR = 0.8  # type_strict "should": an answer of none of the asked types
PINYIN_ONLY = 0.8  # a Latin query equal only to the pinyin of a Chinese name (see Matcher.match)


@dataclass
class Match:
    """One answer of :meth:`Matcher.match`: an entity of the index, its score, why, and whether
    it is the clear winner (``match``)."""

    iri: str
    name: str
    score: float
    match: bool
    types: tuple[str, ...]
    evidence: tuple[str, ...] = field(default=())
    name_score: float = 0.0  # the label similarity alone (0-1)
    exact: bool = False  # a name (with its legal form), a known code or the IRI equals the query's
    type_match: bool | None = None  # has one of the asked types (None: no type asked)
    raw: float = 0.0  # the score before it is clipped to 0-1 (orders answers tied at 1)
    outcomes: tuple[str, ...] = ()  # per clue of the query: "agrees", "conflicts", "unknown"


class Matcher:
    """An index over ``entities`` (usually this graph's) that scores other entities or names."""

    def __init__(self, entities: Iterable[Entity], vocab: Vocabulary | None = None,
                 facts: Facts | None = None):
        self.vocab = vocab or vocabulary()
        self.entities = list(entities)
        self.facts = facts  # the entities' property values, for evidence (None: no store)
        self._by_iri = {e.iri: i for i, e in enumerate(self.entities)}
        self._by_code: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entities):
            for key in {code_key(value, self.vocab, scheme) for scheme, value in e.codes}:
                if key:
                    self._by_code[key].append(i)
        self._profiles = [Profile(e) for e in self.entities]
        self._names = [short_names(e) for e in self.entities]
        exact: dict[str, list[int]] = defaultdict(list)
        grams: dict[str, list[int]] = defaultdict(list)
        for i, prof in enumerate(self._profiles):
            for key in prof.exact_keys:
                exact[key].append(i)
            for gram in prof.grams:
                grams[gram].append(i)
        # Too common to select anything: skipped when a query shares them.
        self._exact = {k: v for k, v in exact.items() if len(v) <= MAX_POSTING}
        self._grams = {k: v for k, v in grams.items() if len(v) <= MAX_POSTING}
        self._gram_set = frozenset(self._grams)

    @classmethod
    def over_store(cls, store, namespace: str | None = None,
                   keep: Callable[[str], bool] | None = None) -> "Matcher":
        """The engine over the entities of ``store`` (IRIs starting with ``namespace``, and for
        which ``keep(iri)`` holds), with their property values for evidence. The store is read
        with quad patterns only, never SPARQL."""
        found = entities(store, namespace=namespace)
        matcher = cls(e for e in found if keep is None or keep(e.iri))
        matcher.facts = Facts(store, matcher.entities, matcher.vocab)
        return matcher

    # ------------------------------------------------------------------ candidates

    def _candidate_ids(self, prof: Profile) -> list[int]:
        """Indexed entities sharing an exact key (name, code, IRI), or at least ``GRAM_SHARE`` of
        the n-grams of one of the query's names; at most ``MAX_CANDIDATES``, most keys first."""
        hits: dict[int, int] = defaultdict(int)
        for key in prof.exact_keys:
            for i in self._exact.get(key, ()):
                hits[i] += 100
        for grams in prof.label_grams:
            need = max(1, int(GRAM_SHARE * len(grams) + 0.999))
            present = grams & self._gram_set
            if len(present) < need:
                continue
            counts: dict[int, int] = defaultdict(int)
            for gram in present:
                for i in self._grams[gram]:
                    counts[i] += 1
            for i, n in counts.items():
                if n >= need:
                    hits[i] += n
        if len(hits) > MAX_CANDIDATES:
            return sorted(hits, key=lambda i: (-hits[i], i))[:MAX_CANDIDATES]
        return list(hits)

    def score(self, i: int, other: Entity, prof: Profile | None = None,
              other_names: set[str] | None = None, untyped_query: bool = False) -> Candidate | None:
        """The candidate (indexed entity ``i``, ``other``), or None when nothing supports it.

        ``untyped_query``: ``other`` is a query that names no type, so type is no evidence either
        way (factor 1), unlike an entity of a dataset that has no known type (``unknown``)."""
        prof = prof or Profile(other)
        other_names = short_names(other) if other_names is None else other_names
        return score_pair(self.entities[i], self._profiles[i], self._names[i], other, prof,
                          other_names, self.vocab, untyped_query)

    def candidates_for(self, other: Entity, *, close: float = CLOSE_THRESHOLD,
                       untyped_query: bool = False) -> list[Candidate]:
        """The indexed entities that may be ``other``, scored, best first, at or above ``close``."""
        prof = Profile(other)
        names = short_names(other)
        found = []
        for i in self._candidate_ids(prof):
            cand = self.score(i, other, prof, names, untyped_query)
            if cand is not None and cand.score >= close:
                found.append(cand)
        found.sort(key=lambda c: (-c.score, c.local.iri))
        return found

    # ------------------------------------------------------------------ linking

    def link(self, others: Iterable[Entity], *, close: float = CLOSE_THRESHOLD,
             exact: float = EXACT_THRESHOLD, margin: float = MARGIN) -> list[Candidate]:
        """Every candidate pair at or above ``close``, decided one-to-one (see the module doc)."""
        found: list[Candidate] = []
        for other in others:
            found.extend(self.candidates_for(other, close=close))
        return self.decide_all(found, exact=exact, margin=margin)

    def decide_all(self, found: list[Candidate], *, exact: float = EXACT_THRESHOLD,
                   margin: float = MARGIN) -> list[Candidate]:
        """Structure evidence across the candidates, then the one-to-one decisions."""
        _structure(found)
        return decide(found, exact=exact, margin=margin)

    # ------------------------------------------------------------------ names

    def query_entity(self, names: Iterable[str], *, properties: Mapping[str, object] | None = None,
                     category: str | None = None) -> Entity:
        """An entity standing for a query: its names, and codes or parents from ``properties``.

        ``properties`` maps a property (an IRI of the mapping, or any key) to a value or a list of
        values. A value that reads as a code (by the property, else by its form) is a code; any
        other value is taken as the name of a place or organisation the thing is in or part of.
        """
        keys: list[LabelKeys] = []
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            forms = dict.fromkeys((name, without_tone_numbers(name)))
            for form in forms:
                for variant in label_variants(form):
                    if len(keys) < 64:
                        keys.append(label_keys(variant))
        codes: set[Code] = set()
        near: set[str] = set()
        guessing = tuple(self.vocab.schemes)
        for prop, values in (properties or {}).items():
            for value in values if isinstance(values, (list, tuple, set)) else [values]:
                text = str(value).strip()
                if not text:
                    continue
                code = code_of(text, None, prop, self.vocab)
                if code is not None and code[0] is None:
                    for scheme in guessing:
                        normalised = self.vocab.schemes[scheme].normalize(text)
                        if normalised:
                            code = (scheme, normalised)
                            break
                if code is not None and (code[0] or any(ch.isdigit() for ch in text)):
                    codes.add(code)
                else:
                    k = label_keys(text)
                    near |= {x for x in (k.short, k.pinyin) if x}
        return Entity("urn:liuzhou-kg:query", keys, category, set(near), set(near), codes=codes,
                      same_as=set())

    def match(self, names: str | Iterable[str], type: str | Iterable[str] | None = None,
              properties: Mapping[str, object] | None = None, limit: int = 5,
              exact: float = EXACT_THRESHOLD, margin: float = MARGIN,
              floor: float = 0.3, type_strict: str = "any",
              evidence: Iterable[Clue] = ()) -> list[Match]:
        """The indexed entities best matching ``names``, scored, best first.

        ``type`` (class IRIs) keeps only entities of that class or a subclass of it
        (``type_strict="any"``) or of all of them (``"all"``); with ``"should"`` the others stay,
        their score × ``TYPE_SHOULD_FACTOR`` (see :func:`type_filter`). The category of the type
        also counts as type evidence. ``properties`` describes the query as an entity of another
        dataset (codes and parents, see :meth:`query_entity`), scored as ``link`` scores a pair.
        A name that is the IRI of an indexed entity, or one of its codes (:func:`code_key`: 528
        is 000528), finds it with score 1. A query written in Latin letters that equals only
        the pinyin of a Chinese name, of an entity with Latin names of its own that differ,
        scores at most ``PINYIN_ONLY`` (Guojia, a town, is not 国家 "the State").

        ``evidence`` is a list of :class:`~.evidence.Clue`: each is judged against the
        candidate's own values (:func:`~.evidence.judge`; the matcher must come from
        :meth:`over_store`), and its outcome added to the score
        (:func:`~.evidence.adjustment`); a ``required`` clue that does not agree leaves the
        candidate out; a code or IRI that agrees makes it ``exact``. Without names, the
        candidates are the entities some clue agrees with, scored by the share of clues that
        agree. Answers under ``floor`` are dropped; ``match`` is set by
        :func:`~.decisions.clear_winner` (at least ``exact``, and a lead of ``margin`` or the
        only exact one) on the first answer alone.
        """
        names = [names] if isinstance(names, str) else list(names or ())
        names = [n for n in names if isinstance(n, str) and n.strip()]
        clues = list(evidence)
        if clues and self.facts is None:
            raise ValueError("evidence needs the values of the entities: use Matcher.over_store")
        wanted = {type} if isinstance(type, str) else set(type or ())
        category = None
        if type_strict != "should":
            for name, members in self.vocab.categories:
                if wanted & members:
                    category = name
                    break
            if category is None and wanted:
                category = self._category_of_class(wanted)
        direct = self._direct(names)
        query = self.query_entity([n for n in names if n.strip() not in self._by_iri],
                                  properties=properties, category=category)
        # index → (score, evidence, label similarity, equal to the query)
        rows: dict[int, tuple[float, tuple[str, ...], float, bool]] = {}
        if query.labels or query.codes:
            rows = self._by_names(query, floor, category)
        for i, why in direct.items():
            rows[i] = (1.0, (why,), 1.0, True)
        if not names and not query.codes and clues:
            rows = self._by_clues(clues)
        answers = []
        for i, (score, why, label_score, equal) in rows.items():
            entity = self.entities[i]
            factor = type_filter(entity.types, wanted, type_strict)
            if factor is None:
                continue
            score *= factor
            if (label_score == PINYIN_SCORE and not _has_han("".join(names))
                    and self._own_latin_names_differ(entity, query) and not why):
                score = min(score, PINYIN_ONLY)
                why = why + ("pinyin only",)
            outcomes = tuple(judge(self.facts.known(entity.iri, c), c, self.vocab) for c in clues)
            if any(c.required and o != AGREES for c, o in zip(clues, outcomes)):
                continue
            raw = score + adjustment(outcomes, clues)
            equal = equal or any(c.identifies and o == AGREES for c, o in zip(clues, outcomes))
            score = max(0.0, min(1.0, raw))
            if score >= floor:
                answers.append(Match(entity.iri, entity.name, round(score, 4), False,
                                     tuple(sorted(entity.types)), why, round(label_score, 4),
                                     equal, (factor == 1.0) if wanted else None, round(raw, 4),
                                     outcomes))
        answers.sort(key=lambda a: (*rank_key(a), a.iri))
        if answers:
            answers[0].match = clear_winner(answers, exact=exact, margin=margin)
        return answers[:max(0, limit)]

    def _direct(self, names: list[str]) -> dict[int, str]:
        """Indexed entities whose IRI, or one of whose codes, is one of ``names``."""
        found: dict[int, str] = {}
        for name in names:
            i = self._by_iri.get(name.strip())
            if i is not None:
                found[i] = "same IRI"
                continue
            key = code_key(name, self.vocab)
            for i in self._by_code.get(key, ()) if key else ():
                found.setdefault(i, f"same code {key}")
        return found

    def _by_names(self, query: Entity, floor: float,
                  category: str | None) -> dict[int, tuple[float, tuple[str, ...], float, bool]]:
        """The candidates of the query's names (and ``properties``), scored as pairs."""
        query_full = {k.full for k in query.labels if k.full}
        query_cores = {(k.core, k.legal_form) for k in query.labels if k.legal_form}
        rows = {}
        for cand in self.candidates_for(query, close=floor * TYPE_SHOULD_FACTOR,
                                        untyped_query=category is None):
            local_full = {k.full for k in cand.local.labels}
            local_cores = {(k.core, k.legal_form) for k in cand.local.labels if k.legal_form}
            equal = (bool(query_full & local_full) or bool(query_cores & local_cores)
                     or any(e.startswith(("same IRI", "same code")) for e in cand.evidence))
            rows[self._by_iri[cand.local.iri]] = (cand.score, cand.evidence, cand.label_score,
                                                  equal)
        return rows

    def _by_clues(self, clues: list[Clue]) -> dict[int, tuple[float, tuple[str, ...], float, bool]]:
        """Without names: the entities some clue agrees with, scored by the share that agree;
        equal to the query when all agree and one of them is a code or an IRI."""
        rows = {}
        for i, entity in enumerate(self.entities):
            agreed = sum(judge(self.facts.known(entity.iri, c), c, self.vocab) == AGREES
                         for c in clues)
            if agreed:
                equal = agreed == len(clues) and any(c.identifies for c in clues)
                rows[i] = (agreed / len(clues), (), 0.0, equal)
        return rows

    def _own_latin_names_differ(self, local: Entity, query: Entity) -> bool:
        """``local`` has names in Latin letters, and none of them is a name of ``query``."""
        latin = {k.short for k in local.labels if not _has_han(k.label)}
        return bool(latin) and not latin & {k.short for k in query.labels}

    def _category_of_class(self, classes: set[str]) -> str | None:
        """The category of the indexed entities typed with one of ``classes`` (all the same)."""
        seen = {e.category for e in self.entities if e.types & classes}
        return seen.pop() if len(seen) == 1 else None


def type_filter(types: Iterable[str], wanted: set[str], strict: str = "any") -> float | None:
    """The factor an entity of ``types`` (its classes with their superclasses) gets for a query
    asking for ``wanted``: 1.0 when it has one of them (``"any"``) or all (``"all"``), else None
    (left out), or ``TYPE_SHOULD_FACTOR`` with ``strict="should"``. No type asked: 1.0."""
    if not wanted:
        return 1.0
    have = set(types)
    ok = wanted <= have if strict == "all" else bool(wanted & have)
    if ok:
        return 1.0
    return TYPE_SHOULD_FACTOR if strict == "should" else None


def folded(text: str) -> str:
    """``text`` as the engine compares it: NFKC, simplified, lower case, no tone marks, spaces or
    punctuation."""
    return label_keys(without_tone_numbers(text)).full


def pinyin_of(text: str) -> str:
    """The toneless pinyin of a folded text (Latin text is its own)."""
    return to_pinyin(text)


def _has_han(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


__all__ = ["CLOSE_THRESHOLD", "CODE_STRENGTH", "EXACT_THRESHOLD", "IRI_STRENGTH", "MARGIN",
           "MAX_CANDIDATES", "STRUCTURE_BONUS", "Clue", "Match", "Matcher", "clear_winner",
           "decide", "folded", "name_keys", "pinyin_of", "rank_key", "strength", "type_filter"]
