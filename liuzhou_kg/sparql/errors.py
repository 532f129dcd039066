"""Errors a query can end with, each with the HTTP status the endpoint answers it with."""
from __future__ import annotations

class QueryError(Exception):
    """A query that could not be answered. ``status`` is the HTTP status code to use.

    ``line`` and ``column`` (1-based, in the query text as the caller gave it) say where in the
    text the error is, when it is about one place of it; the message then starts with
    "line L, column C: " (what the endpoint sends), ``reason`` is the message without it.
    """

    status = 400
    title = "query error"
    line: int | None = None
    column: int | None = None

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.reason = message
        if line is not None:
            self.line, self.column = line, column
            message = f"line {line}, column {column}: {message}"
        self.message = message
        super().__init__(message)

    def to_dict(self) -> dict:
        """The error for programs: its title, message and (when known) line and column."""
        found = {"error": self.title, "message": self.reason}
        if self.line is not None:
            found.update(line=self.line, column=self.column)
        return found

    def again(self) -> "QueryError":
        """A fresh copy of this error: no traceback, cause or context. A kept error (in a cache)
        goes in and out as a copy; raising the kept object itself would add each raise's
        traceback to it, and with it the frames' locals (request bodies, queries): memory that
        grows with every repeated request."""
        return _rebuild(type(self), dict(self.__dict__))

    def __reduce__(self):
        # Errors cross the worker-process pipe; rebuild them from their attributes.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls, state: dict) -> "QueryError":
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class QuerySyntaxError(QueryError):
    """A query that does not parse; ``line`` and ``column`` locate the error when they are known."""

    title = "syntax error"


class QueryRefused(QueryError):
    """The query asks for something this read-only, offline service never does; ``line`` and
    ``column`` point at the construct refused (the keyword that opens it) when it is in the text."""

    status = 403
    title = "query refused"


class QueryTimeout(QueryError):
    """A query stopped at its time limit of ``seconds`` (HTTP 503)."""

    status = 503
    title = "time limit reached"

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the query was stopped after its time limit of {seconds:g} s")


class ResultTooLarge(QueryError):
    """A result larger than the ``limit`` in bytes the endpoint sends (HTTP 400)."""

    status = 400
    title = "result too large"

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the result is larger than the limit of {limit} bytes; "
                         "add a LIMIT or select fewer variables")


class TooManyRows(QueryError):
    """More solutions (or triples) than the service's row limit, as Virtuoso's ResultSetMaxRows;
    the answer is refused whole, never cut short."""

    status = 400
    title = "too many rows"

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the result has more than {limit} rows (this service's limit); "
                         "add a LIMIT, or page with LIMIT and OFFSET")


class QueryFailed(QueryError):
    """The engine failed while evaluating (not the query's fault, or an evaluation error)."""

    status = 500
    title = "query failed"


class ServiceBusy(QueryError):
    """No query worker became free within the queue time limit (HTTP 503)."""

    status = 503
    title = "busy"


class QueryTooComplex(QueryError):
    """The query text is too long or too deeply nested to be parsed safely; ``line`` and
    ``column`` point at the character past the length cap or the bracket past the depth cap."""

    status = 400
    title = "query too complex"


class QueryTooMuchMemory(QueryError):
    """The worker running the query reached its memory limit and was stopped."""

    status = 503
    title = "memory limit reached"

    def __init__(self, limit_bytes: int | None = None):
        self.limit_bytes = limit_bytes
        limit = f" of {limit_bytes / 2**20:,.0f} MiB" if limit_bytes else ""
        super().__init__(f"the query used too much memory and was stopped (limit{limit} per "
                         "query worker); add a LIMIT, select fewer variables or avoid "
                         "unconstrained joins")
