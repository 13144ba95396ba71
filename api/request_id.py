"""Every request gets an id: from a sane `X-Request-Id` header, or a new one; it is echoed in the response.

Unexpected errors are logged with it and the client receives it (`extensions.requestId`), so a
report from the field can be found in the log.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
SANE = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(scope: Scope) -> str:
    return scope.get("state", {}).get("request_id", "")


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers", [])).get(HEADER, b"")
        rid = given.decode() if SANE.match(given) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((HEADER, rid.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)
