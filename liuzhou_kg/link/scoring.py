"""Link discovery between two entity lists, and its evaluation against known answers.

The scoring itself is the engine's (``engine.py``; every factor is documented in ``similarity.py``); this module
keeps the two-list form ``candidates(local, external)`` that ``discover`` and the tests use, and
``evaluate`` (precision and recall of the exact links against a gold list).
"""
from __future__ import annotations

from dataclasses import dataclass

from .engine import CLOSE_THRESHOLD, EXACT_THRESHOLD, MARGIN, Matcher, decide
from .entities import Entity
from .similarity import Candidate, label_similarity, type_factor
from .vocabulary import Vocabulary

__all__ = ["CLOSE_THRESHOLD", "EXACT_THRESHOLD", "MARGIN", "Candidate", "Evaluation", "candidates",
           "decide", "evaluate", "label_similarity", "type_factor"]


def candidates(local: list[Entity], external: list[Entity], *, close: float = CLOSE_THRESHOLD,
               exact: float = EXACT_THRESHOLD, margin: float = MARGIN,
               vocab: Vocabulary | None = None) -> list[Candidate]:
    """Scored candidates with score ≥ ``close``, decided: exact (one-to-one, clear) or close."""
    return Matcher(local, vocab).link(external, close=close, exact=exact, margin=margin)


@dataclass
class Evaluation:
    """Counts of right, wrong and missed exact links."""

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
