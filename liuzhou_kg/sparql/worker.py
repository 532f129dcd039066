"""One query worker: the process that runs queries, and the parent's handle on it (:class:`Worker`).

pyoxigraph has no query timeout and a query abandoned in a thread keeps burning CPU, so queries
of the endpoint and the library run in a worker process, killed (SIGKILL: the CPU goes idle at
once) at the limit and replaced. The worker enters its sandbox first (:mod:`.sandbox`), opens the
store read-only, limits its memory, then answers ``check`` and ``run`` requests over a pipe. A
query that needs more memory than allowed dies (the engine aborts on a failed allocation); the
parent answers :class:`QueryTooMuchMemory`.

Queries run on a thread with a large stack (see :mod:`liuzhou_kg.sparql.large_stack`), where the
policy check also runs, under the same time limit. Who starts workers: :mod:`.workers`.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading

from .errors import QueryError, QueryFailed, QueryTooMuchMemory
from .large_stack import stack_bytes
from .policy import Policy
from .sandbox import Isolation, NetworkNotIsolated, address_space, die_with_parent, isolate_network

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .workers import StoreSpec

log = logging.getLogger("liuzhou_kg.workers")


def _worker_main(conn, spec: StoreSpec, policy: Policy, probe_port: int | None,
                 parent_pid: int) -> None:
    die_with_parent(parent_pid)
    os.environ["RUST_BACKTRACE"] = "0"
    isolation = isolate_network(probe_port)  # still single-threaded here
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
    from .large_stack import PARSER_RECURSION_LIMIT

    sys.setrecursionlimit(PARSER_RECURSION_LIMIT)
    try:  # the parser's imports, before the memory limit
        from . import analysis as _analysis
        _analysis.analyse("ASK {}")
    except Exception:
        pass
    if spec.memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_ceiling(spec.memory_limit),) * 2)
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


def memory_ceiling(memory_limit: int) -> int:
    """The address-space limit a worker sets itself: what it has mapped now plus ``memory_limit``,
    or the hard limit it inherited (``ulimit -v``, a container's) when that is lower: a process may
    lower its hard limit but never raise it."""
    wanted = address_space() + memory_limit
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


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
        """Whether the worker proved it cannot reach the network (False until it is ready)."""
        return self.isolation.isolated

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait up to ``timeout`` s for the worker to open the dataset. Raises QueryFailed when it
        does not (the worker is killed), NetworkNotIsolated when it is not isolated and the
        network was not allowed."""
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
        """SIGKILL the worker (if alive), reap it and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """The same as :meth:`kill`: a worker holds nothing worth a gentler stop."""
        self.kill()


def unwrap_reply(worker: Worker, message):
    """The payload of a worker's ``("ok", payload)`` message; raises the QueryError of any other."""
    status, payload = message
    if status == "ok":
        return payload
    raise payload
