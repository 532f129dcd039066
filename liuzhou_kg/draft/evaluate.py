"""Score drafts against hand-written expected records: precision and recall per kind of finding.

An expected file (``tests/fixtures/draft/expected/*.yaml``) lists the figures of its document
(value, unit as printed, kind, period or deadline), the targets without a figure, the mentions of
known entities (id and text of the sentence) and the names to propose. Figures match on value,
unit, kind and period together; mentions on entity and sentence; proposals on name. Every quote of
the draft is also checked to occur exactly once in the document.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .drafter import draft_document
from .rules import Rules, load_rules
from .writer import build_records


@dataclass
class Score:
    """Matches out of drafted (precision) and out of expected (recall)."""

    matched_drafted: int = 0
    drafted: int = 0
    matched_expected: int = 0
    expected: int = 0

    def add(self, other: "Score") -> None:
        """Add ``other``'s counts to these."""
        self.matched_drafted += other.matched_drafted
        self.drafted += other.drafted
        self.matched_expected += other.matched_expected
        self.expected += other.expected

    @property
    def precision(self) -> float:
        """Matched drafted findings out of all drafted (1.0 when none were drafted)."""
        return self.matched_drafted / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        """Matched expected findings out of all expected (1.0 when none were expected)."""
        return self.matched_expected / self.expected if self.expected else 1.0

    def __str__(self) -> str:
        """Precision and recall with their counts, for the bench's table."""
        return (f"precision {self.precision:6.1%} ({self.matched_drafted}/{self.drafted})  "
                f"recall {self.recall:6.1%} ({self.matched_expected}/{self.expected})")


@dataclass
class Report:
    """The scores of one document (or the sum of several)."""

    name: str
    scores: dict[str, Score] = field(default_factory=dict)
    quotes_checked: int = 0
    quotes_outside: int = 0
    misses: list[str] = field(default_factory=list)

    def score(self, key: str) -> Score:
        """The score named ``key``, created empty if new."""
        return self.scores.setdefault(key, Score())

    def add(self, other: "Report") -> None:
        """Add ``other``'s counts to these."""
        for key, score in other.scores.items():
            self.score(key).add(score)
        self.quotes_checked += other.quotes_checked
        self.quotes_outside += other.quotes_outside
        self.misses.extend(f"{other.name}: {m}" for m in other.misses)


def period_key(period_id: str | None) -> str | None:
    """``year-2021`` → ``2021``, ``years-2016-2020`` → ``2016-2020``, ``none-stated`` → None."""
    if not period_id or period_id == "none-stated":
        return None
    return period_id.removeprefix("years-").removeprefix("year-")


def _multiset_score(drafted: list, expected: list) -> Score:
    """Precision and recall of two lists compared as multisets."""
    d, e = Counter(drafted), Counter(expected)
    common = sum(min(d[k], e[k]) for k in d)
    return Score(common, len(drafted), common, len(expected))


def _unit_id(rules: Rules, text: str) -> str:
    """The lzo:Unit id of a unit as printed in an expected file."""
    if text in rules.units:
        return rules.units[text].id
    if rules.fraction and text == rules.fraction.text:
        return rules.fraction.id
    return f"unknown:{text}"


