"""The `/graphql` endpoint: Strawberry's ASGI app with our context and a per-request database deadline.

Every database call of a request shares one deadline (`REQUEST_DB_SECONDS`, api/deadline.py), so a
database that stopped answering fails the request's fields with DATABASE_UNAVAILABLE instead of
hanging it; a request still running just after the deadline is cut, and the client gets
`{"data": null, "errors": [DATABASE_UNAVAILABLE]}`. Either way the answer is HTTP 200 and one log line.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import Message
from strawberry.asgi import GraphQL

from api.auth import authenticate
from api.deadline import request_deadline
from api.request_id import request_id_of
from api.runtime import Runtime
from schema.base.context import Context, Loaders
from schema.base.errors import DEADLINE_PASSED
from services.errors import ErrorCode

log = logging.getLogger(__name__)


class GraphQLEndpoint(GraphQL):
    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seconds = self.runtime.settings.request_db_seconds
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with request_deadline(seconds) as cut:
                await super().__call__(scope, receive, tracked)
        except TimeoutError:
            if not cut.expired() or started:
                raise
            await self._too_late(scope, receive, send)
        except ClientDisconnect:
            return  # the client left before its body was in (or api/server.py gave up on it): no one to answer

    @staticmethod
    async def _too_late(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        rid = request_id_of(scope)
        log.warning("database unavailable: %s %s", rid, DEADLINE_PASSED)
        code = ErrorCode.DATABASE_UNAVAILABLE
        error = {"message": code.when, "extensions": {"code": code.value, "requestId": rid}}
        await JSONResponse({"data": None, "errors": [error]})(scope, receive, send)

    async def get_context(self, request: Request, response: Any = None) -> Context:  # type: ignore[override]
        services = self.runtime.services
        assert services is not None, "the runtime is not started"
        viewer, problem = await authenticate(services, request.headers.get("authorization"))
        return Context(
            services=services,
            viewer=viewer,
            token_problem=problem,
            loaders=Loaders.create(services, viewer),
            request_id=request_id_of(request.scope),
            request=request,
        )
