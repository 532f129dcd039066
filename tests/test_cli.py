"""The command line: help for every command, and the documented exit codes."""
from __future__ import annotations

import subprocess
import sys

import pytest

from liuzhou_kg.cli import COMMAND_MODULES, main, make_parser
from liuzhou_kg.paths import REPO


def test_every_command_has_help_with_an_example(capsys):
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them here
    assert len(commands) >= len(COMMAND_MODULES)
    assert "build" in commands
    for name, sub in commands.items():
        assert "Example" in (sub.description or "") + (sub.epilog or ""), f"`liuzhou-kg {name} --help` has no example"


def test_build_help_exits_0():
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--dist" in proc.stdout


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--no-such-option"])
    assert exit_info.value.code == 2


def test_missing_inputs_are_an_input_error(tmp_path, capsys):
    code = main(["build", "--repo", str(tmp_path), "--dist", str(tmp_path / "dist"), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "graph/sources/catalogue.yaml" in err and "Traceback" not in err  # the corpus names every text
