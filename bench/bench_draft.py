"""Precision and recall of ``liuzhou-kg draft`` on the test documents and on the 2015 source.

Usage: .venv/bin/python bench/bench_draft.py [--misses]
(build first: the known entities' names come from dist/liuzhou.trig)

The test documents (tests/fixtures/draft/docs) and their expected records were written by us:
the figures are regression evidence, not field evidence. The 2015 source's curated records
(graph/facts/, written before the drafter existed) give a second check on text we did not write
for this purpose: its observations.csv figures and the mentions its records quote.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from liuzhou_kg.draft.drafter import draft_document  # noqa: E402
from liuzhou_kg.draft.evaluate import Report, Score, evaluate, period_key  # noqa: E402
from liuzhou_kg.draft.rules import load_rules  # noqa: E402
from liuzhou_kg.draft.writer import build_records  # noqa: E402
from liuzhou_kg.core.layout import Layout  # noqa: E402

DIST = Layout.default().dist
FACTS_DIR = Layout.default().facts
SOURCE_TEXT = Layout.default().source_text

FIXTURES = REPO / "tests" / "fixtures" / "draft"


def source_2015(graph: Path) -> Report:
    """The 2015 source against its curated observations.csv (figures: value, unit, period)."""
    result = draft_document(SOURCE_TEXT, graph=graph, facts_dir=FACTS_DIR, year=2015)
    records = build_records(result).records
    drafted = [(r["value"], r["unit"], period_key(r["period"])) for r in records if r.get("type") == "Observation"]
    with (FACTS_DIR / "observations.csv").open(encoding="utf-8", newline="") as handle:
        wanted = [(row["value"], row["unit"], period_key(row["period"])) for row in csv.DictReader(handle)]
    d, e = Counter(drafted), Counter(wanted)
    common = sum(min(d[k], e[k]) for k in d)
    report = Report("liuzhou-innovation-2015.zh.txt")
    report.scores["figures (value, unit, kind, period)"] = Score(common, len(drafted), common, len(wanted))
    targets = [r for r in records if r.get("type") == "Target"]
    report.scores["figures drafted as targets (the text's figures are all results)"] = Score(0, len(targets), 0, 0)
    for record in records:
        for quote in record["quote"] if isinstance(record["quote"], list) else [record["quote"]]:
            report.quotes_checked += 1
            report.quotes_outside += result.document.count(quote) != 1
    for key in sorted((e - d).elements()):
        report.misses.append(f"figure missed: {key}")
    # Mentions: each curated record about a resolvable entity whose quote names it, by sentence.
    from liuzhou_kg.draft.entities import EntityFinder
    from liuzhou_kg.build.records import load_records

    finder = EntityFinder(load_rules(), result.lexicon)
    names = {}
    for name, ident in finder.known.items():
        names.setdefault(ident, set()).add(name)
    source = result.document.source
    wanted_mentions = set()
    for record in load_records(FACTS_DIR):
        if record.kind != "entity" or record.subject not in names:
            continue
        for quote in record.quotes:
            hits = source.find(quote.data)
            if len(hits) == 1 and any(n in quote.data for n in names[record.subject]):
                wanted_mentions.add((record.subject, source.sentence_at(hits[0]).pid))
    drafted_mentions = set()
    for r in records:
        if "about" in r and r["about"] in names:
            quote = r["quote"] if isinstance(r["quote"], str) else r["quote"][0]
            drafted_mentions.add((r["about"], source.sentence_at(source.find(quote)[0]).pid))
    common = len(wanted_mentions & drafted_mentions)
    report.scores["curated mentions resolved (entity, sentence)"] = Score(
        common, len(drafted_mentions), common, len(wanted_mentions))
    for key in sorted(wanted_mentions - drafted_mentions):
        report.misses.append(f"curated mention not drafted: {key}")
    return report


def main() -> int:
    """Score every test document, their sum, and the 2015 source."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every miss and extra")
    args = parser.parse_args()
    graph = DIST / "liuzhou.trig"
    if not graph.is_file():
        print("build first (python build.py): the drafter reads known names from dist/liuzhou.trig", file=sys.stderr)
        return 2
    rules = load_rules()
    total = Report("all test documents")
    for expected in sorted((FIXTURES / "expected").glob("*.yaml")):
        report = evaluate(expected, FIXTURES / "docs", graph=graph, facts_dir=FACTS_DIR, rules=rules)
        _print(report, args.misses)
        total.add(report)
    _print(total, False)
    _print(source_2015(graph), args.misses)
    return 0


def _print(report: Report, misses: bool) -> None:
    """Print one report's scores (and its misses if asked)."""
    print(f"== {report.name}")
    for key, score in report.scores.items():
        print(f"  {key:<46} {score}")
    print(f"  {'quotes not found exactly once in the document':<46} {report.quotes_outside} of {report.quotes_checked}")
    if misses:
        for miss in report.misses:
            print(f"    - {miss}")


if __name__ == "__main__":
    sys.exit(main())
