"""How the API is served: uvicorn (httptools, uvloop) with bounds on slow, idle and too many clients.

`server_config` is what `api.cli serve` runs and what the system tests serve. Per connection:
- a request's line and headers must be complete HEADER_SECONDS after the connection opened, or after
  the first byte of a later request on a kept-alive connection; otherwise the connection is closed
  (after a 408 when part of a request arrived). Bytes trickled in do not extend the deadline;
- its body must be complete BODY_SECONDS after its headers; otherwise the client gets 408, the
  connection is closed and the application sees the client gone (`http.disconnect`);
- a kept-alive connection with no request for KEEP_ALIVE_SECONDS is closed (uvicorn's own timer);
- past LIMIT_CONCURRENCY open connections or requests in flight, a new request gets 503 at once;
  BACKLOG connections may wait in the kernel's accept queue.
How long the application takes to answer is not bounded here: the request's database deadline
(`REQUEST_DB_SECONDS`, api/deadline.py) does that. Put nginx in front in production (README).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

HEADER_SECONDS = 10.0
# The body limit (256 KiB) needs 26 KB/s; the time counts against the request's database deadline (15 s), so a
# body must leave the request most of it. Behind nginx, which reads bodies before passing them on, it is instant.
BODY_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
LIMIT_CONCURRENCY = 512
BACKLOG = 1024
TIMED_OUT = b"request timeout"


class ReadDeadlines(HttpToolsProtocol):
    """uvicorn's httptools protocol with one timer per request being read (see the module docstring)."""

    def __init__(self, *args: Any, header_seconds: float, body_seconds: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_seconds = header_seconds
        self.body_seconds = body_seconds
        self.deadline: asyncio.TimerHandle | None = None
        self.reading = "nothing"  # what the deadline waits for: "nothing" yet, "headers" or "body"

    def _arm(self, seconds: float, reading: str) -> None:
        self._disarm()
        self.reading = reading
        self.deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_seconds, "nothing")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.deadline is None:  # a later request on a kept-alive connection
            self._arm(self.header_seconds, "headers")
        else:  # the first one: its deadline runs from the connection's opening
            self.reading = "headers"

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.parser.should_upgrade() and self._should_upgrade():
            self._disarm()  # a websocket: its own protocol takes the connection over
        else:
            self._arm(self.body_seconds, "body")

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _expired(self) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and cycle.response_started and not cycle.response_complete
        unanswered = cycle is not None and not cycle.response_started
        if (self.reading == "headers" and not answering) or (self.reading == "body" and unanswered):
            self.transport.write(
                STATUS_LINE[408]
                + b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
                % (len(TIMED_OUT), TIMED_OUT)
            )
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the application's receive() says http.disconnect; its sends are dropped
            cycle.message_event.set()
        self.transport.close()


def server_config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    header_seconds: float = HEADER_SECONDS,
    body_seconds: float = BODY_SECONDS,
    **uvicorn_options: Any,
) -> uvicorn.Config:
    """The uvicorn configuration we serve with; `uvicorn_options` override its defaults (tests shorten them)."""
    options: dict[str, Any] = {
        "loop": "uvloop",
        "log_level": "info",
        "access_log": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": LIMIT_CONCURRENCY,
        "backlog": BACKLOG,
        **uvicorn_options,
    }
    http = functools.partial(ReadDeadlines, header_seconds=header_seconds, body_seconds=body_seconds)
    return uvicorn.Config(app, host=host, port=port, http=http, **options)  # type: ignore[arg-type]
