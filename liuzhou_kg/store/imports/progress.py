"""A progress bar over the bytes read from a file (rich; drawn on stderr only when it is a terminal)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import BinaryIO, Iterator

from rich.console import Console


class _CountingReader:
    """A binary file wrapper that reports how far it has read."""

    def __init__(self, raw: BinaryIO, advance):
        self._raw = raw
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._advance(len(data))
        return data

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self._advance(count or 0)
        return count

    def readable(self) -> bool:
        return True

    def __getattr__(self, name):
        return getattr(self._raw, name)


@contextmanager
def byte_progress(raw: BinaryIO, total: int, description: str, *, enabled: bool = True) -> Iterator[BinaryIO]:
    """Yield a reader that draws a byte progress bar on stderr while ``raw`` is read.

    The bar (rich) appears only when ``enabled`` and stderr is a terminal; otherwise ``raw`` itself is
    yielded. ``total`` is the expected byte count and ``description`` the bar's label.
    """
    if not enabled or not sys.stderr.isatty():
        yield raw
        return
    from rich.progress import (BarColumn, DownloadColumn, Progress, TimeRemainingColumn,
                               TransferSpeedColumn)

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeRemainingColumn(), console=Console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield _CountingReader(raw, lambda n: bar.update(task, advance=n))


@contextmanager
def step_progress(total: int, description: str, *, enabled: bool = True):
    """A progress bar over ``total`` steps; yields ``advance(n=1)``."""
    if not enabled or not sys.stderr.isatty():
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.update(task, advance=n)
