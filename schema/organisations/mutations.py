"""Organisation mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.errors import UserError, no_errors
from schema.base.ids import optional_raw_id
from schema.organisations.inputs import RegisterOrganisationInput
from schema.organisations.types import Organisation


@strawberry.type(description="The result of `registerOrganisation`.")
class RegisterOrganisationPayload:
    token: str | None = strawberry.field(default=None, description="The first coordinator's bearer token.")
    organisation: Organisation | None = strawberry.field(default=None, description="The new organisation.")
    errors: list[UserError] = no_errors()


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(
        description="Registers an organisation and its first coordinator. Admins create city centres; coordinators "
        "add stations, agencies and teams under what they coordinate; agencies and teams may register themselves."
    )
    async def register_organisation(
        self,
        info: Info,
        input: Annotated[
            RegisterOrganisationInput,
            strawberry.argument(description="The organisation, its place in the hierarchy and its first coordinator."),
        ],
    ) -> RegisterOrganisationPayload:
        viewer = info.context.optional_viewer()
        parent_id = optional_raw_id(input.parent_id, "Organisation", "parentId")
        token, doc = await info.context.services.organisations.register(viewer, input, parent_id)
        await info.context.sign_in_as(doc["coordinator_account_ids"][0])
        return RegisterOrganisationPayload(token=token, organisation=Organisation.of(doc))
