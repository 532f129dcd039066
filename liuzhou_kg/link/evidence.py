"""Property evidence: does what a query says about a thing agree with what the graph knows of it?

A query may give, beside names, values of properties: where the thing is (``lzo:locatedIn`` 广西),
its industry, a stock code, a GB/T 2260 code, a Wikidata IRI, a name in one language. Each such
property is a :class:`Clue`. For one candidate entity, :func:`judge` compares the clue's values
with the candidate's own values for that property (a :class:`Known`, read from the store by
:class:`Facts`) and answers

- ``"agrees"``: a value of the query equals one of the candidate's;
- ``"conflicts"``: the candidate has values for the property, and none is equal;
- ``"unknown"``: the candidate has no value for it (no evidence either way).

Equal means, by the kind of the property: an entity by its IRI or by any of its names (the
linker's name keys, :func:`.normalize.name_keys`: simplified and traditional characters, pinyin,
full-width letters, legal forms), a code by :func:`.similarity.compare_codes` (the link
vocabulary's code schemes), an IRI by itself or by the GeoNames or Wikidata id it stands for, a
name or a text by its name keys. A transitive property (``locatedIn``) also holds through chains:
柳工 is in 柳州, which is in 广西, so 柳工 is in 广西.

What an outcome is worth is declared in ``graph/mappings/link-evidence.yaml`` (:func:`rules`):
:func:`adjustment` adds it to a candidate's score. ``Matcher.match(..., evidence=[…])`` applies
it (:mod:`.engine`), for a script, ``liuzhou-kg link`` and the reconciliation service alike.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
import yaml

from ..core.errors import InputError, Problem, yaml_problem
from ..core.layout import Layout
from .codes import code_of, iri_codes
from .entities import Entity
from .normalize import name_keys
from .similarity import compare_codes
from .vocabulary import Vocabulary

AGREES, CONFLICTS, UNKNOWN = "agrees", "conflicts", "unknown"
KINDS = ("entity", "code", "iri", "label", "text")
MAX_VALUES = 20      # values of one clue that are compared
MAX_VALUE_CHARS = 256  # a value is cut to this many characters before any comparison


@dataclass(frozen=True)
class Clue:
    """One property of a query: which property, how its values compare, the query's values, and
    whether a candidate must agree on it (``required``: one that does not is left out).

    ``predicate`` is the property's IRI (None for ``label``: the candidate's own names);
    ``kind`` one of :data:`KINDS`; ``datatype`` keeps only the codes of that datatype;
    ``lang`` the language of the names of a ``label`` clue; ``transitive`` follows chains.
    ``values`` are texts (a name, a code, an IRI) or numbers (a code a spreadsheet turned into
    one)."""

    predicate: str | None
    values: tuple
    kind: str = "entity"
    required: bool = False
    datatype: str | None = None
    lang: str | None = None
    transitive: bool = False

    @property
    def property_key(self) -> tuple:
        """What the candidate's values depend on (the facts are read once per key)."""
        return (self.predicate, self.kind, self.datatype, self.lang, self.transitive)

    @property
    def identifies(self) -> bool:
        """Whether agreement on this clue identifies the thing (a code or an IRI)."""
        return self.kind in rules().identifier_kinds


@dataclass(frozen=True)
class Known:
    """A candidate's own values for one property: IRIs (``entity``, ``iri``), (code, scheme)
    pairs (``code``) or texts (``label``, ``text``); for ``entity``, the name keys of each IRI."""

    kind: str
    values: tuple
    names: dict | None = None  # IRI -> frozenset of name keys


@dataclass(frozen=True)
class Rules:
    """The weights of ``link-evidence.yaml`` (on the linker's 0-1 scale)."""

    agrees: float
    identifier_agrees: float
    conflicts: float
    unknown: float
    identifier_kinds: frozenset[str]


def load_rules(path: Path) -> Rules:
    """Read an evidence rules file; a bad entry is an InputError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read the evidence rules: {err}")]) from err
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err, "cannot read the evidence rules: ")]) from err
    try:
        weights = data["weights"]
        kinds = frozenset(data["identifier_kinds"])
        unknown = kinds - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s) in identifier_kinds: {sorted(unknown)}")
        return Rules(float(weights["agrees"]), float(weights["identifier_agrees"]),
                     float(weights["conflicts"]), float(weights["unknown"]), kinds)
    except KeyError as err:
        raise InputError([Problem(path, None, f"the evidence rules lack {err.args[0]!r}")]) from None
    except (TypeError, ValueError, AttributeError) as err:
        raise InputError([Problem(path, None, f"bad evidence rules: {err}")]) from None


@lru_cache(maxsize=None)
def rules(path: Path | None = None) -> Rules:
    """The project's evidence rules (``graph/mappings/link-evidence.yaml``, read once)."""
    return load_rules(path or Layout.default().link_evidence)