def evaluate(expected_file: Path, docs_dir: Path, *, graph: Path | None, facts_dir: Path,
             rules: Rules | None = None) -> Report:
    """Draft the document of ``expected_file`` and score the draft against it."""
    rules = rules or load_rules()
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    doc_path = docs_dir / expected["document"]
    result = draft_document(doc_path, graph=graph, facts_dir=facts_dir, year=expected.get("year"), rules=rules)
    records = build_records(result).records
    document = result.document
    report = Report(expected["document"])

    def sentence_of(text: str) -> str | None:
        """The id of the one sentence holding ``text``, or None."""
        hits = document.source.find(text)
        return document.source.sentence_at(hits[0]).pid if len(hits) == 1 else None

    def first_quote(record) -> str:
        """A record's main quote (the first of a list)."""
        return record["quote"] if isinstance(record["quote"], str) else record["quote"][0]

    for record in records:
        for quote in record["quote"] if isinstance(record["quote"], list) else [record["quote"]]:
            report.quotes_checked += 1
            if document.count(quote) != 1:
                report.quotes_outside += 1
                report.misses.append(f"quote not found exactly once: {quote!r}")

    # -- figures: value (low-high for a range), unit, kind, period (a target's deadline)
    figures = [r for r in records if r.get("type") in ("Observation", "Target") and "value" in r]
    drafted = [((r["value"] + (f"-{r['value_high']}" if "value_high" in r else "")), r["unit"],
                "observation" if r["type"] == "Observation" else "target",
                period_key(r.get("period") if r["type"] == "Observation" else r.get("deadline"))) for r in figures]
    wanted = [(str(f["value"]), _unit_id(rules, str(f["unit"])), f["kind"], str(f["period"]) if f.get("period") else None)
              for f in expected["figures"]]
    report.scores["figures (value, unit, kind, period)"] = _multiset_score(drafted, wanted)
    report.scores["figures (value, unit)"] = _multiset_score([d[:2] for d in drafted], [w[:2] for w in wanted])
    for key in sorted((Counter(wanted) - Counter(drafted)).elements(), key=str):
        report.misses.append(f"figure missed or wrong: {key}")
    for key in sorted((Counter(drafted) - Counter(wanted)).elements(), key=str):
        report.misses.append(f"figure drafted, not expected: {key}")

    # -- targets: found (figure targets by value and unit, others by text) and with the right deadline
    targets = [r for r in records if r.get("type") == "Target"]
    expected_targets = [("figure", (str(f["value"]), _unit_id(rules, str(f["unit"]))), str(f["period"]) if f.get("period") else None)
                        for f in expected["figures"] if f["kind"] == "target"]
    expected_targets += [("text", t["in"], str(t["deadline"]) if t.get("deadline") not in (None, "none-stated") else None)
                         for t in expected.get("targets") or []]
    found = Score(expected=len(expected_targets), drafted=len(targets))
    deadlines = Score()
    used: set[int] = set()
    for kind, key, deadline in expected_targets:
        for index, record in enumerate(targets):
            if index in used:
                continue
            if kind == "figure":
                value = record.get("value", "") + (f"-{record['value_high']}" if "value_high" in record else "")
                hit = (value, record.get("unit")) == key
            else:
                hit = "value" not in record and key in first_quote(record)
            if hit:
                used.add(index)
                found.matched_expected += 1
                found.matched_drafted += 1
                deadlines.expected += 1
                deadlines.drafted += 1
                if period_key(record.get("deadline")) == deadline:
                    deadlines.matched_expected += 1
                    deadlines.matched_drafted += 1
                else:
                    report.misses.append(f"target {key}: deadline {record.get('deadline')}, expected {deadline}")
                break
        else:
            report.misses.append(f"target not drafted: {key}")
    report.scores["targets found"] = found
    report.scores["target deadlines (of those found)"] = deadlines

    # -- known entities: (entity, sentence)
    known = set(result.lexicon.types)
    mentions = [(r["about"], sentence_of(first_quote(r))) for r in records if "about" in r and r["about"] in known]
    wanted_mentions = [(e["id"], sentence_of(e["in"])) for e in expected.get("entities") or []]
    for ident, pid in wanted_mentions:
        if pid is None:
            raise ValueError(f"{expected_file}: an expected entity's `in` text is not unique in the document: {ident}")
    report.scores["known entities resolved (entity, sentence)"] = _multiset_score(mentions, wanted_mentions)
    for key in sorted((Counter(wanted_mentions) - Counter(mentions)).elements()):
        report.misses.append(f"mention missed: {key}")
    for key in sorted((Counter(mentions) - Counter(wanted_mentions)).elements()):
        report.misses.append(f"mention drafted, not expected: {key}")

    # -- proposals: by name, then type
    proposals = [(r["label"]["zh"], r["type"]) for r in records if r.get("_section") == "proposal"]
    wanted_proposals = [(p["name"], p["type"]) for p in expected.get("proposals") or []]
    report.scores["new entities proposed (name)"] = _multiset_score([p[0] for p in proposals], [w[0] for w in wanted_proposals])
    report.scores["new entities proposed (name, type)"] = _multiset_score(proposals, wanted_proposals)
    for key in sorted((Counter(wanted_proposals) - Counter(proposals)).elements()):
        report.misses.append(f"proposal missed or mistyped: {key}")
    for key in sorted((Counter(proposals) - Counter(wanted_proposals)).elements()):
        report.misses.append(f"proposal drafted, not expected: {key}")
    return report
