"""SHACL conforms, every SPARQL check returns zero rows, and HermiT finds the graph consistent."""
from __future__ import annotations

import json

from liuzhou_kg.namespaces import LZ, LZO
from liuzhou_kg.reasoning import reason
from liuzhou_kg.validate import check_shapes
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
    from liuzhou_kg.ontology import load_shapes

    graph = Graph().parse(built_dist / "liuzhou.nt", format="nt")
    graph.remove((LZ["target-informatization-2018"], LZO.deadlineStated, None))
    graph.remove((LZ["target-informatization-2018"], LZO.deadline, None))
    conforms, results = check_shapes(graph, load_shapes())
    assert not conforms
    assert any("target-informatization-2018" in r and "deadline" in r for r in results)
