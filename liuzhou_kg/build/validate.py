"""Validate the built dataset: SHACL shapes, zero-row SPARQL checks, OWL consistency, fidelity.

The fidelity checks read the records against their sentences: a label, aimed state or description
may state a count or a level only where its own sentence(s) state it, and a record's main quote (its first)
must be the sentence that states its triples, so it names at least one of the things the record
asserts. Each step returns readable findings; ``validate`` gathers them into one report, and the build
fails (exit code 1) when any step finds anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from ..core.errors import InputError, oxigraph_problem
from ..core.numbers import Cues, find_english_numbers, find_numbers
from ..core.layout import Layout
from .reasoning import ReasoningResult, reason
from .records import Record

UNION_DIRECTIVE = "# default graph: separate"


@dataclass
class ValidationReport:
    """The results of every validation step of the build; ``ok`` is true when all of them pass.

    ``shacl_results`` are the SHACL violations as text; ``checks`` maps each zero-row SPARQL check to
    its offending rows; ``fidelity`` maps each check against the source text to its findings;
    ``reasoning`` is HermiT's result, or None when the reasoner did not run.
    """

    shacl_conforms: bool = True
    shacl_results: list[str] = field(default_factory=list)
    checks: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # check name -> offending rows
    reasoning: ReasoningResult | None = None
    fidelity: dict[str, list[str]] = field(default_factory=dict)  # check name -> findings

    @property
    def ok(self) -> bool:
        return self.shacl_conforms and not any(self.checks.values()) and not any(self.fidelity.values()) \
            and (self.reasoning is None or self.reasoning.consistent)

    def failures(self) -> str:
        lines = []
        if not self.shacl_conforms:
            lines.append(f"SHACL: {len(self.shacl_results)} violation(s)")
            lines.extend(f"  - {r}" for r in self.shacl_results)
        for name, rows in self.checks.items():
            if rows:
                lines.append(f"check {name}: {len(rows)} offending row(s)")
                lines.extend("  - " + ", ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:50])
        for name, findings in self.fidelity.items():
            if findings:
                lines.append(f"fidelity {name}: {len(findings)} finding(s)")
                lines.extend(f"  - {finding}" for finding in findings)
        if self.reasoning is not None and not self.reasoning.consistent:
            lines.append("OWL (HermiT): inconsistent")
            lines.append("  " + self.reasoning.explanation.replace("\n", "\n  "))
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "shacl": {"conforms": self.shacl_conforms, "violations": self.shacl_results},
            "checks": {name: {"rows": len(rows), "offenders": rows} for name, rows in self.checks.items()},
            "fidelity": {name: {"findings": len(found), "offenders": found} for name, found in self.fidelity.items()},
            "owl": None if self.reasoning is None else {
                "reasoner": "HermiT (owlready2)",
                "consistent": self.reasoning.consistent,
                "explanation": self.reasoning.explanation,
                "inferred_class_hierarchy": self.reasoning.hierarchy,
            },
        }


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph of the dataset, in one graph."""
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def shacl_report(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Run pySHACL as the build does; return whether ``data`` conforms and the results graph."""
    from pyshacl import validate as shacl_validate

    conforms, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, meta_shacl=False)
    return bool(conforms), results_graph


def check_shapes(data: Graph, shapes: Graph) -> tuple[bool, list[str]]:
    """Validate ``data`` against ``shapes``; return conformance and one readable line a result."""
    conforms, results_graph = shacl_report(data, shapes)
    results = []
    for result in results_graph.subjects(SH.focusNode, None):
        focus = results_graph.value(result, SH.focusNode)
        path = results_graph.value(result, SH.resultPath)
        message = results_graph.value(result, SH.resultMessage)
        value = results_graph.value(result, SH.value)
        text = f"{_n3(data, focus)}"
        if path is not None:
            text += f" {_n3(data, path)}"
        text += f": {message}"
        if value is not None:
            text += f" (value {_n3(data, value)})"
        results.append(text)
    return bool(conforms), sorted(set(results))


def run_checks(nquads: bytes, directory: Path | None = None) -> dict[str, list[dict[str, str]]]:
    """Run every ``*.rq`` under ``directory`` (default: the checkout's ``queries/checks/``); each must return zero rows."""
    directory = directory or Layout.default().checks
    store = pyoxigraph.Store()
    store.load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    results = {}
    for path in sorted(directory.glob("*.rq")):
        query = path.read_bytes().decode("utf-8")
        try:
            solutions = store.query(query, use_default_graph_as_union=UNION_DIRECTIVE not in query)
        except SyntaxError as err:
            raise InputError([oxigraph_problem(path, err, "malformed SPARQL: ")]) from None
        variables = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            rows.append({name: _term_text(solution[name]) for name in variables if solution[name] is not None})
        results[path.stem] = rows
    return results


def validate(data: Graph, shapes: Graph, nquads: bytes, *, owl: bool = True,
             checks_dir: Path | None = None) -> ValidationReport:
    """Validate ``data`` (the union of the dataset's graphs) and, by SPARQL, ``nquads`` (its quads)."""
    report = ValidationReport()
    report.shacl_conforms, report.shacl_results = check_shapes(data, shapes)
    report.checks = run_checks(nquads, checks_dir)
    if owl:
        report.reasoning = reason(data)
    return report


# ---------------------------------------------------------------- fidelity to the text
# Record keys whose text a reader takes as a claim of the record about counts and levels (besides
# the labels): the aimed state of a target, and the texts that describe an entity.
CLAIM_KEYS = ("aimedState", "scope", "describedAs", "progress")
_QUOTE_MARKS = str.maketrans("", "", " \t\n\u3000“”‘’「」『』\"")


def check_fidelity(records: list[Record], cues: Cues) -> dict[str, list[str]]:
    """Both fidelity checks over ``records``: {check name: findings, each naming file:line}."""
    return {"label-count-or-level": check_counts_and_levels(records, cues),
            "main-quote-states-the-facts": check_main_quotes(records)}


def check_counts_and_levels(records: list[Record], cues: Cues) -> list[str]:
    """A label, aimed state or description that states a count or a level its sentence(s) do not state.

    Counts: every quantity of a label (``三个``, ``3``, ``three``, ``fifth``; numbers inside names
    and idioms aside) must be a quantity of the record's quotes, as the numbers of a record must
    be. Levels: a level word (国家级, national-level) needs a quote that holds its evidence; so does
    a record that sets ``level``.
    """
    findings = []
    for record in records:
        quotes = [q.data for q in record.quotes]
        quoted = {m.value for q in quotes for m in find_numbers(q, cues) if m.is_quantity}
        where = f"{record.file.name}:{record.line} ({record.subject})"
        for field_name, text in _claims(record):
            mentions = [m for m in find_numbers(text, cues) if m.is_quantity] + find_english_numbers(text, cues)
            for mention in mentions:
                if mention.value not in quoted:
                    findings.append(f"{where}: {field_name} {text!r} states the count {mention.text!r}, "
                                    f"which its sentence(s) do not state")
            for level in cues.levels:
                word = next((w for w in level.words if _mentions(text, w)), None)
                if word and not any(e in q for e in level.evidence for q in quotes):
                    findings.append(f"{where}: {field_name} {text!r} states the level {word!r}, "
                                    f"which its sentence(s) do not state")
        if "level" in record.properties:
            concept = record.properties["level"].data
            for level in cues.levels:
                if level.concept == concept and not any(e in q for e in level.evidence for q in quotes):
                    findings.append(f"{where}: level {concept} is not stated by its sentence(s) "
                                    f"(none of {', '.join(level.evidence)} is in its quotes)")
    return findings


def check_main_quotes(records: list[Record]) -> list[str]:
    """A record whose main quote names none of the things it asserts (a context sentence cited first).

    What a record asserts: its subject (label or alternative label, wherever the subject is
    defined, and the labels the record adds), every entity it points at that a record defines,
    and its Chinese texts (aimed state, scope, description). Reference data (years, units,
    levels) does not count: the sentence "2014 年，……" names the year of many facts, and states
    none of them. A quote names a thing when they share a word: two Chinese characters in a row,
    or three Latin letters (labels paraphrase, so the whole label need not be in the quote; digits
    never count). This is a screen, not a proof: it catches a context sentence that names nothing
    of the record, not one that happens to share a common word such as 创新 with it.
    """
    names: dict[str, list[str]] = {}
    for record in records:
        if record.is_new:
            names.setdefault(record.subject, []).extend(
                text for text in (record.label.get("zh"), record.alt_label.get("zh")) if text)
    findings = []
    for record in records:
        if not record.quotes:
            continue
        main = _plain(record.quotes[0].data)
        asserted = list(names.get(record.subject, [])) + [
            text for text in (record.alt_label.get("zh"), record.hidden_label.get("zh")) if text]
        for key, value in record.properties.items():
            items = value.data if isinstance(value.data, list) else [value.data]
            for item in items:
                if isinstance(item, str) and item in names:
                    asserted.extend(names[item])
                elif isinstance(item, dict) and isinstance(item.get("zh"), str):
                    asserted.append(item["zh"])
        if not any(_shares_words(main, _plain(text)) for text in asserted):
            findings.append(f"{record.file.name}:{record.quotes[0].line} ({record.subject}): the main quote "
                            f"{record.quotes[0].data!r} names none of what the record asserts; cite the sentence that "
                            f"states it first, and keep this one as context")
    return findings


def _mentions(text: str, word: str) -> bool:
    """Whether ``text`` uses ``word``: Latin words as whole words, any case; Chinese as written."""
    if word.isascii():
        return re.search(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z])", text, re.IGNORECASE) is not None
    return word in text


def _claims(record: Record):
    """(field, text) for every text of the record that a reader takes as its claim."""
    for lang, text in record.label.items():
        yield f"label@{lang}", text
    for lang, text in record.alt_label.items():
        yield f"altLabel@{lang}", text
    for lang, text in record.hidden_label.items():
        yield f"hiddenLabel@{lang}", text
    for key in CLAIM_KEYS:
        value = record.properties.get(key)
        if value is not None and isinstance(value.data, dict):
            for lang, text in value.data.items():
                if isinstance(text, str):
                    yield f"{key}@{lang}", text


_WORD = re.compile(r"[\u3400-\u9fff]{2,}|[A-Za-z]{3,}")


def _shares_words(quote: str, text: str) -> bool:
    """Whether ``text`` and ``quote`` share two Chinese characters in a row or a Latin word."""
    for run in _WORD.findall(text):
        if run.isascii():
            if run.lower() in quote.lower():
                return True
            continue
        if any(run[i:i + 2] in quote for i in range(len(run) - 1)):
            return True
    return False


def _plain(text: str) -> str:
    """The text without spaces and quotation marks, which quotes and labels write differently."""
    return text.translate(_QUOTE_MARKS)


def _n3(graph: Graph, term) -> str:
    try:
        return term.n3(graph.namespace_manager)
    except Exception:  # noqa: BLE001 - fall back to the plain text
        return str(term)


def _term_text(term) -> str:
    return term.value if hasattr(term, "value") else str(term)
