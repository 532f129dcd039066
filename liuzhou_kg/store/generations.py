"""The persistent pyoxigraph store that every query runs on, kept as immutable generations.

Layout of a store folder (``dist/store``, or any ``--store DIR``)::

    dist/store/HEAD          the name of the current generation (one line; replaced atomically)
    dist/store/.lock         the writers' lock (see :class:`StoreWriter`)
    dist/store/gen-…/        one complete Oxigraph (RocksDB) database per generation

A generation is never written once it is published. Every writer (the build, ``import``,
``remove``) holds the lock, makes a new generation (a hard-linked checkpoint of the current one,
or a fresh copy of the graphs it keeps), writes into it without any reader seeing it, closes it,
and publishes it by replacing ``HEAD`` (one ``rename``). So:

- a writer killed at any point leaves ``HEAD`` on the previous generation: nothing partial is
  ever visible, and the next writer deletes the unpublished folder (bulk-load files included);
- readers never share a database with a writer (Oxigraph leaves that undefined): each reader
  opens the generation ``HEAD`` names, read-only, and holds a shared ``flock`` on its folder;
  a writer deletes an old generation only when it can take that lock exclusively, i.e. when no
  process reads it any more;
- :class:`LiveStore` (what :func:`open_store` returns) re-reads ``HEAD`` before each call and
  moves to a newer generation when one is published, so a running ``serve`` answers through an
  import and then sees it.

A folder holding a bare Oxigraph database (the layout before generations) is still read; the
first writer turns it into a generation.

Queries always run on Oxigraph's own engine; rdflib stays the API where code builds or handles
graphs. The default graph is empty; queries that name no graph run with Oxigraph's
``use_default_graph_as_union`` so they read all named graphs at once (see docs/query.md).

A store can also be made in memory from any RDF file (:func:`load_memory_store`), which is what
``--data FILE`` uses (tests, ad-hoc files).
"""
from __future__ import annotations

import errno
import fcntl
import itertools
import os
import sys
import time
from pathlib import Path

import pyoxigraph

from ..core.errors import InputError, Problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the cold query path
if TYPE_CHECKING:
    from collections.abc import Iterable

_EXTENSIONS = {".trig": pyoxigraph.RdfFormat.TRIG, ".nq": pyoxigraph.RdfFormat.N_QUADS,
               ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
               ".jsonld": pyoxigraph.RdfFormat.JSON_LD, ".rdf": pyoxigraph.RdfFormat.RDF_XML,
               ".owl": pyoxigraph.RdfFormat.RDF_XML}

HEAD = "HEAD"
LOCK = ".lock"
GEN_PREFIX = "gen-"
LOCK_TIMEOUT_ENV = "LIUZHOU_KG_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0
# A graph is dropped by copying the rest into a fresh generation when it holds at least this
# share of the store (Oxigraph deletes about ten times slower than it bulk-loads; BENCHMARKS.md).
_COPY_REST_SHARE = 0.1
_COPY_BATCH = 200_000


class StoreBusy(InputError):
    """Another writer holds the store's lock (exit code 2)."""


# --------------------------------------------------------------------------- reading
def is_store_dir(path: Path) -> bool:
    """True for a store folder: generations with a ``HEAD``, or a bare Oxigraph database."""
    path = Path(path)
    return path.is_dir() and ((path / HEAD).is_file() or (path / "CURRENT").is_file())


def _rmtree(path, **options) -> None:
    """shutil.rmtree, imported only by writers (a cold ``liuzhou-kg query`` never deletes)."""
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


# --------------------------------------------------------------------------- writing
def lock_timeout() -> float:
    """Seconds a writer waits for the lock (``LIUZHOU_KG_LOCK_TIMEOUT``, default 600; 0: fail at once)."""
    text = os.environ.get(LOCK_TIMEOUT_ENV)
    if text is None:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        raise InputError([Problem(LOCK_TIMEOUT_ENV, None, f"not a number of seconds: {text!r}")]) from None
    if value < 0 or value != value:
        raise InputError([Problem(LOCK_TIMEOUT_ENV, None, f"not a number of seconds: {text!r}")])
    return value


class StoreLock:
    """The one writers' lock of a store folder: an exclusive ``flock`` on ``<store>/.lock``.

    Held for the whole write by the build, ``import``, ``remove`` and ``push``. A second writer
    waits up to :func:`lock_timeout` seconds (saying on stderr who holds it), then fails with
    :class:`StoreBusy` (exit 2). The lock dies with its process, so a killed writer never leaves
    the store locked.
    """

    def __init__(self, root: Path, command: str, timeout: float | None = None, *, path: Path | None = None):
        self.root = Path(root)
        self.path = Path(path) if path is not None else self.root / LOCK
        self.command = command
        self.timeout = lock_timeout() if timeout is None else timeout
        self.fd: int | None = None

    def __enter__(self) -> "StoreLock":
        path = self.path
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise InputError([Problem(path, None, f"cannot take the store's lock: {err.strerror}")]) from None
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreBusy([Problem(self.root, None, f"another writer holds the store ({holder}); "
                                                          f"{self.command} gave up after {self.timeout:g} s "
                                                          f"(set {LOCK_TIMEOUT_ENV} to wait longer)")])
            if not told:
                print(f"{self.command}: waiting for the store lock ({holder}) …", file=sys.stderr, flush=True)
                told = True
            time.sleep(0.2)
        import json

        info = json.dumps({"pid": os.getpid(), "command": self.command,
                           "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode("utf-8"), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # releases the flock
            self.fd = None


def _holder(fd: int) -> str:
    try:
        import json

        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        return f"pid {info['pid']}, {info['command']}, since {info['since']}"
    except (ValueError, KeyError, OSError):
        return "another process"


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
                _rmtree(child)
                removed.append(child.name)
            finally:
                os.close(fd)
    if current is not None and current != root and (root / "CURRENT").exists():
        _remove_bare_database(root)
    return removed


def _remove_bare_database(root: Path) -> None:
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


def _new_generation_path(root: Path) -> Path:
    return root / f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.urandom(4).hex()}"


def _publish(root: Path, generation: Path) -> None:
    """Make ``generation`` the current one: write ``HEAD`` through a temporary file and rename."""
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
        self.generation = _new_generation_path(self.root)
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
        _publish(self.root, self.generation)
        self.committed = True

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self.committed and self.generation is not None:
                self.store = None
                _rmtree(self.generation, ignore_errors=True)
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
        generation = _new_generation_path(tmp)
        store = pyoxigraph.Store(str(generation))
        count = _load(store, nquads_path, pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        del store  # closes the database before it is moved
        _publish(tmp, generation)
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, store_dir)
    except BaseException:
        _rmtree(tmp, ignore_errors=True)
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


def open_source(store_dir: Path | None = None, data_path: Path | None = None):
    """Open whichever dataset the user named: a data file (in memory) or a store directory."""
    if data_path is not None:
        return load_memory_store(data_path)
    if store_dir is None:
        from ..core.paths import DIST
        store_dir = DIST / "store"
    return open_store(store_dir, read_only=True)


def _parse_problem(path: Path, err: SyntaxError) -> Problem:
    """Turn a pyoxigraph parse error into a Problem with line and column when it gives them."""
    from ..core.errors import oxigraph_problem

    return oxigraph_problem(path, err)
