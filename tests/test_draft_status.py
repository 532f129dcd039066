"""The build refuses records drafted by `liuzhou-kg draft` until a person confirms them.

A `status: draft` record fails the build with file:line, exit 2 and nothing written; the same
record with `status: confirmed` builds. The round trip uses a real draft of the 2015 source.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import yaml

from liuzhou_kg.cli import main
from liuzhou_kg.core.layout import Layout

SOURCE_TEXT = Layout.default().source_text

RECORD = """
- about: liugong
  status: {status}
  reason: mention of liugong (named '柳工')
  quote: 柳工大吨位装载机国内市场占有率继续保持首位
"""


def _build(repo: Path, dist: Path, capsys) -> tuple[int, str]:
    code = main(["build", "--repo", str(repo), "--dist", str(dist), "-q", "--no-reasoner"])
    return code, capsys.readouterr().err


def test_a_draft_record_is_refused_with_file_and_line(repo_copy, tmp_path, capsys):
    facts = repo_copy / "graph" / "facts" / "99-draft.yaml"
    facts.write_text(RECORD.format(status="draft"), encoding="utf-8")
    dist = tmp_path / "dist"
    code, err = _build(repo_copy, dist, capsys)
    assert code == 2, err
    assert "99-draft.yaml:3:" in err  # the line of `status: draft`
    assert "set `status: confirmed`" in err and "remove the record" in err
    assert "Traceback" not in err
    assert not dist.exists()


def test_an_unknown_status_is_refused(repo_copy, tmp_path, capsys):
    (repo_copy / "graph" / "facts" / "99-draft.yaml").write_text(RECORD.format(status="Confirmed"), encoding="utf-8")
    code, err = _build(repo_copy, tmp_path / "dist", capsys)
    assert code == 2
    assert "99-draft.yaml:3:" in err and "'Confirmed'" in err


def test_a_confirmed_record_builds(repo_copy, tmp_path, capsys):
    (repo_copy / "graph" / "facts" / "99-draft.yaml").write_text(RECORD.format(status="confirmed"), encoding="utf-8")
    code, err = _build(repo_copy, tmp_path / "dist", capsys)
    assert code == 0, err


def test_round_trip_draft_refused_then_confirmed_builds(repo_copy, built_dist, tmp_path, capsys):
    """Draft the 2015 source, put the mentions it drafted into the facts: refused; confirm them: built."""
    out = tmp_path / "draft.yaml"
    # The entities come from this session's build, never from a dist/ left by an older checkout.
    assert main(["draft", str(SOURCE_TEXT), "-o", str(out), "--year", "2015",
                 "--graph", str(built_dist / "liuzhou.trig")]) == 0, capsys.readouterr().err
    capsys.readouterr()
    drafted = yaml.safe_load(out.read_text(encoding="utf-8"))
    mentions = [r for r in drafted if "about" in r and r["reason"].startswith("mention of ")]
    known = {r["about"] for r in mentions}
    assert {"liugong", "liugang", "sgmw", "dongfeng-liuzhou", "liuzhou"} <= known
    lines = []
    for record in mentions:
        lines.append(f"- about: {record['about']}\n  status: draft\n  reason: {yaml.safe_dump(record['reason'], allow_unicode=True).splitlines()[0]}\n"
                     f"  quote: {yaml.safe_dump(record['quote'], allow_unicode=True, width=10**6).splitlines()[0]}\n")
    facts = repo_copy / "graph" / "facts" / "99-draft.yaml"
    facts.write_text("\n".join(lines), encoding="utf-8")
    dist = tmp_path / "dist"
    code, err = _build(repo_copy, dist, capsys)
    assert code == 2
    assert err.count("is a draft nobody has reviewed") == len(mentions)
    assert not dist.exists()

    facts.write_text(facts.read_text(encoding="utf-8").replace("status: draft", "status: confirmed"), encoding="utf-8")
    code, err = _build(repo_copy, dist, capsys)
    assert code == 0, err
    store = pyoxigraph.Store()
    store.load(path=str(dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    # Each confirmed mention ties its entity to the sentence it was drafted from.
    derived = {(row["e"].value.rsplit("/", 1)[-1]) for row in store.query(
        "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e <http://www.w3.org/ns/prov#wasDerivedFrom> ?p } }")}
    assert known <= derived
