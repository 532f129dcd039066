"""The build refuses records drafted by `liuzhou-kg draft` until a person confirms them.

A `status: draft` record fails the build with file:line, exit 2 and nothing written; the same
record with `status: confirmed` builds. The round trip uses a real draft of the 2015 source.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
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


# ---------------------------------------------------------------- drafted observations build as drafted

def _quads_without_blank_nodes(path: Path) -> set:
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
    return {str(q) for q in store if not any(isinstance(t, pyoxigraph.BlankNode) for t in (q.subject, q.object))}


def test_a_confirmed_drafted_observation_builds_like_the_curated_row(repo_copy, built_dist, tmp_path, capsys):
    """The GDP figure of 2014 drafted from the source, confirmed as it is, in place of its row of
    observations.csv: the build gives the same quads as the curated row (blank nodes of the
    ontology's lists aside). So a reviewer never moves drafted observations into the CSV by hand."""
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(SOURCE_TEXT), "-o", str(out), "--year", "2015",
                 "--graph", str(built_dist / "liuzhou.trig")]) == 0
    capsys.readouterr()
    drafted = yaml.safe_load(out.read_text(encoding="utf-8"))
    gdp = next(r for r in drafted if r.get("type") == "Observation" and r["indicator"] == "gdp")
    assert "label" not in gdp and gdp["status"] == "draft"
    gdp.update(id="gdp-2014", status="confirmed")
    facts = repo_copy / "graph" / "facts"
    (facts / "99-drafted-observation.yaml").write_text(yaml.safe_dump([gdp], allow_unicode=True), encoding="utf-8")
    csv_file = facts / "observations.csv"
    rows = csv_file.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in rows if not row.startswith("gdp-2014,")]
    assert len(kept) == len(rows) - 1
    csv_file.write_text("".join(kept), encoding="utf-8")
    dist = tmp_path / "dist"
    code, err = _build(repo_copy, dist, capsys)
    assert code == 0, err
    assert _quads_without_blank_nodes(dist / "liuzhou.nq") == _quads_without_blank_nodes(built_dist / "liuzhou.nq")


OBSERVATION = """
- id: gdp-2030
  type: Observation
  status: {status}
  reason: figure '2208.51亿元'
  quote: 全市实现地区生产总值 2208.51亿元，增长 8.5%
  indicator: gdp
  area: liuzhou
  entity: liuzhou
  period: year-2014
  value: '2208.51'
  unit: unit-yi-yuan
  qualifier: qualifier-exact
{extra}"""


def test_a_drafted_observation_is_refused_until_confirmed(repo_copy, tmp_path, capsys):
    (repo_copy / "graph" / "facts" / "99-obs.yaml").write_text(
        OBSERVATION.format(status="draft", extra=""), encoding="utf-8")
    code, err = _build(repo_copy, tmp_path / "dist", capsys)
    assert code == 2
    assert "99-obs.yaml:4:" in err and "is a draft nobody has reviewed" in err


@pytest.mark.parametrize("extra, line, words", [
    ("  label: {zh: 地区生产总值, en: GDP}\n", 14, "remove `label`"),
    ("  value_high: '2300'\n", 14, "'value_high' is not a key of an observation"),
    ("  value: '1'\n", None, "duplicate key 'value'"),
])
def test_an_observation_in_yaml_takes_only_the_columns_of_observations_csv(repo_copy, tmp_path, capsys,
                                                                            extra, line, words):
    (repo_copy / "graph" / "facts" / "99-obs.yaml").write_text(
        OBSERVATION.format(status="confirmed", extra=extra), encoding="utf-8")
    code, err = _build(repo_copy, tmp_path / "dist", capsys)
    assert code == 2, err
    assert words in err
    if line:
        assert f"99-obs.yaml:{line}:" in err


def test_an_observation_in_yaml_needs_the_required_columns(repo_copy, tmp_path, capsys):
    text = OBSERVATION.format(status="confirmed", extra="").replace("  unit: unit-yi-yuan\n", "")
    (repo_copy / "graph" / "facts" / "99-obs.yaml").write_text(text, encoding="utf-8")
    code, err = _build(repo_copy, tmp_path / "dist", capsys)
    assert code == 2
    assert "99-obs.yaml:2:" in err and "lacks unit" in err
