"""SHACL conforms, every SPARQL check returns zero rows, HermiT finds the graph consistent, and the
records are faithful to their sentences (no count or level the text does not state; main quotes
state the facts)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from liuzhou_kg.core.namespaces import LZ, LZO
from liuzhou_kg.build.reasoning import reason
from liuzhou_kg.build.validate import check_shapes
from rdflib import Graph, RDF


def test_validation_report_is_clean(built_dist):
    report = json.loads((built_dist / "validation.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    assert report["shacl"] == {"conforms": True, "violations": []}
    assert len(report["checks"]) >= 9
    assert all(check["rows"] == 0 for check in report["checks"].values())
    assert report["owl"]["consistent"] is True


def test_hermit_hierarchy_is_in_the_report(built_dist):
    hierarchy = json.loads((built_dist / "validation.json").read_text(encoding="utf-8"))["owl"]["inferred_class_hierarchy"]
    assert set(hierarchy["lzo:KeyLaboratory"]) >= {"lzo:InnovationPlatform", "org:Organization"}
    assert set(hierarchy["lzo:City"]) >= {"lzo:AdministrativeArea", "lzo:Place", "schema:City", "schema:Place"}
    assert "lzo:Initiative" in hierarchy["lzo:TalentProgram"]
    assert "Class hierarchy inferred by HermiT" in (built_dist / "validation.md").read_text(encoding="utf-8")


def test_hermit_rejects_an_entity_in_disjoint_classes(built_dist):
    graph = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    graph.add((LZ.liugong, RDF.type, LZO.City))  # an enterprise cannot be a place
    result = reason(graph)
    assert result.consistent is False
    assert "inconsistent" in result.explanation
    assert "lz:liugong is both lzo:City and lzo:Enterprise" in result.explanation or \
        "lz:liugong is both lzo:Enterprise and lzo:Place" in result.explanation, result.explanation


def test_shacl_reports_a_target_without_deadline_statement(built_dist):
    from liuzhou_kg.build.ontology import load_shapes

    graph = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    graph.remove((LZ["target-informatization-2018"], LZO.deadlineStated, None))
    graph.remove((LZ["target-informatization-2018"], LZO.deadline, None))
    conforms, results = check_shapes(graph, load_shapes())
    assert not conforms
    assert any("target-informatization-2018" in r and "deadline" in r for r in results)


# ---------------------------------------------------------------- fidelity to the text
FIDELITY_FIXTURES = Path(__file__).parent / "fixtures" / "fidelity"


def _fidelity(extra: str | None = None) -> dict[str, list[str]]:
    from liuzhou_kg.core.numbers import default_cues
    from liuzhou_kg.core.layout import Layout
    from liuzhou_kg.build.records import _load_yaml, load_records
    from liuzhou_kg.build.validate import check_fidelity

    records = load_records(Layout.default().facts)
    if extra:
        records += _load_yaml(FIDELITY_FIXTURES / extra)
    return check_fidelity(records, default_cues())


def test_the_real_records_pass_the_fidelity_checks(built_dist):
    assert _fidelity() == {"label-count-or-level": [], "main-quote-states-the-facts": []}
    report = json.loads((built_dist / "validation.json").read_text(encoding="utf-8"))
    assert report["fidelity"] == {"label-count-or-level": {"findings": 0, "offenders": []},
                                  "main-quote-states-the-facts": {"findings": 0, "offenders": []}}
    assert "`label-count-or-level`: 0 findings" in (built_dist / "validation.md").read_text(encoding="utf-8")


def test_a_count_the_sentence_does_not_state_is_flagged():
    # The audit's high finding: 三个国家级 over an open list whose only "3" is the name "3D".
    findings = _fidelity("count-not-in-sentence.yaml")
    assert findings["main-quote-states-the-facts"] == []
    assert findings["label-count-or-level"] == [
        "count-not-in-sentence.yaml:2 (fixture-three-national-platforms): label@zh '重点推进三个国家级平台项目建设' "
        "states the count '三', which its sentence(s) do not state"]


def test_an_english_count_word_is_flagged_too():
    findings = _fidelity("english-count-not-in-sentence.yaml")["label-count-or-level"]
    assert len(findings) == 1 and "label@en" in findings[0] and "'three'" in findings[0]


def test_a_level_the_sentence_does_not_state_is_flagged():
    findings = _fidelity("level-not-in-sentence.yaml")["label-count-or-level"]
    assert any("fixture-national-engineering-centres): label@zh '新增国家级工程技术中心' states the level '国家级'" in f for f in findings)
    assert any("fixture-national-engineering-centres): label@en" in f and "'national-level'" in f for f in findings)
    assert any("fixture-national-key-laboratory): level level-national is not stated" in f for f in findings)
    assert len(findings) == 3


def test_a_context_sentence_cited_first_is_flagged():
    findings = _fidelity("context-sentence-first.yaml")
    assert findings["label-count-or-level"] == []
    assert len(findings["main-quote-states-the-facts"]) == 1
    assert findings["main-quote-states-the-facts"][0].startswith(
        "context-sentence-first.yaml:3 (jingyi-s50): the main quote '2014 年，创新成为驱动经济发展的新动力' names none")


@pytest.mark.parametrize("fixture, check", [
    ("count-not-in-sentence.yaml", "label-count-or-level"),
    ("level-not-in-sentence.yaml", "label-count-or-level"),
    ("context-sentence-first.yaml", "main-quote-states-the-facts"),
])
def test_the_build_fails_on_a_fidelity_finding(repo_copy, tmp_path, capsys, fixture, check):
    from liuzhou_kg.cli import main

    (repo_copy / "graph" / "facts" / f"99-{fixture}").write_text(
        (FIDELITY_FIXTURES / fixture).read_text(encoding="utf-8"), encoding="utf-8")
    dist = tmp_path / "dist"
    code = main(["build", "--repo", str(repo_copy), "--dist", str(dist), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"fidelity {check}:" in err and f"99-{fixture}:" in err
    assert not dist.exists()


def test_shacl_reports_a_threshold_order_on_a_value_not_exceeded(built_dist):
    # 第五个…突破: an order of passing a threshold only exists for a value the area exceeded.
    from liuzhou_kg.build.ontology import load_shapes

    graph = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    obs = LZ["annual-vehicle-production-2014"]
    graph.remove((obs, LZO.valueQualifier, None))
    graph.add((obs, LZO.valueQualifier, LZ["qualifier-exact"]))
    conforms, results = check_shapes(graph, load_shapes())
    assert not conforms
    assert any("annual-vehicle-production-2014" in r and "order of passing a threshold" in r for r in results)
