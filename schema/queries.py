from __future__ import annotations

import strawberry

from schema.context import Context, Info
from schema.core import (Connection, Node, check_first, connection, decode_id, encode_cursor, graphql_error,
                         page_of_sorted_ids)
from schema.engagement import Application
from schema.enums import OrganisationKind
from schema.hours import HourEntry
from schema.types import Account, Need, Organisation, Task, Volunteer
from services import validation as v
from services.directory import region_contains
from services.errors import Collector, DomainError


async def resolve_node(ctx: Context, gid: str) -> Node | None:
    """Any object by global id, or null when it does not exist or the caller may not see it."""
    type_name, raw = decode_id(gid)
    viewer = ctx.viewer
    if type_name == "Organisation":
        return Organisation.of(ctx.org(raw))
    if type_name == "Need":
        return Need.of(await ctx.loaders.needs.load(raw))
    if type_name == "Task":
        return Task.of(await ctx.loaders.tasks.load(raw))
    if type_name == "Volunteer":
        if viewer is None or (viewer.role == "VOLUNTEER" and viewer.volunteer_id != raw):
            return None  # profiles are for the volunteer and for the organisations that engage them
        return Volunteer.of(await ctx.loaders.volunteers.load(raw))
    if type_name == "Application":
        doc = await ctx.app.applications.get(raw)
        mine = viewer is not None and doc is not None and viewer.volunteer_id == doc["volunteer_id"]
        return Application.of(doc) if doc and (mine or ctx.manages(doc["organisation_id"])) else None
    if type_name == "HourEntry":
        doc = await ctx.app.hour_entries.get(raw)
        return HourEntry.of(doc) if doc and _may_read_entry(ctx, doc) else None
    if type_name == "Account":
        if viewer is None or (viewer.account_id != raw and viewer.role != "ADMIN"):
            return None
        return Account.of(await ctx.loaders.accounts.load(raw))
    return None


def _may_read_entry(ctx: Context, doc: dict) -> bool:
    """The volunteer, the organisation's coordinators (and above), committees of its region."""
    v = ctx.viewer
    if v is None:
        return False
    if v.volunteer_id == doc["volunteer_id"] or ctx.manages(doc["organisation_id"]):
        return True
    return v.role == "COMMITTEE" and region_contains(v.region_code, doc.get("region_code", ""))


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account, or null for anonymous callers.")
    async def viewer(self, info: Info) -> Account | None:
        ctx = info.context
        if ctx.token_problem:
            raise graphql_error(ctx.token_problem)
        return Account.of(await ctx.loaders.accounts.load(ctx.viewer.account_id)) if ctx.viewer else None

    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        try:
            return await resolve_node(info.context, id)
        except DomainError as exc:
            raise graphql_error(exc) from None

    @strawberry.field(description="At most 100 ids.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        try:
            check_first(len(ids))
            return [await resolve_node(info.context, i) for i in ids]
        except DomainError as exc:
            raise graphql_error(exc) from None

    @strawberry.field
    def organisation(self, info: Info, id: strawberry.ID) -> Organisation | None:
        try:
            _, raw = decode_id(id, "Organisation")
        except DomainError as exc:
            raise graphql_error(exc) from None
        return Organisation.of(info.context.org(raw))

    @strawberry.field(description="Organisations in a region (and everything under it), oldest first.")
    def organisations(self, info: Info, region_code: str | None = None, kind: OrganisationKind | None = None,
                      first: int | None = None, after: str | None = None) -> Connection[Organisation]:
        try:
            if region_code is not None:
                c = Collector()
                v.region_code(c, region_code)
                c.raise_if_any()
            ids = info.context.app.organisation_service.list(region_code, kind.value if kind else None)
            page, has_next = page_of_sorted_ids(ids, first, after)
        except DomainError as exc:
            raise graphql_error(exc) from None
        nodes = [Organisation.of(info.context.org(i)) for i in page]
        return connection(nodes, [encode_cursor(i) for i in page], has_next, len(ids), after is not None)
