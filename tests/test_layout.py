"""The layout: a build reads every input from the layout it is given, and writes every output.

A copy of the inputs changed on purpose must show in the build of that copy (and only there); the
store and the explorer are outputs of every build; a broken step fails the build loudly and
leaves the previous dist/ as it was.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import copy_inputs
from liuzhou_kg.build import pipeline
from liuzhou_kg.cli import main
from liuzhou_kg.core.layout import Layout
from liuzhou_kg.store.generations import is_store_dir

LZ = "https://w3id.org/liuzhou-kg/resource/"
LINKS = "https://w3id.org/liuzhou-kg/graph/links"
EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CHINA_WIKIDATA = "    skos:exactMatch wd:Q148 , <https://sws.geonames.org/1814991/> ."
LIUZHOU_LABEL = "  label: {zh: 柳州市, en: Liuzhou}\n"


# ---------------------------------------------------------------- the layout itself
def test_a_layout_names_every_input_under_its_repo(tmp_path):
    layout = Layout(tmp_path)
    assert layout.dist == tmp_path / "dist"
    assert layout.store == tmp_path / "dist" / "store"
    assert layout.graph_file == tmp_path / "dist" / "liuzhou.trig"
    assert layout.ontology == tmp_path / "ontology"
    assert layout.checks == tmp_path / "queries" / "checks"
    graph = tmp_path / "graph"
    assert (layout.facts, layout.sources, layout.links, layout.mappings) == (
        graph / "facts", graph / "sources", graph / "links", graph / "mappings")
    assert layout.catalogue == graph / "sources" / "catalogue.yaml"
    assert (layout.number_cues, layout.coverage_exclusions) == (
        graph / "number-cues.yaml", graph / "coverage-exclusions.yaml")
    assert layout.link_vocabulary.parent == layout.link_normalize.parent == graph / "mappings"
    assert layout.link_evidence == graph / "mappings" / "link-evidence.yaml"
    assert Layout(tmp_path, tmp_path / "out").dist == tmp_path / "out"
    assert len({Layout(tmp_path), Layout(tmp_path)}) == 1
    with pytest.raises(AttributeError):
        layout.repo = Path("/elsewhere")


def test_the_default_layout_is_this_checkout_and_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LIUZHOU_KG_DIST", raising=False)
    default = Layout.default()
    assert (default.repo / "liuzhou_kg" / "core" / "layout.py").is_file()
    assert default.dist == default.repo / "dist"
    assert default.source_text.is_file() and default.number_cues.is_file() and default.links.is_dir()
    monkeypatch.setenv("LIUZHOU_KG_DIST", str(tmp_path / "elsewhere"))
    assert Layout.default().dist == tmp_path / "elsewhere"  # read at each call, not at import
    assert Layout.default(tmp_path / "given").dist == tmp_path / "given"


def test_no_module_reads_the_old_global_paths(layout):
    package = layout.repo / "liuzhou_kg"
    assert not (package / "core" / "paths.py").exists()
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if "core.paths" in p.read_text(encoding="utf-8") or "core import paths" in p.read_text(encoding="utf-8")]
    assert offenders == []


# ---------------------------------------------------------------- build --repo X reads X
def _quads(dist: Path, subject: str, predicate: str) -> set[tuple[str, str]]:
    store = ox.Store()
    store.load(path=str(dist / "liuzhou.nq"), format=ox.RdfFormat.N_QUADS)
    return {(q.object.value, q.graph_name.value) for q in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None, None)}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_build_with_repo_reads_the_links_and_records_of_that_repo(tmp_path, capsys, built_dist):
    repo = copy_inputs(tmp_path / "repo", queries=True)
    _replace(repo / "graph" / "links" / "verified.ttl", CHINA_WIKIDATA,
             "    skos:exactMatch <https://sws.geonames.org/1814991/> .")
    _replace(repo / "graph" / "facts" / "00-review-2014.yaml", LIUZHOU_LABEL,
             "  label: {zh: 柳州市, en: Liuzhou of the copy}\n")

    code = main(["build", "--repo", str(repo), "-q", "--no-reasoner"])  # dist: REPO/dist
    assert code == 0, capsys.readouterr().err
    dist = repo / "dist"
    china = _quads(dist, LZ + "china", EXACT_MATCH)
    assert ("https://sws.geonames.org/1814991/", LINKS) in china
    assert "http://www.wikidata.org/entity/Q148" not in {o for o, _ in china}
    assert ("http://www.wikidata.org/entity/Q148", LINKS) in _quads(built_dist, LZ + "china", EXACT_MATCH)
    labels = {o for o, _ in _quads(dist, LZ + "liuzhou", LABEL)}
    assert "Liuzhou of the copy" in labels and "Liuzhou" not in labels
    assert "Liuzhou" in {o for o, _ in _quads(built_dist, LZ + "liuzhou", LABEL)}
    # the store and the explorer page are outputs of this build too
    assert is_store_dir(dist / "store")
    assert "Liuzhou of the copy" in (dist / "graph.html").read_text(encoding="utf-8")


def test_build_with_repo_runs_the_checks_of_that_repo(repo_copy, tmp_path, capsys):
    (repo_copy / "queries" / "checks" / "only-in-the-copy-violation.rq").write_text(
        "# Fires always: a check that exists in the copy only.\n"
        "SELECT ?city WHERE { BIND(<https://w3id.org/liuzhou-kg/resource/liuzhou> AS ?city) }\n",
        encoding="utf-8")
    code = main(["build", "--repo", str(repo_copy), "--dist", str(tmp_path / "dist"), "-q", "--no-reasoner"])
    assert code == 1
    assert "only-in-the-copy-violation" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("missing", ["number-cues.yaml", "links"])
def test_build_with_repo_reads_cues_and_links_from_that_repo(repo_copy, tmp_path, capsys, missing):
    target = repo_copy / "graph" / missing
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    if missing == "links":
        target.mkdir()
    code = main(["build", "--repo", str(repo_copy), "--dist", str(tmp_path / "dist"), "-q", "--no-reasoner"])
    assert code == 2
    assert str(target) in capsys.readouterr().err


# ---------------------------------------------------------------- every output, or a loud failure
def test_every_build_writes_the_store_and_the_explorer(built_dist):
    assert is_store_dir(built_dist / "store")
    assert (built_dist / "graph.html").stat().st_size > 0
    assert "graph.html" in (built_dist / "manifest.json").read_text(encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` and its SHA-256, lock files (empty, made by any writer) left out."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.mark.parametrize("writer, step", [("write_explorer", "draw the explorer page"),
                                          ("write_store", "load the SPARQL store")])
def test_a_broken_output_step_fails_the_build_and_keeps_dist(built_dist, tmp_path, capsys, monkeypatch,
                                                              writer, step):
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    if writer == "write_store":  # a fresh store is written only where dist/ has none yet
        shutil.rmtree(dist / "store")
    before, beside = _snapshot(dist), sorted(p.name for p in tmp_path.iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(pipeline, writer, broken)
    code = main(["build", "--dist", str(dist), "-q", "--no-reasoner"])
    err = capsys.readouterr().err
    assert code == 1
    assert step in err and "broken on purpose" in err and str(dist) in err
    assert _snapshot(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == \
        [name for name in beside if not name.endswith(".lock")]  # no staging folder left behind


def test_the_pipeline_imports_its_output_writers_unconditionally():
    source = Path(pipeline.__file__).read_text(encoding="utf-8")
    assert "ImportError" not in source
