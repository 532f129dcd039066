"""How alike two entities are: the score of a pair, its evidence, and the name keys behind it.

**Score** of a pair (the factors are the constants below; docs/linking.md explains each):

    label similarity × type factor, ± place, then identifiers and hierarchy

- the same IRI (or a shared ``owl:sameAs``/``skos:exactMatch`` target) → 1.0;
- a shared code of a known scheme (GB/T 2260, ISO 3166-2, stock code …) → at least 0.9;
  a shared code of no known scheme → +0.2 (when the names agree at all);
- two different codes of one scheme (that has ``conflicts``) → × 0.5;
- one is part of the other (a code below the other's code, an IRI or name among its parents) → × 0.3;
- parents of a pair linked by a code or IRI (中国 and CN, above 广西 and CN-GX) → +0.15 (given
  by the decisions, :meth:`liuzhou_kg.link.engine.Matcher.decide_all`).

Two codes are compared by :func:`compare_codes` (the query's evidence, :mod:`.evidence`, and a
cell that is a code, :meth:`~liuzhou_kg.link.engine.Matcher.match`).

Which pairs get scored at all, and the one-to-one decisions, are the engine's
(:mod:`liuzhou_kg.link.engine`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio
from rapidfuzz.process import cdist

from .codes import MAX_CODE_LENGTH
from .entities import Entity
from .vocabulary import Vocabulary

GROUP_PENALTY = 0.55
CONTEXT_BONUS = 0.05
CONTEXT_PENALTY = 0.2
CODE_FLOOR = 0.9
UNKNOWN_CODE_BONUS = 0.2
CODE_CONFLICT = 0.5
PART_OF = 0.3
FUZZY_LABELS = 8
LATIN_GRAM = 3
FUZZY_CUTOFF = 55.0  # below it, 0.85 × similarity cannot reach a candidate's score
PINYIN_SCORE = 0.9  # label_similarity of names that agree by their pinyin only
PLACE_CATEGORIES = frozenset({"region", "city", "district", "place"})


@dataclass
class Candidate:
    """A scored pair: ``local`` is an indexed entity, ``external`` the one asked about."""

    local: Entity
    external: Entity
    score: float
    label_score: float
    type_factor: float
    context: str  # "agrees", "conflicts" or "unknown"
    decision: str = "reject"  # "exact", "close" or "reject"
    evidence: tuple[str, ...] = ()


class Profile:
    """The key sets of an entity, computed once."""

    __slots__ = ("full", "core", "short", "pinyin", "fuzzy", "exact_keys", "label_grams")

    def __init__(self, entity: Entity):
        labels = entity.labels
        self.full = {k.full for k in labels if k.full}
        self.core = {k.core for k in labels if k.core}
        self.short = {k.short for k in labels if len(k.short) >= 2}
        self.pinyin = {k.pinyin for k in labels if len(k.pinyin) >= 4}
        self.fuzzy = labels[:FUZZY_LABELS]
        keys: set[str] = set()
        texts: dict[str, None] = {}
        for k in labels:
            keys.update(("k:" + k.full, "k:" + k.core, "k:" + k.short, "k:" + k.pinyin))
            texts[k.short] = None
            texts[k.pinyin] = None
        keys.discard("k:")
        grams = [g for g in map(name_grams, texts) if g]
        keys |= {f"c:{s}:{v}" for s, v in entity.codes if s}
        keys |= {f"v:{v}" for _, v in entity.codes}
        keys |= {"i:" + iri for iri in entity.same_as}
        self.exact_keys = keys
        self.label_grams = grams

    @property
    def grams(self) -> set[str]:
        """Every n-gram of the entity's names."""
        out: set[str] = set()
        for g in self.label_grams:
            out |= g
        return out


def name_grams(text: str) -> frozenset[str]:
    """Character bigrams of Chinese text, trigrams of Latin text (a short text stands for itself)."""
    if not text:
        return frozenset()
    n = 2 if not text.isascii() else LATIN_GRAM
    if len(text) <= n:
        return frozenset((text,))
    return frozenset([text[i:i + n] for i in range(len(text) - n + 1)])


def _fuzzy(pa: "Profile", pb: "Profile") -> float:
    """0.85 × the best similarity of two short names (first ``FUZZY_LABELS`` of each side), 0 when
    their numbers differ; below ``FUZZY_CUTOFF`` it counts as nothing."""
    a_labels, b_labels = pa.fuzzy, pb.fuzzy
    if not a_labels or not b_labels:
        return 0.0
    matrix = cdist([k.short for k in a_labels], [k.short for k in b_labels], scorer=ratio,
                   score_cutoff=FUZZY_CUTOFF, workers=1)
    best = 0.0
    for i, j in zip(*matrix.nonzero()):
        a, b = a_labels[i], b_labels[j]
        if a.numbers != b.numbers and (a.numbers or b.numbers) and a.short != b.short:
            continue
        best = max(best, float(matrix[i, j]))
    return 0.85 * best / 100.0


def label_similarity(pa: Profile, pb: Profile) -> float:
    """1.0 same full name, 0.94 same without legal form, 0.93 same short name, 0.9 same pinyin,
    else 0.85 × the similarity of the short names (0 when their numbers differ)."""
    if pa.full & pb.full:
        return 1.0
    if pa.core & pb.core:
        return 0.94
    if pa.short & pb.short:
        return 0.93
    if pa.pinyin & pb.pinyin:
        return PINYIN_SCORE
    return _fuzzy(pa, pb)


