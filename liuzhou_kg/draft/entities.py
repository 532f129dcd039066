"""Know the graph's entities by name, find their mentions, and propose new ones.

The names come from the built graph (``rdfs:label``, ``skos:altLabel``, ``skos:prefLabel`` of
``dist/liuzhou.trig``) or, without a build, from the fact records; the aliases of ``rules.yaml``
add full registered names and short forms the graph does not carry. Mentions are found longest
name first, so 柳州钢铁集团 is Liugang and not the city 柳州. A name that ends in an entity suffix
of the rules (有限公司, 产业园, 计划 …) and is not known is proposed as a new entity; its start is
found by reading jieba's segmentation backwards from the suffix until a verb or function word.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import jieba.posseg

from ..core.errors import InputError, Problem
from ..core.namespaces import LZ, LZO
from .rules import Rules

jieba.setLogLevel(60)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NAME_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
}
IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
INDICATOR_SCHEME = str(LZ["scheme-indicators"])


@dataclass
class Lexicon:
    """The graph's entities: id → types and names, and name → ids."""

    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # id -> names
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # id -> lang -> label
    indicators: set[str] = field(default_factory=set)
    origin: str = ""

    def add(self, ident: str, name: str, lang: str | None = None, primary: bool = False) -> None:
        """Record ``name`` for ``ident`` (the first label per language is its display label)."""
        name = name.strip()
        if name:
            self.names[ident].add(name)
            if primary and lang and lang not in self.labels[ident]:
                self.labels[ident][lang] = name

    def index(self, idents) -> dict[str, str]:
        """Name → id for the given ids; a name two entities share is left out (ambiguous)."""
        owners: dict[str, set[str]] = defaultdict(set)
        for ident in idents:
            for name in self.names.get(ident, ()):
                owners[name].add(ident)
        return {name: next(iter(ids)) for name, ids in owners.items() if len(ids) == 1}


def load_lexicon(rules: Rules, graph: Path | None, facts_dir: Path) -> Lexicon:
    """The lexicon from the built graph ``graph`` if given (a TriG file), else from the records."""
    lexicon = _from_graph(graph) if graph is not None else _from_records(facts_dir)
    for ident, names in rules["aliases"].items():
        if ident not in lexicon.types:
            raise InputError([Problem("rules.yaml", None, f"alias list for {ident!r}: the graph has no such entity")])
        for name in names:
            lexicon.add(ident, str(name))
    return lexicon


def _parse(path: Path, turtle: bool = False) -> list:
    """The quads (or triples) of an RDF file; an unreadable or malformed file is an input error."""
    import pyoxigraph

    fmt = pyoxigraph.RdfFormat.TURTLE if turtle else pyoxigraph.RdfFormat.TRIG
    try:
        return list(pyoxigraph.parse(path=str(path), format=fmt))
    except OSError as err:
        raise InputError([Problem(path, None, f"cannot read: {err.strerror or err}")]) from None
    except SyntaxError as err:
        raise InputError([Problem(path, None, f"not valid {'Turtle' if turtle else 'TriG'}: {err}")]) from None


def _from_graph(path: Path, lexicon: Lexicon | None = None, turtle: bool = False) -> Lexicon:
    """The lexicon from the labels and types of a built graph (TriG), or of a Turtle file."""
    import pyoxigraph

    quads = _parse(path, turtle)
    lexicon = lexicon or Lexicon(origin=str(path))
    prefix, ontology = str(LZ), str(LZO)
    for quad in quads:
        subject = quad.subject
        if not isinstance(subject, pyoxigraph.NamedNode) or not subject.value.startswith(prefix):
            continue
        ident = subject.value[len(prefix):]
        predicate, obj = quad.predicate.value, quad.object
        if predicate == RDF_TYPE and isinstance(obj, pyoxigraph.NamedNode) and obj.value.startswith(ontology):
            lexicon.types[ident].add(obj.value[len(ontology):])
        elif predicate in NAME_PREDICATES and isinstance(obj, pyoxigraph.Literal):
            lexicon.add(ident, obj.value, obj.language, primary=predicate.endswith("label") and "alt" not in predicate)
        elif predicate == IN_SCHEME and isinstance(obj, pyoxigraph.NamedNode) and obj.value == INDICATOR_SCHEME:
            lexicon.indicators.add(ident)
    lexicon.indicators |= {i for i, types in lexicon.types.items() if "Indicator" in types}
    return lexicon


def _from_records(facts_dir: Path) -> Lexicon:
    """The lexicon from the fact records, for use without a build (with the indicator concepts of
    ``ontology/schemes.ttl``, should the scheme list some there)."""
    from ..core.layout import Layout
    from ..build.records import load_records

    lexicon = Lexicon(origin=str(facts_dir))
    schemes = Layout.default().ontology / "schemes.ttl"
    if schemes.is_file():
        _from_graph(schemes, lexicon, turtle=True)
    for record in load_records(facts_dir):
        if not record.is_new:
            continue
        lexicon.types[record.subject].add(record.type or "")
        for lang, text in record.label.items():
            lexicon.add(record.subject, text, lang, primary=True)
        for text in record.alt_label.values():
            lexicon.add(record.subject, text)
        if record.type == "Indicator":
            lexicon.indicators.add(record.subject)
    return lexicon


