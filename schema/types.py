"""Object types. Private fields resolve to null for callers who may not see them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from matching.catalogue import UTC_OFFSET_HOURS
from schema.context import Info
from schema.core import (Connection, Node, check_first, connection, decode_cursor, encode_cursor, encode_id,
                         page_of_sorted_ids)
from schema.enums import NeedCategory, NeedStatus, OrganisationKind, Role, TaskStatus, Urgency, Weekday
from services.errors import DomainError
from services.hours import star_level
from services.volunteers import WEEKDAYS

# schema.engagement builds on these types; its own are resolved lazily to avoid an import cycle.
LazyApplication = Annotated["Application", strawberry.lazy("schema.engagement")]
LazyApplicationStatus = Annotated["ApplicationStatus", strawberry.lazy("schema.engagement")]


@strawberry.type
class GeoPoint:
    lat: float
    lng: float

    @classmethod
    def of(cls, doc: dict | None) -> "GeoPoint | None":
        return cls(lat=doc["lat"], lng=doc["lng"]) if doc else None


@strawberry.type
class SkillLevel:
    skill: str
    level: int


@strawberry.type
class RequiredSkill:
    skill: str
    min_level: int


@strawberry.type
class Credential:
    kind: str
    expires_on: date


@strawberry.type
class AvailabilitySlot:
    weekday: Weekday
    start_hour: int
    end_hour: int


@strawberry.type
class Recurrence:
    weekdays: list[Weekday]
    start_time: str
    duration_minutes: int
    slots: int
    starts_on: date
    ends_on: date | None


@strawberry.type
class Organisation(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "Organisation | None":
        return cls(id=encode_id("Organisation", doc["_id"]), raw=doc) if doc else None

    @strawberry.field
    def name(self) -> str:
        return self.raw["name"]

    @strawberry.field
    def kind(self) -> OrganisationKind:
        return OrganisationKind(self.raw["kind"])

    @strawberry.field(description="China administrative division code: 6 digits county, 9 township, 12 village.")
    def region_code(self) -> str:
        return self.raw["region_code"]

    @strawberry.field
    def location(self) -> GeoPoint | None:
        return GeoPoint.of(self.raw.get("location"))

    @strawberry.field
    def address(self) -> str | None:
        return self.raw.get("address")

    @strawberry.field
    def parent(self, info: Info) -> "Organisation | None":
        return Organisation.of(info.context.org(self.raw.get("parent_id")))

    @strawberry.field(description="Organisations from the top of the hierarchy down to this one's parent.")
    def ancestors(self, info: Info) -> list["Organisation"]:
        return [Organisation.of(info.context.org(i)) for i in self.raw["path"][:-1] if info.context.org(i)]

    @strawberry.field(description="Needs the organisation posted, oldest first.")
    async def needs(self, info: Info, first: int | None = None, after: str | None = None) -> Connection["Need"]:
        ids = info.context.app.directory.need_ids(self.raw["_id"])
        page, has_next = page_of_sorted_ids(ids, first, after)
        docs = [d for d in await info.context.loaders.needs.load_many(page) if d]
        return connection([Need.of(d) for d in docs], [encode_cursor(d["_id"]) for d in docs], has_next,
                          len(ids), after is not None)


@strawberry.type
class Need(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "Need | None":
        return cls(id=encode_id("Need", doc["_id"]), raw=doc) if doc else None

    @strawberry.field
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.org(self.raw["organisation_id"]))

    @strawberry.field
    def title(self) -> str:
        return self.raw["title"]

    @strawberry.field
    def description(self) -> str:
        return self.raw.get("description") or ""

    @strawberry.field
    def category(self) -> NeedCategory:
        return NeedCategory(self.raw["category"])

    @strawberry.field
    def urgency(self) -> Urgency:
        return Urgency(self.raw["urgency"])

    @strawberry.field
    def status(self) -> NeedStatus:
        return NeedStatus(self.raw["status"])

    @strawberry.field(description="Approximate meeting point, public.")
    def location(self) -> GeoPoint:
        return GeoPoint.of(self.raw["location"])

    async def _may_see_private(self, info: Info) -> bool:
        """The organisation's coordinators, and volunteers accepted on one of its tasks (once per request)."""
        ctx = info.context
        if ctx.manages(self.raw["organisation_id"]):
            return True
        if ctx.viewer is None or ctx.viewer.volunteer_id is None:
            return False
        key = ("assigned", self.raw["_id"])
        if key not in ctx.extra:
            ctx.extra[key] = await ctx.app.engagement_service.is_assigned_to_need(ctx.viewer.volunteer_id, self.raw)
        return ctx.extra[key]

    @strawberry.field(description="Exact address: for the organisation's coordinators and accepted volunteers.")
    async def address(self, info: Info) -> str | None:
        return self.raw.get("address") if await self._may_see_private(info) else None

    @strawberry.field(description="Private notes on the person served: for the owning organisation and "
                                  "volunteers accepted on one of the need's tasks.")
    async def beneficiary_notes(self, info: Info) -> str | None:
        return self.raw.get("beneficiary_notes") if await self._may_see_private(info) else None

    @strawberry.field(description="The owning organisation's case reference for the person served.")
    def beneficiary_ref(self, info: Info) -> str | None:
        return self.raw.get("beneficiary_key") if info.context.manages(self.raw["organisation_id"]) else None

    @strawberry.field
    def required_skills(self) -> list[RequiredSkill]:
        return [RequiredSkill(skill=s["code"], min_level=s["min_level"]) for s in self.raw.get("required_skills", [])]

    @strawberry.field
    def required_credentials(self) -> list[str]:
        return list(self.raw.get("required_credentials", []))

    @strawberry.field(description="Languages or dialects the person served speaks.")
    def languages(self) -> list[str]:
        return list(self.raw.get("languages", []))

    @strawberry.field
    def auto_accept(self) -> bool:
        return bool(self.raw.get("auto_accept"))

    @strawberry.field
    def recurrence(self) -> Recurrence | None:
        r = self.raw.get("recurrence")
        if not r:
            return None
        return Recurrence(weekdays=[Weekday(w) for w in r["weekdays"]], start_time=r["start_time"],
                          duration_minutes=r["duration_minutes"], slots=r["slots"],
                          starts_on=date.fromisoformat(r["starts_on"]),
                          ends_on=date.fromisoformat(r["ends_on"]) if r["ends_on"] else None)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.raw["created_at"]

    @strawberry.field(description="Tasks in start order.")
    async def tasks(self, info: Info, first: int | None = None, after: str | None = None) -> Connection["Task"]:
        ids = self.raw["task_ids"]  # fixed at posting, in start order
        n = check_first(first)
        start = 0
        if after is not None:
            (last,) = decode_cursor(after, 1)
            if last not in ids:
                raise DomainError("INVALID_CURSOR", "is not a cursor from this list", "after")
            start = ids.index(last) + 1
        docs = [d for d in await info.context.loaders.tasks.load_many(ids[start:start + n]) if d]
        return connection([Task.of(d) for d in docs], [encode_cursor(d["_id"]) for d in docs],
                          start + n < len(ids), len(ids), after is not None)


