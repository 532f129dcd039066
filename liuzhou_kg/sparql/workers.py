"""Worker processes that run queries in a sandbox and are killed at the time limit.

pyoxigraph has no query timeout and a query abandoned in a thread keeps burning CPU, so the
endpoint and the library run every query in a worker process, killed (SIGKILL: the CPU goes idle
at once) at the limit and replaced. Each worker, as soon as it starts and while it still has a
single thread:

- asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), so a killed server
  never leaves a query running without a time limit;
- moves into a new user and network namespace (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``,
  allowed to ordinary users where the kernel permits it) and *checks* the isolation: a connection
  to a listener the parent opened on 127.0.0.1 must fail. The result goes to the parent, which
  refuses workers that are not isolated unless the network was allowed on purpose;
- opens the store read-only, then limits its own address space (``RLIMIT_AS``) to what it uses
  after opening plus the memory limit. A query that needs more dies (the engine aborts on a
  failed allocation); the parent answers :class:`QueryTooMuchMemory`.

Queries run on a thread with a large stack (see :mod:`liuzhou_kg.sparql.policy`), where the policy
check also runs, under the same time limit.

- :func:`run_query` — one query in one short-lived worker (the library).
- :class:`WorkerPool` — long-lived workers for the asyncio endpoint; waiting never blocks the
  event loop, and cancelling the awaiting task kills the worker running its query.
"""
from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QueryError, QueryFailed, QueryTimeout, QueryTooMuchMemory, ServiceBusy
from .execute import Answer, QueryRequest
from .policy import Policy, stack_bytes

from .limits import DEFAULT_TIMEOUT
# Per worker, on top of what the worker uses once the store is open (about 0.9 GiB of address
# space, most of it reserved and never touched). Two workers by default: well below the machine.
DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1
log = logging.getLogger("liuzhou_kg.workers")


@dataclass(frozen=True)
class StoreSpec:
    """Which dataset a worker opens (a store directory or an RDF file loaded in memory), and the
    sandbox it opens it in: ``memory_limit`` bytes per worker (None: no limit) and whether a
    worker without network isolation may run (``allow_network``)."""

    store_dir: str | None = None
    data_file: str | None = None
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    allow_network: bool = False

    def open(self):
        from ..store.load import load_memory_store
        from ..store.reader import open_store

        if self.data_file:
            return load_memory_store(Path(self.data_file))
        return open_store(Path(self.store_dir), read_only=True)

    def check(self) -> None:
        """Raise InputError now (in the parent) if the dataset cannot be opened."""
        self.open()


@dataclass(frozen=True)
class Isolation:
    """What a worker found out about its own network isolation."""

    isolated: bool
    detail: str


