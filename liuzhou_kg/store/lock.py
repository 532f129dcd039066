"""The one writers' lock of a store folder (``<store>/.lock``): who holds it, how long others wait.

Every writer (the build, ``import``, ``remove``, ``push``) holds :class:`StoreLock` for its whole
write; readers never take it (they lock the generation they read, see :mod:`.reader`).
"""
from __future__ import annotations

import errno
import fcntl
import os
import sys
import time
from pathlib import Path

from ..core.errors import InputError, Problem
from .generations import LOCK

LOCK_TIMEOUT_ENV = "LIUZHOU_KG_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0


class StoreBusy(InputError):
    """Another writer holds the store's lock (exit code 2)."""


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
