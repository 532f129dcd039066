"""Candidate generation and scoring.

Candidates are found by blocking: two entities are compared only when one of their normalised
keys, or a character bigram of their short names, is shared. A pair's score is

    label similarity × type factor + location adjustment, clipped to [0, 1]

- label similarity — the best over pairs of labels: 1.0 same full name; 0.97 same name without
  legal form; 0.93 same short name; 0.9 same pinyin; otherwise 0.85 × the sequence similarity of
  the short names. Names with different numbers (宝骏730 / 宝骏510) score 0.
- type factor — from the categories of ``link-vocabulary.yaml`` (incompatible types: no candidate).
- legal form — a group (集团, any of its names) against a company or listed company: × 0.55.
- location — +0.05 when a place one is directly in is among the places the other is in (at any
  level), −0.2 when both know their places and that is not so.

Exact matches are then assigned one-to-one, best score first; a pair above the exact threshold
whose entity is already taken is left for review.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from .entities import Entity, Vocabulary, vocabulary
from .normalize import LabelKeys, bigrams

EXACT_THRESHOLD = 0.85
CLOSE_THRESHOLD = 0.6
GROUP_PENALTY = 0.55
CONTEXT_BONUS = 0.05
CONTEXT_PENALTY = 0.2


@dataclass
class Candidate:
    local: Entity
    external: Entity
    score: float
    label_score: float
    type_factor: float
    context: str  # "agrees", "conflicts" or "unknown"
    decision: str = "reject"  # "exact", "close" or "reject"


def pair_label_score(a: LabelKeys, b: LabelKeys) -> float:
    if a.numbers and b.numbers and set(a.numbers) != set(b.numbers):
        return 0.0
    if a.numbers != b.numbers and (a.numbers or b.numbers) and a.short != b.short:
        return 0.0
    if a.full and a.full == b.full:
        score = 1.0
    elif a.core and a.core == b.core:
        score = 0.97
    elif len(a.short) >= 2 and a.short == b.short:
        score = 0.93
    elif len(a.pinyin) >= 4 and a.pinyin == b.pinyin:
        score = 0.9
    else:
        score = 0.85 * SequenceMatcher(None, a.short, b.short, autojunk=False).ratio()
    return score


def label_score(a: Entity, b: Entity) -> float:
    return max((pair_label_score(x, y) for x in a.labels for y in b.labels), default=0.0)


def type_factor(a: str | None, b: str | None, vocab: Vocabulary) -> float:
    if a is None or b is None:
        return vocab.unknown
    if a == b:
        return 1.0
    return vocab.compatible.get(frozenset((a, b)), 0.0)


def _blocking_keys(entity: Entity) -> set[str]:
    keys: set[str] = set()
    for k in entity.labels:
        keys |= {"k:" + x for x in k.keys()}
        keys |= {"b:" + x for x in bigrams(k.short)}
        keys |= {"b:" + x for x in bigrams(k.pinyin)}
    return keys


def score_pair(local: Entity, external: Entity, vocab: Vocabulary) -> Candidate | None:
    factor = type_factor(local.category, external.category, vocab)
    if factor == 0.0:
        return None
    lab = label_score(local, external)
    if lab == 0.0:
        return None
    score = lab * factor
    forms = {local.legal_form, external.legal_form}
    if "group" in forms and forms & {"listed", "company"}:
        score *= GROUP_PENALTY
    if local.context and external.context:
        if ((local.near & external.context) or (external.near & local.context)
                or (not local.near and not external.near and local.context & external.context)):
            context, score = "agrees", score + CONTEXT_BONUS
        else:
            context, score = "conflicts", score - CONTEXT_PENALTY
    else:
        context = "unknown"
    return Candidate(local, external, max(0.0, min(1.0, score)), lab, factor, context)


def candidates(local: list[Entity], external: list[Entity], *, close: float = CLOSE_THRESHOLD,
               exact: float = EXACT_THRESHOLD, vocab: Vocabulary | None = None) -> list[Candidate]:
    """Scored candidates with score ≥ ``close``, decided: exact (one-to-one) or close (review)."""
    vocab = vocab or vocabulary()
    index: dict[str, list[int]] = defaultdict(list)
    for i, ent in enumerate(external):
        for key in _blocking_keys(ent):
            index[key].append(i)
    found: list[Candidate] = []
    for ent in local:
        seen: set[int] = set()
        for key in _blocking_keys(ent):
            seen.update(index.get(key, ()))
        for i in seen:
            cand = score_pair(ent, external[i], vocab)
            if cand is not None and cand.score >= close:
                found.append(cand)
    found.sort(key=lambda c: (-c.score, c.local.iri, c.external.iri))
    taken_local: set[str] = set()
    taken_external: set[str] = set()
    for cand in found:
        if (cand.score >= exact and cand.local.iri not in taken_local
                and cand.external.iri not in taken_external):
            cand.decision = "exact"
            taken_local.add(cand.local.iri)
            taken_external.add(cand.external.iri)
        else:
            cand.decision = "close"
    return found


@dataclass
class Evaluation:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def evaluate(found: list[Candidate], gold: set[tuple[str, str]]) -> Evaluation:
    """Precision and recall of the exact matches against known (local, external) pairs."""
    links = {(c.local.iri, c.external.iri) for c in found if c.decision == "exact"}
    tp = len(links & gold)
    return Evaluation(tp, len(links - gold), len(gold - links))
