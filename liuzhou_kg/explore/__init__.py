"""The interactive network explorer: one self-contained, offline HTML page per view.

``write_explorer(dataset, out_path)`` is what the build calls to write ``dist/graph.html``; the
``liuzhou-kg viz`` command (``liuzhou_kg.commands.viz``) writes the same page or one of the other
views (an entity's neighbourhood, a query result, the ontology).
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .config import load_config
from .network import explorer_graph
from .render import write_graph


def write_explorer(dataset: Dataset, out_path: Path, *, lang: str = "zh") -> dict:
    """Write the whole graph's explorer to ``out_path``; returns stats (node and edge counts...)."""
    cfg = load_config()
    return write_graph(explorer_graph(dataset, cfg), Path(out_path), cfg, lang)


__all__ = ["write_explorer"]
