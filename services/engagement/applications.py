"""Applications and invitations: apply, withdraw, invite, answer, review, and the waitlist.

Auto-accept needs accept at once while slots last and waitlist the rest. Withdrawal or rejection
of an accepted volunteer frees the slot and promotes the oldest waitlisted volunteer whose
schedule still fits. Slots and time are claimed through `Seating`; every status change of one
task's applications holds that task's lock (see docs/engagement.md for several processes).
"""

from __future__ import annotations

from db.changes import ChangeFeed
from db.repo import Repository, new_id
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import Clock, now_ms
from services.engagement.locks import KeyedLocks
from services.engagement.rules import (
    ASSIGNMENT_STATUSES,
    DECIDED,
    MAX_REASON,
    OPEN_TASK,
    REINVITABLE,
    REOPENABLE,
    REVIEWABLE,
    WITHDRAWABLE,
    invalid_transition,
    make_application_id,
    task_not_open,
)
from services.engagement.seating import Seating
from services.engagement.store import ApplicationStore, load_task
from services.errors import Collector, DomainError, ErrorCode, forbidden, not_found

PROMOTION_BATCH = 50


def volunteer_of(viewer: Viewer) -> str:
    if viewer.volunteer_id is None:
        raise forbidden("only a volunteer can do this")
    return viewer.volunteer_id


def checked_reason(reason: str | None) -> str | None:
    c = Collector()
    reason = v.text(c, reason, "reason", max_len=MAX_REASON, required=False) or None
    c.raise_if_any()
    return reason


