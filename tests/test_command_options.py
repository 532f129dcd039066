"""The options several commands share are declared once, in liuzhou_kg/commands/options.py."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from liuzhou_kg.cli import make_parser
from liuzhou_kg.commands.options import positive_float, positive_int

COMMANDS = Path(__file__).resolve().parent.parent / "liuzhou_kg" / "commands"
# Every command that reads the dataset and how to call it without the dataset options.
WITH_DATA = {"query": ["query", "x"], "serve": ["serve"], "viz": ["viz"], "federate": ["federate", "x"],
             "push": ["push", "--endpoint", "http://localhost/sparql"], "export": ["export"]}
STORE_ONLY = {"import": ["import", "x.ttl"], "imports": ["imports"], "remove": ["remove", "x"]}


@pytest.mark.parametrize("name", sorted(WITH_DATA))
def test_store_and_data_exclude_each_other(name, capsys):
    parser = make_parser(name)
    args = parser.parse_args([*WITH_DATA[name], "--data", "a.trig"])
    assert args.data == Path("a.trig") and args.store is None
    args = parser.parse_args([*WITH_DATA[name], "--store", "s"])
    assert args.store == Path("s") and args.data is None
    with pytest.raises(SystemExit):
        parser.parse_args([*WITH_DATA[name], "--store", "s", "--data", "a.trig"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(STORE_ONLY))
def test_store_only_commands_take_no_data(name, capsys):
    parser = make_parser(name)
    assert parser.parse_args([*STORE_ONLY[name], "--store", "s"]).store == Path("s")
    with pytest.raises(SystemExit):
        parser.parse_args([*STORE_ONLY[name], "--data", "a.trig"])


def test_no_command_declares_the_dataset_options_itself():
    found = [path.name for path in COMMANDS.glob("*.py") if path.name != "options.py"
             and re.search(r"add_argument\(\s*\"--(store|data)\"", path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("kind, text", [(positive_float, "0"), (positive_float, "-1"),
                                        (positive_float, "x"), (positive_int, "0"),
                                        (positive_int, "1.5")])
def test_number_types_refuse(kind, text):
    with pytest.raises(argparse.ArgumentTypeError):
        kind(text)


def test_number_types_accept():
    assert positive_float("0.5") == 0.5 and positive_int("3") == 3
