"""Which literals the store keeps in another form than given, counted while a file is read.

pyoxigraph's store writes a literal it can read as a value in its own form: ``"5"^^xsd:int`` comes
back as ``"5"^^xsd:integer``, ``"+1"^^xsd:integer`` as ``"1"``, ``"1.0"^^xsd:decimal`` as ``"1"``
(Oxigraph issues #526 and #1413; no switch turns it off). The rules are a table,
``literal-normalisation.yaml`` beside this module, measured against pyoxigraph (run this module to
measure again: ``python -m liuzhou_kg.store.imports.literals``); the test suite fails when
pyoxigraph stops agreeing with it.

:class:`LiteralChanges` counts, one dictionary lookup per literal (a regular expression only for
the datatypes the store reads), what an import or the build's store changes; its
:meth:`~LiteralChanges.note` is the line printed to the user and written to the catalogue.
"""
from __future__ import annotations

import re
import struct
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import yaml

TABLE_PATH = Path(__file__).with_name("literal-normalisation.yaml")
XSD = "http://www.w3.org/2001/XMLSchema#"
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_DECIMAL_MAX = Decimal(2 ** 127 - 1) / Decimal(10 ** 18)


@dataclass(frozen=True)
class _Rule:
    stored_as: str
    reads: re.Pattern
    keeps: re.Pattern
    range: str | None
    shortest: int | None


@dataclass
class Table:
    """The rules of ``literal-normalisation.yaml``: ``rules`` by datatype IRI, the note texts,
    and the probes of the measurement."""

    rules: dict[str, _Rule]
    notes: dict
    probes: list[tuple[str, str]]

    def stored_form(self, lexical: str, datatype: str) -> str | None:
        """The datatype IRI the store writes a literal ``lexical``^^``datatype`` as, when it does not
        keep that literal as given; None when it keeps it."""
        rule = self.rules.get(datatype)
        if rule is None or not rule.reads.fullmatch(lexical) or not _in_range(rule.range, lexical):
            return None
        if rule.stored_as != datatype or not rule.keeps.fullmatch(lexical):
            return rule.stored_as
        if rule.shortest and not _is_shortest(lexical, rule.shortest):
            return rule.stored_as
        return None


def _expand(term: str) -> str:
    return XSD + term[4:] if term.startswith("xsd:") else term


def _short(iri: str) -> str:
    return "xsd:" + iri[len(XSD):] if iri.startswith(XSD) else f"<{iri}>"


