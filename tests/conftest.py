"""Shared fixtures: the graph is built once per test session, and tests assert on the result."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest

from liuzhou_kg.build import build
from liuzhou_kg.paths import REPO

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
def built_dist(tmp_path_factory) -> Path:
    """A freshly built dist folder (with the store and the explorer), shared by the whole session."""
    dist = tmp_path_factory.mktemp("build") / "dist"
    build(dist)
    return dist


@pytest.fixture(scope="session")
def build_result(tmp_path_factory):
    """The BuildResult (counts, timings) of a second build, without store and explorer."""
    dist = tmp_path_factory.mktemp("build-result") / "dist"
    return build(dist, extras=False)


@pytest.fixture(scope="session")
def quad_store(built_dist) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of dist/liuzhou.nq, for SPARQL assertions on the facts."""
    store = pyoxigraph.Store()
    store.load(path=str(built_dist / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A throwaway copy of the build's inputs (ontology/, graph/, queries/checks/) to break on purpose."""
    target = tmp_path / "repo"
    for name in ("ontology", "graph"):
        shutil.copytree(REPO / name, target / name)
    shutil.copytree(REPO / "queries" / "checks", target / "queries" / "checks")
    return target


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def built_dist_2015(tmp_path_factory) -> Path:
    """A build of the 2015 text alone (the corpus's default document, the others set aside).

    The tests of the 2015 text's facts read it, and tests/test_corpus.py checks that each of its
    quads is in the build of the whole corpus: adding documents leaves the 2015 facts as they were.
    """
    dist = tmp_path_factory.mktemp("build-2015") / "dist"
    build(dist, extras=False, documents={"liuzhou-innovation-2015"})
    return dist


@pytest.fixture(scope="session")
def quad_store_2015(built_dist_2015) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of the 2015 text's build."""
    store = pyoxigraph.Store()
    store.load(path=str(built_dist_2015 / "liuzhou.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store
