"""Test-only: lets a request name the crash point where this process should die (`X-Crash-At`).

Installed only when the process was started with `VM_CRASH_POINTS=1` (the crash test does this);
see services/crashpoints.py.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from services import crashpoints

HEADER = b"x-crash-at"


class CrashPoints:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        crashpoints.enable()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            point = dict(scope["headers"]).get(HEADER)
            crashpoints.arm(point.decode("latin-1") if point else None)
        await self.app(scope, receive, send)
