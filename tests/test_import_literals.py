"""What the store keeps of a typed literal: the table against pyoxigraph, the import's note and
catalogue entry, the build's note, and the checks run on Oxigraph (docs/query.md, "What the store
keeps")."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.cli import main
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.imports.catalogue import IMPORTS_GRAPH
from liuzhou_kg.store.imports.literals import (XSD, LiteralChanges, disagreements, load_table, round_trip,
                                               store_notes)
from liuzhou_kg.store.reader import open_store

CHECKS_DIR = Layout.default().checks
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
G = "https://w3id.org/liuzhou-kg/graph/import/"
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
HEAD = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ex:dataset dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> .
"""
CHANGED = HEAD + """ex:a ex:count "5"^^xsd:int , "7"^^xsd:int , "+1"^^xsd:int ;
    ex:start "3"^^xsd:nonNegativeInteger ;
    ex:n "+1"^^xsd:integer , "01"^^xsd:integer , "2"^^xsd:integer ;
    ex:name "柳州"^^xsd:string , "Liuzhou" , "柳州市"@zh .
"""
KEPT = HEAD + """ex:a ex:n "2"^^xsd:integer , "1.5"^^xsd:decimal , "true"^^xsd:boolean ;
    ex:name "柳州"^^xsd:string , "Liuzhou"@en , "abc"^^xsd:int .
"""


def test_the_table_agrees_with_pyoxigraph():
    """Every probe stored and read back: fails when a pyoxigraph upgrade changes what it keeps."""
    table = load_table()
    assert len(table.probes) > 250
    assert disagreements(table) == []
    for literal in (ox.Literal("a"), ox.Literal("柳州", language="zh-hans"),
                    ox.Literal("1", datatype=ox.NamedNode("http://example.org/datatype"))):
        assert round_trip(literal) == literal


def test_a_wrong_table_fails_the_comparison():
    table = load_table()
    rules = dict(table.rules)
    del rules[XSD + "int"]  # as if the store kept xsd:int
    rules[XSD + "string"] = rules[XSD + "integer"]  # as if it read strings as numbers
    wrong = disagreements(replace(table, rules=rules))
    assert any("XMLSchema#int>" in line for line in wrong)
    assert any(line.startswith("'1'^^<http://www.w3.org/2001/XMLSchema#string>") for line in wrong)
    rules[XSD + "boolean"] = replace(rules[XSD + "boolean"], keeps=re.compile("true|false|1|0"))
    assert any("'1'^^<http://www.w3.org/2001/XMLSchema#boolean>" in line
               for line in disagreements(replace(table, rules=rules)))


def _import(tmp_path: Path, text: str, capsys) -> tuple[str, Path]:
    data = tmp_path / "data.ttl"
    data.write_text(text, encoding="utf-8")
    store_dir = tmp_path / "store"
    assert main(["import", str(data), "--store", str(store_dir), "--no-progress"]) == 0
    return capsys.readouterr().out, store_dir


def _descriptions(store_dir: Path) -> dict[str, str]:
    store = open_store(store_dir, read_only=True)
    return {q.object.language: q.object.value for q in
            store.quads_for_pattern(ox.NamedNode(G + "data"), DESCRIPTION, None, ox.NamedNode(IMPORTS_GRAPH))}


def test_import_says_what_the_store_keeps_in_another_form(tmp_path, capsys):
    out, store_dir = _import(tmp_path, CHANGED, capsys)
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, out
    note = notes[0]
    assert "keeps 6 literal(s)" in note
    assert "xsd:int → xsd:integer ×3 (value kept, datatype not)" in note
    assert "xsd:nonNegativeInteger → xsd:integer ×1" in note
    assert 'xsd:integer ×2 in another lexical form, e.g. "+1"' in note
    assert "xsd:string" not in note and "#526" in note and "#1413" in note
    described = _descriptions(store_dir)
    assert set(described) == {"en", "zh"}
    assert described["en"] == note.removeprefix("note: ")
    assert "6 个字面量" in described["zh"] and "xsd:int → xsd:integer ×3" in described["zh"]
    # the count is what the store really changed
    graph = ox.NamedNode(G + "data")
    stored = {q.object for q in open_store(store_dir, read_only=True).quads_for_pattern(None, None, None, graph)}
    given = {t.object for t in ox.parse(CHANGED.encode(), format=ox.RdfFormat.TURTLE)}
    assert len({o for o in given - stored if isinstance(o, ox.Literal)}) == 6


