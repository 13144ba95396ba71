"""Needs posted by organisations, and the tasks (time window + slots) that carry them out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from db.changes import ChangeFeed
from db.repo import Repository, new_id
from matching.catalogue import DEFAULT_CREDENTIALS_BY_CATEGORY
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import LOCAL, Clock, to_ms
from services.errors import Collector, DomainError, ErrorCode, invalid, not_found
from services.volunteers import WEEKDAYS
from services.writes import Writes

MAX_TASKS = 200
MAX_SLOTS = 100
MAX_TASK_HOURS = 24
# Fields copied from a need onto its tasks so the matching index reads one document per task.
DENORMALISED = (
    "auto_accept",
    "organisation_id",
    "category",
    "urgency",
    "location",
    "required_skills",
    "required_credentials",
    "languages",
    "beneficiary_key",
)


def _check_window(c: Collector, starts: datetime, ends: datetime, slots: int, now: datetime, *field: str) -> None:
    c.check(ends > starts, "endsAt must be after startsAt", *field, "endsAt", code=ErrorCode.INVALID_TIME_RANGE)
    c.check(
        ends - starts <= timedelta(hours=MAX_TASK_HOURS),
        f"a task lasts at most {MAX_TASK_HOURS} hours",
        *field,
        "endsAt",
        code=ErrorCode.INVALID_TIME_RANGE,
    )
    c.check(
        starts >= now - timedelta(hours=1),
        "a task cannot start in the past",
        *field,
        "startsAt",
        code=ErrorCode.INVALID_TIME_RANGE,
    )
    c.check(1 <= slots <= MAX_SLOTS, f"slots must be 1 to {MAX_SLOTS}", *field, "slots", code=ErrorCode.INVALID_SLOTS)


def expand_weekly(
    weekdays: list[str], start_time: time, minutes: int, first_day: date, last_day: date
) -> list[tuple[datetime, datetime]]:
    """Local (UTC+8) occurrences between two dates inclusive, as UTC windows."""
    wanted = {WEEKDAYS.index(w) for w in weekdays}
    out = []
    day = first_day
    while day <= last_day:
        if day.weekday() in wanted:
            starts = datetime.combine(day, start_time, LOCAL).astimezone(UTC)
            out.append((starts, starts + timedelta(minutes=minutes)))
        day += timedelta(days=1)
    return out


class NeedService:
    def __init__(
        self,
        needs: Repository,
        tasks: Repository,
        access: AccessPolicy,
        writes: Writes,
        changes: ChangeFeed,
        clock: Clock,
        recurrence_horizon_days: int,
    ) -> None:
        self.needs = needs
        self.tasks = tasks
        self.access = access
        self.writes = writes
        writes.register("postNeed", self._apply_post)
        writes.register("changeNeed", self._apply_change)
        self.changes = changes
        self.clock = clock
        self.horizon_days = recurrence_horizon_days

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        return await self.needs.get_many(ids)

    def _need_fields(self, c: Collector, p, *, partial: bool) -> dict:
        out: dict = {}

        def given(name: str) -> bool:
            return getattr(p, name, None) is not None or not partial

        if given("title"):
            out["title"] = v.text(c, p.title, "title", max_len=v.MAX_TITLE)
        if given("description"):
            out["description"] = v.text(c, p.description, "description", max_len=v.MAX_TEXT, required=False) or ""
        if given("category"):
            out["category"] = p.category.value
        if given("urgency"):
            out["urgency"] = p.urgency.value
        if given("location"):
            c.check(p.location is not None, "is required", "location")
            out["location"] = v.point(c, p.location, "location")
        if given("address"):
            out["address"] = v.text(c, p.address, "address", max_len=v.MAX_TITLE, required=False) or None
        if given("required_skills"):
            skills = {}
            for i, s in enumerate(v.bounded_list(c, p.required_skills, "requiredSkills", 10)):
                if v.skill_code(c, s.skill, "requiredSkills", str(i), "skill") and v.level(
                    c, s.min_level, "requiredSkills", str(i), "minLevel"
                ):
                    skills[s.skill] = s.min_level
            out["required_skills"] = [{"code": k, "min_level": lvl} for k, lvl in skills.items()]
        if getattr(p, "required_credentials", None) is not None:
            kinds = v.bounded_list(c, p.required_credentials, "requiredCredentials", 5)
            for i, kind in enumerate(kinds):
                v.credential_kind(c, kind, "requiredCredentials", str(i))
            out["required_credentials"] = list(dict.fromkeys(kinds))
        elif not partial:
            out["required_credentials"] = list(DEFAULT_CREDENTIALS_BY_CATEGORY.get(p.category.value, ()))
        if given("languages"):
            langs = v.bounded_list(c, p.languages, "languages", 5)
            for i, lang in enumerate(langs):
                v.language(c, lang, "languages", str(i))
            out["languages"] = list(dict.fromkeys(langs))
        if given("beneficiary_notes"):
            out["beneficiary_notes"] = (
                v.text(c, p.beneficiary_notes, "beneficiaryNotes", max_len=v.MAX_TEXT, required=False) or None
            )
        if given("beneficiary_ref"):
            out["beneficiary_key"] = (
                v.text(c, p.beneficiary_ref, "beneficiaryRef", max_len=v.MAX_NAME, required=False) or None
            )
        if given("auto_accept"):
            out["auto_accept"] = bool(p.auto_accept)
        return out

    def _windows(self, c: Collector, p, now: datetime) -> list[tuple[datetime, datetime, int]]:
        c.check(
            (p.tasks is not None) != (p.recurrence is not None),
            "give either tasks or a recurrence",
            "tasks",
            code=ErrorCode.INVALID_SCHEDULE,
        )
        windows = []
        if p.tasks is not None:
            c.check(1 <= len(p.tasks) <= MAX_TASKS, f"give 1 to {MAX_TASKS} tasks", "tasks", code=ErrorCode.TOO_MANY)
            for i, t in enumerate(p.tasks[:MAX_TASKS]):
                starts, ends = v.aware(c, t.starts_at, "tasks", str(i)), v.aware(c, t.ends_at, "tasks", str(i))
                if starts and ends:
                    _check_window(c, starts, ends, t.slots, now, "tasks", str(i))
                    windows.append((to_ms(starts), to_ms(ends), t.slots))
        elif p.recurrence is not None:
            r = p.recurrence
            today = now.astimezone(LOCAL).date()
            horizon = today + timedelta(days=self.horizon_days)
            starts_on = v.day(c, r.starts_on, "recurrence", "startsOn")
            ends_on = v.day(c, r.ends_on, "recurrence", "endsOn") if r.ends_on is not None else None
            c.check(1 <= len(r.weekdays) <= 7, "give 1 to 7 weekdays", "recurrence", "weekdays")
            c.check(
                15 <= r.duration_minutes <= MAX_TASK_HOURS * 60,
                "duration must be 15 minutes to 24 hours",
                "recurrence",
                "durationMinutes",
                code=ErrorCode.INVALID_TIME_RANGE,
            )
            c.check(
                1 <= r.slots <= MAX_SLOTS,
                f"slots must be 1 to {MAX_SLOTS}",
                "recurrence",
                "slots",
                code=ErrorCode.INVALID_SLOTS,
            )
            if starts_on is not None:
                c.check(
                    starts_on >= today,
                    "cannot start in the past",
                    "recurrence",
                    "startsOn",
                    code=ErrorCode.INVALID_TIME_RANGE,
                )
                c.check(
                    ends_on is None or ends_on >= starts_on,
                    "endsOn must not be before startsOn",
                    "recurrence",
                    "endsOn",
                    code=ErrorCode.INVALID_TIME_RANGE,
                )
            if not c.problems and starts_on is not None:
                last = min(ends_on or horizon, horizon)
                found = expand_weekly([w.value for w in r.weekdays], r.start_time, r.duration_minutes, starts_on, last)
                c.check(
                    0 < len(found) <= MAX_TASKS,
                    f"the recurrence must give 1 to {MAX_TASKS} tasks within {self.horizon_days} days",
                    "recurrence",
                    code=ErrorCode.INVALID_SCHEDULE,
                )
                windows = [(to_ms(s), to_ms(e), r.slots) for s, e in found[:MAX_TASKS]]
        return windows

    async def post(self, viewer: Viewer, p, org_id: str) -> dict:
        c = Collector()
        now = self.clock.now()
        fields = self._need_fields(c, p, partial=False)
        windows = self._windows(c, p, now)
        c.raise_if_any()
        self.access.require_manager(viewer, org_id)

        write_id = new_id()
        need_id = new_id()
        task_ids = [new_id() for _ in windows]
        need = {
            "_id": need_id,
            "organisation_id": org_id,
            **fields,
            "status": "OPEN",
            "task_ids": task_ids,
            "created_by": viewer.account_id,
            "created_at": now,
            "updated_at": now,
            "recurrence": _recurrence_doc(p.recurrence),
            "write_id": write_id,
        }
        tasks = [
            {
                "_id": tid,
                "need_id": need_id,
                "starts_at": s,
                "ends_at": e,
                "slots": n,
                "filled": 0,
                "status": "OPEN",
                "created_at": now,
                "write_id": write_id,
                **{k: need.get(k) for k in DENORMALISED},
            }
            for tid, (s, e, n) in zip(task_ids, windows)
        ]
        plan = {"need": need, "tasks": tasks}
        need_id = await self.writes.run(
            "postNeed", plan, account_id=viewer.account_id, key=p.idempotency_key, write_id=write_id
        )
        found = await self.needs.get(need_id)
        if found is None:
            raise not_found("need")
        return found

    async def _apply_post(self, plan: dict, write_id: str) -> str:
        """Tasks first, then the need that lists them: a need is never seen without its tasks."""
        tasks, need = plan["tasks"], plan["need"]
        await self.tasks.insert_planned_many(tasks)
        crashpoints.reached("postNeed.tasks")
        await self.needs.insert_planned(need)
        await self.changes.publish("need", need)
        await self.changes.publish("task", *tasks)
        return need["_id"]

    async def _owned(self, viewer: Viewer, need_id: str) -> dict:
        need = await self.needs.get(need_id)
        if need is None:
            raise not_found("need", "needId")
        self.access.require_manager(viewer, need["organisation_id"], "needId")
        return need

    async def update(self, viewer: Viewer, p, need_id: str) -> dict:
        c = Collector()
        fields = self._need_fields(c, p, partial=True)
        c.raise_if_any()
        need = await self._owned(viewer, need_id)
        if need["status"] == "CANCELLED":
            raise DomainError(ErrorCode.NEED_CANCELLED, "a cancelled need cannot be changed", "needId")
        if not fields:
            raise invalid("nothing to update")
        fields["updated_at"] = self.clock.now()
        need = {**need, **fields}
        task_fields = {k: need.get(k) for k in DENORMALISED if k in fields}
        await self._change(need, fields, task_fields)
        return need

    async def cancel(self, viewer: Viewer, need_id: str, reason: str | None) -> dict:
        c = Collector()
        reason = v.text(c, reason, "reason", max_len=v.MAX_TITLE, required=False)
        c.raise_if_any()
        need = await self._owned(viewer, need_id)
        if need["status"] == "CANCELLED":
            raise DomainError(ErrorCode.NEED_CANCELLED, "the need is already cancelled", "needId")
        fields = {"status": "CANCELLED", "cancel_reason": reason or None, "updated_at": self.clock.now()}
        need = {**need, **fields}
        await self._change(need, fields, {"status": "CANCELLED"})
        return need

    async def _change(self, need: dict, fields: dict, task_fields: dict) -> None:
        """A need's fields and what its tasks copy of them, written as one planned write."""
        plan = {"need_id": need["_id"], "task_ids": need["task_ids"], "fields": fields, "task_fields": task_fields}
        await self.writes.run("changeNeed", plan, key=None, write_id=new_id())

    async def _apply_change(self, plan: dict, write_id: str) -> str:
        """Only `$set`s: applying them again after a crash changes nothing more."""
        await self.needs.set_fields(plan["need_id"], plan["fields"])
        crashpoints.reached("changeNeed.need")
        if plan["task_fields"]:
            await self.tasks.update_many({"_id": {"$in": plan["task_ids"]}}, {"$set": plan["task_fields"]})
            tasks = [t for t in await self.tasks.get_many(plan["task_ids"]) if t]
            await self.changes.publish("task", *tasks)
        need = await self.needs.get(plan["need_id"])
        if need is not None:
            await self.changes.publish("need", need)
        return plan["need_id"]


def _recurrence_doc(r) -> dict | None:
    if r is None:
        return None
    return {
        "weekdays": [w.value for w in r.weekdays],
        "start_time": r.start_time.strftime("%H:%M"),
        "duration_minutes": r.duration_minutes,
        "slots": r.slots,
        "starts_on": r.starts_on.isoformat(),
        "ends_on": r.ends_on.isoformat() if r.ends_on else None,
    }
