"""Account mutations: sign-in and committee accounts."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import CreateCommitteeAccountInput, LoginInput
from schema.accounts.types import Account
from schema.base.context import Info
from schema.base.errors import UserError, no_errors


@strawberry.type(description="The result of `login`.")
class LoginPayload:
    token: str | None = strawberry.field(
        default=None, description="Bearer token: send it as `Authorization: Bearer <token>`."
    )
    viewer: Account | None = strawberry.field(default=None, description="The signed-in account.")
    errors: list[UserError] = no_errors()


@strawberry.type(description="The result of `createCommitteeAccount`.")
class CreateCommitteeAccountPayload:
    account: Account | None = strawberry.field(default=None, description="The new committee account.")
    errors: list[UserError] = no_errors()


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Signs in with email and password.")
    async def login(
        self,
        info: Info,
        input: Annotated[LoginInput, strawberry.argument(description="The account's email and password.")],
    ) -> LoginPayload:
        token, account = await info.context.services.accounts.login(input.email, input.password)
        await info.context.sign_in_as(account["_id"])
        return LoginPayload(token=token, viewer=Account.of(account))

    @strawberry.mutation(
        description="Creates a committee account: for admins, and coordinators of a station whose "
        "region contains the committee's."
    )
    async def create_committee_account(
        self,
        info: Info,
        input: Annotated[
            CreateCommitteeAccountInput,
            strawberry.argument(
                description="The committee's sign-in and the region code (行政区划代码) whose hours it may read."
            ),
        ],
    ) -> CreateCommitteeAccountPayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.accounts.create_committee_account(viewer, input)
        return CreateCommitteeAccountPayload(account=Account.of(doc))
