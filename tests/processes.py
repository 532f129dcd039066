"""The living descendants of a process, as the server tests count workers.

A worker that is being killed and replaced can vanish between the moment its parent's children are
listed and the moment its state is read; that process is gone, so it is simply not alive. Reading
it through ``psutil`` directly raises ``NoSuchProcess`` instead, a race that made a server test fail
once in CI.
"""
from __future__ import annotations

import psutil


def living_descendants(pid: int) -> set[int]:
    """PIDs of the descendants of ``pid`` that exist and are not zombies (exited, not yet reaped)."""
    alive = set()
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return alive
