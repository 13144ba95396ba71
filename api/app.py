"""The Starlette application: its routes, middleware and the process's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from api.crash_points import CrashPoints
from api.exports import hours_csv
from api.graphql import GraphQLEndpoint
from api.limits import BodyLimit
from api.request_id import RequestId
from api.runtime import Runtime
from config import Settings
from schema import build_schema

# Load balancers probe often and give up quickly: /readyz answers within this even when the database is
# frozen (a hard asyncio deadline; the driver's own timeouts run longer while it reconnects).
READY_TIMEOUT_SECONDS = 0.4


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    """`runtime` lets tests share one started runtime across many app instances."""
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    owned = runtime is None
    rt = runtime or Runtime(settings)
    graphql = GraphQLEndpoint(rt, schema=build_schema(settings.limits), graphql_ide="graphiql")

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> JSONResponse:
        ok = False
        if rt.database is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                    ok = await rt.database.ping(timeout_ms=int(READY_TIMEOUT_SECONDS * 1000))
        return JSONResponse({"database": "up" if ok else "down"}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if owned:
            await rt.start()
            # The indexes built at start-up live as long as the process: keep the collector from
            # walking them again and again.
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                await rt.stop()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/exports/hours.csv", hours_csv(rt)),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.add_middleware(BodyLimit, limit=settings.limits.max_body_bytes)
    app.add_middleware(RequestId)
    if settings.crash_points:
        app.add_middleware(CrashPoints)
    return app
