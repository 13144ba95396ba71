"""Named points inside multi-document writes where the crash test kills this process.

Off unless the process was started with crash points enabled (`VM_CRASH_POINTS=1`, tests only);
then a request that names a point (`X-Crash-At`, see api/graphql.py) dies there with SIGKILL,
exactly as a power cut or the OOM killer would end it.
"""

from __future__ import annotations

import os
import signal
from contextvars import ContextVar

_armed: ContextVar[str | None] = ContextVar("crash_at", default=None)
_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def arm(point: str | None) -> None:
    """Arms `point` for the current request (its context); ignored unless enabled."""
    if _enabled:
        _armed.set(point)


def reached(point: str) -> None:
    if _enabled and _armed.get() == point:
        os.kill(os.getpid(), signal.SIGKILL)
