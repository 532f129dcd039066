"""The corpus: any number of source documents, each with its metadata, passages, records and coverage.

The published graph holds one document, the 2015 text. The corpus machinery is shown on a fixture
corpus built apart (tests/conftest.py: corpus_repo, corpus_dist): a copy of the inputs with the two
test documents of tests/fixtures/corpus/ added (work-report-2022 and communique-2022-h1, written by
us, drafted with `liuzhou-kg draft` and reviewed; their figures are invented and never enter
dist/). A fourth document, a two-sentence text written in a test, shows a further document needs
no code change. All of these are regression guards written by us; the evidence from a text we did
not write is the 2015 source, whose IRIs, facts and coverage must not move.
"""
from __future__ import annotations

import hashlib
import json

import pyoxigraph
import yaml

from liuzhou_kg.cli import main
from liuzhou_kg.build.corpus import load_catalogue
from liuzhou_kg.core.namespaces import PREFIXES
from liuzhou_kg.core.layout import Layout

from conftest import CORPUS_FIXTURE

SOURCES_DIR = Layout.default().sources

LZ = PREFIXES["lz"]
LZP = PREFIXES["lzp"]


def rows(store: pyoxigraph.Store, query: str) -> list[tuple]:
    """Rows of ``query`` (union of graphs), as sorted tuples of term values."""
    found = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return sorted(tuple(solution[v].value if solution[v] is not None else None for v in found.variables)
                  for solution in found)


def test_the_published_catalogue_lists_the_2015_text_alone():
    documents = load_catalogue(SOURCES_DIR)
    assert [(d.id, d.default) for d in documents] == [("liuzhou-innovation-2015", True)]
    assert sorted(p.name for p in SOURCES_DIR.iterdir()) == ["README.md", "SHA256SUMS", "catalogue.yaml",
                                                            "liuzhou-innovation-2015.zh.txt"]
    assert not [p for p in (SOURCES_DIR.parent / "facts").iterdir() if p.is_dir()]