def _die_with_parent(parent_pid: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _isolate_network(probe_port: int | None) -> Isolation:
    """Enter a new user+network namespace, then prove it: the parent's listener is unreachable."""
    how = "not attempted"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
            how = "user and network namespace"
        else:
            first = os.strerror(ctypes.get_errno())
            if libc.unshare(_CLONE_NEWNET) == 0:
                how = "network namespace"
            else:
                how = f"unshare failed: {first}; {os.strerror(ctypes.get_errno())}"
    except (OSError, AttributeError) as err:
        how = f"unshare unavailable: {err}"
    if probe_port is None:
        return Isolation(False, f"{how}; not verified")
    try:
        with socket.create_connection(("127.0.0.1", probe_port), timeout=2):
            return Isolation(False, f"{how}; a connection to 127.0.0.1:{probe_port} succeeded")
    except OSError as err:
        return Isolation(True, f"{how}; 127.0.0.1:{probe_port} unreachable ({err.strerror or err})")


def _address_space() -> int:
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _worker_main(conn, spec: StoreSpec, policy: Policy, probe_port: int | None,
                 parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    os.environ["RUST_BACKTRACE"] = "0"
    isolation = _isolate_network(probe_port)  # still single-threaded here
    try:
        store = spec.open()
        from . import execute as _execute
    except Exception as err:  # reported to the parent, which shows it without a traceback
        conn.send(("failed", str(err)))
        return
    threading.stack_size(stack_bytes(policy.max_query_chars))
    thread = threading.Thread(target=_serve, args=(conn, store, spec, policy, isolation),
                              name="sparql-large-stack")
    thread.start()
    thread.join()


def _serve(conn, store, spec: StoreSpec, policy: Policy, isolation: Isolation) -> None:
    from .execute import check, execute
    from .policy import PARSER_RECURSION_LIMIT

    sys.setrecursionlimit(PARSER_RECURSION_LIMIT)
    try:  # the parser's imports, before the memory limit
        from . import policy as _policy
        _policy.analyse("ASK {}")
    except Exception:
        pass
    if spec.memory_limit:
        limit = _address_space() + spec.memory_limit
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", isolation))
    while True:
        try:
            kind, request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if kind == "check":
                conn.send(("ok", check(store, request, policy, need_form=True)))
            else:
                conn.send(("ok", execute(store, request, policy)))
        except QueryError as err:
            conn.send(("error", err))
        except MemoryError:
            conn.send(("error", QueryTooMuchMemory(spec.memory_limit)))
        except Exception as err:  # never let one query take the worker down
            conn.send(("error", QueryFailed(str(err).splitlines()[0][:300] if str(err)
                                            else type(err).__name__)))


class Worker:
    """One worker process and its pipe. Start it from a thread that outlives it (the death
    signal follows the thread that started the process)."""

    def __init__(self, spec: StoreSpec, policy: Policy, probe_port: int | None = None):
        self.spec = spec
        ctx = multiprocessing.get_context("spawn")  # a fresh, single-threaded interpreter
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main,
                                   args=(child, spec, policy, probe_port, os.getpid()),
                                   daemon=True)
        self.process.start()
        child.close()
        self.isolation = Isolation(False, "not started")

    @property
    def network_isolated(self) -> bool:
        return self.isolation.isolated

    def wait_ready(self, timeout: float = 120.0) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise QueryFailed("the query worker did not start in time")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise QueryFailed("the query worker could not start (exit status "
                              f"{self.process.exitcode})") from None
        if status != "ready":
            self.kill()
            raise QueryFailed(f"the query worker could not open the dataset: {detail}")
        self.isolation = detail
        if not detail.isolated and not self.spec.allow_network:
            self.kill()
            raise NetworkNotIsolated(detail.detail)

    def died(self) -> QueryError:
        """The error for a worker that stopped while running a query."""
        self.process.join(5)
        code = self.process.exitcode
        if self.spec.memory_limit and code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            log.warning("a query worker reached its memory limit (exit %s)", code)
            return QueryTooMuchMemory(self.spec.memory_limit)
        log.warning("a query worker stopped unexpectedly (exit %s)", code)
        return QueryFailed("the query worker stopped unexpectedly")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        self.kill()


class NetworkNotIsolated(QueryFailed):
    """A worker could not be cut off from the network and the network was not allowed."""

    title = "network isolation failed"

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"query workers cannot be cut off from the network ({detail})")