class ApplicationService:
    def __init__(
        self,
        store: ApplicationStore,
        seating: Seating,
        tasks: Repository,
        needs: Repository,
        volunteers: Repository,
        access: AccessPolicy,
        locks: KeyedLocks,
        changes: ChangeFeed,
        clock: Clock,
    ) -> None:
        self.store = store
        self.seating = seating
        self.tasks = tasks
        self.needs = needs
        self.volunteers = volunteers
        self.access = access
        self.locks = locks
        self.changes = changes
        self.clock = clock

    # ---- reads -------------------------------------------------------------------------------

    async def for_task(
        self, viewer: Viewer | None, task: dict, statuses: list[str] | None, first: int, after: str | None
    ) -> tuple[list[dict], bool, int] | None:
        """A task's applications in arrival order: for its organisation's coordinators; None otherwise."""
        if not self.access.may_manage(viewer, task["organisation_id"]):
            return None
        filt = {"task_id": task["_id"], **({"status": {"$in": statuses}} if statuses else {})}
        return await self.store.page(filt, first, after)

    async def of_volunteer(
        self, viewer: Viewer | None, volunteer_id: str, statuses: list[str] | None, first: int, after: str | None
    ) -> tuple[list[dict], bool, int] | None:
        """A volunteer's applications: all for the volunteer and admins; coordinators see those their
        organisations run; None for everyone else."""
        if viewer is None:
            return None
        filt: dict = {"volunteer_id": volunteer_id}
        if statuses:
            filt["status"] = {"$in": statuses}
        if viewer.volunteer_id != volunteer_id and viewer.role != "ADMIN":
            if viewer.role != "COORDINATOR":
                return None
            filt["organisation_id"] = {"$in": self.access.managed_organisations(viewer)}
        return await self.store.page(filt, first, after)

    async def assignments_of(
        self, viewer: Viewer | None, volunteer_id: str, first: int, after: str | None
    ) -> tuple[list[dict], bool, int] | None:
        """Accepted, completed and no-show assignments, oldest first."""
        return await self.of_volunteer(viewer, volunteer_id, ASSIGNMENT_STATUSES, first, after)

    async def mine(
        self, viewer: Viewer, statuses: list[str] | None, first: int, after: str | None
    ) -> tuple[list[dict], bool, int]:
        page = await self.of_volunteer(viewer, volunteer_of(viewer), statuses, first, after)
        assert page is not None  # a volunteer always sees their own
        return page

    # ---- volunteer actions -------------------------------------------------------------------

    async def apply(self, viewer: Viewer, task_id: str, message: str | None) -> dict:
        volunteer_id = volunteer_of(viewer)
        c = Collector()
        message = v.text(c, message, "message", max_len=MAX_REASON, required=False) or None
        c.raise_if_any()
        task, auto = await self._open_task(task_id)
        application_id = make_application_id(task_id, volunteer_id)
        if not auto:
            await self.seating.check_schedule(application_id, volunteer_id, task)
        async with self.locks.hold(task_id):
            now = now_ms(self.clock)
            slot = await self.seating.seat(application_id, volunteer_id, task) if auto else None
            status = "ACCEPTED" if slot is not None else "WAITLISTED" if auto else "PENDING"
            fields = {
                "status": status,
                "slot": slot,
                "applied_id": new_id(),
                "applied_at": now,
                "updated_at": now,
                "message": message,
                "invited_by": None,
                "check_in": None,
                "check_out": None,
            }
            event = {"status": status, "at": now, "by": viewer.account_id}
            try:
                doc = await self.store.open(task, volunteer_id, application_id, fields, event, REOPENABLE)
            except BaseException:
                if slot is not None:
                    await self.seating.release(
                        {"_id": application_id, "volunteer_id": volunteer_id, "slot": slot}, task
                    )
                raise
            if slot is not None:
                await self.seating.recount(task)
        if slot is not None:
            await self.changes.publish("assignment", doc)
        return doc

    async def withdraw(self, viewer: Viewer, application_id: str, reason: str | None) -> dict:
        volunteer_id = volunteer_of(viewer)
        reason = checked_reason(reason)
        doc = await self.store.load(application_id)
        if doc["volunteer_id"] != volunteer_id:
            raise forbidden("this is not your application", "applicationId")
        if doc["status"] == "INVITED":
            raise DomainError(
                ErrorCode.INVALID_TRANSITION, "answer the invitation with respondToInvitation", "applicationId"
            )
        return await self._end(viewer, doc, "WITHDRAWN", WITHDRAWABLE, "withdraw", reason)

    async def respond(self, viewer: Viewer, application_id: str, accept: bool) -> dict:
        volunteer_id = volunteer_of(viewer)
        doc = await self.store.load(application_id)
        if doc["volunteer_id"] != volunteer_id:
            raise forbidden("this invitation is not for you", "applicationId")
        if doc["status"] != "INVITED":
            raise invalid_transition(doc, "answer")
        if not accept:
            async with self.locks.hold(doc["task_id"]):
                return await self.store.transition(viewer.account_id, doc["_id"], ("INVITED",), "DECLINED")
        return await self._accept_application(viewer, doc, ("INVITED",))

    # ---- coordinator actions -----------------------------------------------------------------

    async def invite(self, viewer: Viewer, task_id: str, volunteer_id: str, message: str | None) -> dict:
        c = Collector()
        message = v.text(c, message, "message", max_len=MAX_REASON, required=False) or None
        c.raise_if_any()
        task, _ = await self._open_task(task_id)
        self.access.require_manager(viewer, task["organisation_id"], "taskId")
        if await self.volunteers.get(volunteer_id) is None:
            raise not_found("volunteer", "volunteerId")
        application_id = make_application_id(task_id, volunteer_id)
        async with self.locks.hold(task_id):
            await self.seating.check_schedule(application_id, volunteer_id, task)
            if not await self.seating.free_slots(task):
                raise DomainError(ErrorCode.TASK_FULL, "every slot of the task is taken", "taskId")
            now = now_ms(self.clock)
            fields = {
                "status": "INVITED",
                "slot": None,
                "applied_id": new_id(),
                "applied_at": now,
                "updated_at": now,
                "message": message,
                "invited_by": viewer.account_id,
                "check_in": None,
                "check_out": None,
            }
            event = {"status": "INVITED", "at": now, "by": viewer.account_id}
            return await self.store.open(task, volunteer_id, application_id, fields, event, REINVITABLE)

    async def review(self, viewer: Viewer, application_id: str, decision: str, reason: str | None) -> dict:
        reason = checked_reason(reason)
        doc = await self.store.load(application_id)
        self.access.require_manager(viewer, doc["organisation_id"], "applicationId")
        if decision == "REJECT" and doc["status"] == "ACCEPTED":
            return await self._end(viewer, doc, "REJECTED", ("ACCEPTED",), "reject", reason)
        if doc["status"] not in REVIEWABLE[decision]:
            raise invalid_transition(doc, decision.lower())
        if decision == "ACCEPT":
            return await self._accept_application(viewer, doc, REVIEWABLE["ACCEPT"])
        async with self.locks.hold(doc["task_id"]):
            return await self.store.transition(
                viewer.account_id, application_id, REVIEWABLE[decision], DECIDED[decision], reason=reason
            )

    # ---- steps -------------------------------------------------------------------------------

    async def _open_task(self, task_id: str) -> tuple[dict, bool]:
        """The task, if it still takes volunteers (open and not yet started), and whether its need
        accepts applicants at once. Tasks carry their need's `auto_accept` and a cancelled need's
        status; only tasks written before they did make a read of the need."""
        task = await load_task(self.tasks, task_id)
        if "auto_accept" in task:
            auto = bool(task["auto_accept"])
        else:
            need = await self.needs.get(task["need_id"])
            if need is None or need["status"] != "OPEN":
                raise task_not_open()
            auto = bool(need.get("auto_accept"))
        if task["status"] not in OPEN_TASK:
            raise task_not_open()
        if task["starts_at"] <= now_ms(self.clock):
            raise task_not_open("the task has already started")
        return task, auto

    async def _accept_application(self, viewer: Viewer, doc: dict, allowed: tuple[str, ...]) -> dict:
        """Accepting names an application, not a task: the task's problems point at `applicationId`."""
        try:
            task, _ = await self._open_task(doc["task_id"])
            return await self._accept(viewer, doc["_id"], allowed, task)
        except DomainError as exc:
            raise exc.about("applicationId") from None

    async def _accept(self, viewer: Viewer, application_id: str, allowed: tuple[str, ...], task: dict) -> dict:
        async with self.locks.hold(task["_id"]):
            doc = await self.store.load(application_id)
            if doc["status"] not in allowed:
                raise invalid_transition(doc, "accept")
            slot = await self.seating.seat(application_id, doc["volunteer_id"], task)
            if slot is None:
                raise DomainError(ErrorCode.TASK_FULL, "every slot of the task is taken", "applicationId")
            try:
                doc = await self.store.transition(
                    viewer.account_id, application_id, allowed, "ACCEPTED", fields={"slot": slot}
                )
            except BaseException:
                await self.seating.release({**doc, "slot": slot}, task)
                raise
            await self.seating.recount(task)
        await self.changes.publish("assignment", doc)
        return doc

    async def _end(
        self, viewer: Viewer, doc: dict, status: str, allowed: tuple[str, ...], action: str, reason: str | None
    ) -> dict:
        """Withdrawal or rejection; an accepted one frees its slot and time, and the waitlist moves up."""
        task = await load_task(self.tasks, doc["task_id"])
        async with self.locks.hold(task["_id"]):
            doc = await self.store.load(doc["_id"])
            if doc["status"] not in allowed:
                raise invalid_transition(doc, action)
            was_assigned = doc["status"] == "ACCEPTED"
            if was_assigned and doc.get("check_in"):
                raise DomainError(ErrorCode.ALREADY_CHECKED_IN, "the volunteer has checked in already", "applicationId")
            if was_assigned and task["ends_at"] <= now_ms(self.clock):
                raise task_not_open("the task has ended", "applicationId")
            doc = await self.store.transition(
                viewer.account_id, doc["_id"], (doc["status"],), status, reason=reason, match={"check_in": None}
            )
            promoted = []
            if was_assigned:
                await self.seating.release(doc, task)
                promoted = await self._promote(viewer, task)
                await self.seating.recount(task)
        if was_assigned:
            await self.changes.publish("assignment", doc, *promoted)
        return doc

    async def _promote(self, viewer: Viewer, task: dict) -> list[dict]:
        """Fills free slots from the waitlist, oldest first, skipping those whose time is now taken."""
        need = await self.needs.get(task["need_id"])
        current = await self.tasks.get(task["_id"])
        if (
            need is None
            or need["status"] != "OPEN"
            or current is None
            or current["status"] not in OPEN_TASK
            or task["starts_at"] <= now_ms(self.clock)
        ):
            return []
        promoted: list[dict] = []
        for doc in await self.store.waitlist(task["_id"], PROMOTION_BATCH):
            try:
                slot = await self.seating.seat(doc["_id"], doc["volunteer_id"], task)
            except DomainError:
                continue  # booked elsewhere meanwhile: stays on the waitlist
            if slot is None:
                break
            try:
                promoted.append(
                    await self.store.transition(
                        viewer.account_id,
                        doc["_id"],
                        ("WAITLISTED",),
                        "ACCEPTED",
                        fields={"slot": slot},
                        reason="promoted from the waitlist",
                    )
                )
            except DomainError:
                await self.seating.release({**doc, "slot": slot}, task)
        return promoted
