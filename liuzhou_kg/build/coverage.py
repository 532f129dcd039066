"""Coverage: for each sentence, the facts it produced; for each quantity of the text, who uses it.

Coverage counts quantities, not digits: a number that the cues of ``graph/number-cues.yaml``
recognise as part of a name (3D, 730, S50) or an idiom (第一资源) is listed with the cue's reason
and never counted as a used number. A quantity of the text is *used* when a record citing its sentence carries that value (with the
same unit where the text prints one): as a figure, in a label, or through an entity it points at
(a year entity's label "2014年" uses the 2014 of its sentence). A number no record uses must be
listed in ``graph/coverage-exclusions.yaml`` with a reason, or the build fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem, yaml_problem
from ..core.numbers import Cues, NumberMention, canonical, find_numbers
from .source import SourceText
from .to_rdf import Facts


@dataclass
class NumberUse:
    """One number printed in a sentence, and how the facts account for it.

    ``passage`` is the sentence id, ``text`` the number as printed, ``value`` its canonical form and
    ``offset`` its position in the source file as stored. ``used_by`` lists the records whose values
    use it; ``excluded`` is the reason given in the exclusion file. ``kind`` is ``quantity`` unless a
    cue of ``graph/number-cues.yaml`` recognised a name or an idiom, with ``cue`` its reason.
    """

    passage: str
    text: str
    value: str
    unit: str | None
    offset: int  # in the source file as stored
    used_by: list[str] = field(default_factory=list)
    excluded: str | None = None  # the reason, when listed in the exclusion file
    kind: str = "quantity"  # or "name" / "idiom": recognised by a cue, not counted
    cue: str | None = None  # the cue's reason for a name or an idiom

    @property
    def status(self) -> str:
        if self.kind != "quantity":
            return self.kind
        return "used" if self.used_by else ("excluded" if self.excluded else "UNCOVERED")


@dataclass
class Coverage:
    """The coverage of one source text: what each sentence gave, and every number in it.

    ``sentences`` holds one row per sentence (passage, section, text, subjects of its facts, triple
    count); ``numbers`` the quantities, each used, excluded or uncovered; ``not_counted`` the numbers
    inside names and idioms, listed but not required to be used.
    """

    sentences: list[dict]
    numbers: list[NumberUse]  # the quantities of the text
    not_counted: list[NumberUse] = field(default_factory=list)  # numbers inside names and idioms

    @property
    def uncovered(self) -> list[NumberUse]:
        return [n for n in self.numbers if n.status == "UNCOVERED"]

    def summary(self) -> dict:
        with_facts = sum(1 for s in self.sentences if s["facts"])
        return {
            "sentences": len(self.sentences),
            "sentences_with_facts": with_facts,
            "numbers": len(self.numbers),
            "numbers_used": sum(1 for n in self.numbers if n.status == "used"),
            "numbers_excluded": sum(1 for n in self.numbers if n.status == "excluded"),
            "numbers_uncovered": len(self.uncovered),
            "numbers_not_counted": len(self.not_counted),
        }


def load_exclusions(path: Path) -> dict[tuple[str, str], str]:
    """Read the coverage exclusion file: ``{(passage, canonical number): reason}``.

    A missing file means no exclusions. Raises ``InputError`` naming the file (and line, for
    malformed YAML) when an entry lacks ``passage``, ``number`` or a non-empty ``reason``.
    """
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    exclusions = {}
    for index, entry in enumerate(data or [], start=1):
        if not isinstance(entry, dict) or not {"passage", "number", "reason"} <= set(entry) or not str(entry["reason"]).strip():
            raise InputError([Problem(path, None, f"exclusion #{index} needs passage, number and a non-empty reason")])
        exclusions[(str(entry["passage"]), canonical(str(entry["number"])))] = str(entry["reason"]).strip()
    return exclusions


@dataclass
class CorpusCoverage:
    """Coverage of every document of the corpus, the default document first."""

    documents: list[tuple]  # (corpus.Document, Coverage)

    @property
    def uncovered(self) -> list[NumberUse]:
        return [n for _, coverage in self.documents for n in coverage.uncovered]

    @property
    def default(self) -> Coverage:
        """The default document's coverage (the 2015 text); the first document's where none is default."""
        return next((c for d, c in self.documents if d.default), self.documents[0][1])

    def summary(self) -> dict:
        return self.default.summary()

    def by_document(self) -> dict[str, dict]:
        return {document.id: coverage.summary() for document, coverage in self.documents}


def compute_corpus_coverage(documents: list, facts: Facts, exclusions: dict[tuple[str, str], str],
                            cues: Cues | None = None) -> CorpusCoverage:
    """Coverage per document; an exclusion must name a passage of some document and a quantity in it."""
    known = {s.pid: document for document in documents for s in document.source.sentences}
    stray = sorted(key for key in exclusions if key[0] not in known)
    if stray:
        raise InputError([Problem("graph/coverage-exclusions.yaml", None,
                                  f"exclusion for {pid} number {value}: no document has a passage {pid}")
                          for pid, value in stray])
    ordered = sorted(documents, key=lambda d: not d.default)
    return CorpusCoverage([(document, compute_coverage(
        document.source, facts, {k: v for k, v in exclusions.items() if known[k[0]] is document}, cues))
        for document in ordered])


def compute_coverage(source: SourceText, facts: Facts, exclusions: dict[tuple[str, str], str],
                     cues: Cues | None = None) -> Coverage:
    """Account for every sentence and every number of ``source`` against the built facts.

    Takes the text, the facts built from its records, the exclusions of :func:`load_exclusions` and
    the number cues. Returns a :class:`Coverage`. Raises ``InputError`` when an exclusion names a
    number that is no quantity of its sentence (a stale exclusion would hide nothing).
    """
    by_sentence: dict[str, list] = {s.pid: [] for s in source.sentences}
    for record in facts.records:
        for citation in facts.citations.get(id(record), []):
            if citation.sentence.pid in by_sentence:
                by_sentence[citation.sentence.pid].append(record)
    sentences, numbers, not_counted = [], [], []
    known = set()
    for sentence in source.sentences:
        records = by_sentence[sentence.pid]
        graph = facts.dataset.graph(_graph_iri(sentence.pid))
        sentences.append({
            "passage": sentence.pid,
            "section": sentence.section,
            "text": sentence.text,
            "facts": sorted({r.subject for r in records}),
            "triples": len(graph),
        })
        for mention in find_numbers(sentence.text, cues):
            use = NumberUse(sentence.pid, mention.text, mention.value, mention.unit,
                            source.raw_offsets[sentence.start + mention.start], kind=mention.kind, cue=mention.reason)
            if not mention.is_quantity:
                not_counted.append(use)
                continue
            use.used_by = sorted({r.subject for r in records if _uses(facts.numbers_used.get(id(r), set()), mention)})
            use.excluded = exclusions.get((sentence.pid, mention.value))
            known.add((sentence.pid, mention.value))
            numbers.append(use)
    stale = sorted(set(exclusions) - known)
    if stale:
        raise InputError([Problem("graph/coverage-exclusions.yaml", None,
                                  f"exclusion for {pid} number {value} matches no quantity of the text "
                                  "(numbers inside names and idioms are not counted: graph/number-cues.yaml)") for pid, value in stale])
    return Coverage(sentences, numbers, not_counted)


def _uses(used: set[tuple[str, str | None]], mention: NumberMention) -> bool:
    if mention.unit is None:
        return any(value == mention.value for value, _ in used)
    return (mention.value, mention.unit) in used


def _graph_iri(pid: str):
    from ..core.namespaces import LZG

    return LZG[pid]


def corpus_markdown(corpus: CorpusCoverage) -> str:
    """The coverage report: a summary row per document, then each document's own report."""
    lines = ["# Coverage of the source documents", "", "Generated by `python build.py`; do not edit.", "",
             "| document | title | sentences | with facts | quantities | used | excluded | uncovered | not counted |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for document, coverage in corpus.documents:
        s = coverage.summary()
        lines.append(f"| {document.id} | {document.title['en']} | {s['sentences']} | {s['sentences_with_facts']} | "
                     f"{s['numbers']} | {s['numbers_used']} | {s['numbers_excluded']} | {s['numbers_uncovered']} | "
                     f"{s['numbers_not_counted']} |")
    for document, coverage in corpus.documents:
        lines += ["", f"# {document.id}: {document.title['zh']} / {document.title['en']}", "",
                  f"File `graph/sources/{document.path.name}`; passages `lzp:{document.passage_prefix}pNN-sMM`; "
                  f"records in `graph/facts/{document.passage_prefix}`.", ""]
        lines += coverage_markdown(coverage, heading=False).splitlines()
    return "\n".join(lines) + "\n"


def corpus_json(corpus: CorpusCoverage) -> dict:
    """The default document's report at the top level (as before the corpus), every document under ``documents``."""
    data = coverage_json(corpus.default)
    data["documents"] = [{"id": document.id, "title": document.title, "file": document.path.name,
                          **coverage_json(coverage)} for document, coverage in corpus.documents]
    return data


def coverage_markdown(coverage: Coverage, heading: bool = True) -> str:
    """The coverage report as Markdown: a summary, the quantities, the uncounted numbers and the sentences.

    With ``heading`` false the title and the "generated" note are left out, so the text can be a
    section of the corpus report.
    """
    s = coverage.summary()
    lines = [
        "# Coverage of the source text",
        "",
        "Generated by `python build.py`; do not edit.",
        "",
    ] if heading else []
    lines += [
        f"- sentences: {s['sentences']}, of which {s['sentences_with_facts']} produced facts",
        f"- quantities in the text: {s['numbers']}: {s['numbers_used']} used by facts, "
        f"{s['numbers_excluded']} excluded with a reason, {s['numbers_uncovered']} uncovered",
        f"- numbers inside names and idioms, not counted: {s['numbers_not_counted']} "
        "(recognised by the cues of `graph/number-cues.yaml`)",
        "",
        "## Quantities",
        "",
        "| passage | number | unit | status | used by / reason |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n in coverage.numbers:
        detail = ", ".join(n.used_by) if n.used_by else (n.excluded or "")
        lines.append(f"| {n.passage} | {n.text} | {n.unit or ''} | {n.status} | {detail} |")
    lines += ["", "## Numbers inside names and idioms (not counted)", "",
              "| passage | number | kind | why it is not a quantity |", "| --- | --- | --- | --- |"]
    for n in coverage.not_counted:
        lines.append(f"| {n.passage} | {n.text} | {n.kind} | {n.cue} |")
    lines += ["", "## Sentences", "", "| passage | section | facts | triples | sentence |", "| --- | --- | --- | --- | --- |"]
    for sentence in coverage.sentences:
        text = sentence["text"].replace("|", "\\|")
        lines.append(f"| {sentence['passage']} | {sentence['section']} | {', '.join(sentence['facts'])} | "
                     f"{sentence['triples']} | {text} |")
    return "\n".join(lines) + "\n"


def coverage_json(coverage: Coverage) -> dict:
    """The coverage report as a JSON-ready dict: summary, numbers, not-counted numbers and sentences."""
    return {
        "summary": coverage.summary(),
        "numbers": [
            {"passage": n.passage, "text": n.text, "value": n.value, "unit": n.unit, "offset": n.offset,
             "status": n.status, "used_by": n.used_by, "reason": n.excluded}
            for n in coverage.numbers
        ],
        "not_counted": [
            {"passage": n.passage, "text": n.text, "value": n.value, "offset": n.offset, "kind": n.kind, "reason": n.cue}
            for n in coverage.not_counted
        ],
        "sentences": coverage.sentences,
    }
