"""Running queries in sandboxed worker processes that are killed at the time limit.

- :class:`StoreSpec` — which dataset a worker opens, and the sandbox it opens it in.
- :func:`run_query` — one query in one short-lived worker (the library).
- :class:`WorkerPool` — long-lived workers for the asyncio endpoint; waiting never blocks the
  event loop, and cancelling the awaiting task kills the worker running its query.

A worker itself (its sandbox, its loop, the parent's handle on it) is :mod:`.worker` and
:mod:`.sandbox`.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QueryError, QueryFailed, QueryTimeout, QueryTooMuchMemory, ServiceBusy
from .execute import Answer, QueryRequest
from .policy import Policy
from .sandbox import Isolation, probe_listener
from .worker import Worker, unwrap_reply

from .limits import DEFAULT_TIMEOUT
# Per worker, on top of what the worker uses once the store is open (about 0.9 GiB of address
# space, most of it reserved and never touched). Two workers by default: well below the machine.
DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3
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
        """The dataset, opened read-only in this process (a LiveStore, or a store in memory);
        raises InputError when it cannot be opened."""
        from ..store.load import load_memory_store
        from ..store.reader import open_store

        if self.data_file:
            return load_memory_store(Path(self.data_file))
        return open_store(Path(self.store_dir), read_only=True)

    def check(self) -> None:
        """Raise InputError now (in the parent) if the dataset cannot be opened."""
        self.open()


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
                return unwrap_reply(worker, worker.conn.recv())
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
        """Whether every worker started so far proved its network isolation."""
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
        return unwrap_reply(worker, reply)

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
