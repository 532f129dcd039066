"""Query workers under attack: memory limit, deep nesting, cancellation, death with the parent.

Regression guards for the attacks of issue 8, each bounded in time; no timing is asserted.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from liuzhou_kg.core.layout import Layout
from liuzhou_kg.sparql.errors import QueryTimeout, QueryTooComplex, QueryTooMuchMemory
from liuzhou_kg.sparql.execute import QueryRequest
from liuzhou_kg.sparql.policy import Policy
from liuzhou_kg.sparql.workers import StoreSpec, WorkerPool, run_query

REPO = Layout.default().repo

CROSS_JOIN_SORT = "SELECT ?a ?c ?f WHERE {?a ?b ?c . ?d ?e ?f} ORDER BY ?c ?f LIMIT 1"
LOW_LIMIT = 256 * 2**20


@pytest.fixture(scope="module")
def few_thousand(tmp_path_factory) -> Path:
    """A store of 3,000 triples in one named graph."""
    from liuzhou_kg.store.load import write_store

    root = tmp_path_factory.mktemp("workers")
    nq = root / "data.nq"
    with nq.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write(f"<http://e.org/s{i}> <http://e.org/p{i % 7}> \"value number {i}\" "
                      "<http://e.org/g> .\n")
    write_store(nq, root / "store")
    return root / "store"


def run_async(scenario) -> None:
    """asyncio.run(scenario()) on a thread of its own (another test may hold this thread's loop)."""
    import threading

    box = {}

    def target():
        try:
            asyncio.run(scenario())
        except BaseException as err:  # re-raised in the test's thread
            box["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(300)
    assert not thread.is_alive(), "the scenario did not finish"
    if "error" in box:
        raise box["error"]


def doubling(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return (f"SELECT (STRLEN(?s{times}) AS ?n) WHERE {{ BIND(\"{'a' * 64}\" AS ?s0) {binds} }}")


def test_sorted_cross_join_hits_the_memory_limit_not_the_machine(few_thousand):
    spec = StoreSpec(store_dir=str(few_thousand), memory_limit=LOW_LIMIT)
    with pytest.raises(QueryTooMuchMemory, match="too much memory"):
        run_query(spec, QueryRequest(CROSS_JOIN_SORT), timeout=120)


def test_concat_doubling_hits_the_memory_limit(few_thousand):
    spec = StoreSpec(store_dir=str(few_thousand), memory_limit=LOW_LIMIT)
    with pytest.raises(QueryTooMuchMemory):
        run_query(spec, QueryRequest(doubling(26)), timeout=120)


def test_within_the_limit_queries_still_run(few_thousand):
    spec = StoreSpec(store_dir=str(few_thousand), memory_limit=LOW_LIMIT)
    answer = run_query(spec, QueryRequest(doubling(4), format="csv"), timeout=60)
    assert answer.body.decode().split() == ["n", str(64 * 16)]


def test_deep_nesting_is_a_clear_error_and_the_worker_lives(few_thousand):
    async def scenario():
        pool = WorkerPool(StoreSpec(store_dir=str(few_thousand), memory_limit=LOW_LIMIT), size=1,
                          timeout=60)
        await pool.start()
        try:
            worker = next(iter(pool._state.all))
            for text in ("SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
                         "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"):
                with pytest.raises(QueryTooComplex, match="too deeply nested"):
                    await pool.check(QueryRequest(text))
                with pytest.raises(QueryTooComplex):
                    await pool.run(QueryRequest(text))
            assert worker.process.is_alive() and pool.killed == 0
            answer = await pool.run(QueryRequest("ASK {}"))
            assert b"true" in answer.body
        finally:
            await pool.close()

    run_async(scenario)


def test_cancelling_the_awaiting_task_kills_the_worker(few_thousand):
    async def scenario():
        pool = WorkerPool(StoreSpec(store_dir=str(few_thousand)), size=1, timeout=120)
        await pool.start()
        try:
            worker = next(iter(pool._state.all))
            slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
            task = asyncio.create_task(pool.run(QueryRequest(slow)))
            for _ in range(300):  # until the task holds the worker
                await asyncio.sleep(0.05)
                if pool._state.idle.qsize() == 0:
                    break
            await asyncio.sleep(1.0)  # the query is running now
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert pool.cancelled == 1
            # The pool reaps the killed worker itself (a second join would race it): look at
            # the process table instead.
            for _ in range(200):
                if not _alive(worker.process.pid):
                    break
                await asyncio.sleep(0.1)
            assert not _alive(worker.process.pid)
            for _ in range(200):  # a fresh worker takes its place
                if pool._state.idle.qsize():
                    break
                await asyncio.sleep(0.1)
            answer = await pool.run(QueryRequest("ASK {}"))
            assert b"true" in answer.body
        finally:
            await pool.close()

    run_async(scenario)


def test_time_limit_of_the_library_path(few_thousand):
    with pytest.raises(QueryTimeout):
        run_query(StoreSpec(store_dir=str(few_thousand)),
                  QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
                  timeout=1)


PARENT = """
import asyncio, sys
from liuzhou_kg.sparql.workers import StoreSpec, WorkerPool
from liuzhou_kg.sparql.execute import QueryRequest

async def main():
    pool = WorkerPool(StoreSpec(store_dir=sys.argv[1]), size=2, timeout=600)
    await pool.start()
    print(" ".join(str(w.process.pid) for w in pool._state.all), flush=True)
    await pool.run(QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))

asyncio.run(main())
"""


def test_killing_the_parent_leaves_no_worker(few_thousand):
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(few_thousand)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        time.sleep(1)  # one worker is now running the slow query
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        for _ in range(100):
            alive = [pid for pid in pids if _alive(pid)]
            if not alive:
                break
            time.sleep(0.1)
        assert not alive, f"workers {alive} outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before the open, or between open and read
        return False


UNDER_ULIMIT = """
import resource, sys
from liuzhou_kg.sparql.errors import QueryTooMuchMemory
from liuzhou_kg.sparql.execute import QueryRequest
from liuzhou_kg.sparql.workers import StoreSpec, run_query

spec = StoreSpec(store_dir=sys.argv[1], memory_limit=8 * 2**30)  # more than the ulimit allows
answer = run_query(spec, QueryRequest("ASK {}", format="csv"), timeout=60)
print(answer.body.decode().split()[-1])
try:
    run_query(spec, QueryRequest(sys.argv[2]), timeout=120)
    print("no limit")
except QueryTooMuchMemory:
    print("too much memory")
"""


def test_a_lower_inherited_address_space_limit_is_kept_not_fatal(few_thousand):
    """A service started under `ulimit -v` (or a container's limit) below the worker's own limit:
    the worker keeps the inherited hard limit (it may not raise it) instead of dying at start."""
    import resource

    ceiling = 1536 * 2**20

    def lower():
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))

    done = subprocess.run([sys.executable, "-c", UNDER_ULIMIT, str(few_thousand), CROSS_JOIN_SORT],
                          cwd=REPO, capture_output=True, text=True, timeout=300, preexec_fn=lower)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["true", "too much memory"], done.stdout + done.stderr[-2000:]


def test_the_pool_raises_a_fresh_copy_of_a_kept_refusal(few_thousand):
    """The endpoint's path: a refusal the pool keeps is raised as a copy each time, so repeats
    of one refused query do not pile their tracebacks (and request frames) onto the kept one."""
    from liuzhou_kg.sparql.errors import QuerySyntaxError

    async def scenario():
        pool = WorkerPool(StoreSpec(store_dir=str(few_thousand)), size=1, timeout=30)
        await pool.start()
        try:
            errors = []
            for _ in range(20):
                try:
                    await pool.check(QueryRequest("SELECT * WHERE { ?s ?p }"))
                except QuerySyntaxError as err:
                    errors.append(err)
            assert len(errors) == 20 and len({id(e) for e in errors}) == 20
            depth = []
            for err in errors:
                length, tb = 0, err.__traceback__
                while tb is not None:
                    length, tb = length + 1, tb.tb_next
                depth.append(length)
            assert max(depth) <= depth[0] + 1, depth
        finally:
            await pool.close()

    run_async(scenario)
