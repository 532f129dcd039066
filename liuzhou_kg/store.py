"""The persistent pyoxigraph store that every query runs on.

The build writes ``dist/store/`` once from ``dist/liuzhou.nq`` (:func:`write_store`); queries then
open it read-only in ~0.06 s (:func:`open_store`) instead of re-parsing any RDF. Queries always run
on Oxigraph's own engine; rdflib stays the API where code builds or handles graphs.

Layout: the named graphs exactly as in ``liuzhou.nq``, nothing else. The default graph is empty;
queries that name no graph (no ``GRAPH``, ``FROM``, default-graph-uri) run with Oxigraph's
``use_default_graph_as_union`` so they read all named graphs at once. That union repeats a triple
once per graph holding it, so the build guarantees that no triple is in two named graphs (the
check ``queries/checks/triple-in-two-graphs-violation.rq``); on the built data a union query sees
each distinct triple once. Code reading the quad index directly reads all graphs
(``quads_for_pattern(..., None)``) and drops repeats where it matters.

A store can also be made in memory from any RDF file (:func:`load_memory_store`), which is what
``--data FILE`` uses (tests, ad-hoc files).
"""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph

from .errors import InputError, Problem

_EXTENSIONS = {".trig": pyoxigraph.RdfFormat.TRIG, ".nq": pyoxigraph.RdfFormat.N_QUADS,
               ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
               ".jsonld": pyoxigraph.RdfFormat.JSON_LD, ".rdf": pyoxigraph.RdfFormat.RDF_XML,
               ".owl": pyoxigraph.RdfFormat.RDF_XML}

# Files the on-disk store always contains; used to tell a store directory from any directory.
_STORE_MARKERS = ("CURRENT",)


def write_store(nquads_path: Path, store_dir: Path) -> int:
    """Load ``nquads_path`` (N-Quads) into a fresh on-disk store at ``store_dir``.

    ``store_dir`` must not exist yet. The store is written in a temporary sibling directory and
    renamed into place only when complete, so a failed load leaves nothing half-written.
    Returns the number of quads stored (the distinct quads of the file).
    """
    nquads_path = Path(nquads_path)
    store_dir = Path(store_dir)
    if store_dir.exists():
        raise InputError([Problem(store_dir, None, "store directory already exists; remove it first")])
    if not nquads_path.is_file():
        raise InputError([Problem(nquads_path, None, "N-Quads file not found")])
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    import shutil  # here, not at the top: a cold `liuzhou-kg query` never writes a store
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        store = pyoxigraph.Store(str(tmp))
        count = _load(store, nquads_path, pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        del store  # closes the database before it is moved
        os.replace(tmp, store_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count


def _load(store: pyoxigraph.Store, path: Path, fmt: pyoxigraph.RdfFormat) -> int:
    """Bulk-load ``path`` into ``store`` as is, every quad in its own graph, nothing copied.

    ``Store.bulk_load`` parses and writes in batches of its own, so memory stays bounded on any
    file size; it is not atomic, which is why :func:`write_store` loads into a fresh temporary
    directory. Returns the number of quads in the store afterwards."""
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise InputError([_parse_problem(path, err)]) from None
    return len(store)


def open_store(store_dir: Path, read_only: bool = True) -> pyoxigraph.Store:
    """Open the on-disk store at ``store_dir`` (read-only by default; many processes may)."""
    store_dir = Path(store_dir)
    if not is_store_dir(store_dir):
        raise InputError([Problem(store_dir, None,
                                  "no pyoxigraph store here; run the build (python build.py) first")])
    try:
        if read_only:
            return pyoxigraph.Store.read_only(str(store_dir))
        return pyoxigraph.Store(str(store_dir))
    except OSError as err:
        raise InputError([Problem(store_dir, None, f"cannot open the store: {err}")]) from None


def is_store_dir(path: Path) -> bool:
    path = Path(path)
    return path.is_dir() and all((path / marker).exists() for marker in _STORE_MARKERS)


def load_memory_store(data_path: Path) -> pyoxigraph.Store:
    """Parse an RDF file (format from its extension: .trig, .nq, .ttl, .nt, .jsonld, .rdf) into an
    in-memory store with the same layout as :func:`write_store`."""
    data_path = Path(data_path)
    if not data_path.is_file():
        raise InputError([Problem(data_path, None, "data file not found")])
    fmt = _EXTENSIONS.get(data_path.suffix.lower())
    if fmt is None:
        raise InputError([Problem(data_path, None,
                                  f"unknown RDF file extension {data_path.suffix!r}; "
                                  "use .trig, .nq, .ttl, .nt, .jsonld, .rdf or .owl")])
    store = pyoxigraph.Store()
    _load(store, data_path, fmt)
    return store


def open_source(store_dir: Path | None = None, data_path: Path | None = None) -> pyoxigraph.Store:
    """Open whichever dataset the user named: a data file (in memory) or a store directory."""
    if data_path is not None:
        return load_memory_store(data_path)
    if store_dir is None:
        from .paths import DIST
        store_dir = DIST / "store"
    return open_store(store_dir, read_only=True)


def _parse_problem(path: Path, err: SyntaxError) -> Problem:
    """Turn a pyoxigraph parse error into a Problem with line and column when it gives them."""
    from .sparql.errors import split_position

    line, column, message = split_position(str(err))
    return Problem(path, line, message, column)
