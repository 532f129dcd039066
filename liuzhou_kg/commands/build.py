"""``liuzhou-kg build``: build the graph and its outputs into dist/."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    """Add ``liuzhou-kg build`` to ``subparsers``."""
    _configure(subparsers.add_parser(
        "build",
        help="build the graph and its outputs into dist/",
        description="Build the knowledge graph from graph/ and ontology/, validate it, and write dist/ atomically.\n\n"
                    "Example:\n  liuzhou-kg build\n  liuzhou-kg build --dist /tmp/out -q",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ))


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dist", type=Path, default=None, help="output folder (default: dist/ of the repository)")
    parser.add_argument("--repo", type=Path, default=None,
                        help="read ontology/, graph/ and queries/checks/ from this folder instead of the repository")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check (faster; not for releases)")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Build the graph and its outputs as the parsed ``args`` say; return the exit code (0, or 1
    when validation fails)."""
    from rich.console import Console

    from ..build.pipeline import build

    console = Console(stderr=True, highlight=False)
    report = None if args.quiet else (lambda message: console.print(f"[dim]•[/dim] {message}"))
    result = build(args.dist, repo=args.repo, report=report, reasoning=not args.no_reasoner)
    if not args.quiet:
        counts = result.counts
        console.print(f"[green]ok[/green] {counts['triples']} triples, {counts['named_graphs']} named graphs; "
                      f"outputs in {result.dist}")
        for document, cov in counts["coverage_by_document"].items():
            console.print(f"   {document}: {cov['sentences']} sentences, {cov['numbers_used']}/{cov['numbers']} "
                          f"numbers used, {cov['numbers_excluded']} excluded")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python build.py``: the build alone, without loading the other subcommands."""
    from ..cli import run_command

    parser = argparse.ArgumentParser(prog="build.py", description="Build the graph and its outputs into dist/.")
    _configure(parser)
    return run_command(parser, sys.argv[1:] if argv is None else argv)
