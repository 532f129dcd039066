"""Shared fixtures: the graph is built once per test session, and tests assert on the result."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
import yaml

from liuzhou_kg.build.pipeline import build
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

ARTIFACTS = REPO / "test-artifacts"

# Unexpected skips fail in CI: see tests/plugins/strict_skips.py and tests/skips-allowed.yaml.
pytest_plugins = ["pytester", "plugins.strict_skips"]

# Debian's chromium, driven by pip's playwright (never `playwright install`).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
requires_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                       reason="chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session's browser tests."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def layout() -> Layout:
    """This checkout's layout (its inputs, and dist/ or $LIUZHOU_KG_DIST as output)."""
    return Layout.default()


def copy_inputs(target: Path, *, queries: bool = False) -> Path:
    """Copy the build's inputs (ontology/, graph/, queries/checks/; all of queries/ with
    ``queries``) of this checkout into ``target``; return ``target``, a repo for ``Layout``."""
    source = Layout.default()
    shutil.copytree(source.ontology, target / "ontology")
    shutil.copytree(source.graph, target / "graph")
    if queries:
        shutil.copytree(source.queries, target / "queries")
    else:
        shutil.copytree(source.checks, target / "queries" / "checks")
    return target


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory) -> Path:
    """A freshly built dist folder (with the store and the explorer), shared by the whole session."""
    dist = tmp_path_factory.mktemp("build") / "dist"
    build(Layout.default(dist))
    return dist


@pytest.fixture(scope="session")
def build_result(tmp_path_factory):
    """The BuildResult (counts, timings) of a second build, without store and explorer."""
    dist = tmp_path_factory.mktemp("build-result") / "dist"
    return build(Layout.default(dist), extras=False)


@pytest.fixture(scope="session")
def quad_store(built_dist) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of dist/liuzhou.nq, for SPARQL assertions on the facts."""
    store = pyoxigraph.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A throwaway copy of the build's inputs (ontology/, graph/, queries/checks/) to break on purpose."""
    return copy_inputs(tmp_path / "repo")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


CORPUS_FIXTURE = REPO / "tests" / "fixtures" / "corpus"


def add_fixture_corpus(repo: Path) -> None:
    """Add the test documents of tests/fixtures/corpus/ to ``repo``, a copy of the build's inputs.

    Their texts go beside the 2015 text, their catalogue entries, coverage exclusions, SHA-256
    lines and periods are added to the copy's files, and their records become graph/facts/<id>/:
    what a person adding a real document would do, no code.
    """
    sources = repo / "graph" / "sources"
    for text in sorted((CORPUS_FIXTURE / "sources").glob("*.zh.txt")):
        shutil.copyfile(text, sources / text.name)
    for name, target in (("sources/catalogue.yaml", sources / "catalogue.yaml"),
                         ("sources/SHA256SUMS", sources / "SHA256SUMS"),
                         ("coverage-exclusions.yaml", repo / "graph" / "coverage-exclusions.yaml"),
                         ("reference.ttl", repo / "ontology" / "reference.ttl")):
        added = (CORPUS_FIXTURE / name).read_text(encoding="utf-8")
        if name.endswith(".yaml"):  # lists of entries: the published file may be an empty `[]`
            merged = (yaml.safe_load(target.read_text(encoding="utf-8")) or []) + yaml.safe_load(added)
            target.write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False), encoding="utf-8")
            continue
        with target.open("a", encoding="utf-8", newline="\n") as handle:
            handle.write("\n" + added)
    for folder in sorted((CORPUS_FIXTURE / "facts").iterdir()):
        shutil.copytree(folder, repo / "graph" / "facts" / folder.name)


@pytest.fixture(scope="session")
def corpus_repo(tmp_path_factory) -> Path:
    """A copy of the build's inputs with the two test documents of tests/fixtures/corpus/ added.

    The published graph holds the 2015 text only; these documents (written by us, their figures
    invented) show the corpus machinery on three documents without ever entering dist/.
    """
    target = copy_inputs(tmp_path_factory.mktemp("corpus") / "repo")
    add_fixture_corpus(target)
    return target


@pytest.fixture
def corpus_repo_copy(repo_copy) -> Path:
    """A throwaway copy of the inputs with the fixture corpus added, to break on purpose."""
    add_fixture_corpus(repo_copy)
    return repo_copy


@pytest.fixture(scope="session")
def corpus_dist(corpus_repo, tmp_path_factory) -> Path:
    """The build of the fixture corpus (the 2015 text and the two test documents), no code changed."""
    dist = tmp_path_factory.mktemp("corpus-build") / "dist"
    build(Layout(corpus_repo, dist), extras=False)
    return dist


@pytest.fixture(scope="session")
def corpus_store(corpus_dist) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of the fixture corpus's build."""
    store = pyoxigraph.Store()
    store.load(path=str(corpus_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store
