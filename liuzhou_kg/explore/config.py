"""The explorer's declarative settings (``assets/explorer/explorer.yaml``), with terms expanded."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import URIRef

from ..core.errors import InputError, Problem, yaml_problem
from ..core.prefixes import curie, prefixes as prefix_table

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "explorer"
CONFIG_FILE = ASSETS / "explorer.yaml"


@dataclass(frozen=True)
class ClassStyle:
    """How the explorer draws the nodes of one class: a colour and a vis-network shape name."""

    color: str
    shape: str


@dataclass(frozen=True)
class Config:
    """The explorer's settings, read from its YAML file with every CURIE expanded to an IRI.

    Groups: the vocabulary the explorer reads (prefixes, ontology and provenance graphs, label and
    provenance properties); what it folds, hides or derives (``fold_classes``,
    ``hidden_predicates``, ``value_units``, ``value_suffixes``, ``derived_labels``); how nodes look
    (``class_priority``, ``class_styles``, ``palette``, size and font bounds); the layout
    (``layout_seed``, spring-layout limits, ``spacing``); the vis-network options, with a lighter set
    past ``large_graph_edges``; and the page's interface texts per language (``ui``,
    ``builtin_labels``).
    """

    prefixes: dict[str, str]
    ontology_graph: URIRef
    provenance_graph: URIRef
    label_properties: tuple[URIRef, ...]
    derived_from: URIRef
    sentence: URIRef
    in_section: URIRef
    section_number: URIRef
    part_of: URIRef          # section -> its document
    issued: URIRef           # a document's date, which orders the documents
    fold_classes: frozenset[URIRef]
    hidden_predicates: frozenset[URIRef]
    value_units: tuple[tuple[URIRef, URIRef], ...]
    value_suffixes: dict[URIRef, str]
    derived_labels: dict[URIRef, str]
    class_priority: tuple[URIRef, ...]
    class_styles: dict[URIRef, ClassStyle]
    palette: tuple[str, ...]
    size_min: float
    size_max: float
    font_min: float
    grow_from_nodes: int
    font_full_from_nodes: int
    font_max_visible: float
    font_max: float
    layout_seed: int
    spring_max_nodes: int
    spring_iterations: int
    spacing: float
    label_max_chars: int
    vis_options: dict[str, Any]
    large_graph_edges: int
    large_graph_vis_options: dict[str, Any]
    edge_label_scale: float
    ui: dict[str, dict[str, str]]
    builtin_labels: dict[URIRef, dict[str, str]]

    def expand(self, term: str) -> URIRef:
        """The IRI a term of the settings names (a prefixed name of ``prefixes.rq`` or an IRI);
        raises ``InputError`` for an unknown prefix."""
        return _expand(self.prefixes, term, CONFIG_FILE)

    def shorten(self, iri: str) -> str:
        """``lzo:Enterprise`` for an IRI under a prefix of ``prefixes.rq``, else the IRI itself."""
        return curie(iri) or iri


def _expand(prefixes: dict[str, str], term: str, where: Path) -> URIRef:
    if "://" in term:
        return URIRef(term)
    prefix, sep, local = term.partition(":")
    if not sep or prefix not in prefixes:
        raise InputError([Problem(where, None, f"unknown prefix in term {term!r}")])
    return URIRef(prefixes[prefix] + local)


@lru_cache(maxsize=None)
def load_config(path: Path = CONFIG_FILE) -> Config:
    """Read and cache the explorer configuration at ``path`` as a :class:`Config`.

    Raises ``InputError`` with line and column for malformed YAML, and for a CURIE whose prefix the
    file does not declare.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError([yaml_problem(path, err)]) from None
    prefixes = dict(prefix_table())  # the project's one table (liuzhou_kg/core/prefixes.rq)

    def ex(term: str) -> URIRef:
        return _expand(prefixes, term, path)

    prov = raw["provenance"]
    layout = raw["layout"]
    return Config(
        prefixes=prefixes,
        ontology_graph=ex(raw["graphs"]["ontology"]),
        provenance_graph=ex(raw["graphs"]["provenance"]),
        label_properties=tuple(ex(t) for t in raw["label_properties"]),
        derived_from=ex(prov["derived_from"]),
        sentence=ex(prov["sentence"]),
        in_section=ex(prov["in_section"]),
        section_number=ex(prov["section_number"]),
        part_of=ex(prov["part_of"]),
        issued=ex(prov["issued"]),
        fold_classes=frozenset(ex(t) for t in raw["fold_classes"]),
        hidden_predicates=frozenset(ex(t) for t in raw["hidden_predicates"]),
        value_units=tuple((ex(v["value"]), ex(v["unit"])) for v in raw["value_units"]),
        value_suffixes={ex(k): str(v) for k, v in raw["value_suffixes"].items()},
        derived_labels={ex(k): str(v) for k, v in raw["derived_labels"].items()},
        class_priority=tuple(ex(t) for t in raw["class_priority"]),
        class_styles={ex(k): ClassStyle(v["color"], v["shape"]) for k, v in raw["class_styles"].items()},
        palette=tuple(raw["palette"]),
        size_min=float(raw["node_size"]["min"]),
        size_max=float(raw["node_size"]["max"]),
        font_min=float(raw["font_size"]["min"]),
        grow_from_nodes=int(raw["node_size"]["grow_from_nodes"]),
        font_full_from_nodes=int(raw["font_size"]["full_from_nodes"]),
        font_max_visible=float(raw["font_size"]["max_visible"]),
        font_max=float(raw["font_size"]["max"]),
        layout_seed=int(layout["seed"]),
        spring_max_nodes=int(layout["spring_max_nodes"]),
        spring_iterations=int(layout["spring_iterations"]),
        spacing=float(layout["spacing"]),
        label_max_chars=int(raw["label_max_chars"]),
        vis_options=raw["vis_options"],
        large_graph_edges=int(raw["large_graph_edges"]),
        large_graph_vis_options=raw["large_graph_vis_options"],
        edge_label_scale=float(raw["edge_label_scale"]),
        ui=raw["ui"],
        builtin_labels={ex(k): dict(v) for k, v in raw["builtin_labels"].items()},
    )