def test_the_published_graph_holds_no_test_document(quad_store, built_dist):
    assert rows(quad_store, "SELECT ?doc WHERE { ?doc a lzo:SourceDocument }") == [(LZ + "source-liuzhou-innovation-2015",)]
    assert rows(quad_store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a lzo:Passage FILTER CONTAINS(STRAFTER(STR(?p), STR(lzp:)), '/') }") == [("0",)]
    coverage = json.loads((built_dist / "coverage.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in coverage["documents"]] == ["liuzhou-innovation-2015"]
    published = (built_dist / "liuzhou.nq").read_bytes().decode("utf-8")
    for name in ("work-report-2022", "communique-2022-h1", "year-2021", "year-2022-h1"):
        assert name not in published, name


def test_the_fixture_catalogue_lists_the_2015_text_as_default_and_two_test_documents(corpus_repo):
    documents = load_catalogue(corpus_repo / "graph" / "sources")
    assert [(d.id, d.default) for d in documents] == [("liuzhou-innovation-2015", True), ("work-report-2022", False),
                                                      ("communique-2022-h1", False)]
    assert {d.path.name for d in documents[1:]} == {p.name for p in (CORPUS_FIXTURE / "sources").glob("*.zh.txt")}
    for document in documents:
        assert hashlib.sha256(document.path.read_bytes()).hexdigest() == document.sha256
    assert documents[1].source.sentences[0].pid == "work-report-2022/p01-s01"
    assert documents[0].source.sentences[0].pid == "p01-s01"


def test_every_document_is_a_source_document_with_its_metadata(corpus_store):
    found = rows(corpus_store, """
        SELECT ?doc ?issued ?lang ?sha WHERE {
          ?doc a lzo:SourceDocument ; dcterms:issued ?issued ; dcterms:language ?lang ; dcterms:identifier ?sha ;
               dcterms:title ?zh , ?en ; lzo:issuedBy ?by ; dcterms:source ?origin .
          FILTER (lang(?zh) = "zh" && lang(?en) = "en")
        }""")
    assert [(doc, issued, lang) for doc, issued, lang, _ in sorted(set(found))] == [
        (LZ + "source-communique-2022-h1", "2022-07", "zh"), (LZ + "source-liuzhou-innovation-2015", "2015", "zh"),
        (LZ + "source-work-report-2022", "2022", "zh")]
    licensed = rows(corpus_store, "SELECT ?l WHERE { lz:source-work-report-2022 dcterms:license ?l }")
    assert licensed == [("https://creativecommons.org/licenses/by/4.0/",)]
    note = rows(corpus_store, "SELECT ?n WHERE { lz:source-work-report-2022 skos:editorialNote ?n FILTER (lang(?n) = 'en') }")
    assert "invented" in note[0][0]


def test_passages_are_per_document_and_the_2015_iris_are_unchanged(corpus_store):
    per_document = rows(corpus_store, """
        SELECT ?doc (COUNT(?p) AS ?n) WHERE { ?p a lzo:Passage ; oa:hasSource ?doc } GROUP BY ?doc""")
    assert per_document == [(LZ + "source-communique-2022-h1", "14"), (LZ + "source-liuzhou-innovation-2015", "49"),
                            (LZ + "source-work-report-2022", "22")]
    assert rows(corpus_store, "SELECT ?s WHERE { lzp:p03-s02 oa:hasSource ?s ; lzo:inSection lz:section-review-2014 }") == [
        (LZ + "source-liuzhou-innovation-2015",)]
    second = rows(corpus_store, """
        SELECT ?section ?n WHERE { <%swork-report-2022/p08-s01> lzo:inSection ?section .
          ?section lzo:sectionNumber ?n ; dcterms:isPartOf lz:source-work-report-2022 }""" % LZP)
    assert second == [(LZ + "section-work-report-2022-2", "2")]
    # The GDP of 2021 sits in the graph of its own sentence of the second document.
    graph = rows(corpus_store, "SELECT ?g WHERE { GRAPH ?g { lz:gdp-2021 lzo:statedValue ?v } }")
    assert graph == [(PREFIXES["lzg"] + "work-report-2022/p04-s02",)]


def test_an_entity_two_documents_mention_is_one_entity_with_provenance_from_both(corpus_store):
    sources = rows(corpus_store, """
        SELECT DISTINCT ?doc WHERE { lz:liugong prov:wasDerivedFrom ?p . ?p oa:hasSource ?doc }""")
    assert sources == [(LZ + "source-liuzhou-innovation-2015",), (LZ + "source-work-report-2022",)]
    liugang = rows(corpus_store, """
        SELECT DISTINCT ?doc WHERE { lz:liugang prov:wasDerivedFrom ?p . ?p oa:hasSource ?doc }""")
    assert len(liugang) == 3  # named by all three documents
    assert rows(corpus_store, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { lz:liugong a ?t FILTER (?t = lzo:Enterprise) }") == [("1",)]
    # An indicator of the 2015 text, stated again for 2021 by the second document.
    steel = rows(corpus_store, """
        SELECT ?period ?value ?doc WHERE { ?o lzo:indicator lz:steel-products-output ; lzo:refEntity lz:liugang ;
          sdmx-dimension:refPeriod ?period ; lzo:statedValue ?value ; prov:wasDerivedFrom ?p . ?p oa:hasSource ?doc }""")
    assert {(period, value, doc) for period, value, doc in steel} >= {
        (LZ + "year-2014", "1300", LZ + "source-liuzhou-innovation-2015"),
        (LZ + "year-2021", "1500", LZ + "source-work-report-2022")}


def test_coverage_has_a_section_per_document(corpus_dist, built_dist):
    coverage = json.loads((corpus_dist / "coverage.json").read_text(encoding="utf-8"))
    summaries = {d["id"]: d["summary"] for d in coverage["documents"]}
    assert summaries["liuzhou-innovation-2015"] == coverage["summary"]
    assert summaries["work-report-2022"] == {"sentences": 22, "sentences_with_facts": 19, "numbers": 27,
                                             "numbers_used": 24, "numbers_excluded": 3, "numbers_uncovered": 0,
                                             "numbers_not_counted": 0}
    published = json.loads((built_dist / "coverage.json").read_text(encoding="utf-8"))
    assert summaries["liuzhou-innovation-2015"] == published["summary"]  # the 2015 coverage does not move
    markdown = (corpus_dist / "coverage.md").read_text(encoding="utf-8")
    assert "# work-report-2022: " in markdown and "# liuzhou-innovation-2015: " in markdown
    assert "| work-report-2022/p05-s03 | 1500万吨 | 万吨 | used | liugang-steel-output-2021 |" in markdown


def _build(repo, tmp_path, capsys) -> tuple[int, str]:
    dist = tmp_path / "dist"
    code = main(["build", "--repo", str(repo), "--dist", str(dist), "-q", "--no-reasoner"])
    return code, capsys.readouterr().err


def _add_document(repo, doc_id: str, text: str, records: str) -> None:
    sources = repo / "graph" / "sources"
    (sources / f"{doc_id}.zh.txt").write_bytes(text.encode("utf-8"))
    catalogue = yaml.safe_load((sources / "catalogue.yaml").read_text(encoding="utf-8"))
    catalogue.append({
        "id": doc_id, "file": f"{doc_id}.zh.txt", "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "title": {"zh": "测试", "en": "test"}, "issuer": {"zh": "测试", "en": "test"}, "date": "2023-05",
        "language": "zh", "origin": "written in tests/test_corpus.py", "licence": "https://creativecommons.org/licenses/by/4.0/",
        "sections": {0: {"label": {"zh": "开头", "en": "opening"}}, 1: {"label": {"zh": "一、测试", "en": "1. test"}}}})
    (sources / "catalogue.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (repo / "graph" / "facts" / doc_id).mkdir()
    (repo / "graph" / "facts" / doc_id / "records.yaml").write_text(records, encoding="utf-8")


def test_a_further_document_builds_with_no_code_change(repo_copy, tmp_path, capsys):
    _add_document(repo_copy, "note-2023", "关于柳工的说明。\n\n一、测试。\n\n柳工继续扩大海外\n市场。\n",
                  "- about: liugong\n  quote: 柳工继续扩大海外市场\n")
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 0, err
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "dist" / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    assert rows(store, "SELECT ?p WHERE { lz:liugong prov:wasDerivedFrom ?p . ?p oa:hasSource lz:source-note-2023 }") == [
        (LZP + "note-2023/p03-s01",)]
    coverage = json.loads((tmp_path / "dist" / "coverage.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in coverage["documents"]] == ["liuzhou-innovation-2015", "note-2023"]


def test_a_quote_from_another_document_is_not_found(repo_copy, tmp_path, capsys):
    (repo_copy / "graph" / "facts" / "99-elsewhere.yaml").write_text(
        "- about: liugong\n  quote: 柳工装载机销量继续保持国内首位\n", encoding="utf-8")
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 2
    assert "99-elsewhere.yaml:2: quote not found in liuzhou-innovation-2015.zh.txt" in err


def test_an_id_minted_in_two_documents_is_a_duplicate(corpus_repo_copy, tmp_path, capsys):
    repo_copy = corpus_repo_copy
    with (repo_copy / "graph" / "facts" / "work-report-2022" / "records.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- id: liugong\n  type: Enterprise\n  label: {zh: 柳工, en: LiuGong}\n"
                     "  quote: 推进柳工国际化发展\n")
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 2
    assert "duplicate identifier 'liugong'" in err and "records.yaml" in err


def test_a_changed_document_or_a_bad_catalogue_is_refused(corpus_repo_copy, tmp_path, capsys):
    repo_copy = corpus_repo_copy
    text = repo_copy / "graph" / "sources" / "liuzhou-work-report-2022.zh.txt"
    text.write_bytes(text.read_bytes() + "\n".encode("utf-8"))
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 2 and "liuzhou-work-report-2022.zh.txt: SHA-256 is" in err and "catalogue.yaml" in err

    catalogue = repo_copy / "graph" / "sources" / "catalogue.yaml"
    entries = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    entries[1]["sha256"] = hashlib.sha256(text.read_bytes()).hexdigest()
    del entries[1]["issuer"]
    catalogue.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 2 and "catalogue.yaml" in err and "lacks issuer" in err


def test_a_document_without_its_records_folder_is_refused(repo_copy, tmp_path, capsys):
    _add_document(repo_copy, "note-2023", "一、测试。\n", "[]\n")
    (repo_copy / "graph" / "facts" / "note-2023" / "records.yaml").unlink()
    (repo_copy / "graph" / "facts" / "note-2023").rmdir()
    code, err = _build(repo_copy, tmp_path, capsys)
    assert code == 2 and "no folder of records for document 'note-2023'" in err


def test_the_corpus_keeps_every_quad_of_the_2015_text(built_dist, corpus_dist):
    """Every quad of the published build (the 2015 text alone) is in the fixture corpus build: the
    test documents only add."""
    alone = set((built_dist / "liuzhou.nq").read_bytes().decode("utf-8").splitlines())
    corpus = set((corpus_dist / "liuzhou.nq").read_bytes().decode("utf-8").splitlines())
    missing = sorted(line for line in alone - corpus if "_:" not in line)
    assert missing == []
    assert len(corpus) > len(alone)


def test_a_catalogue_cannot_point_outside_the_sources_folder(corpus_repo_copy, tmp_path, capsys):
    repo_copy = corpus_repo_copy
    catalogue = repo_copy / "graph" / "sources" / "catalogue.yaml"
    entries = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    outside = tmp_path / "outside.txt"
    outside.write_bytes("一、外部。\n".encode("utf-8"))
    for name in ("../../outside.txt", str(outside), "link.txt"):
        if name == "link.txt":
            (repo_copy / "graph" / "sources" / "link.txt").symlink_to(outside)
        entries[1]["file"] = name
        catalogue.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
        code, err = _build(repo_copy, tmp_path, capsys)
        assert code == 2 and "catalogue.yaml" in err, err
        assert "not a path" in err or "symbolic link" in err, err


def test_a_half_year_figure_is_never_compared_with_a_year(corpus_store):
    """lz:year-2022-h1 has a beginning and an end but no year description: the change question
    pairs only figures of whole years, and the later-report question places it inside 2022."""
    assert rows(corpus_store, "SELECT ?y WHERE { lz:year-2022-h1 time:hasDateTimeDescription/time:year ?y }") == []
    assert rows(corpus_store, """SELECT ?b ?e WHERE { lz:year-2022-h1 time:hasBeginning/time:inXSDDate ?b ;
        time:hasEnd/time:inXSDDate ?e }""") == [("2022-01-01", "2022-06-30")]
