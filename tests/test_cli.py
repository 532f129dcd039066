"""The command line: the documented exit codes (every command's examples run in test_examples.py)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from liuzhou_kg.cli import main
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo


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
