"""Writing a store: a new generation made under the writers' lock, published only when complete.

:class:`StoreWriter` is the one way the build, ``import`` and ``remove`` change a store folder
(see :mod:`.generations` for the layout and why nothing partial is ever visible).
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph

from ..core.errors import InputError, Problem
from .generations import (GEN_PREFIX, LOCK, collect_garbage, current_generation, is_store_dir,
                          new_generation_path, publish, remove_tree)
from .lock import StoreLock

# A graph is dropped by copying the rest into a fresh generation when it holds at least this
# share of the store (Oxigraph deletes about ten times slower than it bulk-loads; BENCHMARKS.md).
_COPY_REST_SHARE = 0.1
_COPY_BATCH = 200_000


def _count(store: pyoxigraph.Store, graph: str, limit: int | None = None) -> int:
    inner = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    if limit is not None:
        inner = f"{{ SELECT * WHERE {{ {inner} }} LIMIT {limit} }}"
    for row in store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}"):
        return int(row["n"].value)
    return 0


def _rest_is_small(store: pyoxigraph.Store, drop: set[str], rest: set[str]) -> bool:
    """Whether the graphs ``drop`` are at least _COPY_REST_SHARE of the store, counting the
    rest only as far as needed (the answer is known once the rest passes the budget)."""
    dropped = sum(_count(store, graph) for graph in drop)
    budget = int(dropped / _COPY_REST_SHARE)
    seen = 0
    for graph in sorted(rest):
        seen += _count(store, graph, budget - seen + 1)
        if seen > budget:
            return False
    return True


class StoreWriter:
    """Write a new generation of a store folder under its lock, published only on :meth:`commit`.

    ``with StoreWriter(root, "import") as writer: store = writer.begin(drop={...}); …;
    writer.commit()``. Leaving the block without ``commit`` (an error) deletes the new
    generation; a kill leaves it for the next writer to delete. ``begin(drop=…)`` starts from
    the current generation without the named graphs: a hard-linked checkpoint with those graphs
    deleted, or, when they are a large share of the store, a fresh database into which every
    other graph is copied (deleting in Oxigraph is slow; loading is fast).
    """

    def __init__(self, root: Path, command: str, *, create: bool = False, timeout: float | None = None):
        self.root = Path(root)
        self.command = command
        self.create = create
        self.lock = StoreLock(self.root, command, timeout)
        self.generation: Path | None = None
        self.store: pyoxigraph.Store | None = None
        self.committed = False

    def __enter__(self) -> "StoreWriter":
        if not self.root.is_dir():
            if not self.create:
                raise InputError([Problem(self.root, None, "no pyoxigraph store here; run the build "
                                                           "(python build.py) first")])
            self.root.mkdir(parents=True)
        elif not is_store_dir(self.root) and any(not (child.name == LOCK or child.name.startswith(GEN_PREFIX))
                                                 for child in self.root.iterdir()):
            # (a new store folder whose first write was killed holds only the lock and a generation)
            raise InputError([Problem(self.root, None, "not a pyoxigraph store folder (and not empty)")])
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise InputError([Problem(self.root, None, "cannot write the store folder: permission denied")])
        self.lock.__enter__()
        try:
            collect_garbage(self.root)
        except BaseException:
            self.lock.__exit__()
            raise
        return self

    def current(self) -> pyoxigraph.Store | None:
        """The published generation, read-only (None for a new, empty store folder)."""
        source_dir = current_generation(self.root)
        return None if source_dir is None else pyoxigraph.Store.read_only(str(source_dir))

    def begin(self, drop: Iterable[str] = (), *, empty: bool = False) -> pyoxigraph.Store:
        """Open the new generation for writing: the current data without the graphs ``drop``
        (``empty``: no data at all)."""
        drop = set(drop)
        self.generation = new_generation_path(self.root)
        source_dir = None if empty else current_generation(self.root)
        if source_dir is None:
            self.store = pyoxigraph.Store(str(self.generation))
            return self.store
        source = pyoxigraph.Store.read_only(str(source_dir))
        names = {g.value for g in source.named_graphs() if isinstance(g, pyoxigraph.NamedNode)}
        drop &= names
        if drop and _rest_is_small(source, drop, names - drop):
            self.store = pyoxigraph.Store(str(self.generation))
            # one stream over every kept graph: each bulk_extend call costs a fixed ~0.2 s
            quads = itertools.chain.from_iterable(
                source.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))
                for graph in sorted(names - drop))
            while batch := _take(quads, _COPY_BATCH):
                self.store.bulk_extend(batch)
            del quads, source
        else:
            source.backup(str(self.generation))
            del source
            self.store = pyoxigraph.Store(str(self.generation))
            for graph in sorted(drop):
                self.store.remove_graph(pyoxigraph.NamedNode(graph))
        return self.store

    def commit(self) -> None:
        """Close the new generation and make it the current one."""
        if self.store is None or self.generation is None:
            raise RuntimeError("begin() first")
        self.store.flush()
        self.store = None  # closes the database before it is published
        publish(self.root, self.generation)
        self.committed = True

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self.committed and self.generation is not None:
                self.store = None
                remove_tree(self.generation, ignore_errors=True)
            elif self.committed:
                collect_garbage(self.root)
        finally:
            self.lock.__exit__()


def _take(iterator, count: int) -> list:
    batch = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= count:
            break
    return batch
