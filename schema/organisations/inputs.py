"""Inputs of the organisation mutations."""

from __future__ import annotations

import strawberry

from schema.base.common import GeoPointInput
from schema.organisations.types import OrganisationKind


@strawberry.input(description="The organisation's first coordinator (社工 / 站长), who signs in with these.")
class CoordinatorInput:
    email: str = strawberry.field(description="Sign-in email; unique across all accounts.")
    password: str = strawberry.field(description="8 to 128 characters.")
    display_name: str = strawberry.field(description="The name others see, e.g. 彭红梅.")


@strawberry.input(description="A new organisation with its first coordinator account.")
class RegisterOrganisationInput:
    name: str = strawberry.field(description="Its name, at most 100 characters.")
    kind: OrganisationKind = strawberry.field(description="Its tier, or agency / volunteer team.")
    region_code: str = strawberry.field(
        description="行政区划代码: 6 digits for a city centre or county station, 9 for a township station, 12 for a "
        "village room; inside the parent's region."
    )
    coordinator: CoordinatorInput = strawberry.field(description="The first coordinator account.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organisation above it: required for stations below a city centre; agencies and teams may "
        "have one or none.",
    )
    location: GeoPointInput | None = strawberry.field(default=None, description="Where it is.")
    address: str | None = strawberry.field(default=None, description="Public postal address, at most 200 characters.")
