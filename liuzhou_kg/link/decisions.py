"""Decisions: which candidates are clear enough to be taken without a person looking.

Two forms of one rule, the same thresholds:

- :func:`decide` — ``liuzhou-kg link``: every pair of two datasets, assigned one-to-one, strongest
  first; a pair at or above ``EXACT_THRESHOLD`` is *exact* when no rival of either side still free
  ranks within ``MARGIN`` of it, else *close*.
- :func:`clear_winner` — one query (``Matcher.match``, the reconciliation service): the first
  answer is the match when it scores at least ``EXACT_THRESHOLD`` and either leads the second by
  ``MARGIN`` or is the only one of the two whose name, code or IRI equals the query's.

:func:`rank_key` orders the answers of one query, best first.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Protocol, Sequence

from .similarity import CODE_FLOOR, Candidate

EXACT_THRESHOLD = 0.85
CLOSE_THRESHOLD = 0.6
MARGIN = 0.05
STRUCTURE_BONUS = 0.15
IRI_STRENGTH = 0.2  # how much the same IRI outweighs names alone when ranking (strength)
CODE_STRENGTH = 0.1  # … a shared code


class Ranked(Protocol):
    """What the one-query rule reads of an answer."""

    score: float  # clipped to 0-1
    raw: float    # before clipping: orders answers tied at 1
    exact: bool   # a name (with its legal form), a code or the IRI equals the query's


def rank_key(answer: Ranked) -> tuple:
    """Best first: score, then the score before clipping, then an exact name."""
    return (-answer.score, -answer.raw, not answer.exact)


def clear_winner(ranked: Sequence[Ranked], *, exact: float = EXACT_THRESHOLD,
                 margin: float = MARGIN) -> bool:
    """Whether the first of ``ranked`` (best first) is the one clear match of its query.

    It must score at least ``exact``; then it wins when it is alone, when it leads the second by
    at least ``margin`` (scores before clipping, so a code that agrees counts above a tie at 1),
    or when it equals the query (``exact``) and the second does not. The lead is rounded to six
    places, so 1.0 against 0.95 is a lead of 0.05."""
    if not ranked or ranked[0].score < exact:
        return False
    if len(ranked) == 1:
        return True
    top, second = ranked[0], ranked[1]
    return round(top.raw - second.raw, 6) >= margin or (top.exact and not second.exact)


def _structure(found: list[Candidate]) -> None:
    """Hierarchy from the other end: when a part of each is linked by a code or the same IRI
    (广西 to CN-GX), a candidate pair of their parents (中国 to CN) gains ``STRUCTURE_BONUS``."""
    strong = [c for c in found if c.score >= CODE_FLOOR and any(
        e.startswith(("same code", "same IRI")) for e in c.evidence)]
    if not strong:
        return
    pairs = {(lp, ep) for c in strong for lp in c.local.parents for ep in c.external.parents}
    for cand in found:
        if (cand.local.iri, cand.external.iri) in pairs and "one is part of the other" not in cand.evidence:
            cand.score = min(1.0, cand.score + STRUCTURE_BONUS)
            cand.evidence = cand.evidence + ("parts linked",)


def strength(cand: Candidate) -> float:
    """How much the evidence outweighs names alone: the same IRI 0.2, a shared code 0.1."""
    if "same IRI" in cand.evidence:
        return IRI_STRENGTH
    if any(e.startswith(("same code", "same identifier")) for e in cand.evidence):
        return CODE_STRENGTH
    return 0.0


def decide(found: list[Candidate], *, exact: float = EXACT_THRESHOLD,
           margin: float = MARGIN) -> list[Candidate]:
    """Greedy one-to-one assignment, strongest first; exact only for a clear winner, else close.

    Pairs are ranked by score plus :func:`strength` (a shared code beats a namesake of the same
    score). A pair at or above ``exact`` whose entities are both free becomes exact when no other
    candidate of either entity, among those whose other side is still free, ranks within
    ``margin`` of it."""
    rank = {id(c): c.score + strength(c) for c in found}
    found.sort(key=lambda c: (-rank[id(c)], c.local.iri, c.external.iri))
    by_local: dict[str, list[Candidate]] = defaultdict(list)
    by_external: dict[str, list[Candidate]] = defaultdict(list)
    for cand in found:
        cand.decision = "close"
        by_local[cand.local.iri].append(cand)
        by_external[cand.external.iri].append(cand)
    taken_local: set[str] = set()
    taken_external: set[str] = set()
    for cand in found:
        if cand.score < exact or cand.local.iri in taken_local or cand.external.iri in taken_external:
            continue
        rivals = [rank[id(o)] for o in by_local[cand.local.iri]
                  if o is not cand and o.external.iri not in taken_external]
        rivals += [rank[id(o)] for o in by_external[cand.external.iri]
                   if o is not cand and o.local.iri not in taken_local]
        if any(r > rank[id(cand)] - margin for r in rivals):
            cand.evidence = cand.evidence + ("no clear winner",)
            continue
        cand.decision = "exact"
        taken_local.add(cand.local.iri)
        taken_external.add(cand.external.iri)
    return found
