"""The endpoint's fairness: who may start a query now, and how many answer bytes it may hold.

Every query runs in one of the pool's ``workers`` processes. Without limits, a few clients that
loop slow queries keep every worker busy and everyone else waits for the time limit. The rules,
per client address (as Wikidata's query service limits each address):

- a client has at most ``per_client`` queries admitted (running or waiting for a worker) at once;
- a client that already has a query admitted may not take the last free worker: it is kept for a
  client that has none (so ``k`` clients looping slow queries leave ``workers - k`` workers to the
  rest, and at least one while ``k < workers``);
- a client whose query reached the time limit or took its worker down waits ``retry_after``
  seconds before its next query (the Retry-After it was sent is enforced, as Wikidata's query
  service throttles the clients that use up its time), so a loop of such queries holds a worker
  at most half the time, and a crashed worker is replaced before that client is back.

A refusal is ``429 Too Many Requests`` with ``Retry-After``. Answers arrive whole from the workers;
:class:`AnswerBudget` caps the bytes of answers that are still being written to their clients, so
clients that never read cannot make the process hold more than ``limit`` bytes (``503`` with
``Retry-After`` past it).
"""
from __future__ import annotations

import contextlib
import math
import time
from collections import Counter
from dataclasses import dataclass, field


class Refused(Exception):
    """A request that must wait: HTTP ``status`` with ``Retry-After: retry_after`` seconds."""

    def __init__(self, status: int, message: str, retry_after: int):
        self.status = status
        self.message = message
        self.retry_after = retry_after
        super().__init__(message)


@dataclass
class Admission:
    """Decide which queries may start, so one client cannot hold every query worker.

    ``workers`` is the number of query workers, ``per_client`` how many queries one client may run at
    once, and ``retry_after`` the seconds a refused client is told to wait. ``admitted`` counts the
    running queries per client; ``penalized`` holds clients refused for a while after a query of
    theirs timed out or failed.
    """

    workers: int
    per_client: int
    retry_after: int
    admitted: Counter = field(default_factory=Counter)
    penalized: dict[str, float] = field(default_factory=dict)  # client -> monotonic time it ends

    @property
    def total(self) -> int:
        return sum(self.admitted.values())

    @contextlib.contextmanager
    def slot(self, client: str):
        """Hold a query slot for ``client`` for the duration of the block, or raise Refused."""
        until = self.penalized.get(client)
        if until is not None:
            left = until - time.monotonic()
            if left > 0:
                raise Refused(429, "this client's last query reached the time limit or failed; "
                                   f"wait {math.ceil(left)} s before the next one",
                              math.ceil(left))
            del self.penalized[client]
        mine = self.admitted[client]
        if mine >= self.per_client:
            raise Refused(429, f"this client already has {mine} queries running (the limit per "
                               f"client is {self.per_client}); wait for them to finish",
                          self.retry_after)
        if mine and self.total >= self.workers - 1:
            raise Refused(429, "this client already has a query running and the last free query "
                               "worker is kept for other clients; try again when it has finished",
                          self.retry_after)
        self.admitted[client] += 1
        try:
            yield
        finally:
            self.admitted[client] -= 1
            if not self.admitted[client]:
                del self.admitted[client]


    def penalize(self, client: str) -> None:
        """Refuse ``client``'s queries for the next ``retry_after`` seconds."""
        now = time.monotonic()
        if len(self.penalized) > 10_000:  # forget the expired ones; the table stays bounded
            self.penalized = {c: u for c, u in self.penalized.items() if u > now}
        self.penalized[client] = now + self.retry_after


@dataclass
class AnswerBudget:
    """Bound the bytes of answers the server holds in memory while they are being sent.

    ``limit`` is the most bytes held at once (one answer alone may exceed it, so a large result is
    not refused forever); ``held`` is the current total.
    """

    limit: int
    retry_after: int
    held: int = 0

    def take(self, size: int) -> None:
        """Count ``size`` more bytes as held, or raise Refused when that would pass the limit."""
        if self.held and self.held + size > self.limit:
            raise Refused(503, f"the server is still sending {self.held} bytes of earlier answers "
                               f"(its limit is {self.limit}); try again shortly", self.retry_after)
        self.held += size

    def give_back(self, size: int) -> None:
        self.held -= size
