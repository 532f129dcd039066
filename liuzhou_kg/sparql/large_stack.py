"""Running the engine and the parser on a thread with a stack large enough for any allowed query.

The screen's nesting cap (:mod:`liuzhou_kg.sparql.screen`) counts brackets over the raw text, so
brackets hidden in strings, IRIs or comments may make a query deeper than it counted. The stack
is therefore sized from the length cap, which no query can get around.
"""
from __future__ import annotations

import threading

from .screen import DEFAULT_MAX_QUERY_CHARS

# Oxigraph's parser needs up to about 10 KiB of stack per nesting level (measured: a nested RDF
# collection overflowed 256 MiB at 30,000 levels). A query of n characters whose counted depth
# is at most DEFAULT_MAX_DEPTH has a real depth below (n + DEFAULT_MAX_DEPTH) / 2: every level
# the count misses needs a closing bracket hidden in a string, an IRI or a comment.
STACK_BYTES_PER_CHAR = 6 * 1024
MIN_STACK_BYTES = 64 * 1024 * 1024
PARSER_RECURSION_LIMIT = 100_000


def stack_bytes(max_chars: int = DEFAULT_MAX_QUERY_CHARS) -> int:
    """The thread stack that lets the engine parse any query within the length cap."""
    size = MIN_STACK_BYTES + STACK_BYTES_PER_CHAR * max_chars
    return (size + 0xFFFF) & ~0xFFFF


def on_large_stack(function, *args, max_chars: int = DEFAULT_MAX_QUERY_CHARS):
    """Run ``function(*args)`` on a new thread with :func:`stack_bytes` of stack; return its result.

    Used for one-off calls (tests, the library); workers and the CLI start their own thread.
    """
    box: dict = {}

    def target():
        try:
            box["value"] = function(*args)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = detached(err)

    previous = threading.stack_size(stack_bytes(max_chars))
    try:
        thread = threading.Thread(target=target, name="sparql-large-stack")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def detached(err: BaseException) -> BaseException:
    """Return ``err`` without its traceback and context, collected here (before it is handed to
    another thread): pyoxigraph results belong to the thread that made them and must not be
    freed by another one."""
    import gc

    err.__traceback__ = None
    err.__context__ = None
    err.__cause__ = None
    gc.collect()
    return err
