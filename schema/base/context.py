"""Per-request state: the services, the viewer behind the token, and one DataLoader per key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from services.auth import Viewer
from services.errors import unauthenticated

if TYPE_CHECKING:
    from bootstrap import Services

MAX_BATCH = 100


@dataclass
class Loaders:
    """Documents by `_id`, batched and cached for one request."""

    accounts: DataLoader
    volunteers: DataLoader
    needs: DataLoader
    tasks: DataLoader
    applications: DataLoader
    hour_entries: DataLoader
    assigned_needs: DataLoader  # need id → whether the viewer (a volunteer) is or was assigned to it

    @classmethod
    def create(cls, services: Services, viewer: Viewer | None = None) -> Loaders:
        def loader(load_fn: Any) -> DataLoader:
            return DataLoader(load_fn=load_fn, max_batch_size=MAX_BATCH)

        async def assigned_needs(need_ids: list[str]) -> list[bool]:
            if viewer is None or viewer.volunteer_id is None:
                return [False] * len(need_ids)
            return await services.access.assigned_needs(viewer.volunteer_id, need_ids)

        return cls(
            accounts=loader(services.accounts.get_many),
            volunteers=loader(services.volunteers.get_many),
            needs=loader(services.needs.get_many),
            tasks=loader(services.matching.tasks_by_id),  # live tasks come from memory
            applications=loader(services.applications.store.get_many),
            hour_entries=loader(services.ledger.get_many),
            assigned_needs=loader(assigned_needs),
        )


@dataclass
class Context:
    services: Services
    viewer: Viewer | None
    token_problem: Exception | None  # a bad token's DomainError, or the database's error reading its account
    loaders: Loaders
    request_id: str
    request: Any = None
    memo: dict = field(default_factory=dict)

    async def sign_in_as(self, account_id: str) -> None:
        """After registration or login the rest of the response is the new account's view."""
        self.viewer = await self.services.accounts.viewer_for(account_id)
        self.token_problem = None

    def optional_viewer(self) -> Viewer | None:
        """Anonymous is fine; a bad token is not, nor a token whose account the database could not read."""
        if self.token_problem is not None:
            raise self.token_problem
        return self.viewer

    def require_viewer(self) -> Viewer:
        viewer = self.optional_viewer()
        if viewer is None:
            raise unauthenticated()
        return viewer


Info = StrawberryInfo[Context, None]
