"""Every zero-row check and every SHACL constraint is shown to fire, on a near miss of the real graph.

The build proves that the checks return nothing on the graph as built; that alone would also hold
for a check with a typo. Each case in ``tests/fixtures/violations/`` applies a SPARQL Update to a
copy of the built dataset and names the check or constraint it must trip, in the manner of the
Ontology Development Kit's violation fixtures. A check or constraint without a case fails here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
import yaml
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH

from liuzhou_kg.core.namespaces import PREFIXES
from liuzhou_kg.build.ontology import load_shapes
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.build.validate import run_checks, shacl_report, union_graph

CHECKS_DIR = Layout.default().checks

FIXTURES = Path(__file__).parent / "fixtures" / "violations"
CHECK_CASES = yaml.safe_load((FIXTURES / "checks.yaml").read_text(encoding="utf-8"))
SHAPE_CASES = yaml.safe_load((FIXTURES / "shapes.yaml").read_text(encoding="utf-8"))
PROLOGUE = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())
NODE_LEVEL = (SH["or"], SH["and"], SH["not"], SH["xone"], SH.closed, SH.node, SH.sparql)
LZSH = "https://w3id.org/liuzhou-kg/shapes#"


def expand(name: str) -> str:
    """A CURIE of the project's prefix table, or an <IRI>, as a full IRI; other text as it is."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    if prefix == "lzsh":
        return LZSH + local
    if prefix == "sh":
        return str(SH) + local
    if prefix in PREFIXES and local:
        return PREFIXES[prefix] + local
    return name


def mutated_store(built_dist: Path, update: str) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    before = len(store)
    store.update(PROLOGUE + update)
    assert len(store) != before or "DELETE" in update and "INSERT" in update, \
        f"the update changed nothing, so the case tests nothing:\n{update}"
    return store


def nquads(store: pyoxigraph.Store) -> bytes:
    return store.dump(format=pyoxigraph.RdfFormat.N_QUADS)


def test_every_check_has_a_case():
    checks = {path.stem for path in CHECKS_DIR.glob("*.rq")}
    cased = {case["check"] for case in CHECK_CASES}
    assert checks - cased == set(), "checks in queries/checks/ with no case in checks.yaml"
    assert cased - checks == set(), "cases in checks.yaml for checks that do not exist"


@pytest.mark.parametrize("case", CHECK_CASES, ids=[case["check"] for case in CHECK_CASES])
def test_check_fires_on_its_case(case, built_dist, tmp_path):
    check_file = CHECKS_DIR / f"{case['check']}.rq"
    only = tmp_path / "checks"
    only.mkdir()
    shutil.copy(check_file, only / check_file.name)

    clean = run_checks((built_dist / "liuzhou.nq").read_bytes(), only)[case["check"]]
    assert clean == [], f"{case['check']} already fires on the graph as built: {clean[:3]}"

    rows = run_checks(nquads(mutated_store(built_dist, case["update"])), only)[case["check"]]
    expected = {key: expand(value) for key, value in case["expect"].items()}
    matching = [row for row in rows if all(row.get(key) == value for key, value in expected.items())]
    assert matching, (f"check {case['check']} did not fire as expected ({case['why']});"
                      f" expected a row with {expected}, got {rows[:5]}")


def _property_shapes(shapes: Graph) -> dict[tuple[str, str | None], list]:
    """(node shape, path) -> the property shapes of that node shape on that path; (node, None) -> [node]
    for a node shape with node-level constraints."""
    found: dict[tuple[str, str | None], list] = {}
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)):
        for prop in shapes.objects(node, SH.property):
            found.setdefault((str(node), str(shapes.value(prop, SH.path))), []).append(prop)
        if any(shapes.value(node, parameter) is not None for parameter in NODE_LEVEL):
            found[(str(node), None)] = [node]
    return found


def _parameter_of(component: str) -> URIRef:
    """The SHACL parameter behind a constraint component: sh:MinCountConstraintComponent -> sh:minCount."""
    name = component.removeprefix(str(SH)).removesuffix("ConstraintComponent")
    return SH[name[0].lower() + name[1:]]


def _shape_of(case: dict, shapes: Graph, by_path: dict):
    path = expand(case["path"]) if "path" in case else None
    candidates = by_path.get((expand(case["shape"]), path), [])
    parameter = _parameter_of(expand(case["component"]))
    candidates = [shape for shape in candidates if shapes.value(shape, parameter) is not None]
    if "message" in case:
        candidates = [shape for shape in candidates
                      if case["message"] in str(shapes.value(shape, SH.message) or "")]
    assert len(candidates) == 1, f"case {case} names {len(candidates)} shapes; add or fix its message"
    return candidates[0]


@pytest.fixture(scope="module")
def shacl_outcome(built_dist):
    """One SHACL run over the graph with every case's update applied (each case has its own focus)."""
    focuses = [case["focus"] for case in SHAPE_CASES]
    assert len(set(focuses)) == len(focuses), "two shape cases share a focus node"
    # rdflib, not Oxigraph: Oxigraph's store turns xsd:nonNegativeInteger into xsd:integer, which
    # would trip the datatype constraints of every selector.
    dataset = Dataset()
    dataset.parse(built_dist / "liuzhou.nq", format="nquads")
    for case in SHAPE_CASES:
        before = set(dataset.quads())
        dataset.update(PROLOGUE + case["update"])
        assert set(dataset.quads()) != before, f"this update changes nothing: {case['update']}"
    data = union_graph(dataset)
    shapes = load_shapes()
    conforms, results = shacl_report(data, shapes)
    rows = {(str(results.value(r, SH.focusNode)), results.value(r, SH.sourceShape),
             str(results.value(r, SH.sourceConstraintComponent)))
            for r in results.subjects(RDF.type, SH.ValidationResult)}
    return shapes, conforms, rows


@pytest.mark.parametrize("case", SHAPE_CASES, ids=[f"{c['shape']}-{c.get('path', 'node')}-{c['focus']}"
                                                    for c in SHAPE_CASES])
def test_shape_fires_on_its_case(case, shacl_outcome):
    shapes, conforms, rows = shacl_outcome
    assert not conforms
    shape = _shape_of(case, shapes, _property_shapes(shapes))
    wanted = (expand(case["focus"]), shape, expand(case["component"]))
    assert wanted in rows, (f"{case['shape']} {case.get('path', '')} did not report "
                            f"{case['component']} for {case['focus']}; results for that focus: "
                            f"{sorted(r[2] for r in rows if r[0] == wanted[0])}")


def test_every_result_belongs_to_a_case(shacl_outcome):
    """No case trips a constraint it does not name (its own focus included), so each is attributable."""
    shapes, _, rows = shacl_outcome
    by_path = _property_shapes(shapes)
    named = {(expand(c["focus"]), _shape_of(c, shapes, by_path), expand(c["component"])) for c in SHAPE_CASES}
    focuses = {expand(c["focus"]) for c in SHAPE_CASES}
    stray = sorted((f, str(s), c) for f, s, c in rows if f not in focuses)
    assert stray == [], f"results on nodes no case touches: {stray[:5]}"
    assert {row for row in rows if row[0] in focuses} >= named


def test_every_constraint_has_a_case():
    shapes = load_shapes()
    by_path = _property_shapes(shapes)
    cased = {_shape_of(case, shapes, by_path) for case in SHAPE_CASES}
    missing = sorted(f"{node} {path or '(node-level)'} {shapes.value(s, SH.message) or ''}"
                     for (node, path), group in by_path.items() for s in group if s not in cased)
    assert missing == [], "SHACL constraints with no case in tests/fixtures/violations/shapes.yaml"
