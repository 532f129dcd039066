"""The README stays true: its class table matches the build, and CI runs its test command."""
from __future__ import annotations

import re

from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


def test_quick_start_is_two_commands_and_ci_runs_them():
    commands = quick_start()
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    for command in commands:
        relaxed = command.replace("pip install -e", "pip install -q -e")
        assert command in ci_lines or relaxed in ci_lines, command


def test_class_table_matches_the_build(build_result):
    counts = build_result.counts["classes"]
    table = README.split("## What the graph holds", 1)[1].split("\n\n", 2)[1]
    checked = 0
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        classes = [c.strip() for c in re.sub(r"\(.*?\)", "", cells[0]).replace("`", "").split(",")]
        numbers = [n.strip() for n in cells[1].split(",")]
        if len(classes) != len(numbers):
            continue
        for cls, number in zip(classes, numbers):
            assert counts.get(cls, 0) == int(number), f"README says {number} {cls}, the build has {counts.get(cls, 0)}"
            checked += 1
    assert checked >= 20


def test_readme_coverage_claim(build_result):
    cov = build_result.counts["coverage"]
    assert f"all {cov['numbers']} numbers are used" in README and cov["numbers_uncovered"] == 0 and cov["numbers_excluded"] == 0


def test_readme_lists_every_competency_question():
    names = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
    assert len(names) >= 25
    missing = [n for n in names if f"| `{n}` |" not in README]
    assert missing == []


def test_every_command_is_in_the_readme():
    from liuzhou_kg.cli import make_parser

    commands = make_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    missing = [name for name in commands if f"`liuzhou-kg {name}" not in README and f"/ `{name}`" not in README]
    assert missing == []
