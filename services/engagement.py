"""Engagement: applications, invitations, review, withdrawal, check-in/out and no-shows.

An application's `_id` is `<task_id>:<volunteer_id>`, so a volunteer has at most one per task.
Exclusivity never rests on a conditional update (FerretDB v1 applies updates read-then-write):
- a slot is a `slot_claims` document `<task_id>:<n>` (n < slots), inserted by the winner;
- a volunteer's time is a `time_claims` document `<volunteer_id>:<bucket>` per 15-minute bucket of
  the task window, all inserted before the slot, so overlapping assignments cannot both hold them.
`Task.filled` and FULL/OPEN are recounted from the slot claims under a per-task lock, which also
serialises every status change of that task's applications within this process (see
docs/engagement.md for what holds with several processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from datetime import datetime, timedelta

from geopy.distance import great_circle
from pymongo.errors import BulkWriteError, DuplicateKeyError

from db.repo import new_id
from services import validation as v
from services.auth import Viewer
from services.clock import now_ms
from services.errors import Collector, DomainError, forbidden, not_found
from services.idempotency import once

BUCKET_SECONDS = 15 * 60
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_OUT_LATE = timedelta(hours=2)
# A claim whose holder is not (yet) an assignment is only taken for abandoned after this long:
# younger ones may belong to an accept still in flight in another request or process.
STALE_CLAIM_AGE = timedelta(minutes=1)
MAX_REASON = 500
# After every slot insert of a task failed, its next applicants in this process are waitlisted
# without trying again for this long (a burst of applicants otherwise costs `slots` inserts each).
FULL_MEMO_SECONDS = 1.0
PROMOTION_BATCH = 50

OPEN_TASK = ("OPEN", "FULL")
HOLDS_TIME = ("ACCEPTED", "COMPLETED", "NO_SHOW")
REOPENABLE = ("WITHDRAWN", "DECLINED")
REINVITABLE = ("WITHDRAWN", "DECLINED", "REJECTED")
WITHDRAWABLE = ("PENDING", "WAITLISTED", "ACCEPTED")
REVIEWABLE = {"ACCEPT": ("PENDING", "WAITLISTED"), "REJECT": ("PENDING", "WAITLISTED", "ACCEPTED"),
              "WAITLIST": ("PENDING",)}
DECIDED = {"ACCEPT": "ACCEPTED", "REJECT": "REJECTED", "WAITLIST": "WAITLISTED"}


def application_id(task_id: str, volunteer_id: str) -> str:
    return f"{task_id}:{volunteer_id}"


def time_buckets(starts: datetime, ends: datetime) -> range:
    """15-minute buckets (epoch-based) that the window [starts, ends) touches."""
    return range(math.floor(starts.timestamp() / BUCKET_SECONDS), math.ceil(ends.timestamp() / BUCKET_SECONDS))


class KeyedLocks:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str):
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]


def task_not_open(message: str = "the task no longer takes volunteers") -> DomainError:
    return DomainError("TASK_NOT_OPEN", message, "taskId")


def already_applied(doc: dict) -> DomainError:
    return DomainError("ALREADY_APPLIED", f"this volunteer already has an application for the task ({doc['status']})",
                       "taskId")


def invalid_transition(doc: dict, action: str) -> DomainError:
    return DomainError("INVALID_TRANSITION", f"cannot {action} an application that is {doc['status']}", "applicationId")


class EngagementService:
    def __init__(self, app) -> None:
        self.app = app
        self.locks = KeyedLocks()
        self._full_until: dict[str, float] = {}

    # ---- reads -------------------------------------------------------------------------------

    async def is_assigned_to_need(self, volunteer_id: str, need: dict) -> bool:
        """Accepted (or served) on one of the need's tasks: may see the address and the notes."""
        found = await self.app.applications.coll.find_one(
            {"volunteer_id": volunteer_id, "need_id": need["_id"], "status": {"$in": ["ACCEPTED", "COMPLETED"]}},
            {"_id": 1})
        return found is not None

    async def page(self, filt: dict, first: int, after: str | None) -> tuple[list[dict], bool, int]:
        """Applications matching `filt` in application order (`applied_id`), keyset-paged."""
        query = {**filt, "applied_id": {"$gt": after}} if after else filt
        docs = [d async for d in self.app.applications.coll.find(query).sort("applied_id", 1).limit(first + 1)]
        total = await self.app.applications.coll.count_documents(filt)
        return docs[:first], len(docs) > first, total

    def task_filter(self, viewer: Viewer | None, task: dict, statuses: list[str] | None) -> dict:
        self.app.organisation_service.require_manager(viewer, task["organisation_id"])
        return {"task_id": task["_id"], **({"status": {"$in": statuses}} if statuses else {})}

    def own_filter(self, viewer: Viewer, statuses: list[str] | None) -> dict:
        return self.volunteer_filter(viewer, self._volunteer(viewer), statuses)

    def volunteer_filter(self, viewer: Viewer | None, volunteer_id: str, statuses: list[str] | None) -> dict:
        """The volunteer and admins see everything; coordinators what their organisations run."""
        if viewer is None:
            raise DomainError("UNAUTHENTICATED", "sign in first")
        filt: dict = {"volunteer_id": volunteer_id}
        if statuses:
            filt["status"] = {"$in": statuses}
        if viewer.volunteer_id == volunteer_id or viewer.role == "ADMIN":
            return filt
        if viewer.role != "COORDINATOR":
            raise forbidden("you may not see this volunteer's applications")
        managed = sorted({o for root in viewer.organisation_ids for o in self.app.directory.subtree(root)})
        return {**filt, "organisation_id": {"$in": managed}}

    # ---- volunteer actions -------------------------------------------------------------------

    async def apply(self, viewer: Viewer, task_id: str, message: str | None) -> dict:
        volunteer_id = self._volunteer(viewer)
        c = Collector()
        message = v.text(c, message, "message", max_len=MAX_REASON, required=False) or None
        c.raise_if_any()
        task, need = await self._open_task(task_id)
        app_id = application_id(task_id, volunteer_id)
        auto = bool(need.get("auto_accept"))
        if not auto:
            await self._check_schedule(app_id, volunteer_id, task)
        async with self.locks.hold(task_id):
            now = now_ms()
            slot = await self._seat(app_id, volunteer_id, task) if auto else None
            status = "ACCEPTED" if slot is not None else "WAITLISTED" if auto else "PENDING"
            fields = {"status": status, "slot": slot, "applied_id": new_id(), "applied_at": now, "updated_at": now,
                      "message": message, "invited_by": None, "check_in": None, "check_out": None}
            event = {"status": status, "at": now, "by": viewer.account_id}
            try:
                doc = await self._open_application(app_id, task, volunteer_id, fields, event, REOPENABLE)
            except BaseException:
                if slot is not None:
                    await self._release({"_id": app_id, "volunteer_id": volunteer_id, "slot": slot}, task)
                raise
            if slot is not None:
                await self._recount(task)
        if slot is not None:
            await self.app.changed("assignment", doc)
        return doc

    async def withdraw(self, viewer: Viewer, app_id: str, reason: str | None) -> dict:
        volunteer_id = self._volunteer(viewer)
        reason = self._reason(reason)
        doc = await self._load(app_id)
        if doc["volunteer_id"] != volunteer_id:
            raise forbidden("this is not your application", "applicationId")
        if doc["status"] == "INVITED":
            raise DomainError("INVALID_TRANSITION", "answer the invitation with respondToInvitation",
                              "applicationId")
        return await self._end(viewer, doc, "WITHDRAWN", WITHDRAWABLE, "withdraw", reason)

    async def respond(self, viewer: Viewer, app_id: str, accept: bool) -> dict:
        volunteer_id = self._volunteer(viewer)
        doc = await self._load(app_id)
        if doc["volunteer_id"] != volunteer_id:
            raise forbidden("this invitation is not for you", "applicationId")
        if doc["status"] != "INVITED":
            raise invalid_transition(doc, "answer")
        if not accept:
            async with self.locks.hold(doc["task_id"]):
                return await self._transition(viewer, doc["_id"], ("INVITED",), "DECLINED")
        return await self._accept_application(viewer, doc, ("INVITED",))

    async def check_in(self, viewer: Viewer, app_id: str, location, key: str | None) -> dict:
        return await self._attend(viewer, app_id, location, key, out=False)

    async def check_out(self, viewer: Viewer, app_id: str, location, key: str | None) -> dict:
        return await self._attend(viewer, app_id, location, key, out=True)

    # ---- coordinator actions -----------------------------------------------------------------

    async def invite(self, viewer: Viewer, task_id: str, volunteer_id: str, message: str | None) -> dict:
        c = Collector()
        message = v.text(c, message, "message", max_len=MAX_REASON, required=False) or None
        c.raise_if_any()
        task, _ = await self._open_task(task_id)
        self.app.organisation_service.require_manager(viewer, task["organisation_id"])
        if await self.app.volunteers.get(volunteer_id) is None:
            raise not_found("volunteer", "volunteerId")
        app_id = application_id(task_id, volunteer_id)
        async with self.locks.hold(task_id):
            await self._check_schedule(app_id, volunteer_id, task)
            if not await self._free_slots(task):
                raise DomainError("TASK_FULL", "every slot of the task is taken", "taskId")
            now = now_ms()
            fields = {"status": "INVITED", "slot": None, "applied_id": new_id(), "applied_at": now,
                      "updated_at": now, "message": message, "invited_by": viewer.account_id,
                      "check_in": None, "check_out": None}
            event = {"status": "INVITED", "at": now, "by": viewer.account_id}
            return await self._open_application(app_id, task, volunteer_id, fields, event, REINVITABLE)

    async def review(self, viewer: Viewer, app_id: str, decision: str, reason: str | None) -> dict:
        reason = self._reason(reason)
        doc = await self._load(app_id)
        self.app.organisation_service.require_manager(viewer, doc["organisation_id"])
        if decision == "REJECT" and doc["status"] == "ACCEPTED":
            return await self._end(viewer, doc, "REJECTED", ("ACCEPTED",), "reject", reason)
        if doc["status"] not in REVIEWABLE[decision]:
            raise invalid_transition(doc, decision.lower())
        if decision == "ACCEPT":
            return await self._accept_application(viewer, doc, REVIEWABLE["ACCEPT"])
        async with self.locks.hold(doc["task_id"]):
            return await self._transition(viewer, app_id, REVIEWABLE[decision], DECIDED[decision], reason=reason)

    async def mark_no_show(self, viewer: Viewer, app_id: str) -> dict:
        doc = await self._load(app_id, "assignmentId")
        self.app.organisation_service.require_manager(viewer, doc["organisation_id"])
        task = await self._task(doc["task_id"])
        if doc["status"] != "ACCEPTED":
            raise invalid_transition(doc, "mark as no-show")
        if doc.get("check_in"):
            raise DomainError("ALREADY_CHECKED_IN", "the volunteer checked in", "assignmentId")
        if task["status"] == "CANCELLED":
            raise task_not_open("the task was cancelled")
        if now_ms() < task["ends_at"]:
            raise DomainError("TASK_NOT_ENDED", "a no-show can be recorded once the task has ended", "assignmentId")
        async with self.locks.hold(doc["task_id"]):
            doc = await self._transition(viewer, app_id, ("ACCEPTED",), "NO_SHOW", match={"check_in": None})
        await self._record_service(doc, task, attended=False, minutes=0)
        await self.app.changed("assignment", doc)
        return doc

    # ---- steps -------------------------------------------------------------------------------

    def _volunteer(self, viewer: Viewer) -> str:
        if viewer.volunteer_id is None:
            raise forbidden("only a volunteer can do this")
        return viewer.volunteer_id

    def _reason(self, reason: str | None) -> str | None:
        c = Collector()
        reason = v.text(c, reason, "reason", max_len=MAX_REASON, required=False) or None
        c.raise_if_any()
        return reason

    async def _load(self, app_id: str, field: str = "applicationId") -> dict:
        doc = await self.app.applications.get(app_id)
        if doc is None:
            raise not_found("application", field)
        return doc

    async def _task(self, task_id: str) -> dict:
        task = await self.app.tasks.get(task_id)
        if task is None:
            raise not_found("task", "taskId")
        return task

    async def _open_task(self, task_id: str) -> tuple[dict, dict]:
        """The task and its need, if both still take volunteers (open and not yet started)."""
        task = await self._task(task_id)
        need = await self.app.needs.get(task["need_id"])
        if need is None or need["status"] != "OPEN" or task["status"] not in OPEN_TASK:
            raise task_not_open()
        if task["starts_at"] <= now_ms():
            raise task_not_open("the task has already started")
        return task, need

    async def _open_application(self, app_id: str, task: dict, volunteer_id: str, fields: dict, event: dict,
                                reopenable: tuple[str, ...]) -> dict:
        """Inserts the application, or reopens an earlier one in a `reopenable` status in place.

        Inserting first (rather than looking up first) matters on the embedded engine, where a
        failed unique insert is cheap and a lookup that finds nothing scans the collection."""
        doc = {"_id": app_id, "task_id": task["_id"], "need_id": task["need_id"],
               "organisation_id": task["organisation_id"], "volunteer_id": volunteer_id, **fields, "history": [event]}
        try:
            await self.app.applications.insert(doc)
            return doc
        except DuplicateKeyError:
            existing = await self.app.applications.get(app_id)
        if existing is None or existing["status"] not in reopenable:
            raise already_applied(existing or doc)
        result = await self.app.applications.coll.update_one(
            {"_id": app_id, "status": existing["status"]}, {"$set": fields, "$push": {"history": event}})
        if result.matched_count == 0:
            raise already_applied(await self.app.applications.get(app_id) or existing)
        return {**existing, **fields, "history": [*existing.get("history", []), event]}

    async def _transition(self, viewer: Viewer, app_id: str, allowed: tuple[str, ...], status: str, *,
                          fields: dict | None = None, reason: str | None = None, match: dict | None = None) -> dict:
        """Moves an application from one of `allowed` to `status`; the caller holds the task lock."""
        doc = await self._load(app_id)
        if doc["status"] not in allowed:
            raise invalid_transition(doc, status.lower())
        now = now_ms()
        changes = {"status": status, "updated_at": now, **(fields or {})}
        event = {"status": status, "at": now, "by": viewer.account_id, **({"reason": reason} if reason else {})}
        result = await self.app.applications.coll.update_one(
            {"_id": app_id, "status": doc["status"], **(match or {})}, {"$set": changes, "$push": {"history": event}})
        if result.matched_count == 0:
            raise DomainError("CONCURRENT_CHANGE", "the application changed meanwhile; reload it and retry",
                              "applicationId")
        return {**doc, **changes, "history": [*doc.get("history", []), event]}

    async def _accept_application(self, viewer: Viewer, doc: dict, allowed: tuple[str, ...]) -> dict:
        """Accepting names an application, not a task: the task's problems point at `applicationId`."""
        try:
            task, _ = await self._open_task(doc["task_id"])
            return await self._accept(viewer, doc["_id"], allowed, task)
        except DomainError as exc:
            raise exc.about("applicationId") from None

    async def _accept(self, viewer: Viewer, app_id: str, allowed: tuple[str, ...], task: dict) -> dict:
        async with self.locks.hold(task["_id"]):
            doc = await self._load(app_id)
            if doc["status"] not in allowed:
                raise invalid_transition(doc, "accept")
            slot = await self._seat(app_id, doc["volunteer_id"], task)
            if slot is None:
                raise DomainError("TASK_FULL", "every slot of the task is taken", "applicationId")
            try:
                doc = await self._transition(viewer, app_id, allowed, "ACCEPTED", fields={"slot": slot})
            except BaseException:
                await self._release({**doc, "slot": slot}, task)
                raise
            await self._recount(task)
        await self.app.changed("assignment", doc)
        return doc

    async def _end(self, viewer: Viewer, doc: dict, status: str, allowed: tuple[str, ...], action: str,
                   reason: str | None) -> dict:
        """Withdrawal or rejection; an accepted one frees its slot and time, and the waitlist moves up."""
        task = await self._task(doc["task_id"])
        async with self.locks.hold(task["_id"]):
            doc = await self._load(doc["_id"])
            if doc["status"] not in allowed:
                raise invalid_transition(doc, action)
            was_assigned = doc["status"] == "ACCEPTED"
            if was_assigned and doc.get("check_in"):
                raise DomainError("ALREADY_CHECKED_IN", "the volunteer has checked in already", "applicationId")
            if was_assigned and task["ends_at"] <= now_ms():
                raise task_not_open("the task has ended")
            doc = await self._transition(viewer, doc["_id"], (doc["status"],), status, reason=reason,
                                         match={"check_in": None})
            promoted = []
            if was_assigned:
                await self._release(doc, task)
                promoted = await self._promote(viewer, task)
                await self._recount(task)
        if was_assigned:
            await self.app.changed("assignment", doc, *promoted)
        return doc

    async def _promote(self, viewer: Viewer, task: dict) -> list[dict]:
        """Fills free slots from the waitlist, oldest first, skipping those whose time is now taken."""
        need = await self.app.needs.get(task["need_id"])
        current = await self.app.tasks.get(task["_id"])
        if need is None or need["status"] != "OPEN" or current["status"] not in OPEN_TASK or task["starts_at"] <= now_ms():
            return []
        promoted: list[dict] = []
        waiting = self.app.applications.coll.find({"task_id": task["_id"], "status": "WAITLISTED"})
        for doc in await waiting.sort("applied_id", 1).limit(PROMOTION_BATCH).to_list():
            try:
                slot = await self._seat(doc["_id"], doc["volunteer_id"], task)
            except DomainError:
                continue  # booked elsewhere meanwhile: stays on the waitlist
            if slot is None:
                break
            try:
                promoted.append(await self._transition(viewer, doc["_id"], ("WAITLISTED",), "ACCEPTED",
                                                       fields={"slot": slot}, reason="promoted from the waitlist"))
            except DomainError:
                await self._release({**doc, "slot": slot}, task)
        return promoted

    async def _attend(self, viewer: Viewer, app_id: str, location, key: str | None, *, out: bool) -> dict:
        volunteer_id = self._volunteer(viewer)
        c = Collector()
        point = v.point(c, location, "location")
        c.raise_if_any()

        async def work() -> str:
            doc = await self._load(app_id, "assignmentId")
            if doc["volunteer_id"] != volunteer_id:
                raise forbidden("this is not your assignment", "assignmentId")
            task = await self._task(doc["task_id"])
            async with self.locks.hold(task["_id"]):
                doc = await self._load(app_id)
                if out:
                    doc = await self._check_out(viewer, doc, task, point)
                else:
                    await self._check_in(doc, task, point)
            if out:
                await self.app.changed("assignment", doc)
            return app_id

        op = f"{'checkOut' if out else 'checkIn'}:{app_id}"
        return await self._load(await once(self.app, viewer.account_id, op, key, work))

    def _fix(self, task: dict, point: dict, now: datetime, early: datetime, late: datetime) -> dict:
        distance = great_circle((point["lat"], point["lng"]), (task["location"]["lat"], task["location"]["lng"])).meters
        flags = [f for f, on in (("OUT_OF_FENCE", distance > self.app.settings.checkin_radius_m),
                                 ("EARLY", now < early), ("LATE", now > late)) if on]
        return {"at": now, "location": point, "distance_m": round(distance, 1), "flags": flags}

    async def _check_in(self, doc: dict, task: dict, point: dict) -> None:
        """The caller holds the task lock."""
        if doc["status"] == "COMPLETED":
            raise DomainError("ALREADY_CHECKED_OUT", "you have checked out already", "assignmentId")
        if doc["status"] != "ACCEPTED":
            raise DomainError("NOT_ASSIGNED", f"the application is {doc['status']}, not accepted", "assignmentId")
        if doc.get("check_in"):
            raise DomainError("ALREADY_CHECKED_IN", "you have checked in already", "assignmentId")
        if task["status"] == "CANCELLED":
            raise task_not_open("the task was cancelled")
        fix = self._fix(task, point, now_ms(), task["starts_at"] - CHECK_IN_EARLY, task["ends_at"])
        result = await self.app.applications.coll.update_one(
            {"_id": doc["_id"], "status": "ACCEPTED", "check_in": None},
            {"$set": {"check_in": fix, "updated_at": fix["at"]}})
        if result.matched_count == 0:
            raise DomainError("ALREADY_CHECKED_IN", "you have checked in already", "assignmentId")

    async def _check_out(self, viewer: Viewer, doc: dict, task: dict, point: dict) -> dict:
        """The caller holds the task lock. The hour entry comes first, keyed by the assignment, so a
        retry after a crash between the two writes finds it instead of adding a second one."""
        if doc["status"] == "COMPLETED":
            raise DomainError("ALREADY_CHECKED_OUT", "you have checked out already", "assignmentId")
        if doc["status"] != "ACCEPTED" or not doc.get("check_in"):
            raise DomainError("NOT_CHECKED_IN", "check in before checking out", "assignmentId")
        check_in = doc["check_in"]
        fix = self._fix(task, point, max(now_ms(), check_in["at"]), task["starts_at"], task["ends_at"] + CHECK_OUT_LATE)
        flags = list(dict.fromkeys([*check_in["flags"], *fix["flags"]]))
        entry = await self.app.hour_service.add_checkout_entry(doc, task, check_in["at"], fix["at"], flags,
                                                              f"checkout:{doc['_id']}")
        doc = await self._transition(viewer, doc["_id"], ("ACCEPTED",), "COMPLETED",
                                     fields={"check_out": fix, "hour_entry_id": entry["_id"]})
        minutes = int((fix["at"] - check_in["at"]).total_seconds() // 60)
        await self._record_service(doc, task, attended=True, minutes=minutes)
        return doc

    async def _record_service(self, doc: dict, task: dict, *, attended: bool, minutes: int) -> None:
        """The attendance fact matching's reliability learns from; one per assignment."""
        record = {"_id": doc["_id"], "volunteer_id": doc["volunteer_id"], "need_id": doc["need_id"],
                  "task_id": doc["task_id"], "organisation_id": doc["organisation_id"],
                  "beneficiary_key": task.get("beneficiary_key"), "category": task.get("category"),
                  "attended": attended, "at": now_ms(), "minutes": minutes}
        try:
            await self.app.service_records.insert(record)
        except DuplicateKeyError:
            record = await self.app.service_records.get(doc["_id"])
        await self.app.changed("service", record)

    # ---- claims --------------------------------------------------------------------------------

    async def _free_slots(self, task: dict) -> list[int]:
        claims = await self.app.slot_claims.get_many([f"{task['_id']}:{n}" for n in range(task["slots"])])
        return [n for n, claim in enumerate(claims) if claim is None]

    async def _seat(self, app_id: str, volunteer_id: str, task: dict) -> int | None:
        """Claims a free slot, then the volunteer's time; None when every slot is taken.

        The slot comes first because on the embedded engine a failed unique insert is cheap and a
        lookup is a scan, so a full task costs `slots` failed inserts and nothing else. The caller
        holds the task lock: no request of this process sees the slot before the time is claimed."""
        if self._full_until.get(task["_id"], 0.0) > time.monotonic():
            return None
        now = now_ms()
        for n in range(task["slots"]):
            try:
                await self.app.slot_claims.insert({"_id": f"{task['_id']}:{n}", "task_id": task["_id"],
                                                   "application_id": app_id, "volunteer_id": volunteer_id, "at": now})
            except DuplicateKeyError:
                continue
            try:
                await self._claim_time(app_id, volunteer_id, task)
            except BaseException:
                await self.app.slot_claims.delete(f"{task['_id']}:{n}")
                raise
            return n
        self._remember_full(task["_id"])
        return None

    def _remember_full(self, task_id: str) -> None:
        now = time.monotonic()
        if len(self._full_until) > 10_000:
            self._full_until = {k: t for k, t in self._full_until.items() if t > now}
        self._full_until[task_id] = now + FULL_MEMO_SECONDS

    def _time_ids(self, volunteer_id: str, task: dict) -> list[str]:
        return [f"{volunteer_id}:{b}" for b in time_buckets(task["starts_at"], task["ends_at"])]

    async def _check_schedule(self, app_id: str, volunteer_id: str, task: dict) -> None:
        """Read-only: refuse at once when another live assignment already holds part of the window."""
        for claim in await self.app.time_claims.get_many(self._time_ids(volunteer_id, task)):
            if claim is not None and claim["application_id"] != app_id and not await self._abandoned(claim):
                raise DomainError("SCHEDULE_CONFLICT", "the volunteer is booked on another task at that time",
                                  "taskId")

    async def _claim_time(self, app_id: str, volunteer_id: str, task: dict) -> list[str]:
        ids = self._time_ids(volunteer_id, task)
        for _ in range(3):
            now = now_ms()
            docs = [{"_id": i, "volunteer_id": volunteer_id, "application_id": app_id, "task_id": task["_id"],
                     "at": now} for i in ids]
            try:
                await self.app.time_claims.insert_many(docs)
                return ids
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if not errors or errors[0].get("code") != 11000:
                    raise
                await self._delete(self.app.time_claims, ids[:exc.details.get("nInserted", 0)])
                blocking = await self.app.time_claims.get(ids[errors[0]["index"]])
                if blocking is not None and not await self._abandoned(blocking):
                    if blocking["application_id"] == app_id:
                        raise DomainError("ALREADY_APPLIED", "this volunteer is already assigned to the task", "taskId")
                    break
                if blocking is not None:
                    held = await self.app.time_claims.get_many(ids)
                    await self._delete(self.app.time_claims, [
                        c["_id"] for c in held if c and c["application_id"] == blocking["application_id"]])
        raise DomainError("SCHEDULE_CONFLICT", "the volunteer is booked on another task at that time", "taskId")

    async def _abandoned(self, claim: dict) -> bool:
        """A time claim whose assignment ended early, whose task was cancelled, or left by a crash."""
        holder = await self.app.applications.get(claim["application_id"])
        if holder is not None and holder["status"] in HOLDS_TIME:
            task = await self.app.tasks.get(holder["task_id"])
            return task is None or task["status"] == "CANCELLED"
        return claim["at"] < now_ms() - STALE_CLAIM_AGE

    async def _release(self, doc: dict, task: dict) -> None:
        """Gives back the slot and time an assignment holds (only claims that are its own)."""
        if doc.get("slot") is not None:
            slot_id = f"{task['_id']}:{doc['slot']}"
            claim = await self.app.slot_claims.get(slot_id)
            if claim is not None and claim["application_id"] == doc["_id"]:
                await self.app.slot_claims.delete(slot_id)
                self._full_until.pop(task["_id"], None)
        claims = await self.app.time_claims.get_many(self._time_ids(doc["volunteer_id"], task))
        await self._delete(self.app.time_claims, [c["_id"] for c in claims if c and c["application_id"] == doc["_id"]])

    async def repair(self) -> int:
        """Removes claims left behind by a crash between a claim and its application's write, or
        held for cancelled tasks, and recounts the tasks concerned; returns how many it removed."""
        removed, tasks = 0, set()
        for repo in (self.app.slot_claims, self.app.time_claims):
            abandoned = [c async for c in repo.scan() if await self._abandoned(c)]
            for claim in abandoned:
                async with self.locks.hold(claim["task_id"]):
                    await repo.delete(claim["_id"])
                    self._full_until.pop(claim["task_id"], None)
            removed += len(abandoned)
            if repo is self.app.slot_claims:
                tasks = {c["task_id"] for c in abandoned}
        for task in await self.app.tasks.get_many(sorted(tasks)):
            if task is not None:
                async with self.locks.hold(task["_id"]):
                    await self._recount(task)
        return removed

    @staticmethod
    async def _delete(repo, ids: list[str]) -> None:
        if ids:
            await repo.coll.delete_many({"_id": {"$in": ids}})

    async def _recount(self, task: dict) -> None:
        """Task.filled and FULL/OPEN derive from the slot claims; the caller holds the task lock."""
        filled = task["slots"] - len(await self._free_slots(task))
        current = await self.app.tasks.get(task["_id"])
        if current is None:
            return
        fields = {"filled": filled}
        if current["status"] in OPEN_TASK:
            fields["status"] = "FULL" if filled >= current["slots"] else "OPEN"
        if all(current.get(k) == val for k, val in fields.items()):
            return
        await self.app.tasks.set_fields(task["_id"], fields)
        await self.app.changed("task", {**current, **fields})