@strawberry.type
class Task(Node):
    """Scalar fields are plain attributes: open-task pages resolve thousands of them per second,
    and a plain attribute costs far less to resolve than a resolver method."""

    raw: strawberry.Private[dict]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    slots: int
    filled: int
    status: TaskStatus
    category: NeedCategory
    urgency: Urgency
    location: GeoPoint

    @classmethod
    def of(cls, doc: dict | None) -> "Task | None":
        if not doc:
            return None
        return cls(id=encode_id("Task", doc["_id"]), raw=doc, starts_at=doc["starts_at"], ends_at=doc["ends_at"],
                   duration_minutes=int((doc["ends_at"] - doc["starts_at"]).total_seconds() // 60),
                   slots=doc["slots"], filled=doc.get("filled", 0), status=TaskStatus(doc["status"]),
                   category=NeedCategory(doc["category"]), urgency=Urgency(doc["urgency"]),
                   location=GeoPoint(lat=doc["location"]["lat"], lng=doc["location"]["lng"]))

    @strawberry.field
    async def need(self, info: Info) -> Need | None:
        return Need.of(await info.context.loaders.needs.load(self.raw["need_id"]))

    @strawberry.field
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.org(self.raw["organisation_id"]))

    @strawberry.field(description="Applications in arrival order: only for the task's organisation, null otherwise.")
    async def applications(self, info: Info, statuses: list[LazyApplicationStatus] | None = None,
                           first: int | None = None, after: str | None = None) -> Connection[LazyApplication] | None:
        from schema.engagement import task_applications

        return await task_applications(info, self.raw, statuses, first, after)


