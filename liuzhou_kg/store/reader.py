"""What queries open: the store folder's current generation, read-only, following ``HEAD``.

:class:`LiveStore` (what :func:`open_store` returns) re-reads ``HEAD`` before each call and moves
to a newer generation when one is published, so a running ``serve`` answers through an import and
then sees it. While it reads a generation it holds a shared ``flock`` on its folder, so no writer
deletes it (:func:`liuzhou_kg.store.generations.collect_garbage`).

Queries always run on Oxigraph's own engine; rdflib stays the API where code builds or handles
graphs. The default graph is empty; queries that name no graph run with Oxigraph's
``use_default_graph_as_union`` so they read all named graphs at once (see docs/query.md).
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pyoxigraph

from ..core.errors import InputError, Problem
from .generations import HEAD, current_generation, is_store_dir

# generation folder -> [file descriptor holding a shared flock on it, number of LiveStores using it]
_reader_locks: dict[str, list[int]] = {}


def _hold_reader_lock(generation: Path) -> bool:
    """Take a shared lock on ``generation``; False if it vanished meanwhile (deleted by a writer)."""
    key = str(generation)
    if key in _reader_locks:
        _reader_locks[key][1] += 1
        return True
    try:
        fd = os.open(generation, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return False
    fcntl.flock(fd, fcntl.LOCK_SH)
    if not (generation / "CURRENT").exists():  # deleted while we waited for the lock
        os.close(fd)
        return False
    _reader_locks[key] = [fd, 1]
    return True


def _release_reader_lock(generation: Path) -> None:
    entry = _reader_locks.get(str(generation))
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] <= 0:
        del _reader_locks[str(generation)]
        os.close(entry[0])


def _open_generation(root: Path) -> tuple[Path, pyoxigraph.Store]:
    """Open the current generation read-only, holding its reader lock."""
    for _ in range(50):
        generation = current_generation(root)
        if generation is None:
            break
        if not _hold_reader_lock(generation):
            time.sleep(0.01)  # a writer published and cleaned up in between: read HEAD again
            continue
        try:
            return generation, pyoxigraph.Store.read_only(str(generation))
        except OSError as err:
            _release_reader_lock(generation)
            raise InputError([Problem(root, None, f"cannot open the store: {err}")]) from None
    raise InputError([Problem(root, None, "no pyoxigraph store here; run the build (python build.py) first")])


class LiveStore:
    """A read-only store that follows ``HEAD``: each call runs on the newest published generation.

    It offers the read methods of ``pyoxigraph.Store`` (``query``, ``quads_for_pattern``,
    ``named_graphs``, ``contains_named_graph``, ``dump``, ``len``, iteration). One call runs on
    one generation; an answer being read keeps its generation open.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._head_stat = self._stat_head()
        self.generation, self._store = _open_generation(self.root)
        self._previous: Path | None = None

    def _stat_head(self):
        try:
            st = os.stat(self.root / HEAD)
            return (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return None

    def current(self) -> pyoxigraph.Store:
        """The pyoxigraph store of the newest generation (reopened if ``HEAD`` moved)."""
        head = self._stat_head()
        if head != self._head_stat:
            generation = current_generation(self.root)
            if generation is not None and generation != self.generation:
                new_generation, store = _open_generation(self.root)
                # Keep the previous generation locked: an answer may still be reading it.
                if self._previous is not None and self._previous not in (new_generation, self.generation):
                    _release_reader_lock(self._previous)
                self._previous, self.generation, self._store = self.generation, new_generation, store
            self._head_stat = head
        return self._store

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.current(), name)

    def __del__(self) -> None:
        # Let writers delete the generations once no LiveStore of this process reads them.
        for generation in {getattr(self, "generation", None), getattr(self, "_previous", None)} - {None}:
            _release_reader_lock(generation)

    def __len__(self) -> int:
        return len(self.current())

    def __iter__(self):
        return iter(self.current())

    def __contains__(self, quad) -> bool:
        return quad in self.current()


def open_store(store_dir: Path, read_only: bool = True) -> LiveStore:
    """Open the store folder ``store_dir`` for reading (many processes may, writers included)."""
    store_dir = Path(store_dir)
    if not read_only:
        raise ValueError("write through StoreWriter, which takes the lock")
    if not is_store_dir(store_dir):
        raise InputError([Problem(store_dir, None,
                                  "no pyoxigraph store here; run the build (python build.py) first")])
    return LiveStore(store_dir)


def open_source(store_dir: Path | None = None, data_path: Path | None = None):
    """Open whichever dataset the user named: a data file (in memory) or a store directory."""
    if data_path is not None:
        from .load import load_memory_store

        return load_memory_store(data_path)
    if store_dir is None:
        from ..core.layout import Layout
        store_dir = Layout.default().store
    return open_store(store_dir, read_only=True)
