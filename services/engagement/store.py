"""Application documents: loading, opening (insert or reopen) and status transitions, and pages.

A transition is a conditional update on the status read, which FerretDB v1 applies
read-then-write: exclusivity never rests on it (slots and time are unique `_id` claims, see
`seating.py`); the task lock serialises transitions within a process, and the condition catches
what another process did meanwhile (CONCURRENT_CHANGE).
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.errors import DuplicateKeyError

from db.repo import Repository
from services.clock import Clock, now_ms
from services.engagement.rules import already_applied, invalid_transition
from services.errors import DomainError, ErrorCode, not_found


async def load_task(tasks: Repository, task_id: str) -> dict:
    """The task an application is for, or NOT_FOUND at `taskId`."""
    task = await tasks.get(task_id)
    if task is None:
        raise not_found("task", "taskId")
    return task


class ApplicationStore:
    def __init__(self, applications: Repository, clock: Clock) -> None:
        self.applications = applications
        self.clock = clock

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        return await self.applications.get_many(ids)

    async def load(self, application_id: str, field: str = "applicationId") -> dict:
        doc = await self.applications.get(application_id)
        if doc is None:
            raise not_found("application", field)
        return doc

    async def page(self, filt: dict, first: int, after: str | None) -> tuple[list[dict], bool, int]:
        """Applications matching `filt` in application order (`applied_id`), keyset-paged."""
        query = {**filt, "applied_id": {"$gt": after}} if after else filt
        coll = self.applications.coll
        docs = [d async for d in coll.find(query).sort("applied_id", 1).limit(first + 1)]
        total = await coll.count_documents(filt)
        return docs[:first], len(docs) > first, total

    async def waitlist(self, task_id: str, limit: int) -> list[dict]:
        """The task's waitlisted applications, oldest first."""
        found = self.applications.coll.find({"task_id": task_id, "status": "WAITLISTED"})
        return await found.sort("applied_id", 1).limit(limit).to_list()

    async def open(
        self, task: dict, volunteer_id: str, application_id: str, fields: dict, event: dict, reopenable: tuple[str, ...]
    ) -> dict:
        """Inserts the application, or reopens an earlier one in a `reopenable` status in place.

        Inserting first (rather than looking up first) matters on the embedded engine, where a
        failed unique insert is cheap and a lookup that finds nothing scans the collection."""
        doc = {
            "_id": application_id,
            "task_id": task["_id"],
            "need_id": task["need_id"],
            "organisation_id": task["organisation_id"],
            "volunteer_id": volunteer_id,
            **fields,
            "history": [event],
        }
        try:
            await self.applications.insert(doc)
            return doc
        except DuplicateKeyError:
            existing = await self.applications.get(application_id)
        if existing is None or existing["status"] not in reopenable:
            raise already_applied(existing or doc)
        result = await self.applications.update(
            {"_id": application_id, "status": existing["status"]}, {"$set": fields, "$push": {"history": event}}
        )
        if result.matched_count == 0:
            raise already_applied(await self.applications.get(application_id) or existing)
        return {**existing, **fields, "history": [*existing.get("history", []), event]}

    async def transition(
        self,
        by: str,
        application_id: str,
        allowed: tuple[str, ...],
        status: str,
        *,
        fields: dict | None = None,
        reason: str | None = None,
        match: dict | None = None,
    ) -> dict:
        """Moves an application from one of `allowed` to `status`; the caller holds the task lock."""
        doc = await self.load(application_id)
        if doc["status"] not in allowed:
            raise invalid_transition(doc, status.lower())
        now = now_ms(self.clock)
        changes = {"status": status, "updated_at": now, **(fields or {})}
        event = {"status": status, "at": now, "by": by, **({"reason": reason} if reason else {})}
        result = await self.applications.update(
            {"_id": application_id, "status": doc["status"], **(match or {})},
            {"$set": changes, "$push": {"history": event}},
        )
        if result.matched_count == 0:
            raise DomainError(
                ErrorCode.CONCURRENT_CHANGE, "the application changed meanwhile; reload it and retry", "applicationId"
            )
        return {**doc, **changes, "history": [*doc.get("history", []), event]}

    async def set_check_in(self, application_id: str, fix: dict) -> bool:
        """Records a check-in on an accepted application that has none; False if it has one."""
        result = await self.applications.update(
            {"_id": application_id, "status": "ACCEPTED", "check_in": None},
            {"$set": {"check_in": fix, "updated_at": fix["at"]}},
        )
        return result.matched_count > 0
