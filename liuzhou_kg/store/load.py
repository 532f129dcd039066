"""RDF files into a store: a new store folder from the build's N-Quads, or a data file in memory.

Loading is pyoxigraph's bulk loader, which parses and writes in batches of its own (memory stays
bounded on any file size). It is not atomic, which is why it writes into a generation nobody sees
yet (:mod:`.generations`), or into a store in memory (``--data FILE``: tests, ad-hoc files).
"""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph

from ..core.errors import InputError, Problem
from .generations import new_generation_path, publish, remove_tree

_EXTENSIONS = {".trig": pyoxigraph.RdfFormat.TRIG, ".nq": pyoxigraph.RdfFormat.N_QUADS,
               ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
               ".jsonld": pyoxigraph.RdfFormat.JSON_LD, ".rdf": pyoxigraph.RdfFormat.RDF_XML,
               ".owl": pyoxigraph.RdfFormat.RDF_XML}


def write_store(nquads_path: Path, store_dir: Path) -> int:
    """Load ``nquads_path`` (N-Quads) into a new store folder ``store_dir`` (one generation).

    ``store_dir`` must not exist yet. The store is written in a temporary sibling directory and
    renamed into place only when complete, so a failed load leaves nothing half-written.
    Returns the number of quads stored (the distinct quads of the file).
    """
    import tempfile

    nquads_path = Path(nquads_path)
    store_dir = Path(store_dir)
    if store_dir.exists():
        raise InputError([Problem(store_dir, None, "store directory already exists; remove it first")])
    if not nquads_path.is_file():
        raise InputError([Problem(nquads_path, None, "N-Quads file not found")])
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        generation = new_generation_path(tmp)
        store = pyoxigraph.Store(str(generation))
        count = _load(store, nquads_path, pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        del store  # closes the database before it is moved
        publish(tmp, generation)
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, store_dir)
    except BaseException:
        remove_tree(tmp, ignore_errors=True)
        raise
    return count


def load_build_graphs(store: pyoxigraph.Store, nquads_path: Path) -> None:
    """Bulk-load the build's N-Quads into a generation being written (see :func:`rebuild_store`)."""
    _load(store, Path(nquads_path), pyoxigraph.RdfFormat.N_QUADS)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _load(store: pyoxigraph.Store, path: Path, fmt: pyoxigraph.RdfFormat) -> int:
    """Bulk-load ``path`` into ``store`` as is, every quad in its own graph, nothing copied.

    ``Store.bulk_load`` parses and writes in batches of its own, so memory stays bounded on any
    file size; it is not atomic, which is why writes go to an unpublished generation.
    Returns the number of quads in the store afterwards."""
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise InputError([_parse_problem(path, err)]) from None
    return len(store)


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


def _parse_problem(path: Path, err: SyntaxError) -> Problem:
    """Turn a pyoxigraph parse error into a Problem with line and column when it gives them."""
    from ..core.errors import oxigraph_problem

    return oxigraph_problem(path, err)
