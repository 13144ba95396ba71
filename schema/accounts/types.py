"""The `Account` type: who signs in, and in which role."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.base.context import Context, Info
from schema.base.nodes import Node, node_type
from schema.organisations.types import Organisation
from schema.volunteers.types import Volunteer


@strawberry.enum(description="What an account may do.")
class Role(Enum):
    VOLUNTEER = strawberry.enum_value("VOLUNTEER", description="志愿者: applies to tasks, checks in and out.")
    COORDINATOR = strawberry.enum_value(
        "COORDINATOR", description="社工 / 站长 / 督导: acts for their organisations and everything below them."
    )
    COMMITTEE = strawberry.enum_value(
        "COMMITTEE", description="居委会 / 村委会 / 街道: reads the hours of its region, read-only."
    )
    ADMIN = strawberry.enum_value("ADMIN", description="Runs the deployment: may do everything.")


@node_type
@strawberry.type(description="A signed-in identity: a volunteer, a coordinator, a committee or an admin.")
class Account(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Account | None:
        if not ctx.services.access.may_see_account(ctx.viewer, raw_id):
            return None
        return cls.of(await ctx.loaders.accounts.load(raw_id))

    @strawberry.field(description="Sign-in email.")
    def email(self) -> str:
        return self.raw["email"]

    @strawberry.field(description="What the account may do.")
    def role(self) -> Role:
        return Role(self.raw["role"])

    @strawberry.field(description="The name others see.")
    def display_name(self) -> str:
        return self.raw["display_name"]

    @strawberry.field(description="Committee accounts: the region code they watch; null for others.")
    def region_code(self) -> str | None:
        return self.raw.get("region_code")

    @strawberry.field(description="Volunteer accounts: their profile; null for others.")
    async def volunteer(self, info: Info) -> Volunteer | None:
        vid = self.raw.get("volunteer_id")
        return Volunteer.of(await info.context.loaders.volunteers.load(vid)) if vid else None

    @strawberry.field(
        description="Coordinator accounts: the organisations they coordinate (and act for with all below them)."
    )
    def organisations(self, info: Info) -> list[Organisation]:
        orgs = info.context.services.organisations
        return [o for o in (Organisation.of(orgs.get(i)) for i in self.raw.get("organisation_ids", [])) if o]
