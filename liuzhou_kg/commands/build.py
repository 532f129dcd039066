"""``liuzhou-kg build``: build the graph and its outputs into dist/."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build the graph and its outputs into dist/",
        description="Build the knowledge graph from graph/ and ontology/, validate it, and write dist/ atomically.\n\n"
                    "Example:\n  liuzhou-kg build\n  liuzhou-kg build --dist /tmp/out -q",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dist", type=Path, default=None, help="output folder (default: dist/ of the repository)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check (faster; not for releases)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console

    from ..build import build

    console = Console(stderr=True, highlight=False)
    report = None if args.quiet else (lambda message: console.print(f"[dim]•[/dim] {message}"))
    result = build(args.dist, report=report, reasoning=not args.no_reasoner)
    if not args.quiet:
        counts = result.counts
        cov = counts["coverage"]
        console.print(f"[green]ok[/green] {counts['triples']} triples, {counts['named_graphs']} named graphs; "
                      f"{cov['numbers_used']}/{cov['numbers']} numbers of the text used, {cov['numbers_excluded']} excluded; "
                      f"outputs in {result.dist}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from ..cli import main as cli_main

    return cli_main(["build", *(sys.argv[1:] if argv is None else argv)])