@strawberry.type
class Volunteer(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "Volunteer | None":
        return cls(id=encode_id("Volunteer", doc["_id"]), raw=doc) if doc else None

    def _is_self(self, info: Info) -> bool:
        v = info.context.viewer
        return v is not None and (v.volunteer_id == self.raw["_id"] or v.role == "ADMIN")

    @strawberry.field
    def name(self) -> str:
        return self.raw["name"]

    @strawberry.field
    def skills(self) -> list[SkillLevel]:
        return [SkillLevel(skill=s["code"], level=s["level"]) for s in self.raw.get("skills", [])]

    @strawberry.field
    def credentials(self) -> list[Credential]:
        return [Credential(kind=c["kind"], expires_on=date.fromisoformat(c["expires_on"]))
                for c in self.raw.get("credentials", [])]

    @strawberry.field
    def languages(self) -> list[str]:
        return list(self.raw.get("languages", []))

    @strawberry.field
    def travel_radius_km(self) -> float:
        return self.raw["travel_radius_km"]

    @strawberry.field(description=f"Weekly hour slots in local time (UTC+{UTC_OFFSET_HOURS}).")
    def availability(self) -> list[AvailabilitySlot]:
        return [AvailabilitySlot(weekday=Weekday(WEEKDAYS[a["weekday"] - 1]), start_hour=a["start_hour"],
                                 end_hour=a["end_hour"]) for a in self.raw.get("availability", [])]

    @strawberry.field
    def max_hours_per_week(self) -> int:
        return self.raw["max_hours_per_week"]

    @strawberry.field
    def emergency_responder(self) -> bool:
        return bool(self.raw.get("emergency_responder"))

    @strawberry.field(description="Only for the volunteer themselves.")
    def email(self, info: Info) -> str | None:
        return self.raw.get("email") if self._is_self(info) else None

    @strawberry.field(description="Only for the volunteer themselves.")
    def phone(self, info: Info) -> str | None:
        return self.raw.get("phone") if self._is_self(info) else None

    @strawberry.field(description="Only for the volunteer themselves.")
    def home(self, info: Info) -> GeoPoint | None:
        return GeoPoint.of(self.raw.get("home")) if self._is_self(info) else None

    @strawberry.field(description="Only for the volunteer themselves.")
    def blackout_dates(self, info: Info) -> list[date] | None:
        if not self._is_self(info):
            return None
        return [date.fromisoformat(d) for d in self.raw.get("blackout_dates", [])]

    @strawberry.field(description="Certified (verified, corrected) minutes of service, all time.")
    async def verified_minutes(self, info: Info) -> int:
        return await info.context.app.hour_service.verified_minutes(self.raw["_id"])

    @strawberry.field(description="0 to 5 stars from certified hours: 100, 300, 600, 1000, 1500 h.")
    async def star_level(self, info: Info) -> int:
        return star_level(await info.context.app.hour_service.verified_minutes(self.raw["_id"]))

    @strawberry.field(description="Accepted, completed and no-show assignments, oldest first: for the volunteer; "
                                  "coordinators see those their organisations run.")
    async def assignments(self, info: Info, first: int | None = None, after: str | None = None
                          ) -> Connection[LazyApplication] | None:
        from schema.engagement import volunteer_assignments

        return await volunteer_assignments(info, self.raw, first, after)


@strawberry.type
class Account(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "Account | None":
        return cls(id=encode_id("Account", doc["_id"]), raw=doc) if doc else None

    @strawberry.field
    def email(self) -> str:
        return self.raw["email"]

    @strawberry.field
    def role(self) -> Role:
        return Role(self.raw["role"])

    @strawberry.field
    def display_name(self) -> str:
        return self.raw["display_name"]

    @strawberry.field(description="Committee accounts: the region they watch.")
    def region_code(self) -> str | None:
        return self.raw.get("region_code")

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer | None:
        vid = self.raw.get("volunteer_id")
        return Volunteer.of(await info.context.loaders.volunteers.load(vid)) if vid else None

    @strawberry.field(description="Organisations this account coordinates.")
    def organisations(self, info: Info) -> list[Organisation]:
        return [Organisation.of(o) for o in map(info.context.org, self.raw.get("organisation_ids", [])) if o]