def test_import_with_nothing_changed_has_no_note(tmp_path, capsys):
    out, store_dir = _import(tmp_path, KEPT, capsys)
    assert "note:" not in out and out.startswith("imported <")
    assert _descriptions(store_dir) == {}


def test_counting_groups_and_orders():
    changes = LiteralChanges()
    for lexical, datatype in [("5", "int"), ("6", "int"), ("1.0", "decimal"), ("1", "boolean"),
                              ("x", "string"), ("5", "integer")]:
        changes.observe(ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype)))
    assert changes.total == 4
    assert changes.group_texts()[0].startswith("xsd:int → xsd:integer ×2")
    assert LiteralChanges().note() is None


def test_build_notes_name_the_published_datatypes(built_dist):
    notes = store_notes(built_dist / "liuzhou.nq")
    assert any("xsd:nonNegativeInteger → xsd:integer ×" in line for line in notes)
    assert any("xsd:positiveInteger → xsd:integer ×" in line for line in notes)
    assert all(line.startswith("note: the store and the endpoint answer") for line in notes)


# The zero-row checks run on Oxigraph (build.validate.run_checks loads the N-Quads into a store), so
# a check that tests a datatype the store rewrites would see the store's datatype, not the declared
# one. None does today (only xsd:decimal, which the store keeps as xsd:decimal); this keeps it so.
_XSD_TERM = re.compile(r"xsd:([A-Za-z]+)\b|<http://www\.w3\.org/2001/XMLSchema#([A-Za-z]+)>")


def rewritten_datatypes(query: str) -> set[str]:
    """The XSD datatypes named in ``query`` that the store answers as another datatype."""
    rules = load_table().rules
    named = {a or b for a, b in _XSD_TERM.findall(query)}
    return {name for name in named if XSD + name in rules and rules[XSD + name].stored_as != XSD + name}


FIRING_CHECK = """PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?selector ?start WHERE {
  ?selector oa:start ?start .
  FILTER (datatype(?start) != xsd:nonNegativeInteger)
}
ORDER BY ?selector"""


def test_no_check_run_on_oxigraph_tests_a_datatype_the_store_rewrites():
    for path in sorted(CHECKS_DIR.glob("*.rq")):
        assert rewritten_datatypes(path.read_text(encoding="utf-8")) == set(), path.name


def test_a_check_on_a_rewritten_datatype_is_caught_and_would_misfire(quad_store):
    """The firing fixture: such a check is flagged, and on Oxigraph it reports every selector,
    though every oa:start of the published files is an xsd:nonNegativeInteger."""
    assert rewritten_datatypes(FIRING_CHECK) == {"nonNegativeInteger"}
    assert len(list(quad_store.query(FIRING_CHECK, use_default_graph_as_union=True))) > 0


@pytest.mark.parametrize("datatype", ["nonNegativeInteger", "positiveInteger"])
def test_the_shapes_datatypes_are_rewritten_by_the_store(datatype):
    """Why SHACL runs on the published data (rdflib), never on the store: the shapes ask for
    these datatypes, which the store answers as xsd:integer."""
    shapes = (CHECKS_DIR.parent.parent / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    assert f"sh:datatype xsd:{datatype}" in shapes
    assert load_table().rules[XSD + datatype].stored_as == XSD + "integer"


def test_csv_import_counts_the_literals_its_mapping_makes(built_dist, tmp_path, capsys):
    """A mapping that types the area codes xsd:int: the store keeps them as xsd:integer."""
    import shutil

    REPO = Layout.default().repo

    store_dir = tmp_path / "store"
    shutil.copytree(built_dist / "store", store_dir)
    mapping = (REPO / "graph" / "mappings" / "regional-statistics.yaml").read_text(encoding="utf-8")
    typed = mapping.replace("notation: {column: area_code, datatype: lzo:GBT2260Code}",
                            "notation: {column: area_code, datatype: xsd:int}")
    assert typed != mapping
    (tmp_path / "mapping.yaml").write_text(typed, encoding="utf-8")
    csv = REPO / "tests" / "fixtures" / "import" / "regional-statistics.csv"
    assert main(["import", str(csv), "--mapping", str(tmp_path / "mapping.yaml"), "--license", CC0,
                 "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert "xsd:int → xsd:integer ×2" in out, out
