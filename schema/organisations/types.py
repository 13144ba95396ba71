"""The `Organisation` type: 社工站 of the four tiers, 社工机构 and 志愿服务队."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from schema.base.common import GeoPoint
from schema.base.context import Context, Info
from schema.base.nodes import Node, node_type, wrap
from schema.base.pagination import Connection, connection, page_of_sorted_ids

# A higher domain's type, resolved by name when the schema is built (no import: see schema/base/nodes.py).
LazyNeed = Annotated["Need", strawberry.lazy("schema.needs.types")]  # noqa: F821


@strawberry.enum(description="What an organisation is; stations form the four-tier hierarchy (四级社会工作服务体系).")
class OrganisationKind(Enum):
    CITY_CENTER = strawberry.enum_value(
        "CITY_CENTER", description="市级社会工作指导中心, the top of a city's hierarchy."
    )
    COUNTY_STATION = strawberry.enum_value("COUNTY_STATION", description="县级社会工作服务总站, under a city centre.")
    TOWNSHIP_STATION = strawberry.enum_value(
        "TOWNSHIP_STATION", description="乡镇(街道)社工站, under a county station."
    )
    VILLAGE_ROOM = strawberry.enum_value("VILLAGE_ROOM", description="村(社区)社工室, under a township station.")
    AGENCY = strawberry.enum_value(
        "AGENCY", description="社工机构: a social-work agency, often contracted to run stations (政府购买服务)."
    )
    VOLUNTEER_TEAM = strawberry.enum_value(
        "VOLUNTEER_TEAM", description="志愿服务队: a volunteer team (fire, traffic, legal aid, 爱心妈妈…)."
    )


@node_type
@strawberry.type(description="An organisation that posts needs and certifies hours: a station, agency or team.")
class Organisation(Node):
    raw: strawberry.Private[dict]

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Organisation | None:
        return cls.of(ctx.services.organisations.get(raw_id))

    @strawberry.field(description="Its name, e.g. 马家寨乡社工站.")
    def name(self) -> str:
        return self.raw["name"]

    @strawberry.field(description="Its tier in the hierarchy, or agency / volunteer team.")
    def kind(self) -> OrganisationKind:
        return OrganisationKind(self.raw["kind"])

    @strawberry.field(
        description="Administrative division code (行政区划代码) of its area: 6 digits for a city or county, "
        "9 for a township or street, 12 for a village or community."
    )
    def region_code(self) -> str:
        return self.raw["region_code"]

    @strawberry.field(description="Where it is, if it said.")
    def location(self) -> GeoPoint | None:
        return GeoPoint.of(self.raw.get("location"))

    @strawberry.field(description="Its public postal address, if it gave one.")
    def address(self) -> str | None:
        return self.raw.get("address")

    @strawberry.field(description="The organisation directly above it; null at the top.")
    def parent(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.services.organisations.get(self.raw.get("parent_id")))

    @strawberry.field(description="Organisations from the top of the hierarchy down to this one's parent.")
    def ancestors(self, info: Info) -> list[Organisation]:
        orgs = info.context.services.organisations
        return [o for o in (Organisation.of(orgs.get(i)) for i in self.raw["path"][:-1]) if o is not None]

    @strawberry.field(description="Needs the organisation posted, oldest first.")
    async def needs(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[LazyNeed]:
        ids = info.context.services.organisations.need_ids(self.raw["_id"])
        page, has_next = page_of_sorted_ids(ids, first, after)
        docs = [d for d in await info.context.loaders.needs.load_many(page) if d]
        return connection(wrap("Need"), docs, has_next, len(ids), after)