@lru_cache(maxsize=None)
def load_table(path: Path = TABLE_PATH) -> Table:
    """Read the table at ``path`` (default: the one beside this module). Raises ``KeyError`` or
    ``re.error`` on a malformed table (a bug of the package, not of the user's input)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    forms = data["forms"]
    rules = {}
    for term, spec in data["datatypes"].items():
        form = forms[spec["form"]]
        iri = _expand(term)
        rules[iri] = _Rule(_expand(spec.get("stored_as", term)), re.compile(form["reads"]),
                           re.compile(form["keeps"]), form.get("range"), form.get("shortest"))
    probes = [(_expand(term), lexical) for term, forms_ in data["probes"] for lexical in forms_]
    return Table(rules, data["notes"], probes)


def _in_range(kind: str | None, lexical: str) -> bool:
    """Whether the value of ``lexical`` fits what the store reads (``range`` of the table)."""
    if kind == "int64":  # (18 digits and a sign always fit)
        return len(lexical) < 19 or _INT64[0] <= int(lexical) <= _INT64[1]
    if kind == "decimal":
        try:
            number = Decimal(lexical if not lexical.endswith(".") else lexical + "0")
        except InvalidOperation:
            return False
        fraction = lexical.partition(".")[2].rstrip("0")
        return len(fraction) <= 18 and abs(number) <= _DECIMAL_MAX
    return True


def _is_shortest(lexical: str, bits: int) -> bool:
    """Whether ``lexical`` (already in the store's digits-only shape) is the shortest decimal form
    of its 64-bit or 32-bit float, as the store writes it."""
    if lexical in ("INF", "-INF", "NaN"):
        return True
    value = float(lexical)
    if bits == 64:
        digits = repr(value)
    else:
        single = struct.unpack("f", struct.pack("f", value))[0]
        digits = next(text for text in (f"{single:.{p}g}" for p in range(1, 10))
                      if struct.unpack("f", struct.pack("f", float(text)))[0] == single)
    plain = format(Decimal(digits), "f")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain == lexical


@dataclass
class LiteralChanges:
    """The literals of one input the store will not keep as given, grouped by (given datatype,
    stored datatype), each group with its count and its first lexical form."""

    table: Table = field(default_factory=load_table)
    groups: dict[tuple[str, str], list] = field(default_factory=dict)

    def observe(self, literal: ox.Literal) -> None:
        """Count ``literal`` if the store will write it in another form (no effect otherwise)."""
        datatype = literal.datatype.value
        if datatype not in self.table.rules:  # most literals: strings, language-tagged
            return
        lexical = literal.value
        stored = self.table.stored_form(lexical, datatype)
        if stored is not None:
            group = self.groups.get((datatype, stored))
            if group is None:
                self.groups[(datatype, stored)] = [1, lexical]
            else:
                group[0] += 1

    @property
    def total(self) -> int:
        """How many literals were counted."""
        return sum(count for count, _ in self.groups.values())

    def note(self, language: str = "en", what: str = "import") -> str | None:
        """The note in ``language`` (``en`` or ``zh``) about an ``import`` or the ``build`` (what
        kept the literals as given: the imported file, the published files), one line; None when
        the store keeps every literal as given."""
        if not self.groups:
            return None
        texts = self.table.notes[language]
        what = self.table.notes["what"][language][what]
        return texts["text"].format(total=self.total, what=what,
                                    groups=texts["joiner"].join(self.group_texts(language)))

    def group_texts(self, language: str = "en") -> list[str]:
        """One text per group, largest first (``xsd:int → xsd:integer ×2 (…)``)."""
        texts = self.table.notes[language]
        out = []
        for (given, stored), (count, example) in sorted(self.groups.items(), key=lambda kv: (-kv[1][0], kv[0])):
            if given != stored:
                out.append(texts["datatype"].format(given=_short(given), stored=_short(stored), count=count))
            else:
                shown = example if len(example) <= 30 else example[:30] + "…"
                out.append(texts["lexical"].format(given=_short(given), count=count, example=shown))
        return out


def count_file(path: Path, fmt: ox.RdfFormat) -> LiteralChanges:
    """Parse ``path`` (syntax ``fmt``) and count its literals the store will not keep as given.
    Raises ``SyntaxError`` on malformed input."""
    changes = LiteralChanges()
    with Path(path).open("rb") as handle:
        for quad in ox.parse(handle, format=fmt):
            if isinstance(quad.object, ox.Literal):
                changes.observe(quad.object)
    return changes


def store_notes(nquads: Path) -> list[str]:
    """The build's notes: one line per group of literals of the N-Quads file ``nquads`` (the
    published data) that the store answers in another form. Raises ``SyntaxError`` on bad input."""
    changes = count_file(nquads, ox.RdfFormat.N_QUADS)
    template = changes.table.notes["en"]["build"]
    return [template.format(group=group) for group in changes.group_texts("en")]


def round_trip(literal: ox.Literal) -> ox.Literal:
    """What pyoxigraph's store gives back for ``literal`` once stored (an in-memory store)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x-probe:s"), ox.NamedNode("urn:x-probe:p"), literal,
                      ox.NamedNode("urn:x-probe:g")))
    return next(iter(store)).object


def measure(table: Table | None = None) -> list[tuple[str, str, ox.Literal, str | None]]:
    """Store every probe of the table; returns (datatype, lexical form, what the store gave back,
    the stored datatype the table predicts or None)."""
    table = table or load_table()
    rows = []
    for datatype, lexical in table.probes:
        literal = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
        rows.append((datatype, lexical, round_trip(literal), table.stored_form(lexical, datatype)))
    return rows


def agrees(datatype: str, lexical: str, back: ox.Literal, predicted: str | None) -> bool:
    """Whether the table's prediction ``predicted`` for ``lexical``^^``datatype`` (a datatype IRI,
    or None for "kept") is what the store gave back, ``back``."""
    kept = back == ox.Literal(lexical, datatype=ox.NamedNode(datatype))
    return (predicted is None) == kept and (kept or predicted == back.datatype.value)


def disagreements(table: Table | None = None) -> list[str]:
    """The probes of ``table`` whose store answer it does not predict, one readable line each."""
    return [f"{lexical!r}^^<{datatype}> -> {back} (table: {predicted or 'kept'})"
            for datatype, lexical, back, predicted in measure(table)
            if not agrees(datatype, lexical, back, predicted)]


def main() -> int:
    """Print the measurement, one probe a line; exit 1 if the table disagrees with pyoxigraph."""
    wrong = 0
    print(f"pyoxigraph {ox.__version__}: what the store gives back for each probe of {TABLE_PATH.name}")
    for datatype, lexical, back, predicted in measure():
        kept = back == ox.Literal(lexical, datatype=ox.NamedNode(datatype))
        answer = "kept" if kept else f'"{back.value}"^^{_short(back.datatype.value)}'
        ok = agrees(datatype, lexical, back, predicted)
        wrong += not ok
        print(f"{_short(datatype):24} {lexical!r:40} {answer:44} {'' if ok else 'TABLE DISAGREES'}")
    for literal in (ox.Literal("a"), ox.Literal("a", language="zh-Hans")):
        back = round_trip(literal)
        print(f"{'(plain / language)':24} {str(literal):40} {'kept' if back == literal else str(back)}")
    print(f"{wrong} disagreement(s)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
