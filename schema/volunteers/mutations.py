"""Volunteer mutations: registration and profile changes."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.errors import UserError, no_errors
from schema.volunteers.inputs import RegisterVolunteerInput, UpdateVolunteerProfileInput
from schema.volunteers.types import Volunteer


@strawberry.type(description="The result of `registerVolunteer`.")
class RegisterVolunteerPayload:
    token: str | None = strawberry.field(default=None, description="The new volunteer's bearer token.")
    volunteer: Volunteer | None = strawberry.field(default=None, description="The new profile.")
    errors: list[UserError] = no_errors()


@strawberry.type(description="The result of `updateVolunteerProfile`.")
class UpdateVolunteerProfilePayload:
    volunteer: Volunteer | None = strawberry.field(default=None, description="The profile as it is now.")
    errors: list[UserError] = no_errors()


@strawberry.type
class VolunteerMutation:
    @strawberry.mutation(description="Registers a volunteer: an account and a profile; signs them in.")
    async def register_volunteer(
        self,
        info: Info,
        input: Annotated[
            RegisterVolunteerInput, strawberry.argument(description="The new volunteer's (志愿者) sign-in and profile.")
        ],
    ) -> RegisterVolunteerPayload:
        token, doc = await info.context.services.volunteers.register(input)
        await info.context.sign_in_as(doc["account_id"])
        return RegisterVolunteerPayload(token=token, volunteer=Volunteer.of(doc))

    @strawberry.mutation(description="Changes the signed-in volunteer's profile.")
    async def update_volunteer_profile(
        self,
        info: Info,
        input: Annotated[
            UpdateVolunteerProfileInput,
            strawberry.argument(description="The fields to change; fields left out or null keep their value."),
        ],
    ) -> UpdateVolunteerProfilePayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.volunteers.update_profile(viewer, input)
        return UpdateVolunteerProfilePayload(volunteer=Volunteer.of(doc))