def probe_listener() -> socket.socket:
    """A listening socket on 127.0.0.1 that an isolated worker must fail to reach."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


def _reply(worker: Worker, message):
    status, payload = message
    if status == "ok":
        return payload
    raise payload


def run_query(spec: StoreSpec, request: QueryRequest, timeout: float | None = DEFAULT_TIMEOUT,
              policy: Policy | None = None) -> Answer:
    """Run one query in a fresh worker; kill it at ``timeout`` seconds (None: no limit)."""
    policy = policy if policy is not None else Policy.serve()
    with probe_listener() as listener:
        worker = Worker(spec, policy, listener.getsockname()[1])
        try:
            worker.wait_ready()
            started = time.monotonic()
            worker.conn.send(("run", request))
            if not worker.conn.poll(timeout):
                raise QueryTimeout(timeout)
            try:
                return _reply(worker, worker.conn.recv())
            except (EOFError, OSError):
                raise worker.died() from None
            finally:
                log.debug("query ran %.3f s", time.monotonic() - started)
        finally:
            worker.kill()


@dataclass
class _PoolState:
    idle: asyncio.Queue = field(default_factory=asyncio.Queue)
    all: set = field(default_factory=set)


class WorkerPool:
    """Long-lived workers for the endpoint. Use from one asyncio event loop.

    ``network_isolated`` is True once every started worker proved its isolation; with
    ``spec.allow_network`` False, a worker that cannot be isolated is never used (``start``
    raises :class:`NetworkNotIsolated`). Cancelling a task awaiting :meth:`run` or :meth:`check`
    kills the worker that runs its query, and a fresh one takes its place.
    """

    def __init__(self, spec: StoreSpec, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 queue_timeout: float | None = None, policy: Policy | None = None):
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.queue_timeout = queue_timeout if queue_timeout is not None else timeout
        self.policy = policy if policy is not None else Policy.serve()
        self._state = _PoolState()
        self._closed = False
        self._listener: socket.socket | None = None
        self.isolation: list[Isolation] = []
        self.killed = 0
        self.cancelled = 0

    @property
    def network_isolated(self) -> bool:
        return bool(self.isolation) and all(i.isolated for i in self.isolation)

    async def start(self) -> None:
        self._listener = probe_listener()
        workers = [self._spawn() for _ in range(self.size)]
        try:
            await asyncio.gather(*(asyncio.to_thread(w.wait_ready) for w in workers))
        except BaseException:
            for worker in workers:
                worker.kill()
            raise
        for worker in workers:
            self._ready(worker)
        log.info("query workers: %d, network isolated: %s (%s)", self.size,
                 self.network_isolated, self.isolation[0].detail if self.isolation else "-")

    def _spawn(self) -> Worker:
        # Started on the event loop's thread, which lives as long as the pool: the workers'
        # death signal is tied to the thread that started them.
        return Worker(self.spec, self.policy, self._listener.getsockname()[1])

    def _ready(self, worker: Worker) -> None:
        self.isolation.append(worker.isolation)
        self._state.all.add(worker)
        self._state.idle.put_nowait(worker)

    async def _replace(self, worker: Worker) -> None:
        self._state.all.discard(worker)
        await asyncio.to_thread(worker.kill)
        if self._closed:
            return
        fresh = self._spawn()
        try:
            await asyncio.to_thread(fresh.wait_ready)
        except QueryError as err:
            if not self._closed:
                log.error("a replacement query worker failed: %s", err.message)
            return
        if self._closed:
            fresh.kill()
        else:
            self._ready(fresh)

    async def check(self, request: QueryRequest, timeout: float | None = None):
        """The policy's verdict (with the query's form) from a worker, under the time limit.

        Refusals and verdicts are remembered in this process too (bounded in bytes)."""
        key = ("pool", request.query, tuple(request.default_graph_uris),
               tuple(request.named_graph_uris))
        cached = self.policy._cache.get(key)
        if cached is None:
            try:
                cached = await self._ask(("check", request), timeout)
            except QueryError as err:
                if isinstance(err, (QueryTimeout, ServiceBusy, QueryTooMuchMemory)) or \
                        type(err) is QueryFailed:
                    raise
                cached = err
            self.policy._cache.put(key, cached)
        if isinstance(cached, Exception):
            raise cached
        return cached

    async def run(self, request: QueryRequest, timeout: float | None = None) -> Answer:
        return await self._ask(("run", request), timeout)

    async def _ask(self, message, timeout: float | None):
        timeout = self.timeout if timeout is None else timeout
        try:
            worker = await asyncio.wait_for(self._state.idle.get(), self.queue_timeout)
        except asyncio.TimeoutError:
            raise ServiceBusy(f"all {self.size} query workers stayed busy for "
                              f"{self.queue_timeout:g} s; try again later") from None
        started = time.monotonic()
        answered = False
        try:
            await asyncio.to_thread(worker.conn.send, message)
            remaining = max(0.0, timeout - (time.monotonic() - started))
            await asyncio.wait_for(self._readable(worker), remaining)
            reply = await asyncio.to_thread(worker.conn.recv)
            answered = True
        except asyncio.TimeoutError:
            self.killed += 1
            raise QueryTimeout(timeout) from None
        except asyncio.CancelledError:
            self.cancelled += 1  # the client is gone: its query stops now (below)
            raise
        except (EOFError, OSError):
            raise worker.died() from None
        finally:
            if not answered:
                # Whatever ended the wait (time limit, cancellation, a dead worker), the worker
                # may still be running the query: kill it (the CPU goes idle now) and replace it.
                worker.process.kill()
                asyncio.get_running_loop().create_task(self._replace(worker))
        self._state.idle.put_nowait(worker)
        return _reply(worker, reply)

    @staticmethod
    async def _readable(worker: Worker) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            loop.remove_reader(fd)

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._state.all):
            await asyncio.to_thread(worker.kill)
        self._state.all.clear()
        if self._listener is not None:
            self._listener.close()