def _text(value) -> str | None:
    """A query value as text, cut; None for what is neither text nor a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int, float)):
        return str(value).strip()[:MAX_VALUE_CHARS]
    return None


def judge(known: Known, clue: Clue, vocab: Vocabulary) -> str:
    """``"agrees"``, ``"conflicts"`` or ``"unknown"``: the clue's values against the candidate's
    (see the module documentation for what equal means, by kind)."""
    if not known.values:
        return UNKNOWN
    values = [t for t in map(_text, clue.values[:MAX_VALUES]) if t]
    for value in values:
        if known.kind == "entity":
            if value in known.values:
                return AGREES
            if not value.isdigit():  # a number names no entity
                keys = name_keys(value)
                if any(keys & (known.names or {}).get(iri, frozenset()) for iri in known.values):
                    return AGREES
        elif known.kind == "code":
            if any(compare_codes(value, code, vocab, scheme) for code, scheme in known.values):
                return AGREES
        elif known.kind == "iri":
            wanted = iri_codes(value, vocab)
            if value in known.values or any(wanted & iri_codes(iri, vocab) for iri in known.values):
                return AGREES
        else:  # label, text
            keys = name_keys(value)
            if any(keys & name_keys(text) for text in known.values):
                return AGREES
    return CONFLICTS if values else UNKNOWN


def adjustment(outcomes: Iterable[str], clues: Iterable[Clue]) -> float:
    """What the outcomes add to a score: per clue, ``agrees`` (``identifier_agrees`` for a code
    or an IRI), ``conflicts`` or ``unknown`` from the rules file."""
    weights = rules()
    total = 0.0
    for outcome, clue in zip(outcomes, clues):
        if outcome == AGREES:
            total += weights.identifier_agrees if clue.identifies else weights.agrees
        elif outcome == CONFLICTS:
            total += weights.conflicts
        else:
            total += weights.unknown
    return total


class Facts:
    """Each entity's values for the properties clues ask about, read from a store with quad
    patterns (never SPARQL), once per property, when first asked."""

    def __init__(self, store, entities: list[Entity], vocab: Vocabulary):
        self._store = store
        self._vocab = vocab
        self._names = {e.iri: frozenset(k for label in e.labels for k in label.keys() if k)
                       for e in entities}
        self._read: dict[tuple, dict[str, tuple]] = {}

    def prefetch(self, clues: Iterable[Clue]) -> None:
        """Read the values of these clues' properties now (a server does it before answering)."""
        for clue in clues:
            self._values(clue)

    def known(self, iri: str, clue: Clue) -> Known:
        """What entity ``iri`` has for the property of ``clue``."""
        values = self._values(clue).get(iri, ())
        return Known(clue.kind, values, self._names if clue.kind == "entity" else None)

    def _values(self, clue: Clue) -> dict[str, tuple]:
        key = clue.property_key
        if key not in self._read:
            self._read[key] = self._read_property(clue)
        return self._read[key]

    def _quads(self, predicate: str):
        return self._store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)

    def _read_property(self, clue: Clue) -> dict[str, tuple]:
        found: dict[str, list] = defaultdict(list)
        if clue.kind == "label":
            for predicate, kind in self._vocab.label_properties.items():
                if kind != "preferred":
                    continue
                for q in self._quads(predicate):
                    if isinstance(q.object, ox.Literal) and (clue.lang is None or (
                            (q.object.language or "").lower().split("-")[0] == clue.lang)):
                        found[q.subject.value].append(q.object.value)
        elif clue.predicate:
            for q in self._quads(clue.predicate):
                obj = q.object
                if clue.kind in ("entity", "iri") and isinstance(obj, ox.NamedNode):
                    found[q.subject.value].append(obj.value)
                elif clue.kind == "code" and isinstance(obj, ox.Literal):
                    if clue.datatype and obj.datatype.value != clue.datatype:
                        continue
                    code = code_of(obj.value, obj.datatype.value, clue.predicate, self._vocab)
                    found[q.subject.value].append((obj.value, code[0] if code else None))
                elif clue.kind == "text" and isinstance(obj, ox.Literal):
                    found[q.subject.value].append(obj.value)
        if clue.kind == "entity" and clue.transitive:
            found = _closure(found)
        return {iri: tuple(sorted(set(values), key=str)) for iri, values in found.items()}


def _closure(direct: dict[str, list]) -> dict[str, list]:
    """Each subject with everything it reaches through the property (chains followed)."""
    out: dict[str, list] = {}
    for start, targets in direct.items():
        seen, stack = set(targets), list(targets)
        while stack:
            for parent in direct.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        out[start] = sorted(seen)
    return out


__all__ = ["AGREES", "CONFLICTS", "UNKNOWN", "KINDS", "Clue", "Facts", "Known", "Rules",
           "adjustment", "judge", "load_rules", "rules"]