@dataclass(frozen=True)
class Mention:
    """A name in a sentence: of a known entity (``ident``) or proposed (``proposed_type``)."""

    name: str
    start: int
    end: int
    ident: str | None = None
    proposed_type: str | None = None


class EntityFinder:
    """Finds mentions of known entities and proposes new ones, by the rules."""

    def __init__(self, rules: Rules, lexicon: Lexicon):
        """Index the names of the resolvable entities, industries and indicators."""
        self.rules = rules
        self.lexicon = lexicon
        resolvable = [i for i, types in lexicon.types.items() if types & set(rules["resolve_types"])]
        ignored = set(rules["ignore_names"])
        self.known = {n: i for n, i in lexicon.index(resolvable).items() if n not in ignored and len(n) >= 2}
        self.known_pattern = _names_pattern(self.known)
        industries = [i for i, types in lexicon.types.items() if "Industry" in types]
        self.subjects = {**lexicon.index(industries), **self.known}
        self.subject_pattern = _names_pattern(self.subjects)
        self.indicators = lexicon.index(lexicon.indicators)
        self.indicator_pattern = _names_pattern(self.indicators)
        suffixes = sorted(rules["entity_suffixes"], key=lambda e: -len(e["suffix"]))
        self.suffixes = [(e["suffix"], e["type"]) for e in suffixes]
        self.suffix_pattern = re.compile("|".join(re.escape(s) for s, _ in self.suffixes))

    def mentions(self, text: str) -> list[Mention]:
        """Known mentions and proposals in ``text``, not overlapping, in order."""
        known = [Mention(m.group(0), m.start(), m.end(), ident=self.known[m.group(0)])
                 for m in self.known_pattern.finditer(text)] if self.known else []
        proposals = self._proposals(text, known)
        # A known name inside a proposed one (柳州 in 柳州银河机械有限公司) is part of that name.
        known = [k for k in known if not any(p.start <= k.start and k.end <= p.end and (p.start, p.end) != (k.start, k.end)
                                             for p in proposals)]
        return sorted(known + proposals, key=lambda m: m.start)

    def _proposals(self, text: str, known: list[Mention]) -> list[Mention]:
        """Names ending in an entity suffix that no known name covers, longest first."""
        found: list[Mention] = []
        for m in self.suffix_pattern.finditer(text):
            suffix = m.group(0)
            kind = dict(self.suffixes)[suffix]
            start = self._name_start(text, m.start())
            name = text[start:m.end()]
            if m.start() - start < self.rules["min_name_chars"] or name in self.rules["not_names"]:
                continue
            if text[:start].rstrip("“”\" ").endswith(tuple(self.rules["generic_before"])):
                continue
            if any(k.start <= start and m.end() <= k.end for k in known):
                continue  # the name is (part of) a known one
            if any(k.start == start and k.end == m.end() for k in known):
                continue
            found.append(Mention(name, start, m.end(), proposed_type=kind))
        chosen: list[Mention] = []
        for mention in sorted(found, key=lambda p: (p.start - p.end, p.start)):  # longest first
            if not any(c.start < mention.end and mention.start < c.end for c in chosen):
                chosen.append(mention)
        return chosen

    def _name_start(self, text: str, suffix_start: int) -> int:
        """Where the name ending at ``suffix_start`` begins: read jieba's words backwards to a stop."""
        before = text[:suffix_start]
        clause = max(before.rfind(c) for c in "，；：、。,;:“”（）() ") + 1
        words = list(jieba.posseg.cut(before[clause:]))
        stops, flags = set(self.rules["name_stops"]), set(self.rules["name_stop_flags"])
        start = suffix_start
        for pair in reversed(words):
            word, flag = pair.word, pair.flag
            if word in stops or flag in flags:
                break
            start -= len(word)
        return start

    def subject_in(self, text: str) -> str | None:
        """The id of the last entity or industry named in ``text`` (the figure's subject), if any."""
        hits = list(self.subject_pattern.finditer(text)) if self.subjects else []
        return self.subjects[hits[-1].group(0)] if hits else None

    def indicator_in(self, text: str) -> tuple[str, str] | None:
        """(id, name) of the indicator named last in ``text``, longest name first, if any."""
        hits = list(self.indicator_pattern.finditer(text)) if self.indicators else []
        return (self.indicators[hits[-1].group(0)], hits[-1].group(0)) if hits else None

    def indicator_containing(self, phrase: str) -> tuple[str, str] | None:
        """(id, name) of the one indicator whose name contains ``phrase`` (企业技术中心 in
        新增自治区级企业技术中心), if exactly one does and the phrase has four characters or more."""
        if len(phrase) < 4:
            return None
        hits = {ident: name for name, ident in self.indicators.items() if phrase in name}
        return next(iter(hits.items())) if len(hits) == 1 else None


def _names_pattern(names) -> re.Pattern:
    """One regex matching any of ``names``, longest first."""
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return re.compile("|".join(re.escape(n) for n in ordered)) if ordered else re.compile(r"(?!x)x")
