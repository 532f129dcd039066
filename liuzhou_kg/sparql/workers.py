"""Worker processes that run queries and are killed when a query reaches its time limit.

pyoxigraph has no query timeout and a query abandoned in a thread keeps burning CPU, so every
query runs in a worker process. When the limit is reached the worker is killed (SIGKILL: the CPU
goes idle at once) and a fresh one takes its place. Workers open the store read-only.

- :func:`run_query` — one query in one short-lived worker (the CLI).
- :class:`WorkerPool` — a pool of long-lived workers for the asyncio endpoint; waiting for a
  worker never blocks the event loop.
"""
from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import QueryError, QueryFailed, QueryTimeout, ServiceBusy
from .execute import Answer, QueryRequest

DEFAULT_TIMEOUT = 10.0
_CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class StoreSpec:
    """Which dataset a worker opens: an on-disk store directory or an RDF file loaded in memory."""

    store_dir: str | None = None
    data_file: str | None = None

    def open(self):
        from ..store import load_memory_store, open_store

        if self.data_file:
            return load_memory_store(Path(self.data_file))
        return open_store(Path(self.store_dir), read_only=True)

    def check(self) -> None:
        """Raise InputError now (in the parent) if the dataset cannot be opened."""
        self.open()


def _isolate_network() -> bool:
    """Best effort: move this worker into an empty network namespace (needs CAP_SYS_ADMIN).

    The guard already refuses SERVICE; without a network namespace a query has nothing to
    connect to even if a way round the guard were found."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def _worker_main(conn, spec: StoreSpec) -> None:
    isolated = _isolate_network()
    try:
        store = spec.open()
    except Exception as err:  # reported to the parent, which shows it without a traceback
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", isolated))
    from .execute import execute

    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, request)))
        except QueryError as err:
            conn.send(("error", err))
        except Exception as err:  # never let one query take the worker down
            conn.send(("error", QueryFailed(str(err).splitlines()[0][:300] if str(err)
                                            else type(err).__name__)))


class Worker:
    def __init__(self, spec: StoreSpec, context: str | None = None):
        self.spec = spec
        ctx = multiprocessing.get_context(context or _default_context())
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, spec), daemon=True)
        self.process.start()
        child.close()
        self.network_isolated = False

    def wait_ready(self, timeout: float = 120.0) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise QueryFailed("the query worker did not start in time")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise QueryFailed("the query worker could not start") from None
        if status != "ready":
            self.kill()
            raise QueryFailed(f"the query worker could not open the dataset: {detail}")
        self.network_isolated = bool(detail)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        self.kill()


def _default_context() -> str:
    # fork is fastest, but only safe while this process has a single thread.
    return "fork" if threading.active_count() == 1 else "spawn"


def _reply(message) -> Answer:
    status, payload = message
    if status == "ok":
        return payload
    raise payload


def run_query(spec: StoreSpec, request: QueryRequest, timeout: float | None = DEFAULT_TIMEOUT) -> Answer:
    """Run one query in a fresh worker; kill it at ``timeout`` seconds (None: no limit)."""
    worker = Worker(spec)
    try:
        worker.wait_ready()
        worker.conn.send(request)
        if not worker.conn.poll(timeout):
            raise QueryTimeout(timeout)
        try:
            return _reply(worker.conn.recv())
        except (EOFError, OSError):
            raise QueryFailed("the query worker stopped unexpectedly") from None
    finally:
        worker.kill()


class WorkerPool:
    """Long-lived workers for the endpoint. Use from one asyncio event loop."""

    def __init__(self, spec: StoreSpec, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 queue_timeout: float | None = None):
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.queue_timeout = queue_timeout if queue_timeout is not None else timeout
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._closed = False
        self.network_isolated = False
        self.killed = 0

    async def start(self) -> None:
        workers = await asyncio.gather(*(asyncio.to_thread(self._new_worker)
                                         for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def _new_worker(self) -> Worker:
        worker = Worker(self.spec, context="spawn")
        worker.wait_ready()
        self.network_isolated = worker.network_isolated
        self._all.add(worker)
        return worker

    async def _replace(self, worker: Worker) -> None:
        self._all.discard(worker)
        await asyncio.to_thread(worker.kill)
        if self._closed:
            return
        fresh = await asyncio.to_thread(self._new_worker)
        if self._closed:
            fresh.kill()
        else:
            self._idle.put_nowait(fresh)

    async def run(self, request: QueryRequest, timeout: float | None = None) -> Answer:
        timeout = self.timeout if timeout is None else timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.queue_timeout)
        except asyncio.TimeoutError:
            raise ServiceBusy(f"all {self.size} query workers stayed busy for "
                              f"{self.queue_timeout:g} s; try again later") from None
        started = time.monotonic()
        try:
            await asyncio.to_thread(worker.conn.send, request)
            remaining = max(0.0, timeout - (time.monotonic() - started))
            await asyncio.wait_for(self._readable(worker), remaining)
            message = await asyncio.to_thread(worker.conn.recv)
        except asyncio.TimeoutError:
            self.killed += 1
            worker.process.kill()  # the CPU goes idle now, not when the query would end
            asyncio.get_running_loop().create_task(self._replace(worker))
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError, BrokenPipeError, asyncio.CancelledError) as err:
            worker.process.kill()
            asyncio.get_running_loop().create_task(self._replace(worker))
            if isinstance(err, asyncio.CancelledError):
                raise
            raise QueryFailed("the query worker stopped unexpectedly") from None
        self._idle.put_nowait(worker)
        return _reply(message)

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
        for worker in list(self._all):
            await asyncio.to_thread(worker.kill)
        self._all.clear()
