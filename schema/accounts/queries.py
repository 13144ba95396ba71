"""Account queries: who is signed in."""

from __future__ import annotations

import strawberry

from schema.accounts.types import Account
from schema.base.context import Info


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account, or null for anonymous callers.")
    async def viewer(self, info: Info) -> Account | None:
        viewer = info.context.optional_viewer()
        return Account.of(await info.context.loaders.accounts.load(viewer.account_id)) if viewer else None
