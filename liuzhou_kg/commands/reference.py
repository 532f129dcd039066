"""The command-line reference, docs/cli.md, generated from the commands' own ``--help``.

``python -m liuzhou_kg.commands.reference > docs/cli.md`` rewrites it; tests/test_cli_reference.py
fails when the file and the ``--help`` texts disagree, so the reference never drifts.
"""
from __future__ import annotations

import os
import sys

from ..cli import COMMANDS, make_parser

WIDTH = "100"  # argparse wraps to $COLUMNS; a fixed width keeps the file the same on every terminal


def command_names() -> list[str]:
    """Every subcommand, in the order ``liuzhou-kg --help`` lists them."""
    return [name for names in COMMANDS.values() for name in names]


def render() -> str:
    """docs/cli.md as Markdown: the top-level help, then each command's help in a code block."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parser = make_parser()
        subcommands = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them here
        parts = ["# Command-line reference", "",
                 "Generated from `--help` by `python -m liuzhou_kg.commands.reference > docs/cli.md`;",
                 "`tests/test_cli_reference.py` fails when this file and the commands disagree.", "",
                 "```", parser.format_help().rstrip(), "```", ""]
        for name in command_names():
            parts += [f"## `liuzhou-kg {name}`", "", "```", subcommands[name].format_help().rstrip(),
                      "```", ""]
        return "\n".join(parts)
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(render())
