"""The ``liuzhou-kg`` command: a thin argparse layer over the package.

Each subcommand lives in its own module, which exposes ``add_parser(subparsers)``; the parser it
adds sets ``func`` to a callable taking the parsed arguments and returning an exit code. Only the
module of the command being run is imported (``--help`` imports them all): command modules
import their heavy dependencies inside their functions, so ``liuzhou-kg query`` starts without
networkx, rdflib or asyncio.

Exit codes: 0 ok, 1 validation failed, 2 usage or input error.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .core.errors import InputError, ValidationFailed

# Modules that contribute subcommands, in the order ``--help`` lists them, with the commands each
# adds (so one command's module is found without importing the others).
COMMANDS = {
    "liuzhou_kg.commands.build": ("build",),
    "liuzhou_kg.commands.query": ("query", "queries"),
    "liuzhou_kg.commands.serve": ("serve",),
    "liuzhou_kg.commands.viz": ("viz",),
    "liuzhou_kg.commands.link": ("link", "federate"),
    "liuzhou_kg.commands.import_": ("import", "imports", "remove"),
    "liuzhou_kg.commands.push": ("push",),
    "liuzhou_kg.commands.export": ("export",),
    "liuzhou_kg.commands.draft": ("draft",),
}
COMMAND_MODULES = list(COMMANDS)


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``command``, only that command's module is imported."""
    parser = argparse.ArgumentParser(
        prog="liuzhou-kg",
        description="Build, query, explore and link the Liuzhou innovation knowledge graph.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    modules = [m for m in COMMAND_MODULES if command in COMMANDS.get(m, ())] or COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``liuzhou-kg`` command line and return its exit code.

    ``argv`` defaults to ``sys.argv[1:]``. Only the module of the first word that is not an option is
    imported. Exit codes: 0 ok, 1 validation failed, 2 usage or input error, 130 interrupted.
    """
    args = sys.argv[1:] if argv is None else argv
    command = next((a for a in args if not a.startswith("-")), None)
    return run_command(make_parser(command), argv)


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    """Parse ``argv`` and run the chosen function, mapping errors to the documented exit codes."""
    _utf8_stdio()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ValidationFailed as err:
        print(f"validation failed:\n{err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _utf8_stdio() -> None:
    """Write UTF-8 whatever the locale, so Chinese labels survive ``LC_ALL=C``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass


if __name__ == "__main__":
    sys.exit(main())
