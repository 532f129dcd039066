"""docs/cli.md is the commands' own --help, so the reference cannot drift from the code."""
from __future__ import annotations

from liuzhou_kg.commands.reference import command_names, render
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

REFERENCE = REPO / "docs" / "cli.md"


def test_reference_matches_the_help_texts():
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `.venv/bin/python -m liuzhou_kg.commands.reference > docs/cli.md`")


def test_every_command_has_a_section():
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [name for name in command_names() if f"## `liuzhou-kg {name}`" not in text]
    assert missing == []


def test_a_changed_help_text_is_drift(monkeypatch):
    """The comparison can fail: a changed help text no longer matches the file."""
    import argparse

    original = argparse.ArgumentParser.format_help
    monkeypatch.setattr(argparse.ArgumentParser, "format_help",
                        lambda self: original(self) + "\nchanged\n")
    assert REFERENCE.read_text(encoding="utf-8") != render()
