"""The layout of a store folder as a series of immutable generations, and their life cycle.

Layout of a store folder (``dist/store``, or any ``--store DIR``)::

    dist/store/HEAD          the name of the current generation (one line; replaced atomically)
    dist/store/.lock         the writers' lock (:mod:`.lock`)
    dist/store/gen-…/        one complete Oxigraph (RocksDB) database per generation

A generation is never written once it is published. Every writer (the build, ``import``,
``remove``) holds the lock, makes a new generation (:mod:`.writer`), writes into it without any
reader seeing it, closes it, and publishes it by replacing ``HEAD`` (:func:`publish`, one
``rename``). So:

- a writer killed at any point leaves ``HEAD`` on the previous generation: nothing partial is
  ever visible, and the next writer deletes the unpublished folder (bulk-load files included,
  :func:`collect_garbage`);
- readers never share a database with a writer (Oxigraph leaves that undefined): each reader
  opens the generation ``HEAD`` names, read-only, and holds a shared ``flock`` on its folder
  (:mod:`.reader`); a writer deletes an old generation only when it can take that lock
  exclusively, i.e. when no process reads it any more.

Every generation keeps its data in named graphs; the default graph is empty, and queries that
name no graph read the union of the named graphs (:mod:`.reader`).

A folder holding a bare Oxigraph database (the layout before generations) is still read; the
first writer turns it into a generation.

The rest of the store: :mod:`.reader` (what queries open), :mod:`.writer` (a new generation under
the lock), :mod:`.load` (RDF files into a store, on disk or in memory), :mod:`.lock`.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from ..core.errors import InputError, Problem

HEAD = "HEAD"
LOCK = ".lock"
GEN_PREFIX = "gen-"


def is_store_dir(path: Path) -> bool:
    """True for a store folder: generations with a ``HEAD``, or a bare Oxigraph database."""
    path = Path(path)
    return path.is_dir() and ((path / HEAD).is_file() or (path / "CURRENT").is_file())


def remove_tree(path, **options) -> None:
    """Delete the folder ``path`` (``shutil.rmtree`` with ``options``); returns None, raises OSError.

    ``shutil`` is imported here, only by writers: a cold ``liuzhou-kg query`` never deletes."""
    import shutil

    shutil.rmtree(path, **options)


def current_generation(root: Path) -> Path | None:
    """The folder of the database readers should open now (None: no store here)."""
    root = Path(root)
    try:
        name = (root / HEAD).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return root if (root / "CURRENT").is_file() else None
    if not name.startswith(GEN_PREFIX) or "/" in name:
        raise InputError([Problem(root / HEAD, 1, f"not a generation name: {name!r}")])
    return root / name


def collect_garbage(root: Path) -> list[str]:
    """Delete generations nobody reads (unpublished leftovers of killed writers, old ones).

    Call with the lock held. A generation some process still has open is kept for a later
    writer. A bare database left by the old layout goes once ``HEAD`` names a generation."""
    root = Path(root)
    current = current_generation(root)
    removed = []
    for child in sorted(root.iterdir()):
        if child.name.startswith(GEN_PREFIX) and child.is_dir() and child != current:
            fd = os.open(child, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            try:
                remove_tree(child)
                removed.append(child.name)
            finally:
                os.close(fd)
    if current is not None and current != root and (root / "CURRENT").exists():
        _remove_bare_database(root)
    return removed


def _remove_bare_database(root: Path) -> None:
    """Delete the database files of the old layout from ``root``, unless someone still reads them."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # still read by someone
        (root / "CURRENT").unlink()
        for child in root.iterdir():
            if child.is_file() and child.name not in (HEAD, LOCK):
                child.unlink()
    finally:
        os.close(fd)


def new_generation_path(root: Path) -> Path:
    """A fresh, unused folder name for a generation of the store folder ``root`` (not created)."""
    return root / f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.urandom(4).hex()}"


def publish(root: Path, generation: Path) -> None:
    """Make ``generation`` the current one of ``root``: write ``HEAD`` through a temporary file and
    rename it, then sync the folder. Raises OSError when the folder cannot be written."""
    tmp = root / f".{HEAD}.{os.urandom(16).hex()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / HEAD)
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
