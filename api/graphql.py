"""The `/graphql` endpoint: Strawberry's ASGI app with our context and a per-request database deadline."""

from __future__ import annotations

from typing import Any

from pymongo import timeout as db_timeout
from starlette.requests import Request
from strawberry.asgi import GraphQL

from api.auth import authenticate
from api.request_id import request_id_of
from api.runtime import Runtime
from schema.base.context import Context, Loaders


class GraphQLEndpoint(GraphQL):
    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        # One deadline for every database call a request makes, so a database that stopped
        # answering fails the request instead of hanging it (start-up scans have none).
        with db_timeout(self.runtime.settings.request_db_seconds):
            await super().__call__(scope, receive, send)

    async def get_context(self, request: Request, response: Any = None) -> Context:  # type: ignore[override]
        services = self.runtime.services
        assert services is not None, "the runtime is not started"
        viewer, problem = await authenticate(services, request.headers.get("authorization"))
        return Context(
            services=services,
            viewer=viewer,
            token_problem=problem,
            loaders=Loaders.create(services),
            request_id=request_id_of(request.scope),
            request=request,
        )
