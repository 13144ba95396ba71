"""`Need` (what an organisation asks for) and `Task` (one time window with slots that carries it out)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base.common import GeoPoint, Weekday
from schema.base.context import Context, Info
from schema.base.ids import encode_id
from schema.base.nodes import Node, node_type, wrap
from schema.base.pagination import Connection, after_key, check_first, connection, page_of_list
from schema.organisations.types import Organisation

# A higher domain's type, resolved by name when the schema is built (no import: see schema/base/nodes.py).
LazyApplication = Annotated["Application", strawberry.lazy("schema.engagement.types")]  # noqa: F821
LazyApplicationStatus = Annotated["ApplicationStatus", strawberry.lazy("schema.engagement.types")]  # noqa: F821


@strawberry.enum(description="The field of service (the five fields of 千站暖万家, plus emergency response).")
class NeedCategory(Enum):
    VULNERABLE_ASSISTANCE = strawberry.enum_value(
        "VULNERABLE_ASSISTANCE",
        description="困弱帮扶: left-behind elders, women and children, 低保 and 特困 households, severe illness.",
    )
    ELDER_CARE = strawberry.enum_value(
        "ELDER_CARE", description="养老服务: meal delivery, errands, medicine, home visits, health checks."
    )
    CHILD_CARE = strawberry.enum_value(
        "CHILD_CARE", description="儿童关爱: homework tutoring, reading, after-school minding, protection."
    )
    DISABILITY_REHAB = strawberry.enum_value("DISABILITY_REHAB", description="残障康复: disability rehabilitation.")
    COMMUNITY_GOVERNANCE = strawberry.enum_value(
        "COMMUNITY_GOVERNANCE", description="社区治理: neighbourhood councils, mediation, clean-ups."
    )
    EMERGENCY_RESPONSE = strawberry.enum_value(
        "EMERGENCY_RESPONSE", description="应急守护: emergency response; speed and proximity decide."
    )


@strawberry.enum(description="How soon a need must be met.")
class Urgency(Enum):
    ROUTINE = strawberry.enum_value("ROUTINE", description="Planned service.")
    URGENT = strawberry.enum_value("URGENT", description="Needed within days.")
    EMERGENCY = strawberry.enum_value(
        "EMERGENCY", description="Needed now: matching ranks the nearest first and reaches on-call responders."
    )


@strawberry.enum(description="Whether a need still takes volunteers.")
class NeedStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Posted and running.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled by its organisation, with its tasks.")


@strawberry.enum(description="Where a task stands.")
class TaskStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Takes volunteers: some slots are free.")
    FULL = strawberry.enum_value("FULL", description="Every slot is taken (a withdrawal reopens it).")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled with its need.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Done.")


@strawberry.type(description="A skill a need requires, at a minimum level.")
class RequiredSkill:
    skill: str = strawberry.field(description="Skill code from the catalogue, e.g. MEAL_DELIVERY (送餐).")
    min_level: int = strawberry.field(description="Lowest acceptable level, 1 (beginner) to 5 (expert).")


@strawberry.type(description="A weekly schedule (local time) that was expanded into tasks.")
class Recurrence:
    weekdays: list[Weekday] = strawberry.field(description="The days of the week it runs on.")
    start_time: str = strawberry.field(description="Local start time, HH:MM.")
    duration_minutes: int = strawberry.field(description="Length of each task in minutes.")
    slots: int = strawberry.field(description="Volunteers wanted per task.")
    starts_on: date = strawberry.field(description="First day of the schedule.")
    ends_on: date | None = strawberry.field(
        description="Last day, or null for the planning horizon (90 days by default)."
    )


@node_type
@strawberry.type(
    description="A need an organisation posted (often a case plan a social worker designed), carried "
    "out by volunteers through its tasks."
)
class Need(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Need | None:
        return cls.of(await ctx.loaders.needs.load(raw_id))

    @strawberry.field(description="The organisation that posted it and runs it.")
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.services.organisations.get(self.raw["organisation_id"]))

    @strawberry.field(description="Short title, e.g. 同心村养老外卖：每周一、周四送餐上门.")
    def title(self) -> str:
        return self.raw["title"]

    @strawberry.field(description="What volunteers will do; public.")
    def description(self) -> str:
        return self.raw.get("description") or ""

    @strawberry.field(description="Its field of service.")
    def category(self) -> NeedCategory:
        return NeedCategory(self.raw["category"])

    @strawberry.field(description="How soon it must be met.")
    def urgency(self) -> Urgency:
        return Urgency(self.raw["urgency"])

    @strawberry.field(description="Whether it still runs.")
    def status(self) -> NeedStatus:
        return NeedStatus(self.raw["status"])

    @strawberry.field(description="Approximate meeting point; public.")
    def location(self) -> GeoPoint:
        return GeoPoint(lat=self.raw["location"]["lat"], lng=self.raw["location"]["lng"])

    async def _may_see_private(self, info: Info) -> bool:
        """A page of needs asks the database once (the `assigned_needs` loader)."""
        ctx = info.context
        decided = ctx.services.access.may_see_need_private_as_manager(ctx.viewer, self.raw)
        if decided is not None:
            return decided
        return bool(await ctx.loaders.assigned_needs.load(self.raw["_id"]))

    @strawberry.field(
        description="Exact address: for the organisation's coordinators and volunteers accepted on (or done "
        "with) one of the need's tasks; null for everyone else."
    )
    async def address(self, info: Info) -> str | None:
        return self.raw.get("address") if await self._may_see_private(info) else None

    @strawberry.field(
        description="Private notes on the person served (health, household): for the owning "
        "organisation and volunteers accepted on (or done with) one of the need's tasks; null for everyone else."
    )
    async def beneficiary_notes(self, info: Info) -> str | None:
        return self.raw.get("beneficiary_notes") if await self._may_see_private(info) else None

    @strawberry.field(
        description="The owning organisation's case reference for the person served (个案编号): for "
        "its coordinators only."
    )
    def beneficiary_ref(self, info: Info) -> str | None:
        if info.context.services.access.may_manage(info.context.viewer, self.raw["organisation_id"]):
            return self.raw.get("beneficiary_key")
        return None

    @strawberry.field(description="Skills every volunteer must have, at a minimum level.")
    def required_skills(self) -> list[RequiredSkill]:
        return [RequiredSkill(skill=s["code"], min_level=s["min_level"]) for s in self.raw.get("required_skills", [])]

    @strawberry.field(
        description="Credentials every volunteer must hold, valid on the task's date (e.g. CHILD_SAFEGUARDING_CHECK)."
    )
    def required_credentials(self) -> list[str]:
        return list(self.raw.get("required_credentials", []))

    @strawberry.field(
        description="Languages or dialects the person served speaks; volunteers who speak one rank higher."
    )
    def languages(self) -> list[str]:
        return list(self.raw.get("languages", []))

    @strawberry.field(
        description="Whether applicants are accepted at once while slots last (else the organisation reviews them)."
    )
    def auto_accept(self) -> bool:
        return bool(self.raw.get("auto_accept"))

    @strawberry.field(description="The weekly schedule its tasks came from; null for one-off tasks.")
    def recurrence(self) -> Recurrence | None:
        r = self.raw.get("recurrence")
        if not r:
            return None
        return Recurrence(
            weekdays=[Weekday(w) for w in r["weekdays"]],
            start_time=r["start_time"],
            duration_minutes=r["duration_minutes"],
            slots=r["slots"],
            starts_on=date.fromisoformat(r["starts_on"]),
            ends_on=date.fromisoformat(r["ends_on"]) if r["ends_on"] else None,
        )

    @strawberry.field(description="When it was posted.")
    def created_at(self) -> datetime:
        return self.raw["created_at"]

    @strawberry.field(description="Its tasks in start order.")
    async def tasks(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[Task]:
        ids = self.raw["task_ids"]  # fixed at posting, in start order
        page, has_next = page_of_list(ids, first, after)
        docs = [d for d in await info.context.loaders.tasks.load_many(page) if d]
        return connection(Task.of, docs, has_next, len(ids), after)


@node_type
@strawberry.type(
    description="One time window of a need with a number of volunteer slots. Scalar fields are plain "
    "attributes: open-task pages resolve thousands of them per second."
)
class Task(Node):
    raw: strawberry.Private[dict]
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends.")
    duration_minutes: int = strawberry.field(description="Its length in minutes.")
    slots: int = strawberry.field(description="How many volunteers it takes.")
    filled: int = strawberry.field(description="How many slots are taken (accepted volunteers).")
    status: TaskStatus = strawberry.field(description="Open, full, cancelled or completed.")
    category: NeedCategory = strawberry.field(description="Its need's field of service.")
    urgency: Urgency = strawberry.field(description="Its need's urgency.")
    location: GeoPoint = strawberry.field(description="Its need's approximate meeting point.")

    @classmethod
    def of(cls, doc: dict | None) -> Task | None:
        if not doc:
            return None
        return cls(
            id=encode_id("Task", doc["_id"]),
            raw=doc,
            starts_at=doc["starts_at"],
            ends_at=doc["ends_at"],
            duration_minutes=int((doc["ends_at"] - doc["starts_at"]).total_seconds() // 60),
            slots=doc["slots"],
            filled=doc.get("filled", 0),
            status=TaskStatus(doc["status"]),
            category=NeedCategory(doc["category"]),
            urgency=Urgency(doc["urgency"]),
            location=GeoPoint(lat=doc["location"]["lat"], lng=doc["location"]["lng"]),
        )

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Task | None:
        return cls.of(await ctx.loaders.tasks.load(raw_id))

    @strawberry.field(description="The need it carries out.")
    async def need(self, info: Info) -> Need | None:
        return Need.of(await info.context.loaders.needs.load(self.raw["need_id"]))

    @strawberry.field(description="The organisation that runs it.")
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.services.organisations.get(self.raw["organisation_id"]))

    @strawberry.field(description="Applications in arrival order: for the task's organisation; null for everyone else.")
    async def applications(
        self,
        info: Info,
        statuses: Annotated[
            list[LazyApplicationStatus] | None, strawberry.argument(description="Only these statuses.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[LazyApplication] | None:
        n = check_first(first)
        page = await info.context.services.applications.for_task(
            info.context.viewer, self.raw, [s.value for s in statuses] if statuses else None, n, after_key(after)
        )
        if page is None:
            return None
        docs, has_next, total = page
        return connection(wrap("Application"), docs, has_next, total, after, cursor_key="applied_id")
