"""Link discovery end to end: read both datasets, score candidates, write the linkset and review.

:func:`graph_matcher` gives the engine over this graph's entities for callers that match names
(a reconciliation service): ``graph_matcher().match(["柳工"], limit=3)``.
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InputError, Problem
from ..store.imports.rdf_input import load_into
from ..core.layout import Layout
from ..core.namespaces import LZ
from .datasets import read_dataset
from .entities import entities
from .linkset import slug, write_outputs
from .engine import Matcher
from .scoring import CLOSE_THRESHOLD, EXACT_THRESHOLD, Candidate

RESOURCE_NAMESPACE = str(LZ)


@dataclass
class Discovery:
    """What :func:`discover` found and wrote."""

    candidates: list[Candidate]
    local_count: int
    external_count: int
    linkset_path: Path
    review_path: Path


def load_kg(kg: Path | None) -> ox.Store:
    """This graph, from an RDF file (default ``dist/liuzhou.trig``)."""
    path = Path(kg) if kg is not None else Layout.default().graph_file
    if not path.is_file():
        raise InputError([Problem(path, None, "the graph is not built; run `python build.py` "
                                              "or pass --kg FILE")])
    store = ox.Store()
    load_into(store, path)
    return store


def graph_entities(store: ox.Store) -> list:
    """This graph's entities as the linker sees them (classes read with the ontology)."""
    return entities(store, namespace=RESOURCE_NAMESPACE)


def graph_matcher(kg: Path | None = None, store: ox.Store | None = None):
    """The matching engine over this graph (from ``store``, else the RDF file ``kg``)."""
    return Matcher.over_store(store if store is not None else load_kg(kg), RESOURCE_NAMESPACE)


def discover(dataset: str, *, query: str | None = None, kg: Path | None = None,
             out_dir: Path | None = None, exact: float | None = None, close: float | None = None,
             timeout: float = 60.0) -> Discovery:
    """Link ``dataset`` (file, endpoint URL with ``query``, or ``gazetteer:NAME``) to this graph."""
    exact = EXACT_THRESHOLD if exact is None else exact
    close = CLOSE_THRESHOLD if close is None else close
    if close > exact:
        raise InputError([Problem("<arguments>", None, f"--close {close} is above --exact {exact}")])
    local_store = load_kg(kg)
    external_store = read_dataset(dataset, query, timeout)
    local = graph_entities(local_store)
    matcher = Matcher(local)
    workers = _workers(external_store)
    if workers > 1:
        global _SHARED
        _SHARED = (matcher, external_store, local_store, close)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_shard, [(i, workers) for i in range(workers)])
        finally:
            _SHARED = None
        external_count = sum(n for n, _ in parts)
        found = [c for _, part in parts for c in part]
    else:
        external_count, found = _candidates(matcher, external_store, local_store, close, (0, 1))
    if not external_count:
        raise InputError([Problem(dataset, None, "no labelled entity in the dataset (labels are "
                                                 "read from rdfs:label, skos:prefLabel, schema:name …)")])
    found = matcher.decide_all(found, exact=exact)
    name = slug(dataset if dataset.startswith(("http://", "https://", "gazetteer:"))
                else Path(dataset).stem)
    out_dir = out_dir or Layout.default().dist / "links" / name
    ttl, review = write_outputs(found, dataset, out_dir, exact=exact, close=close, name=name)
    return Discovery(found, len(local), external_count, ttl, review)


# With LIUZHOU_KG_LINK_WORKERS=N (N > 1), a large dataset is read and scored by N forked
# processes, each taking a part of the external entities (their names, codes and hierarchy are
# the costly part); the one-to-one decisions are made on all candidates together, so the result
# is the same. Off by default: on the shared machine it measured no faster (BENCHMARKS.md), and
# forking a process that runs threads is best chosen knowingly.
PARALLEL_FROM = 20_000  # triples in the external dataset
_SHARED = None


def _workers(store: ox.Store) -> int:
    """How many processes to use: ``LIUZHOU_KG_LINK_WORKERS`` for a large dataset, else 1."""
    env = os.environ.get("LIUZHOU_KG_LINK_WORKERS", "")
    if not env.isdigit() or int(env) < 2 or len(store) < PARALLEL_FROM:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return int(env)


def _candidates(matcher, store: ox.Store, ontology: ox.Store, close: float,
                shard: tuple[int, int]) -> tuple[int, list]:
    """The external entities of one shard (our own IRIs left out) and their candidates."""
    # The external dataset's classes are read against our ontology too (e.g. when it reuses lzo:).
    external = [e for e in entities(store, ontology=ontology, shard=shard)
                if not e.iri.startswith(RESOURCE_NAMESPACE)]
    found = []
    for entity in external:
        found.extend(matcher.candidates_for(entity, close=close))
    return len(external), found


def _shard(shard: tuple[int, int]) -> tuple[int, list]:
    matcher, store, ontology, close = _SHARED
    return _candidates(matcher, store, ontology, close, shard)
