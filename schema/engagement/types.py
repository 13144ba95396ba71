"""`Application` (once ACCEPTED, the volunteer's assignment) and its attendance."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.base.common import GeoPoint
from schema.base.context import Context, Info
from schema.base.nodes import Node, node_type
from schema.needs.types import Task
from schema.volunteers.types import Volunteer


@strawberry.enum(description="Where an application stands.")
class ApplicationStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Applied; the organisation has not decided.")
    INVITED = strawberry.enum_value("INVITED", description="The organisation invited the volunteer; not answered.")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="Holds a slot: this is the volunteer's assignment.")
    WAITLISTED = strawberry.enum_value(
        "WAITLISTED", description="Waiting for a slot; promoted in order when one frees up."
    )
    REJECTED = strawberry.enum_value("REJECTED", description="The organisation said no.")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="The volunteer withdrew.")
    DECLINED = strawberry.enum_value("DECLINED", description="The volunteer declined the invitation.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Checked out: the service was done.")
    NO_SHOW = strawberry.enum_value("NO_SHOW", description="Accepted, but did not come.")


@strawberry.enum(description="A coordinator's decision on an application.")
class ReviewDecision(Enum):
    ACCEPT = strawberry.enum_value("ACCEPT", description="Give the volunteer a slot (TASK_FULL if none is free).")
    REJECT = strawberry.enum_value("REJECT", description="Say no; an accepted volunteer's slot frees up.")
    WAITLIST = strawberry.enum_value("WAITLIST", description="Put on the waitlist.")


@strawberry.enum(description="A volunteer's answer to an invitation.")
class InvitationAnswer(Enum):
    ACCEPT = strawberry.enum_value("ACCEPT", description="Take the slot.")
    DECLINE = strawberry.enum_value("DECLINE", description="Say no.")


@strawberry.enum(description="Why a check-in or check-out needs the coordinator's eye.")
class AttendanceFlag(Enum):
    OUT_OF_FENCE = strawberry.enum_value(
        "OUT_OF_FENCE", description="Farther from the task's location than the check-in radius (300 m by default)."
    )
    EARLY = strawberry.enum_value("EARLY", description="Before the allowed window.")
    LATE = strawberry.enum_value("LATE", description="After the allowed window.")


@strawberry.type(description="A check-in or check-out: when, where, how far from the task, and its flags.")
class AttendanceFix:
    at: datetime = strawberry.field(description="When the server recorded it.")
    location: GeoPoint = strawberry.field(description="Where the phone said it was.")
    distance_m: float = strawberry.field(description="Metres from the task's location.")
    flags: list[AttendanceFlag] = strawberry.field(description="What the coordinator should look at.")

    @classmethod
    def of(cls, fix: dict | None) -> AttendanceFix | None:
        if not fix:
            return None
        return cls(
            at=fix["at"],
            location=GeoPoint(lat=fix["location"]["lat"], lng=fix["location"]["lng"]),
            distance_m=fix["distance_m"],
            flags=[AttendanceFlag(f) for f in fix["flags"]],
        )


@strawberry.type(description="One step in an application's history.")
class ApplicationEvent:
    status: ApplicationStatus = strawberry.field(description="The status it moved to.")
    at: datetime = strawberry.field(description="When.")
    reason: str | None = strawberry.field(description="Why, when someone said.")


@node_type
@strawberry.type(
    description="A volunteer's application to a task; once ACCEPTED it is the assignment. Seen by the "
    "volunteer and the coordinators of the organisation that runs the task."
)
class Application(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Application | None:
        doc = await ctx.loaders.applications.load(raw_id)
        return cls.of(doc) if doc and ctx.services.access.may_see_application(ctx.viewer, doc) else None

    @strawberry.field(description="The task applied to.")
    async def task(self, info: Info) -> Task | None:
        return Task.of(await info.context.loaders.tasks.load(self.raw["task_id"]))

    @strawberry.field(description="The volunteer.")
    async def volunteer(self, info: Info) -> Volunteer | None:
        return Volunteer.of(await info.context.loaders.volunteers.load(self.raw["volunteer_id"]))

    @strawberry.field(description="Where it stands.")
    def status(self) -> ApplicationStatus:
        return ApplicationStatus(self.raw["status"])

    @strawberry.field(
        description="Whether the organisation invited the volunteer (rather than the volunteer applying)."
    )
    def invited(self) -> bool:
        return self.raw.get("invited_by") is not None

    @strawberry.field(description="The volunteer's or the inviter's message.")
    def message(self) -> str | None:
        return self.raw.get("message")

    @strawberry.field(description="When the volunteer applied or was invited; the waitlist goes in this order.")
    def applied_at(self) -> datetime:
        return self.raw["applied_at"]

    @strawberry.field(description="When it last changed.")
    def updated_at(self) -> datetime:
        return self.raw["updated_at"]

    @strawberry.field(description="The check-in, once made.")
    def check_in(self) -> AttendanceFix | None:
        return AttendanceFix.of(self.raw.get("check_in"))

    @strawberry.field(description="The check-out, once made.")
    def check_out(self) -> AttendanceFix | None:
        return AttendanceFix.of(self.raw.get("check_out"))

    @strawberry.field(description="Flags of the check-in and check-out together.")
    def flags(self) -> list[AttendanceFlag]:
        found = [
            *(self.raw.get("check_in") or {}).get("flags", []),
            *(self.raw.get("check_out") or {}).get("flags", []),
        ]
        return [AttendanceFlag(f) for f in dict.fromkeys(found)]

    @strawberry.field(description="Every status it went through, oldest first.")
    def history(self) -> list[ApplicationEvent]:
        return [
            ApplicationEvent(status=ApplicationStatus(e["status"]), at=e["at"], reason=e.get("reason"))
            for e in self.raw.get("history", [])
        ]
