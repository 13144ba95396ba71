"""Writes that span several documents, recoverable by construction, and idempotency keys.

A multi-document write is planned before it touches anything: the plan holds every document it
will write, ids chosen up front, each stamped with the write's id (`write_id`). The plan is stored
in `writes_in_flight` before the first write, and the write's `apply(plan, write_id)` is
idempotent: a document already there with the same `write_id` counts as written. So after a crash
at any point, applying the plan again finishes the write without duplicating any of it, and:
- a retry with the same idempotency key finds the plan, sees that its holder is gone (an earlier
  boot of this sole process, or a lease past its end), takes it over and finishes it;
- the sweep at start-up, and every SWEEP_SECONDS, finishes every plan whose holder is gone.
A plan that can no longer be applied (someone else recorded the same hours meanwhile) undoes
what it wrote and fails with a user error; its key is released, so nothing half-made remains.

An idempotency key is a document `<scope>:<account>:<key>` in `idempotency` (a unique `_id`
insert, atomic on both engines) naming the write that owns it and, once done, its result. The plan
is stored before the key is claimed; a plan whose key another write claimed never started and is
dropped. Keys are kept for KEY_RETENTION, far longer than any client retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from db.repo import Repository, new_id
from services import crashpoints
from services.clock import Clock, now_ms
from services.errors import DomainError, ErrorCode
from services.validation import unicode_ok

log = logging.getLogger(__name__)

MAX_KEY = 100
# A write's holder is presumed alive this long; longer than any request's database deadline.
LEASE = timedelta(seconds=30)
KEY_RETENTION = timedelta(hours=24)
SWEEP_SECONDS = 30.0
PURGE_SECONDS = 3600.0
WAIT_ROUNDS = 100  # a repeat waits up to ~5 s for the first request with its key to finish
WAIT_STEP = 0.05

Apply = Callable[[dict, str], Awaitable[str]]


def check_key(key: str | None) -> None:
    if key is not None and (not 1 <= len(key) <= MAX_KEY or not unicode_ok(key)):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"idempotency key must have 1 to {MAX_KEY} characters of Unicode text",
            "idempotencyKey",
        )


class Writes:
    def __init__(self, in_flight: Repository, keys: Repository, clock: Clock, *, sole_process: bool) -> None:
        self.in_flight = in_flight
        self.keys = keys
        self.clock = clock
        self.sole_process = sole_process
        self.boot = new_id()  # this process's holder id
        self.running: set[str] = set()  # ids of the writes this process is applying now
        self.kinds: dict[str, Apply] = {}
        self._tasks: list[asyncio.Task] = []

    def register(self, kind: str, apply: Apply) -> None:
        self.kinds[kind] = apply

    async def run(
        self,
        kind: str,
        plan: dict | Callable[[], Awaitable[dict]],
        *,
        key: str | None,
        write_id: str,
        account_id: str = "",
        scope: str | None = None,
        spans_documents: bool = True,
    ) -> str:
        """Applies a plan at most once per key (`scope` defaults to the kind); returns its result.

        `write_id` (a fresh `new_id()`) is the id the plan's documents carry. `plan` may be a
        function that makes it (checking the state first): it runs only when no earlier request
        with the key has a result. A write of one document without a key needs no record."""
        check_key(key)
        key_id = f"{scope or kind}:{account_id}:{key}" if key is not None else None
        if key_id is not None and await self.keys.get(key_id) is not None:
            result = await self._existing(key_id)
            if result is not None:
                return result
        made = plan if isinstance(plan, dict) else await plan()
        if key_id is None and not spans_documents:
            return await self.kinds[kind](made, write_id)
        while True:
            record = {
                "_id": write_id,
                "kind": kind,
                "key_id": key_id,
                "plan": made,
                "holder": self.boot,
                "lease_until": now_ms(self.clock) + LEASE,
                "at": now_ms(self.clock),
            }
            self.running.add(write_id)
            try:
                await self.in_flight.insert(record)
                crashpoints.reached(f"{kind}.planned")
                if key_id is None:
                    return await self._apply(record)
                try:
                    await self.keys.insert(self._key_doc(key_id, write_id))
                except DuplicateKeyError:
                    await self.in_flight.delete(write_id)
                else:
                    crashpoints.reached(f"{kind}.keyed")
                    return await self._apply(record)
            finally:
                self.running.discard(write_id)
            assert key_id is not None
            result = await self._existing(key_id)
            if result is not None:
                return result

    def _key_doc(self, key_id: str, write_id: str) -> dict:
        now = now_ms(self.clock)
        return {"_id": key_id, "write_id": write_id, "result": None, "at": now, "expires_at": now + KEY_RETENTION}

    async def _existing(self, key_id: str) -> str | None:
        """The result of the write owning the key, finishing it if its holder is gone; None when
        the key was released (the caller tries afresh)."""
        for _ in range(WAIT_ROUNDS):
            key = await self.keys.get(key_id)
            if key is None:
                return None
            if key.get("result") is not None:
                return key["result"]
            record = await self.in_flight.get(key.get("write_id", ""))
            if record is None:
                # Its write failed with a user error and is releasing the key.
                await self.keys.delete(key_id)
                return None
            if self._dead(record):
                return await self._take_over(record)
            await asyncio.sleep(WAIT_STEP)
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT, "a request with this key is still in progress; retry", "idempotencyKey"
        )

    def _dead(self, record: dict) -> bool:
        if record["_id"] in self.running:
            return False
        if record["holder"] == self.boot:
            return True  # its request ended (say, the database failed) before it finished
        return self.sole_process or record["lease_until"] <= now_ms(self.clock)

    async def _take_over(self, record: dict) -> str:
        self.running.add(record["_id"])
        try:
            lease = {"holder": self.boot, "lease_until": now_ms(self.clock) + LEASE}
            await self.in_flight.set_fields(record["_id"], lease)
            log.warning("finishing interrupted write %s (%s)", record["_id"], record["kind"])
            return await self._apply({**record, **lease})
        finally:
            self.running.discard(record["_id"])

    async def _apply(self, record: dict) -> str:
        write_id, key_id = record["_id"], record.get("key_id")
        try:
            result = await self.kinds[record["kind"]](record["plan"], write_id)
        except DomainError:
            # The plan undid what it wrote: release the key so a retry tries afresh.
            await self.in_flight.delete(write_id)
            if key_id is not None:
                await self.keys.delete(key_id)
            raise
        crashpoints.reached(f"{record['kind']}.applied")
        if key_id is not None:
            await self.keys.set_fields(key_id, {"result": result})
        await self.in_flight.delete(write_id)
        return result

    # ---- recovery and upkeep ----------------------------------------------------------------

    async def sweep(self) -> int:
        """Finishes every write whose holder is gone; returns how many it finished or dropped."""
        found = [r async for r in self.in_flight.scan()]
        done = 0
        for record in found:
            if not self._dead(record):
                continue
            key_id = record.get("key_id")
            if key_id is not None:
                try:
                    await self.keys.insert(self._key_doc(key_id, record["_id"]))
                except DuplicateKeyError:
                    key = await self.keys.get(key_id)
                    if key is None or key["write_id"] != record["_id"] or key.get("result") is not None:
                        # Another write owns the key (this plan never started), or it finished.
                        await self.in_flight.delete(record["_id"])
                        done += 1
                        continue
            try:
                await self._take_over(record)
            except DomainError as exc:
                log.warning("interrupted write %s undone: %s", record["_id"], exc)
            except Exception as exc:  # left in flight: the next sweep or a retry tries again
                log.warning("interrupted write %s not finished yet: %r", record["_id"], exc)
                continue
            done += 1
        return done

    async def purge(self) -> int:
        """Drops idempotency keys past their retention (MongoDB's TTL index does it there too)."""
        expired = [k["_id"] async for k in self.keys.coll.find({"expires_at": {"$lt": now_ms(self.clock)}}, {"_id": 1})]
        for i in range(0, len(expired), 1000):
            await self.keys.delete_many({"_id": {"$in": expired[i : i + 1000]}})
        return len(expired)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._every(SWEEP_SECONDS, self.sweep)),
            asyncio.create_task(self._every(PURGE_SECONDS, self.purge)),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[int]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except Exception as exc:  # the database may be away; the next round tries again
                log.warning("%s failed: %s", getattr(job, "__name__", "job"), exc)
