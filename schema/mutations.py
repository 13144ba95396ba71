"""One mutation per business action; each returns a payload with `errors: [UserError!]!`."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.core import UserError, decode_raw, no_errors, payload
from schema.inputs import (CancelNeedInput, CreateCommitteeAccountInput, LoginInput, PostNeedInput,
                           RegisterOrganisationInput, RegisterVolunteerInput, UpdateNeedInput,
                           UpdateVolunteerProfileInput)
from schema.types import Account, Need, Organisation, Volunteer


@strawberry.type
class RegisterVolunteerPayload:
    token: str | None = None
    volunteer: Volunteer | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class RegisterOrganisationPayload:
    token: str | None = strawberry.field(default=None, description="The first coordinator's token.")
    organisation: Organisation | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class LoginPayload:
    token: str | None = None
    viewer: Account | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class CreateCommitteeAccountPayload:
    account: Account | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class UpdateVolunteerProfilePayload:
    volunteer: Volunteer | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class NeedPayload:
    need: Need | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_volunteer(self, info: Info, input: RegisterVolunteerInput) -> RegisterVolunteerPayload:
        async def work():
            token, doc = await info.context.app.account_service.register_volunteer(input)
            await info.context.sign_in_as(doc["account_id"])
            return RegisterVolunteerPayload(token=token, volunteer=Volunteer.of(doc))
        return await payload(RegisterVolunteerPayload, work)

    @strawberry.mutation
    async def register_organisation(self, info: Info, input: RegisterOrganisationInput
                                    ) -> RegisterOrganisationPayload:
        async def work():
            viewer = info.context.optional_viewer()
            parent_id = decode_raw(input.parent_id, "Organisation", "parentId")
            token, doc = await info.context.app.organisation_service.register(viewer, input, parent_id)
            await info.context.sign_in_as(doc["coordinator_account_ids"][0])
            return RegisterOrganisationPayload(token=token, organisation=Organisation.of(doc))
        return await payload(RegisterOrganisationPayload, work)

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        async def work():
            token, account = await info.context.app.account_service.login(input.email, input.password)
            await info.context.sign_in_as(account["_id"])
            return LoginPayload(token=token, viewer=Account.of(account))
        return await payload(LoginPayload, work)

    @strawberry.mutation
    async def create_committee_account(self, info: Info, input: CreateCommitteeAccountInput
                                       ) -> CreateCommitteeAccountPayload:
        async def work():
            viewer = info.context.optional_viewer()
            doc = await info.context.app.account_service.create_committee_account(viewer, input)
            return CreateCommitteeAccountPayload(account=Account.of(doc))
        return await payload(CreateCommitteeAccountPayload, work)

    @strawberry.mutation
    async def update_volunteer_profile(self, info: Info, input: UpdateVolunteerProfileInput
                                       ) -> UpdateVolunteerProfilePayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.volunteer_service.update_profile(viewer, input)
            return UpdateVolunteerProfilePayload(volunteer=Volunteer.of(doc))
        return await payload(UpdateVolunteerProfilePayload, work)

    @strawberry.mutation
    async def post_need(self, info: Info, input: PostNeedInput) -> NeedPayload:
        async def work():
            viewer = info.context.require_viewer()
            org_id = decode_raw(input.organisation_id, "Organisation", "organisationId")
            return NeedPayload(need=Need.of(await info.context.app.need_service.post(viewer, input, org_id)))
        return await payload(NeedPayload, work)

    @strawberry.mutation
    async def update_need(self, info: Info, input: UpdateNeedInput) -> NeedPayload:
        async def work():
            viewer = info.context.require_viewer()
            need_id = decode_raw(input.need_id, "Need", "needId")
            return NeedPayload(need=Need.of(await info.context.app.need_service.update(viewer, input, need_id)))
        return await payload(NeedPayload, work)

    @strawberry.mutation
    async def cancel_need(self, info: Info, input: CancelNeedInput) -> NeedPayload:
        async def work():
            viewer = info.context.require_viewer()
            need_id = decode_raw(input.need_id, "Need", "needId")
            need = await info.context.app.need_service.cancel(viewer, need_id, input.reason)
            return NeedPayload(need=Need.of(need))
        return await payload(NeedPayload, work)
