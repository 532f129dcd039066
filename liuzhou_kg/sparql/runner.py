"""Run one query for a CLI command in the command's own process, stopped at its time limit.

A command (``query``, ``viz --query``, ``federate``) is one short process run by the store's own
user, so the process itself is the unit that is stopped: the query runs on a thread with a large
stack (the same :func:`liuzhou_kg.sparql.execute.execute` step the workers run), and the main
thread waits for it at most ``timeout`` seconds. Oxigraph releases the interpreter lock while it
evaluates, so the wait really ends on time; the process then writes a clear error and exits
with :data:`EXIT_TIMEOUT` at once (``os._exit``: the query thread cannot be stopped otherwise).
No worker process is started, which keeps a cold ``liuzhou-kg query`` close to bare pyoxigraph.
"""
from __future__ import annotations

import os
import sys
import threading

from .execute import Answer, QueryRequest, execute
from .large_stack import PARSER_RECURSION_LIMIT, detached, stack_bytes
from .policy import Policy

EXIT_TIMEOUT = 3


def run_here(store, request: QueryRequest, policy: Policy, timeout: float | None,
             origin: str = "<query>") -> Answer:
    """``execute`` on a large-stack thread; at ``timeout`` s print an error and exit the process."""
    box: dict = {}

    def target():
        sys.setrecursionlimit(PARSER_RECURSION_LIMIT)
        try:
            box["answer"] = execute(store, request, policy)
        except BaseException as err:  # handed to the main thread
            box["error"] = detached(err)

    previous = threading.stack_size(stack_bytes(policy.max_query_chars))
    try:
        thread = threading.Thread(target=target, name="sparql-large-stack", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join(timeout)
    if thread.is_alive():
        stop_for_timeout(timeout, origin)
    if "error" in box:
        raise box["error"]
    return box["answer"]


def stop_for_timeout(timeout: float, origin: str) -> None:
    """Write the time-limit error and end the process now (exit status EXIT_TIMEOUT)."""
    try:
        sys.stdout.flush()
    except Exception:
        pass
    message = (f"error: {origin}: the query was stopped after its time limit of {timeout:g} s "
               "(use --timeout to allow more)\n")
    os.write(2, message.encode("utf-8"))
    os._exit(EXIT_TIMEOUT)
