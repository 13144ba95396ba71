"""Per-request state: the viewer behind the token, and one DataLoader per key, made per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from services.app import App
from services.auth import Viewer
from services.errors import DomainError


def repo_loader(repo) -> DataLoader:
    return DataLoader(load_fn=repo.get_many, max_batch_size=100)


@dataclass
class Loaders:
    accounts: DataLoader
    volunteers: DataLoader
    needs: DataLoader
    tasks: DataLoader

    @classmethod
    def create(cls, app: App) -> "Loaders":
        return cls(accounts=repo_loader(app.accounts), volunteers=repo_loader(app.volunteers),
                   needs=repo_loader(app.needs),
                   tasks=DataLoader(load_fn=app.matching_service.tasks_by_id, max_batch_size=100))


@dataclass
class Context:
    app: App
    viewer: Viewer | None
    token_problem: DomainError | None
    loaders: Loaders
    request: object = None
    extra: dict = field(default_factory=dict)

    async def sign_in_as(self, account_id: str) -> None:
        """After registration or login the rest of the response is the new account's view."""
        self.viewer = await self.app.account_service.viewer_for(account_id)
        self.token_problem = None

    def optional_viewer(self) -> Viewer | None:
        """Anonymous is fine; a bad token is not."""
        if self.token_problem is not None:
            raise self.token_problem
        return self.viewer

    def require_viewer(self) -> Viewer:
        if self.token_problem is not None:
            raise self.token_problem
        if self.viewer is None:
            raise DomainError("UNAUTHENTICATED", "sign in first")
        return self.viewer

    def org(self, org_id: str | None) -> dict | None:
        """Organisations come from the in-memory directory: no round-trip, no loader needed."""
        return self.app.directory.get(org_id) if org_id else None

    def manages(self, org_id: str) -> bool:
        return self.app.organisation_service.may_manage(self.viewer, org_id)


Info = StrawberryInfo[Context, None]


async def build_context(app: App, authorization: str | None, request=None) -> Context:
    viewer, problem = None, None
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            problem = DomainError("INVALID_TOKEN", "use `Authorization: Bearer <token>`")
        else:
            try:
                viewer = await app.account_service.viewer_for(app.tokens.account_id(token.strip()))
                if viewer is None:
                    problem = DomainError("INVALID_TOKEN", "the account behind this token no longer exists")
            except DomainError as exc:
                problem = exc
    return Context(app=app, viewer=viewer, token_problem=problem, loaders=Loaders.create(app), request=request)
