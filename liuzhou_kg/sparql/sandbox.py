"""The sandbox a query worker puts itself in, and the proof that it holds.

Each worker, as soon as it starts and while it still has a single thread:

- asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``, :func:`die_with_parent`),
  so a killed server never leaves a query running without a time limit;
- moves into a new user and network namespace (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``,
  allowed to ordinary users where the kernel permits it) and *checks* the isolation
  (:func:`isolate_network`): a connection to a listener the parent opened on 127.0.0.1
  (:func:`probe_listener`) must fail. The result goes to the parent, which refuses workers that
  are not isolated unless the network was allowed on purpose (:class:`NetworkNotIsolated`);
- once the store is open, limits its own address space to what it uses then plus the memory
  limit (:func:`address_space` tells the first part; the worker sets ``RLIMIT_AS``).
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
from dataclasses import dataclass

from .errors import QueryFailed

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Isolation:
    """What a worker found out about its own network isolation."""

    isolated: bool
    detail: str


class NetworkNotIsolated(QueryFailed):
    """A worker could not be cut off from the network and the network was not allowed."""

    title = "network isolation failed"

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"query workers cannot be cut off from the network ({detail})")


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; exit at once (status 1) if
    the parent ``parent_pid`` is already gone. Returns None; never raises."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def isolate_network(probe_port: int | None) -> Isolation:
    """Enter a new user+network namespace, then prove it: the parent's listener on
    ``probe_port`` is unreachable. Returns the :class:`Isolation` found (None as the port: not
    verified, so not isolated); never raises."""
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


def address_space() -> int:
    """The virtual memory size of this process in bytes (``VmSize``; 0 when the kernel does not say)."""
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def probe_listener() -> socket.socket:
    """A listening socket on 127.0.0.1 that an isolated worker must fail to reach."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener
