"""What several commands' parsers share: the command header with its examples, the dataset options
(``--store``/``--data``) and the number types of options. Light on purpose: ``cli`` imports a
command module (and so this one) before it knows which command runs."""
from __future__ import annotations

import argparse
from pathlib import Path

STORE_HELP = "pyoxigraph store directory (default: dist/store)"
DATA_HELP = "an RDF file instead of the store"


def add_command(subparsers, name: str, *, help: str, description: str,  # noqa: A002 - argparse's word
                examples: list[str], heading: str | None = None) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` to ``subparsers`` and return its parser.

    ``examples`` are command lines (or notes) shown one a line under ``heading`` (default
    "Example:" for one line, "Examples:" for more) at the end of its ``--help``, as written.
    docs/cli.md and tests/test_examples.py read them from there."""
    heading = heading or ("Example:" if len(examples) == 1 else "Examples:")
    return subparsers.add_parser(
        name, help=help, description=description,
        epilog="\n".join([heading, *(f"  {line}" for line in examples)]),
        formatter_class=argparse.RawDescriptionHelpFormatter)


def add_dataset_options(parser: argparse.ArgumentParser, *, data: str | None = DATA_HELP,
                        store: str = STORE_HELP) -> None:
    """Add ``--store DIR`` and, unless ``data`` is None, ``--data FILE`` (one or the other) to
    ``parser``, with ``store`` and ``data`` as their help texts. Both default to None: the
    command then reads dist/store."""
    group = parser.add_mutually_exclusive_group() if data is not None else parser
    group.add_argument("--store", type=Path, default=None, help=store)
    if data is not None:
        group.add_argument("--data", type=Path, default=None, help=data)


def positive_float(text: str) -> float:
    """``text`` as a number greater than 0 (an option type); argparse.ArgumentTypeError otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def positive_int(text: str) -> int:
    """``text`` as a whole number of at least 1 (an option type); argparse.ArgumentTypeError
    otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value
