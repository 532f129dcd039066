"""``liuzhou-kg draft``: draft sourced records from a new document for a person to review."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import InputError, Problem
from .options import add_command


def add_parser(subparsers) -> None:
    """Add the ``draft`` subcommand."""
    parser = add_command(
        subparsers, "draft",
        help="draft records (figures, targets, entities) from a new document, for review",
        description="Read a document (Chinese, UTF-8; lines may wrap mid-sentence), split it into "
                    "sentences as the build does, and write records in the format of graph/facts/: "
                    "observations and targets with value, unit, qualifier, period or deadline and "
                    "indicator; mentions of entities the graph has; proposed new entities and "
                    "indicators. Each record has its exact quote, `status: draft` and a `reason`; the "
                    "build refuses it until a person sets `status: confirmed`.",
        examples=["liuzhou-kg draft report-2021.txt -o report-2021.draft.yaml",
                  "liuzhou-kg draft plan.txt -o plan.yaml --year 2021 --graph dist/liuzhou.trig"])
    parser.add_argument("document", type=Path, help="the text to draft from (UTF-8)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the draft YAML file to write")
    parser.add_argument("--year", type=_year, default=None,
                        help="the document's own year: for 今年/去年 and figures with no period stated")
    parser.add_argument("--area", default="liuzhou",
                        help="id of the area the document is about (default: liuzhou)")
    parser.add_argument("--graph", type=Path, default=None,
                        help="built graph (TriG) whose labels name the known entities "
                             "(default: dist/liuzhou.trig if it exists, else the records in graph/facts/)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.set_defaults(func=run)


def _year(text: str) -> int:
    """A year between 1900 and 2100, for ``--year``."""
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}")
    return int(text)


def run(args) -> int:
    """Draft the document and write the draft file; print what was written."""
    from ..draft.drafter import draft_document
    from ..draft.writer import write_draft
    from ..core.layout import Layout

    out: Path = args.out
    if out.exists() and out.is_dir():
        raise InputError([Problem(out, None, "is a directory; give a file name for the draft")])
    if out.exists() and not args.force:
        raise InputError([Problem(out, None, "exists; the draft may hold your review: pass --force to overwrite it")])
    if out.resolve() == args.document.resolve():
        raise InputError([Problem(out, None, "is the document itself; give another file name")])
    layout = Layout.default()
    graph = args.graph
    if graph is None and layout.graph_file.is_file():
        graph = layout.graph_file
    elif graph is not None and not graph.is_file():
        raise InputError([Problem(graph, None, "no such file (the built graph, e.g. dist/liuzhou.trig)")])
    result = draft_document(args.document, graph=graph, facts_dir=layout.facts, area=args.area, year=args.year)
    try:
        output = write_draft(result, out, args.document.name)
    except OSError as err:
        raise InputError([Problem(out, None, f"cannot write: {err.strerror or err}")]) from None
    counts = output.counts()
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("observation", "target", "mention", "proposal", "indicator"))
    print(f"wrote {out}: {len(output.records)} draft records ({summary}) from "
          f"{len(result.document.sentences)} sentences; names from {result.lexicon.origin}")
    for line in output.skipped:
        print(f"note: {line}", file=sys.stderr)
    return 0
