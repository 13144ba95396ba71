"""Slots and volunteers' time, claimed by unique `_id` inserts (atomic on both engines).

- a slot is a `slot_claims` document `<task_id>:<n>` (n < slots), inserted by the winner;
- a volunteer's time is a `time_claims` document `<volunteer_id>:<bucket>` per 15-minute bucket of
  the task window, all inserted before the slot is kept, so overlapping assignments cannot both
  hold them.
`Task.filled` and FULL/OPEN are recounted from the slot claims under the task's lock. Claims a
crash left behind, or held for cancelled tasks, are "abandoned" and may be taken over or removed
(`repair`).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from pymongo.errors import BulkWriteError, DuplicateKeyError

from db.changes import ChangeFeed
from db.repo import Repository
from services.clock import Clock, now_ms
from services.engagement.locks import KeyedLocks
from services.engagement.rules import HOLDS_TIME, OPEN_TASK, time_buckets
from services.errors import DomainError, ErrorCode

# A claim whose holder is not (yet) an assignment is only taken for abandoned after this long:
# younger ones may belong to an accept still in flight in another request or process.
STALE_CLAIM_AGE = timedelta(minutes=1)
# After every slot insert of a task failed, its next applicants in this process are waitlisted
# without trying again for this long (a burst of applicants otherwise costs `slots` inserts each).
FULL_MEMO_SECONDS = 1.0


def schedule_conflict() -> DomainError:
    return DomainError(ErrorCode.SCHEDULE_CONFLICT, "the volunteer is booked on another task at that time", "taskId")


class Seating:
    def __init__(
        self,
        slot_claims: Repository,
        time_claims: Repository,
        applications: Repository,
        tasks: Repository,
        locks: KeyedLocks,
        changes: ChangeFeed,
        clock: Clock,
    ) -> None:
        self.slot_claims = slot_claims
        self.time_claims = time_claims
        self.applications = applications
        self.tasks = tasks
        self.locks = locks
        self.changes = changes
        self.clock = clock
        self._full_until: dict[str, float] = {}

    async def free_slots(self, task: dict) -> list[int]:
        claims = await self.slot_claims.get_many([f"{task['_id']}:{n}" for n in range(task["slots"])])
        return [n for n, claim in enumerate(claims) if claim is None]

    async def seat(self, application_id: str, volunteer_id: str, task: dict) -> int | None:
        """Claims a free slot, then the volunteer's time; None when every slot is taken.

        The slot comes first because on the embedded engine a failed unique insert is cheap and a
        lookup is a scan, so a full task costs `slots` failed inserts and nothing else. The caller
        holds the task lock: no request of this process sees the slot before the time is claimed."""
        if self._full_until.get(task["_id"], 0.0) > time.monotonic():
            return None
        for _ in range(2):
            now = now_ms(self.clock)
            for n in range(task["slots"]):
                try:
                    await self.slot_claims.insert(
                        {
                            "_id": f"{task['_id']}:{n}",
                            "task_id": task["_id"],
                            "application_id": application_id,
                            "volunteer_id": volunteer_id,
                            "at": now,
                        }
                    )
                except DuplicateKeyError:
                    continue
                try:
                    await self._claim_time(application_id, volunteer_id, task)
                except BaseException:
                    await self.slot_claims.delete(f"{task['_id']}:{n}")
                    raise
                return n
            if not await self._free_abandoned_slots(task):
                break
        self._remember_full(task["_id"])
        await self.recount(task)
        return None

    async def _free_abandoned_slots(self, task: dict) -> int:
        """When a task looks full: removes slot claims a crash left behind (their application never
        became an assignment); the caller holds the task lock. Returns how many it removed."""
        claims = [c for c in await self.slot_claims.get_many([f"{task['_id']}:{n}" for n in range(task["slots"])]) if c]
        holders = await self.applications.get_many([c["application_id"] for c in claims])
        # Every holder here is on this task: read it once, and only if someone still holds time.
        current = await self.tasks.get(task["_id"]) if any(self._holds(h) for h in holders) else None
        abandoned = [c["_id"] for c, h in zip(claims, holders) if self._is_abandoned(c, h, current)]
        await self._delete(self.slot_claims, abandoned)
        return len(abandoned)

    def _remember_full(self, task_id: str) -> None:
        now = time.monotonic()
        if len(self._full_until) > 10_000:
            self._full_until = {k: t for k, t in self._full_until.items() if t > now}
        self._full_until[task_id] = now + FULL_MEMO_SECONDS

    def _time_ids(self, volunteer_id: str, task: dict) -> list[str]:
        return [f"{volunteer_id}:{b}" for b in time_buckets(task["starts_at"], task["ends_at"])]

    async def check_schedule(self, application_id: str, volunteer_id: str, task: dict) -> None:
        """Read-only: refuse at once when another live assignment already holds part of the window."""
        for claim in await self.time_claims.get_many(self._time_ids(volunteer_id, task)):
            if claim is not None and claim["application_id"] != application_id and not await self._abandoned(claim):
                raise schedule_conflict()

    async def _claim_time(self, application_id: str, volunteer_id: str, task: dict) -> list[str]:
        ids = self._time_ids(volunteer_id, task)
        for _ in range(3):
            now = now_ms(self.clock)
            docs = [
                {
                    "_id": i,
                    "volunteer_id": volunteer_id,
                    "application_id": application_id,
                    "task_id": task["_id"],
                    "at": now,
                }
                for i in ids
            ]
            try:
                await self.time_claims.insert_many(docs)
                return ids
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if not errors or errors[0].get("code") != 11000:
                    raise
                await self._delete(self.time_claims, ids[: exc.details.get("nInserted", 0)])
                blocking = await self.time_claims.get(ids[errors[0]["index"]])
                if blocking is not None and not await self._abandoned(blocking):
                    if blocking["application_id"] == application_id:
                        raise DomainError(
                            ErrorCode.ALREADY_APPLIED, "this volunteer is already assigned to the task", "taskId"
                        ) from None
                    break
                if blocking is not None:
                    held = await self.time_claims.get_many(ids)
                    await self._delete(
                        self.time_claims,
                        [c["_id"] for c in held if c and c["application_id"] == blocking["application_id"]],
                    )
        raise schedule_conflict()

    async def _abandoned(self, claim: dict) -> bool:
        """A claim whose assignment ended early, whose task was cancelled, or left by a crash."""
        holder = await self.applications.get(claim["application_id"])
        task = await self.tasks.get(holder["task_id"]) if holder is not None and self._holds(holder) else None
        return self._is_abandoned(claim, holder, task)

    @staticmethod
    def _holds(holder: dict | None) -> bool:
        return holder is not None and holder["status"] in HOLDS_TIME

    def _is_abandoned(self, claim: dict, holder: dict | None, holder_task: dict | None) -> bool:
        """`_abandoned` with the claim's application and (if it holds time) that application's task read."""
        if self._holds(holder):
            return holder_task is None or holder_task["status"] == "CANCELLED"
        return claim["at"] < now_ms(self.clock) - STALE_CLAIM_AGE

    async def release(self, doc: dict, task: dict) -> None:
        """Gives back the slot and time an assignment holds (only claims that are its own)."""
        if doc.get("slot") is not None:
            slot_id = f"{task['_id']}:{doc['slot']}"
            claim = await self.slot_claims.get(slot_id)
            if claim is not None and claim["application_id"] == doc["_id"]:
                await self.slot_claims.delete(slot_id)
                self._full_until.pop(task["_id"], None)
        claims = await self.time_claims.get_many(self._time_ids(doc["volunteer_id"], task))
        await self._delete(self.time_claims, [c["_id"] for c in claims if c and c["application_id"] == doc["_id"]])

    async def repair(self) -> int:
        """Removes claims left behind by a crash between a claim and its application's write, or
        held for cancelled tasks, and recounts the tasks concerned; returns how many it removed."""
        removed: int = 0
        tasks: set[str] = set()
        for repo in (self.slot_claims, self.time_claims):
            abandoned = [c async for c in repo.scan() if await self._abandoned(c)]
            for claim in abandoned:
                async with self.locks.hold(claim["task_id"]):
                    await repo.delete(claim["_id"])
                    self._full_until.pop(claim["task_id"], None)
            removed += len(abandoned)
            if repo is self.slot_claims:
                tasks = {c["task_id"] for c in abandoned}
        for task in await self.tasks.get_many(sorted(tasks)):
            if task is not None:
                async with self.locks.hold(task["_id"]):
                    await self.recount(task)
        return removed

    @staticmethod
    async def _delete(repo: Repository, ids: list[str]) -> None:
        if ids:
            await repo.delete_many({"_id": {"$in": ids}})

    async def recount(self, task: dict) -> None:
        """Task.filled and FULL/OPEN derive from the slot claims; the caller holds the task lock."""
        free, current = await asyncio.gather(self.free_slots(task), self.tasks.get(task["_id"]))
        filled = task["slots"] - len(free)
        if current is None:
            return
        fields: dict = {"filled": filled}
        if current["status"] in OPEN_TASK:
            fields["status"] = "FULL" if filled >= current["slots"] else "OPEN"
        if all(current.get(k) == val for k, val in fields.items()):
            return
        await self.tasks.set_fields(task["_id"], fields)
        await self.changes.publish("task", {**current, **fields})
