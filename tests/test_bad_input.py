"""Every kind of bad input fails with a message naming the file, the line and what is wrong;
the exit code is 2 and nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from liuzhou_kg.cli import main

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "bad-input" / "cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_refused(case, repo_copy, tmp_path, capsys):
    target = repo_copy / case["file"]
    if case.get("append"):
        with target.open("a", encoding="utf-8") as handle:
            handle.write(case["content"])
    else:
        target.write_text(case["content"], encoding="utf-8")
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "previous.txt").write_text("the previous build", encoding="utf-8")

    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])

    err = capsys.readouterr().err
    assert code == 2, err
    for expected in case["expect"]:
        assert expected in err, f"{expected!r} not in:\n{err}"
    assert "Traceback" not in err
    assert sorted(p.name for p in dist.iterdir()) == ["previous.txt"]
    assert not list(dist.parent.glob(".dist-*")), "a staging folder was left behind"


def test_validation_failure_exits_1_and_keeps_the_previous_outputs(repo_copy, tmp_path, capsys):
    # A goal with no target passes loading but fails the SPARQL check goal-without-target.
    (repo_copy / "graph" / "facts" / "99-goal.yaml").write_text(
        "- id: goal-without-target\n  type: Goal\n  label: {zh: 无目标, en: no target}\n"
        "  quote: 新常态呼唤新动力。\n", encoding="utf-8")
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "previous.txt").write_text("the previous build", encoding="utf-8")
    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 1
    assert "goal-without-target-violation" in err and "goal-without-target" in err
    assert sorted(p.name for p in dist.iterdir()) == ["previous.txt"]


def test_an_uncovered_number_fails_unless_excluded(repo_copy, tmp_path, capsys):
    # Drop the observation of the 146 national high-tech enterprises, the only fact that uses 146.
    # (The 730 of the Baojun 730 is a name, not a quantity: coverage no longer counts it.)
    observations = repo_copy / "graph" / "facts" / "observations.csv"
    lines = observations.read_text(encoding="utf-8").splitlines(keepends=True)
    observations.write_text("".join(line for line in lines if not line.startswith("national-high-tech-enterprises-2014,")),
                            encoding="utf-8")
    dist = tmp_path / "dist"
    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 1
    assert "p04-s04: 146 家" in err
    assert not dist.exists()

    (repo_copy / "graph" / "coverage-exclusions.yaml").write_text(
        '- passage: p04-s04\n  number: "146"\n  reason: test fixture leaves the count out\n', encoding="utf-8")
    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])
    assert code == 0, capsys.readouterr().err
    import json

    numbers = json.loads((dist / "coverage.json").read_text(encoding="utf-8"))["numbers"]
    excluded = [n for n in numbers if n["status"] == "excluded"]
    assert excluded == [{"passage": "p04-s04", "text": "146 家", "value": "146", "unit": "家", "offset": excluded[0]["offset"],
                         "status": "excluded", "used_by": [], "reason": "test fixture leaves the count out"}]
