"""Connection-level time limits for uvicorn's h11 protocol: request headers and slow readers.

uvicorn closes an *idle* keep-alive connection, but a client that trickles a header line now and
then (slow-loris) resets that timer with every byte, and a client that never reads its answer
keeps the answer in the process's write buffer for as long as it likes. :func:`guarded_h11`
returns an ``H11Protocol`` subclass that adds two deadlines, both enforced by the event loop's
timers (no polling, no per-byte work):

- **headers**: from the moment a connection opens, or a response on it ends, the next request's
  headers must be complete within ``header_timeout`` seconds; otherwise the client gets
  ``408 Request Timeout`` and the connection is closed.
- **writes**: when the client stops reading and the transport's write buffer fills up (asyncio
  pauses writing), the client has ``write_timeout`` seconds to start reading again; otherwise the
  connection is aborted and its buffered bytes are dropped at once.

- **header size**: a request line and headers longer than ``max_header_bytes`` get
  ``431 Request Header Fields Too Large``. h11's own limit (``h11_max_incomplete_event_size``)
  only applies to headers still incomplete in its buffer, not to a large block that arrives whole;
  this count covers both, looking for the blank line once per received chunk.

- **connections per client**: one client address may hold at most ``max_client_connections``
  connections at once; past it a new connection gets ``503`` and is closed, so one client cannot
  use up uvicorn's connection limit (``--max-connections``) with idle or trickling connections.

The request *body* has its own deadline in the application (``read_body`` answers 408).
"""
from __future__ import annotations

import asyncio
from collections import Counter

from uvicorn.protocols.http.h11_impl import H11Protocol

def _plain_response(status: bytes, text: bytes) -> bytes:
    """A complete HTTP/1.1 response that closes the connection (written before h11 has a
    request to answer, so it is written by hand)."""
    return (b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\ncontent-length: " + str(len(text)).encode() + b"\r\n\r\n" + text)


TIMEOUT_RESPONSE = _plain_response(b"408 Request Timeout",
                                   b"the request headers did not arrive in time\n")
TOO_LARGE_RESPONSE = _plain_response(b"431 Request Header Fields Too Large",
                                     b"the request line and headers are too large\n")
TOO_MANY_RESPONSE = _plain_response(b"503 Service Unavailable",
                                    b"too many open connections from this client address\n")


def guarded_h11(header_timeout: float, write_timeout: float, max_header_bytes: int,
                max_client_connections: int = 32) -> type[H11Protocol]:
    """An h11 protocol class with the deadlines and the limits of the module."""
    open_connections: Counter = Counter()  # client address -> connections open (one event loop)

    class GuardedH11Protocol(H11Protocol):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._header_timer: asyncio.TimerHandle | None = None
            self._write_timer: asyncio.TimerHandle | None = None
            self._header_bytes: int | None = 0  # None: this request's headers are complete
            self._tail = b""
            self._address: str | None = None  # counted in open_connections

        # --- the header deadline -------------------------------------------------------
        def _arm_header_timer(self) -> None:
            self._header_bytes, self._tail = 0, b""
            self._cancel_header_timer()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.transport.is_closing():
                return
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a request is being answered; its headers did arrive
            self.transport.write(TIMEOUT_RESPONSE)
            self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            address = self.client[0] if self.client else None
            if address is not None:
                if open_connections[address] >= max_client_connections:
                    transport.write(TOO_MANY_RESPONSE)
                    transport.close()
                    return
                open_connections[address] += 1
                self._address = address
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            if self._header_bytes is not None:
                window = self._tail + data
                end = window.find(b"\r\n\r\n")
                if end == -1:
                    self._header_bytes += len(data)
                    self._tail = window[-3:]
                else:
                    self._header_bytes += end + 4 - len(self._tail)
                if self._header_bytes > max_header_bytes:
                    self._cancel_header_timer()
                    self.transport.write(TOO_LARGE_RESPONSE)
                    self.transport.close()
                    return
                if end != -1:
                    self._header_bytes = None
            super().data_received(data)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # h11 produced a Request: its headers are complete
                self._cancel_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        # --- the write deadline --------------------------------------------------------
        def pause_writing(self) -> None:
            super().pause_writing()
            if self._write_timer is None:
                self._write_timer = self.loop.call_later(write_timeout, self._reader_too_slow)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._write_timer is not None:
                self._write_timer.cancel()
                self._write_timer = None

        def _reader_too_slow(self) -> None:
            self._write_timer = None
            if not self.transport.is_closing() or self.transport.get_write_buffer_size():
                self.transport.abort()  # drops the buffered answer; close() would wait for it

        def connection_lost(self, exc) -> None:
            if self._address is not None:
                open_connections[self._address] -= 1
                if not open_connections[self._address]:
                    del open_connections[self._address]
                self._address = None
            self._cancel_header_timer()
            if self._write_timer is not None:
                self._write_timer.cancel()
                self._write_timer = None
            super().connection_lost(exc)

    return GuardedH11Protocol
