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
        description="Build the knowledge graph from graph/ and ontology/, validate it, and write dist/ atomically.\n"
                    "Exit codes: 0 built, 1 validation failed or a build step broke, 2 bad input; dist/ is\n"
                    "left as it was unless the build succeeds.\n\n"
                    "Example:\n  liuzhou-kg build\n  liuzhou-kg build --dist /tmp/out -q",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ))


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dist", type=Path, default=None,
                        help="output folder (default: dist/ of the repository, or $LIUZHOU_KG_DIST; with --repo, REPO/dist)")
    parser.add_argument("--repo", type=Path, default=None,
                        help="read every input (ontology/, graph/, queries/checks/) from this folder instead of the repository")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check (faster; not for releases)")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Build the graph and its outputs as the parsed ``args`` say.

    Takes ``args`` with ``repo`` and ``dist`` (the layout: :meth:`Layout.default` when ``repo`` is
    None), ``quiet`` and ``no_reasoner``. Returns the exit code: 0, or 1 when a build step broke
    (the step and the error are printed, with the traceback). Raises ``InputError`` and
    ``ValidationFailed`` for the command line to report (exit 2 and 1).
    """
    import traceback

    from rich.console import Console

    from ..build.pipeline import StepFailed, build
    from ..core.layout import Layout

    console = Console(stderr=True, highlight=False)
    report = None if args.quiet else (lambda message: console.print(f"[dim]•[/dim] {message}"))
    layout = Layout.default(args.dist) if args.repo is None else Layout(args.repo, args.dist)
    try:
        result = build(layout, report=report, reasoning=not args.no_reasoner)
    except StepFailed as err:
        traceback.print_exception(err.__cause__, file=sys.stderr)
        print(f"error: {err}; {layout.dist} was left as it was", file=sys.stderr)
        return 1
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
