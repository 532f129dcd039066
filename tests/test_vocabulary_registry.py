"""One vocabulary: every prefix the repository declares means what liuzhou_kg.core.namespaces.PREFIXES says.

Prefixes are declared in many files people read and copy: SPARQL files (``PREFIX``), Turtle
(``@prefix``), and the YAML configurations and mappings (a ``prefixes:`` table). A prefix name that
PREFIXES knows must map to the same IRI everywhere, and a prefix name outside it must still mean one
thing across the repository, so a query copied from one file into another never changes meaning.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

from liuzhou_kg.core.namespaces import PREFIXES
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

SPARQL_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
TURTLE_PREFIX = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.", re.MULTILINE)
SKIPPED = {".venv", ".git", "dist", "node_modules", "test-artifacts"}


def repository_files(*suffixes: str):
    for path in sorted(REPO.rglob("*")):
        parts = set(path.relative_to(REPO).parts)
        if path.is_file() and path.suffix in suffixes and not parts & SKIPPED and "fixtures" not in parts:
            yield path


def declarations() -> dict[str, dict[str, list[str]]]:
    """prefix name -> IRI -> the files that declare it so."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in repository_files(".rq", ".sparql", ".ttl"):
        text = path.read_text(encoding="utf-8")
        pattern = TURTLE_PREFIX if path.suffix == ".ttl" else SPARQL_PREFIX
        for name, iri in pattern.findall(text):
            found[name][iri].append(str(path.relative_to(REPO)))
    for path in repository_files(".yaml", ".yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("prefixes"), dict):
            for name, iri in data["prefixes"].items():
                found[str(name)][str(iri)].append(str(path.relative_to(REPO)))
    return found


def test_the_scan_finds_the_declarations():
    found = declarations()
    assert "lzo" in found and "skos" in found
    assert sum(len(files) for iris in found.values() for files in iris.values()) > 20


def test_project_prefixes_agree_with_the_registry():
    wrong = {f"{name}: {iri} in {files}"
             for name, iris in declarations().items() if name in PREFIXES
             for iri, files in iris.items() if iri != PREFIXES[name]}
    assert sorted(wrong) == [], "declarations that disagree with liuzhou_kg.core.namespaces.PREFIXES"


def test_other_prefixes_mean_one_thing_everywhere():
    clashes = {name: dict(iris) for name, iris in declarations().items()
               if name not in PREFIXES and len(iris) > 1}
    assert clashes == {}


def test_a_disagreement_is_caught(tmp_path, monkeypatch):
    """The check itself can fail: a query declaring schema: over http is reported."""
    import test_vocabulary_registry as module

    bad = tmp_path / "queries"
    bad.mkdir()
    (bad / "q.rq").write_text("PREFIX schema: <http://schema.org/wrong#>\nSELECT * {}\n", encoding="utf-8")
    monkeypatch.setattr(module, "REPO", tmp_path)
    found = module.declarations()
    assert found["schema"] == {"http://schema.org/wrong#": ["queries/q.rq"]}
    assert PREFIXES["schema"] != "http://schema.org/wrong#"
