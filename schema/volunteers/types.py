"""The `Volunteer` profile (志愿者) and its parts. Private fields resolve to null for others."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from matching.catalogue import UTC_OFFSET_HOURS
from schema.base.common import GeoPoint, Weekday
from schema.base.context import Context, Info
from schema.base.nodes import Node, node_type, wrap
from schema.base.pagination import Connection, after_key, check_first, connection
from services.hours.rules import star_level
from services.volunteers import WEEKDAYS

# A higher domain's type, resolved by name when the schema is built (no import: see schema/base/nodes.py).
LazyApplication = Annotated["Application", strawberry.lazy("schema.engagement.types")]  # noqa: F821


@strawberry.type(description="A skill a volunteer has, at a level.")
class SkillLevel:
    skill: str = strawberry.field(description="Skill code from the catalogue, e.g. HOMEWORK_TUTORING (辅导作业).")
    level: int = strawberry.field(description="1 (beginner) to 5 (expert).")


@strawberry.type(description="A credential a volunteer holds (急救证, 无犯罪记录证明…) and until when.")
class Credential:
    kind: str = strawberry.field(description="Credential kind from the catalogue, e.g. FIRST_AID_CERT.")
    expires_on: date = strawberry.field(description="Last day it is valid.")


@strawberry.type(description="Free every week on `weekday` from `startHour` to `endHour` (local time, end exclusive).")
class AvailabilitySlot:
    weekday: Weekday = strawberry.field(description="The day of the week.")
    start_hour: int = strawberry.field(description="First hour, 0 to 23.")
    end_hour: int = strawberry.field(description="Hour it ends, 1 to 24 (exclusive).")


@node_type
@strawberry.type(
    description="A volunteer's profile: what they can do, where and when. Seen by the volunteer and by "
    "the organisations that engage volunteers."
)
class Volunteer(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Volunteer | None:
        if not ctx.services.access.may_see_volunteer(ctx.viewer, raw_id):
            return None
        return cls.of(await ctx.loaders.volunteers.load(raw_id))

    def _is_self(self, info: Info) -> bool:
        return info.context.services.access.may_see_volunteer_private(info.context.viewer, self.raw["_id"])

    @strawberry.field(description="The name they go by.")
    def name(self) -> str:
        return self.raw["name"]

    @strawberry.field(description="Their skills and levels.")
    def skills(self) -> list[SkillLevel]:
        return [SkillLevel(skill=s["code"], level=s["level"]) for s in self.raw.get("skills", [])]

    @strawberry.field(description="Their credentials and expiry dates.")
    def credentials(self) -> list[Credential]:
        return [
            Credential(kind=c["kind"], expires_on=date.fromisoformat(c["expires_on"]))
            for c in self.raw.get("credentials", [])
        ]

    @strawberry.field(description="Languages and dialects they speak (codes, e.g. JINGZHOU_DIALECT 荆州话).")
    def languages(self) -> list[str]:
        return list(self.raw.get("languages", []))

    @strawberry.field(description="How far from home they will travel, in km.")
    def travel_radius_km(self) -> float:
        return self.raw["travel_radius_km"]

    @strawberry.field(description=f"Weekly hour slots they are free, in local time (UTC+{UTC_OFFSET_HOURS}).")
    def availability(self) -> list[AvailabilitySlot]:
        return [
            AvailabilitySlot(
                weekday=Weekday(WEEKDAYS[a["weekday"] - 1]), start_hour=a["start_hour"], end_hour=a["end_hour"]
            )
            for a in self.raw.get("availability", [])
        ]

    @strawberry.field(description="The most hours a week they want to serve.")
    def max_hours_per_week(self) -> int:
        return self.raw["max_hours_per_week"]

    @strawberry.field(description="Whether they answer emergency call-outs outside their weekly availability.")
    def emergency_responder(self) -> bool:
        return bool(self.raw.get("emergency_responder"))

    @strawberry.field(description="Sign-in email: only for the volunteer themselves (and admins).")
    def email(self, info: Info) -> str | None:
        return self.raw.get("email") if self._is_self(info) else None

    @strawberry.field(description="Phone number: only for the volunteer themselves (and admins).")
    def phone(self, info: Info) -> str | None:
        return self.raw.get("phone") if self._is_self(info) else None

    @strawberry.field(description="Home location: only for the volunteer themselves (and admins).")
    def home(self, info: Info) -> GeoPoint | None:
        return GeoPoint.of(self.raw.get("home")) if self._is_self(info) else None

    @strawberry.field(description="Days they are away: only for the volunteer themselves (and admins).")
    def blackout_dates(self, info: Info) -> list[date] | None:
        if not self._is_self(info):
            return None
        return [date.fromisoformat(d) for d in self.raw.get("blackout_dates", [])]

    @strawberry.field(description="Certified (verified, corrected) minutes of service (志愿服务时长), all time.")
    async def verified_minutes(self, info: Info) -> int:
        return await info.context.services.rollups.verified_minutes(self.raw["_id"])

    @strawberry.field(
        description="星级 0 to 5 from certified hours (1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1000 h, "
        "5★ 1500 h): a statistic toward the rating the competent body grants on application."
    )
    async def star_level(self, info: Info) -> int:
        return star_level(await info.context.services.rollups.verified_minutes(self.raw["_id"]))

    @strawberry.field(
        description="Accepted, completed and no-show assignments, oldest first: for the volunteer; "
        "coordinators see those their organisations run; null for everyone else."
    )
    async def assignments(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[LazyApplication] | None:
        n = check_first(first)
        page = await info.context.services.applications.assignments_of(
            info.context.viewer, self.raw["_id"], n, after_key(after)
        )
        if page is None:
            return None
        docs, has_next, total = page
        return connection(wrap("Application"), docs, has_next, total, after, cursor_key="applied_id")
