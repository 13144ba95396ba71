"""The hours ledger: append-only entries, from check-out or recorded by a coordinator.

Entries are never rewritten except for the one status transition PENDING → VERIFIED | REJECTED
(`decisions.py`). An entry tied to an activity has `_id` `<task or organisation:start>:<volunteer>:<n>`,
so the same activity cannot be recorded twice for a volunteer (a REJECTED entry frees the next
`n`); the insert is atomic on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import LOCAL, Clock, to_ms
from services.directory import Directory
from services.errors import Collector, DomainError, ErrorCode, not_found
from services.hours.rules import (
    CHECKOUT_SLACK,
    CLOCK_SKEW,
    MAX_BATCH,
    MAX_MINUTES,
    local_day,
    month_of,
)
from services.writes import Writes


def task_cancelled() -> DomainError:
    return DomainError(ErrorCode.TASK_CANCELLED, "the task was cancelled; no hours can be recorded on it", "taskId")


class HourLedger:
    def __init__(
        self,
        entries: Repository,
        tasks: Repository,
        volunteers: Repository,
        directory: Directory,
        access: AccessPolicy,
        writes: Writes,
        clock: Clock,
    ) -> None:
        self.entries = entries
        self.tasks = tasks
        self.volunteers = volunteers
        self.directory = directory
        self.access = access
        self.writes = writes
        self.clock = clock
        writes.register("recordHours", self._apply_record)

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        return await self.entries.get_many(ids)

    # -- recording ---------------------------------------------------------------------------

    async def record(
        self, viewer: Viewer, p, *, task_id: str | None, organisation_id: str | None, volunteer_ids: list[str]
    ) -> list[dict]:
        """A coordinator records an activity (e.g. a group activity) for one or more volunteers."""
        c = Collector()
        now = self.clock.now()
        started = v.aware(c, p.started_at, "startedAt")
        ended = v.aware(c, p.ended_at, "endedAt")
        title = v.text(c, p.title, "title", max_len=v.MAX_TITLE, required=False) or None
        volunteer_ids = list(dict.fromkeys(volunteer_ids))
        c.check(
            1 <= len(volunteer_ids) <= MAX_BATCH,
            f"give 1 to {MAX_BATCH} volunteers",
            "volunteerIds",
            code=ErrorCode.TOO_MANY if volunteer_ids else ErrorCode.INVALID_INPUT,
        )
        c.check((task_id is None) != (organisation_id is None), "give either a task or an organisation", "taskId")
        c.check(
            task_id is not None or p.category is not None, "give the category of an activity without a task", "category"
        )
        minutes = None
        if started and ended:
            span = int((ended - started).total_seconds() // 60)
            minutes = p.minutes if p.minutes is not None else span
            ok = c.check(
                0 < span <= MAX_MINUTES,
                "an activity lasts more than 0 minutes and at most 24 hours",
                "endedAt",
                code=ErrorCode.INVALID_DURATION,
            )
            if ok:
                c.check(
                    0 < minutes <= span,
                    "minutes must be above 0 and at most the activity's length",
                    "minutes",
                    code=ErrorCode.INVALID_DURATION,
                )
            c.check(
                ended <= now + CLOCK_SKEW,
                "hours are recorded once the activity has ended",
                "endedAt",
                code=ErrorCode.INVALID_TIME_RANGE,
            )
        c.raise_if_any()
        assert started is not None and ended is not None and minutes is not None
        task = None
        if task_id is not None:
            task = await self.tasks.get(task_id)
            if task is None:
                raise not_found("task", "taskId")
            organisation_id = task["organisation_id"]
        assert organisation_id is not None
        org = self.access.require_manager(viewer, organisation_id)
        if task is not None and task["status"] == "CANCELLED":
            raise task_cancelled()
        volunteers = await self.volunteers.get_many(volunteer_ids)
        for i, doc in enumerate(volunteers):
            if doc is None:
                c.add(ErrorCode.NOT_FOUND, "volunteer not found", "volunteerIds", str(i))
        c.raise_if_any()
        base = f"{task_id}" if task else f"{organisation_id}:{started.astimezone(LOCAL):%Y%m%d%H%M}"
        category = task["category"] if task else p.category.value

        write_id = new_id()

        async def plan() -> dict:
            slots = []
            for i, vid in enumerate(volunteer_ids):
                entry_id, live = await self._free_id(f"{base}:{vid}")
                if live is not None:
                    c.add(
                        ErrorCode.ALREADY_RECORDED,
                        "hours for this activity are already recorded for this volunteer",
                        "volunteerIds",
                        str(i),
                    )
                slots.append(entry_id)
            c.raise_if_any()
            docs = [
                self._entry(
                    entry_id,
                    vid,
                    org,
                    category,
                    task,
                    started,
                    ended,
                    minutes,
                    source="MANUAL",
                    created_by=viewer.account_id,
                    title=title,
                    now=now,
                    write_id=write_id,
                )
                for entry_id, vid in zip(slots, volunteer_ids)
            ]
            return {"entries": docs}

        ids = await self.writes.run(
            "recordHours", plan, account_id=viewer.account_id, key=p.idempotency_key, write_id=write_id
        )
        return [d for d in await self.entries.get_many(ids.split(",")) if d]

    async def _apply_record(self, plan: dict, write_id: str) -> str:
        """All of a batch's entries or none: one taken meanwhile by another write undoes the rest."""
        docs = plan["entries"]
        try:
            await self.entries.insert_planned_many(docs[:1])
            crashpoints.reached("recordHours.first_entry")
            await self.entries.insert_planned_many(docs[1:])
        except DuplicateKeyError:
            await self.entries.delete_written_by([d["_id"] for d in docs], write_id)
            raise DomainError(
                ErrorCode.ALREADY_RECORDED,
                "these hours were recorded at the same moment by someone else",
                "volunteerIds",
            ) from None
        return ",".join(d["_id"] for d in docs)

    async def plan_checkout_entry(
        self,
        assignment: dict,
        task: dict,
        checked_in_at: datetime,
        checked_out_at: datetime,
        flags: list[str],
        write_id: str,
    ) -> dict:
        """The PENDING entry a check-out writes (see `write_checkout_entry`).

        Counted time is check-in → check-out clipped to the task window widened by 30 minutes on
        each side and capped at 24 h; a clip to nothing gives 0 minutes and the flag
        `NO_TIME_IN_WINDOW`. If the activity already has a live entry for the volunteer (say a
        coordinator recorded it by hand), that entry is returned instead of a new one.
        """
        if task.get("status") == "CANCELLED":
            raise task_cancelled()
        vid = assignment["volunteer_id"]
        start = max(checked_in_at, task["starts_at"] - CHECKOUT_SLACK)
        end = min(checked_out_at, task["ends_at"] + CHECKOUT_SLACK)
        minutes = min(MAX_MINUTES, max(0, int((end - start).total_seconds() // 60)))
        flags = list(dict.fromkeys(flags))
        if minutes == 0:
            flags.append("NO_TIME_IN_WINDOW")
        org = self.directory.get(task["organisation_id"])
        if org is None:
            raise not_found("organisation")
        entry_id, live = await self._free_id(f"{task['_id']}:{vid}")
        if live is not None:
            return live
        return self._entry(
            entry_id,
            vid,
            org,
            task["category"],
            task,
            to_ms(checked_in_at),
            to_ms(checked_out_at),
            minutes,
            source="CHECKOUT",
            created_by=vid,
            now=self.clock.now(),
            flags=flags,
            need_id=assignment.get("need_id"),
            write_id=write_id,
        )

    async def write_checkout_entry(self, entry: dict, write_id: str) -> str:
        """Writes a planned check-out entry (unless it is a live one found when planning); returns
        the id of the entry the assignment links to."""
        if entry.get("write_id") != write_id:
            return entry["_id"]
        try:
            await self.entries.insert_planned(entry)
            return entry["_id"]
        except DuplicateKeyError:
            _, live = await self._free_id(f"{entry['task_id']}:{entry['volunteer_id']}")
            if live is not None:
                return live["_id"]
        raise DomainError(ErrorCode.CONFLICT, "the entry is being written by another request; retry")

    def _entry(
        self,
        entry_id: str,
        volunteer_id: str,
        org: dict,
        category: str,
        task: dict | None,
        started: datetime,
        ended: datetime,
        minutes: int,
        *,
        source: str,
        created_by: str,
        now: datetime,
        title: str | None = None,
        flags: list[str] | None = None,
        need_id: str | None = None,
        write_id: str,
    ) -> dict:
        served_on = local_day(started)
        return {
            "_id": entry_id,
            "volunteer_id": volunteer_id,
            "organisation_id": org["_id"],
            "org_path": list(org["path"]),
            "region_code": org["region_code"],
            "category": category,
            "task_id": task["_id"] if task else None,
            "need_id": need_id or (task.get("need_id") if task else None),
            "title": title,
            "served_on": served_on,
            "month": month_of(served_on),
            "started_at": to_ms(started),
            "ended_at": to_ms(ended),
            "minutes": minutes,
            "status": "PENDING",
            "source": source,
            "corrects": None,
            "reason": None,
            "flags": flags or [],
            "created_by": created_by,
            "created_at": to_ms(now),
            "verified_by": None,
            "verified_at": None,
            "write_id": write_id,
        }

    async def _free_id(self, base: str) -> tuple[str, dict | None]:
        """The next free `<base>:<n>`, or the live (not rejected) entry already recorded there."""
        n = 1
        while True:
            doc = await self.entries.get(f"{base}:{n}")
            if doc is None:
                return f"{base}:{n}", None
            if doc["status"] != "REJECTED":
                return doc["_id"], doc
            n += 1

    # -- reading ------------------------------------------------------------------------------

    async def corrected_total(self, original: dict) -> tuple[int, int]:
        """The activity's minutes after its corrections, and the number the next correction takes."""
        total, n = original["minutes"], 1
        while True:  # corrections are `<original>:c1`, `:c2`, …: read them ten at a time
            found = await self.entries.get_many([f"{original['_id']}:c{i}" for i in range(n, n + 10)])
            for prior in found:
                if prior is None:
                    return total, n
                total += prior["minutes"]
                n += 1

    async def corrected_minutes(self, entry: dict) -> int:
        """An entry's activity total after corrections (the entry itself if it is a correction)."""
        if entry["source"] == "CORRECTION":
            return entry["minutes"]
        return (await self.corrected_total(entry))[0]

    async def of_organisation(
        self, viewer: Viewer, org_id: str, status: str | None, after: str | None, limit: int
    ) -> tuple[list[dict], bool, int]:
        """An organisation's own entries in id order (what its coordinators verify)."""
        self.access.require_manager(viewer, org_id)
        query: dict = {"organisation_id": org_id}
        if status is not None:
            query["status"] = status
        total = await self.entries.coll.count_documents(query)
        if after is not None:
            query["_id"] = {"$gt": after}
        docs = [d async for d in self.entries.coll.find(query).sort("_id", 1).limit(limit + 1)]
        return docs[:limit], len(docs) > limit, total
