"""Link discovery end to end: read both datasets, score candidates, write the linkset and review."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, Problem
from ..imports.rdf_input import load_into
from ..paths import DIST
from ..namespaces import LZ
from .entities import entities, read_dataset
from .linkset import slug, write_outputs
from .scoring import CLOSE_THRESHOLD, EXACT_THRESHOLD, Candidate, candidates

RESOURCE_NAMESPACE = str(LZ)


@dataclass
class Discovery:
    candidates: list[Candidate]
    local_count: int
    external_count: int
    linkset_path: Path
    review_path: Path


def load_kg(kg: Path | None) -> ox.Store:
    """This graph, from an RDF file (default ``dist/liuzhou.trig``)."""
    path = Path(kg) if kg is not None else DIST / "liuzhou.trig"
    if not path.is_file():
        raise InputError([Problem(path, None, "the graph is not built; run `python build.py` "
                                              "or pass --kg FILE")])
    store = ox.Store()
    load_into(store, path)
    return store


def discover(dataset: str, *, query: str | None = None, kg: Path | None = None,
             out_dir: Path | None = None, exact: float | None = None, close: float | None = None,
             timeout: float = 60.0) -> Discovery:
    exact = EXACT_THRESHOLD if exact is None else exact
    close = CLOSE_THRESHOLD if close is None else close
    if close > exact:
        raise InputError([Problem("<arguments>", None, f"--close {close} is above --exact {exact}")])
    local_store = load_kg(kg)
    external_store = read_dataset(dataset, query, timeout)
    local = entities(local_store, namespace=RESOURCE_NAMESPACE)
    # The external dataset's classes are read against our ontology too (e.g. when it reuses lzo:).
    external = [e for e in entities(external_store, ontology=local_store)
                if not e.iri.startswith(RESOURCE_NAMESPACE)]
    if not external:
        raise InputError([Problem(dataset, None, "no labelled entity in the dataset (labels are "
                                                 "read from rdfs:label, skos:prefLabel, schema:name …)")])
    found = candidates(local, external, close=close, exact=exact)
    name = slug(dataset if dataset.startswith(("http://", "https://")) else Path(dataset).stem)
    out_dir = out_dir or DIST / "links" / name
    ttl, review = write_outputs(found, dataset, out_dir, exact=exact, close=close, name=name)
    return Discovery(found, len(local), len(external), ttl, review)
