"""Every path the project reads or writes, in one place.

Inputs live beside the package in the repository (``ontology/``, ``graph/``, ``queries/``);
outputs go to ``dist/``. All text I/O in the project is explicitly UTF-8.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO / "ontology"
GRAPH_DIR = REPO / "graph"
FACTS_DIR = GRAPH_DIR / "facts"
SOURCES_DIR = GRAPH_DIR / "sources"
QUERIES_DIR = REPO / "queries"
CHECKS_DIR = QUERIES_DIR / "checks"
DIST = Path(os.environ.get("LIUZHOU_KG_DIST", REPO / "dist"))

SOURCE_TEXT = SOURCES_DIR / "liuzhou-innovation-2015.zh.txt"
COVERAGE_EXCLUSIONS = GRAPH_DIR / "coverage-exclusions.yaml"
