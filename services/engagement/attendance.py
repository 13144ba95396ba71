"""Check-in and check-out by the phone's location, no-shows, and the service records they leave.

A check-in or check-out is allowed anywhere and any time; outside the geofence (CHECKIN_RADIUS_M)
or the window it is flagged (OUT_OF_FENCE, EARLY, LATE) for the coordinator. Check-out is a
planned write (services/writes.py) of a PENDING hour entry, the assignment's COMPLETED status and
a service record, so a crash between them is finished by a retry or the start-up sweep.
Attendance and no-shows become service records, which matching's reliability and continuity
learn from.
"""

from __future__ import annotations

from datetime import datetime

from geopy.distance import great_circle
from pymongo.errors import DuplicateKeyError

from db.changes import ChangeFeed
from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import Clock, now_ms
from services.engagement.applications import volunteer_of
from services.engagement.locks import KeyedLocks
from services.engagement.rules import CHECK_IN_EARLY, CHECK_OUT_LATE, invalid_transition, task_not_open
from services.engagement.store import ApplicationStore, load_task
from services.errors import Collector, DomainError, ErrorCode, forbidden
from services.hours.ledger import HourLedger
from services.writes import Writes


class AttendanceService:
    def __init__(
        self,
        store: ApplicationStore,
        tasks: Repository,
        service_records: Repository,
        ledger: HourLedger,
        access: AccessPolicy,
        writes: Writes,
        locks: KeyedLocks,
        changes: ChangeFeed,
        clock: Clock,
        checkin_radius_m: int,
    ) -> None:
        self.store = store
        self.tasks = tasks
        self.service_records = service_records
        self.ledger = ledger
        self.access = access
        self.writes = writes
        writes.register("checkIn", self._apply_check_in)
        writes.register("checkOut", self._apply_check_out)
        self.locks = locks
        self.changes = changes
        self.clock = clock
        self.checkin_radius_m = checkin_radius_m

    async def check_in(self, viewer: Viewer, assignment_id: str, location, key: str | None) -> dict:
        return await self._attend(viewer, assignment_id, location, key, out=False)

    async def check_out(self, viewer: Viewer, assignment_id: str, location, key: str | None) -> dict:
        return await self._attend(viewer, assignment_id, location, key, out=True)

    async def mark_no_show(self, viewer: Viewer, assignment_id: str) -> dict:
        """For the organisation, once the task has ended without a check-in."""
        doc = await self.store.load(assignment_id, "assignmentId")
        self.access.require_manager(viewer, doc["organisation_id"], "assignmentId")
        task = await load_task(self.tasks, doc["task_id"])
        if doc["status"] != "ACCEPTED":
            raise invalid_transition(doc, "mark as no-show")
        if doc.get("check_in"):
            raise DomainError(ErrorCode.ALREADY_CHECKED_IN, "the volunteer checked in", "assignmentId")
        if task["status"] == "CANCELLED":
            raise task_not_open("the task was cancelled", "assignmentId")
        if now_ms(self.clock) < task["ends_at"]:
            raise DomainError(
                ErrorCode.TASK_NOT_ENDED, "a no-show can be recorded once the task has ended", "assignmentId"
            )
        async with self.locks.hold(doc["task_id"]):
            doc = await self.store.transition(
                viewer.account_id, assignment_id, ("ACCEPTED",), "NO_SHOW", match={"check_in": None}
            )
        await self._record_service(doc, task, attended=False, minutes=0)
        await self.changes.publish("assignment", doc)
        return doc

    async def _attend(self, viewer: Viewer, assignment_id: str, location, key: str | None, *, out: bool) -> dict:
        volunteer_id = volunteer_of(viewer)
        c = Collector()
        point = v.point(c, location, "location")
        c.raise_if_any()
        assert point is not None
        kind = "checkOut" if out else "checkIn"
        write_id = new_id()

        async def plan() -> dict:
            doc = await self.store.load(assignment_id, "assignmentId")
            if doc["volunteer_id"] != volunteer_id:
                raise forbidden("this is not your assignment", "assignmentId")
            task = await load_task(self.tasks, doc["task_id"])
            async with self.locks.hold(task["_id"]):
                doc = await self.store.load(assignment_id)
                if out:
                    return await self._plan_check_out(doc, task, point, viewer.account_id, write_id)
                return self._plan_check_in(doc, task, point, write_id)

        await self.writes.run(
            kind,
            plan,
            account_id=viewer.account_id,
            key=key,
            write_id=write_id,
            scope=f"{kind}:{assignment_id}",
            spans_documents=out,
        )
        return await self.store.load(assignment_id)

    def _fix(self, task: dict, point: dict, now: datetime, early: datetime, late: datetime) -> dict:
        where = task["location"]
        distance = great_circle((point["lat"], point["lng"]), (where["lat"], where["lng"])).meters
        flags = [
            f
            for f, on in (
                ("OUT_OF_FENCE", distance > self.checkin_radius_m),
                ("EARLY", now < early),
                ("LATE", now > late),
            )
            if on
        ]
        return {"at": now, "location": point, "distance_m": round(distance, 1), "flags": flags}

    @staticmethod
    def _may_check_in(doc: dict, task: dict) -> None:
        if doc["status"] == "COMPLETED":
            raise DomainError(ErrorCode.ALREADY_CHECKED_OUT, "you have checked out already", "assignmentId")
        if doc["status"] != "ACCEPTED":
            raise DomainError(
                ErrorCode.NOT_ASSIGNED, f"the application is {doc['status']}, not accepted", "assignmentId"
            )
        if doc.get("check_in"):
            raise DomainError(ErrorCode.ALREADY_CHECKED_IN, "you have checked in already", "assignmentId")
        if task["status"] == "CANCELLED":
            raise task_not_open("the task was cancelled", "assignmentId")

    def _plan_check_in(self, doc: dict, task: dict, point: dict, write_id: str) -> dict:
        self._may_check_in(doc, task)
        fix = self._fix(task, point, now_ms(self.clock), task["starts_at"] - CHECK_IN_EARLY, task["ends_at"])
        return {"assignment_id": doc["_id"], "task_id": task["_id"], "fix": {**fix, "write_id": write_id}}

    async def _apply_check_in(self, plan: dict, write_id: str) -> str:
        async with self.locks.hold(plan["task_id"]):
            doc = await self.store.load(plan["assignment_id"])
            if (doc.get("check_in") or {}).get("write_id") == write_id:
                return doc["_id"]  # written before a crash cut the rest
            self._may_check_in(doc, await load_task(self.tasks, plan["task_id"]))
            if not await self.store.set_check_in(doc["_id"], plan["fix"]):
                raise DomainError(ErrorCode.ALREADY_CHECKED_IN, "you have checked in already", "assignmentId")
        return doc["_id"]

    @staticmethod
    def _may_check_out(doc: dict) -> None:
        if doc["status"] == "COMPLETED":
            raise DomainError(ErrorCode.ALREADY_CHECKED_OUT, "you have checked out already", "assignmentId")
        if doc["status"] != "ACCEPTED" or not doc.get("check_in"):
            raise DomainError(ErrorCode.NOT_CHECKED_IN, "check in before checking out", "assignmentId")

    async def _plan_check_out(self, doc: dict, task: dict, point: dict, by: str, write_id: str) -> dict:
        self._may_check_out(doc)
        check_in = doc["check_in"]
        fix = self._fix(
            task, point, max(now_ms(self.clock), check_in["at"]), task["starts_at"], task["ends_at"] + CHECK_OUT_LATE
        )
        flags = list(dict.fromkeys([*check_in["flags"], *fix["flags"]]))
        entry = await self.ledger.plan_checkout_entry(doc, task, check_in["at"], fix["at"], flags, write_id)
        return {
            "assignment_id": doc["_id"],
            "task_id": task["_id"],
            "by": by,
            "fix": {**fix, "write_id": write_id},
            "entry": entry,
            "minutes": int((fix["at"] - check_in["at"]).total_seconds() // 60),
        }

    async def _apply_check_out(self, plan: dict, write_id: str) -> str:
        """The entry, then the assignment's COMPLETED status, then the service record."""
        async with self.locks.hold(plan["task_id"]):
            doc = await self.store.load(plan["assignment_id"])
            task = await load_task(self.tasks, plan["task_id"])
            if (doc.get("check_out") or {}).get("write_id") != write_id:
                self._may_check_out(doc)
                entry_id = await self.ledger.write_checkout_entry(plan["entry"], write_id)
                crashpoints.reached("checkOut.entry")
                try:
                    doc = await self.store.transition(
                        plan["by"],
                        doc["_id"],
                        ("ACCEPTED",),
                        "COMPLETED",
                        fields={"check_out": plan["fix"], "hour_entry_id": entry_id},
                    )
                except DomainError:
                    await self.ledger.entries.delete_written_by([entry_id], write_id)
                    raise
                crashpoints.reached("checkOut.completed")
            await self._record_service(doc, task, attended=True, minutes=plan["minutes"])
        await self.changes.publish("assignment", doc)
        return doc["_id"]

    async def _record_service(self, doc: dict, task: dict, *, attended: bool, minutes: int) -> None:
        """The attendance fact matching's reliability learns from; one per assignment."""
        record = {
            "_id": doc["_id"],
            "volunteer_id": doc["volunteer_id"],
            "need_id": doc["need_id"],
            "task_id": doc["task_id"],
            "organisation_id": doc["organisation_id"],
            "beneficiary_key": task.get("beneficiary_key"),
            "category": task.get("category"),
            "attended": attended,
            "at": now_ms(self.clock),
            "minutes": minutes,
        }
        try:
            await self.service_records.insert(record)
        except DuplicateKeyError:
            record = await self.service_records.get(doc["_id"]) or record
        await self.changes.publish("service", record)
