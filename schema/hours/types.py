"""`HourEntry` (one record of service in the append-only ledger) and `HourTally`."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from schema.base.context import Context, Info
from schema.base.nodes import Node, node_type
from schema.needs.types import NeedCategory, Task
from schema.organisations.types import Organisation
from schema.volunteers.types import Volunteer


@strawberry.enum(description="Whether the organisation has certified an entry.")
class HourStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting for the organisation's decision.")
    VERIFIED = strawberry.enum_value("VERIFIED", description="Certified: counts toward hours and star level.")
    REJECTED = strawberry.enum_value("REJECTED", description="Refused by the organisation; counts for nothing.")


@strawberry.enum(description="Where an entry came from.")
class HourSource(Enum):
    CHECKOUT = strawberry.enum_value("CHECKOUT", description="The volunteer's check-in and check-out.")
    MANUAL = strawberry.enum_value("MANUAL", description="Recorded by a coordinator (e.g. a group activity).")
    CORRECTION = strawberry.enum_value(
        "CORRECTION", description="A correction of a verified entry: carries the difference, with a reason."
    )


@strawberry.enum(description="A coordinator's decision on pending entries.")
class HourDecision(Enum):
    VERIFY = strawberry.enum_value("VERIFY", description="Certify them.")
    REJECT = strawberry.enum_value("REJECT", description="Refuse them.")


@strawberry.enum(description="How `hourTallies` groups a scope's hours.")
class TallyGroup(Enum):
    VOLUNTEER = strawberry.enum_value("VOLUNTEER", description="One row per volunteer; keys are Volunteer ids.")
    ORGANISATION = strawberry.enum_value(
        "ORGANISATION", description="One row per organisation that ran the activities; keys are Organisation ids."
    )
    REGION = strawberry.enum_value("REGION", description="One row per region code of those organisations.")
    CATEGORY = strawberry.enum_value("CATEGORY", description="One row per field of service.")
    MONTH = strawberry.enum_value("MONTH", description="One row per month (YYYY-MM), oldest first.")


@node_type
@strawberry.type(
    description="One record of service (志愿服务记录) in the append-only ledger: only PENDING → VERIFIED | "
    "REJECTED changes; corrections are new entries. Seen by the volunteer, the organisation's "
    "coordinators and committees of its region."
)
class HourEntry(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> HourEntry | None:
        doc = await ctx.loaders.hour_entries.load(raw_id)
        return cls.of(doc) if doc and ctx.services.access.may_read_entry(ctx.viewer, doc) else None

    @strawberry.field(description="The volunteer who served.")
    async def volunteer(self, info: Info) -> Volunteer | None:
        return Volunteer.of(await info.context.loaders.volunteers.load(self.raw["volunteer_id"]))

    @strawberry.field(description="The organisation that ran the activity and certifies it (谁组织谁记录).")
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.services.organisations.get(self.raw["organisation_id"]))

    @strawberry.field(description="The task served, if the activity was one.")
    async def task(self, info: Info) -> Task | None:
        tid = self.raw.get("task_id")
        return Task.of(await info.context.loaders.tasks.load(tid)) if tid else None

    @strawberry.field(description="The field of service.")
    def category(self) -> NeedCategory:
        return NeedCategory(self.raw["category"])

    @strawberry.field(description="What the activity was, when recorded by hand.")
    def title(self) -> str | None:
        return self.raw.get("title")

    @strawberry.field(description="Local (UTC+8) date of the activity.")
    def served_on(self) -> date:
        return date.fromisoformat(self.raw["served_on"])

    @strawberry.field(description="When the service started.")
    def started_at(self) -> datetime:
        return self.raw["started_at"]

    @strawberry.field(description="When the service ended.")
    def ended_at(self) -> datetime:
        return self.raw["ended_at"]

    @strawberry.field(description="Minutes served; for a correction, the change it makes (may be negative).")
    def minutes(self) -> int:
        return self.raw["minutes"]

    @strawberry.field(description="The activity's minutes after every correction.")
    async def corrected_minutes(self, info: Info) -> int:
        return await info.context.services.ledger.corrected_minutes(self.raw)

    @strawberry.field(description="Whether the organisation certified it.")
    def status(self) -> HourStatus:
        return HourStatus(self.raw["status"])

    @strawberry.field(description="Where it came from.")
    def source(self) -> HourSource:
        return HourSource(self.raw["source"])

    @strawberry.field(
        description="Check-in/out findings for the coordinator, e.g. OUT_OF_FENCE, LATE, NO_TIME_IN_WINDOW."
    )
    def flags(self) -> list[str]:
        return list(self.raw.get("flags", []))

    @strawberry.field(description="For a correction: the entry it corrects.")
    async def corrects(self, info: Info) -> HourEntry | None:
        cid = self.raw.get("corrects")
        return HourEntry.of(await info.context.loaders.hour_entries.load(cid)) if cid else None

    @strawberry.field(description="For a correction: why it was made.")
    def reason(self) -> str | None:
        return self.raw.get("reason")

    @strawberry.field(description="When it was recorded.")
    def created_at(self) -> datetime:
        return self.raw["created_at"]

    @strawberry.field(description="When it was verified or rejected; null while pending.")
    def verified_at(self) -> datetime | None:
        return self.raw.get("verified_at")


@strawberry.type(
    description="Verified minutes, entries (corrections excluded) and distinct volunteers of one "
    "group. `volunteers` is exact within a month; over several months it adds the months' counts."
)
class HourTally:
    key: str = strawberry.field(
        description="The group: a Volunteer or Organisation id, a region code, a category, or a month YYYY-MM."
    )
    label: str = strawberry.field(description="A name for people, e.g. 马家寨乡社工站, 养老服务, 2026年3月.")
    minutes: int = strawberry.field(description="Verified minutes (时长), corrections included.")
    entries: int = strawberry.field(description="Verified entries, corrections not counted.")
    volunteers: int = strawberry.field(description="Distinct volunteers (per month; added across months).")
