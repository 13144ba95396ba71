"""Retry-safe writes: the first request with a key does the work, repeats get the same result.

The key is claimed by inserting a document whose `_id` is (operation, account, key), atomic on
both engines. A repeat that arrives while the first is still running waits for its result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from pymongo.errors import DuplicateKeyError

from db.repo import Repository
from services.clock import Clock
from services.errors import DomainError, ErrorCode
from services.validation import unicode_ok

MAX_KEY = 100


class IdempotencyKeys:
    def __init__(self, claims: Repository, clock: Clock) -> None:
        self.claims = claims
        self.clock = clock

    async def once(self, account_id: str, op: str, key: str | None, work: Callable[[], Awaitable[str]]) -> str:
        """Runs `work` (which returns the id of what it wrote) at most once per key."""
        if key is None:
            return await work()
        if not 1 <= len(key) <= MAX_KEY or not unicode_ok(key):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"idempotency key must have 1 to {MAX_KEY} characters of Unicode text",
                "idempotencyKey",
            )
        claim_id = f"{op}:{account_id}:{key}"
        try:
            await self.claims.insert({"_id": claim_id, "at": self.clock.now(), "result": None})
        except DuplicateKeyError:
            for _ in range(100):
                claim = await self.claims.get(claim_id)
                if claim is None:
                    break  # the first attempt failed and released the key
                if claim.get("result"):
                    return claim["result"]
                await asyncio.sleep(0.05)
            raise DomainError(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "a request with this key is still in progress; retry",
                "idempotencyKey",
            ) from None
        try:
            result = await work()
        except BaseException:
            await self.claims.delete(claim_id)
            raise
        await self.claims.set_fields(claim_id, {"result": result})
        return result