def type_factor(a: str | None, b: str | None, vocab: Vocabulary) -> float:
    """1.0 same category; the mapping's factor for a compatible pair; ``unknown`` when either is
    unknown or weak; 0 for two known, incompatible categories."""
    if a is None or b is None:
        return vocab.unknown
    if a == b:
        return 1.0
    if a in vocab.weak_categories or b in vocab.weak_categories:
        return vocab.unknown
    return vocab.compatible.get(frozenset((a, b)), 0.0)


def _placelike(a: Entity, b: Entity, vocab: Vocabulary) -> bool:
    """Both are places below country level (or one is a code-list entry): a name among the other's
    direct parents then means "part of it" (柳江区 in 柳州市). Organisations are left out: a
    listed company shares its short name with the group it belongs to."""
    kinds = {a.category, b.category} - vocab.weak_categories - {None}
    return bool(kinds) and kinds <= PLACE_CATEGORIES


def short_names(entity: Entity) -> set[str]:
    """The short names and their pinyin of ``entity`` (what "a name among its parents" compares)."""
    return {x for k in entity.labels for x in (k.short, k.pinyin) if x}


def score_pair(local: Entity, local_profile: Profile, local_names: set[str], other: Entity,
               prof: Profile, other_names: set[str], vocab: Vocabulary,
               untyped_query: bool = False) -> Candidate | None:
    """The candidate (``local``, ``other``), or None when nothing supports it.

    ``local_profile``/``prof`` are the entities' :class:`Profile`, ``local_names``/``other_names``
    their :func:`short_names`. ``untyped_query``: ``other`` is a query that names no type, so type
    is no evidence either way (factor 1), unlike an entity of a dataset that has no known type
    (``unknown``)."""
    evidence: list[str] = []
    identity = bool(local.same_as & other.same_as)
    shared = local.codes & other.codes
    known_shared = {c for c in shared if c[0]}
    local_values = {v for _, v in local.codes}
    unknown_shared = {c for c in other.codes if c[0] is None and c[1] in local_values}
    conflicts = set()
    for scheme in {s for s, _ in local.codes} & {s for s, _ in other.codes}:
        spec = vocab.schemes.get(scheme or "")
        if spec is None or not spec.conflicts:
            continue
        if not {c for c in shared if c[0] == scheme}:
            conflicts.add(scheme)
    part_of = bool(local.codes & other.ancestor_codes or other.codes & local.ancestor_codes
                   or local.same_as & other.ancestors or other.same_as & local.ancestors
                   or (_placelike(local, other, vocab) and (local_names & other.near
                                                            or other_names & local.near)))

    factor = (1.0 if untyped_query and other.category is None
              else type_factor(local.category, other.category, vocab))
    lab = label_similarity(local_profile, prof)
    if not (identity or known_shared):
        if factor == 0.0 or lab == 0.0:
            return None
    score = lab * (factor if factor else vocab.unknown)
    forms = {local.legal_form, other.legal_form}
    if "group" in forms and forms & {"listed", "company"}:
        score *= GROUP_PENALTY
        evidence.append("group vs company")
    context = "unknown"
    if local.context and other.context:
        if (local.near & other.context) or (other.near & local.context):
            context, score = "agrees", score + CONTEXT_BONUS
        elif local.context & other.context and not (local.near and other.near):
            context = "country agrees"
        elif bool(local.near) == bool(other.near):
            # both placed below country level, or both by their country only, and apart
            context, score = "conflicts", score - CONTEXT_PENALTY
        # else: one is placed by its country only, the other below it: nothing to compare
    if identity:
        score = 1.0
        evidence.append("same IRI")
    elif known_shared:
        score = max(score, CODE_FLOOR) + (1 - CODE_FLOOR) * lab
        evidence.append("same code " + ",".join(sorted(f"{s}:{v}" for s, v in known_shared)))
    elif unknown_shared and lab >= 0.5:
        score += UNKNOWN_CODE_BONUS
        evidence.append("same identifier " + ",".join(sorted(v for _, v in unknown_shared)))
    if conflicts and not identity:
        score *= CODE_CONFLICT
        evidence.append("different " + ",".join(sorted(conflicts)) + " code")
    if part_of and not identity:
        score *= PART_OF
        evidence.append("one is part of the other")
    return Candidate(local, other, max(0.0, min(1.0, score)), lab, factor, context,
                     evidence=tuple(evidence))


def code_key(value, vocab: Vocabulary, scheme: str | None = None) -> str | None:
    """The form in which two codes are compared, or None when ``value`` is no code.

    The value is NFKC-normalised, upper-cased and stripped of spaces; then normalised by
    ``scheme`` when it is a code of that scheme, else by the first scheme of the link vocabulary
    that reads it (SZ000528 and 000528.SZ are the stock code 000528; 450200000 is the GB/T 2260
    code 450200); a code of digits then loses its leading zeros, which a spreadsheet drops (528).
    A number is read as its digits (450200.0 is 450200)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
    if not text or len(text) > MAX_CODE_LENGTH:
        return None
    first = [vocab.schemes[scheme]] if scheme in vocab.schemes else []
    for spec in first + list(vocab.schemes.values()):
        normalised = spec.normalize(text)
        if normalised:
            text = normalised
            break
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text


def compare_codes(a, b, vocab: Vocabulary, scheme: str | None = None) -> bool:
    """Whether ``a`` and ``b`` are the same code (both read by :func:`code_key`, ``scheme``
    first)."""
    key = code_key(a, vocab, scheme)
    return key is not None and key == code_key(b, vocab, scheme)
