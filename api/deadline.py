"""One deadline per request for its database work: the driver's, and a hard cut just after it.

Every database call inside `request_deadline(seconds)` shares the driver's deadline (`pymongo.timeout`):
past it a call fails at once with a driver timeout (DATABASE_UNAVAILABLE). The driver can overrun it
while it (re)connects to a database that stopped answering (its handshake keeps its own connect
timeout), so the block is also cancelled GRACE_SECONDS later and `TimeoutError` leaves it: the request
ends within `seconds + GRACE_SECONDS` whatever the driver does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from pymongo import timeout as db_timeout

GRACE_SECONDS = 0.25


@contextlib.asynccontextmanager
async def request_deadline(seconds: float) -> AsyncIterator[asyncio.Timeout]:
    """Yields the hard cut: `expired()` tells a `TimeoutError` of ours from one raised inside."""
    with db_timeout(seconds):
        async with asyncio.timeout(seconds + GRACE_SECONDS) as cut:
            yield cut
