"""The Starlette application: /graphql, /healthz, /readyz, and the process's lifecycle."""

from __future__ import annotations

import contextlib
import gc
import logging

from pymongo import timeout as db_timeout
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.settings import Settings
from db.client import Database
from db.engine import EmbeddedEngine
from schema import build_schema
from schema.context import build_context
from schema.hours import tallies_csv
from services.app import App

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024


class GraphQLApp(GraphQL):
    def __init__(self, services: "Runtime", **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = services

    async def __call__(self, scope, receive, send) -> None:
        # One deadline for every database call a request makes, so a database that stopped
        # answering fails the request instead of hanging it (start-up scans have none).
        with db_timeout(self.runtime.settings.request_db_seconds):
            await super().__call__(scope, receive, send)

    async def get_context(self, request, response=None):
        return await build_context(self.runtime.app, request.headers.get("authorization"), request)


class BodyLimit:
    """Rejects request bodies over the limit before GraphQL parses them (oversized variables)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class Runtime:
    """What a running process holds: the engine (embedded mode), the database, the services."""

    def __init__(self, settings: Settings, command_listeners: list | None = None) -> None:
        self.settings = settings
        self.command_listeners = command_listeners or []
        self.engine: EmbeddedEngine | None = None
        self.database: Database | None = None
        self.app: App | None = None

    async def start(self) -> None:
        try:
            uri = self.settings.mongodb_uri
            if self.settings.embedded:
                self.engine = EmbeddedEngine(self.settings.engine_binary, self.settings.data_dir / "engine")
                uri = await self.engine.start()
            self.database = Database(uri, self.settings.database_name, self.command_listeners)
            self.app = App(self.settings, self.database)
            await self.app.start()
        except BaseException:
            await self.stop()  # never leave an engine behind a failed start
            raise

    async def stop(self) -> None:
        if self.app:
            await self.app.stop()
        if self.database:
            await self.database.close()
        if self.engine:
            await self.engine.stop()


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    """`runtime` lets tests share one started runtime across many app instances."""
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    owned = runtime is None
    runtime = runtime or Runtime(settings)
    graphql = GraphQLApp(runtime, schema=build_schema(settings), graphql_ide="graphiql")

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> JSONResponse:
        ok = False
        if runtime.database is not None:
            with contextlib.suppress(Exception), db_timeout(1.0):
                ok = await runtime.database.ping()
        return JSONResponse({"database": "up" if ok else "down"}, status_code=200 if ok else 503)

    async def hours_csv(request: Request) -> Response:
        status, body, media_type = await tallies_csv(runtime.app, request.headers.get("authorization"),
                                                     request.query_params)
        return Response(body, status_code=status, media_type=media_type)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if owned:
            await runtime.start()
            # The indexes built at start-up live as long as the process: keep the collector from
            # walking them again and again.
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                await runtime.stop()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/exports/hours.csv", hours_csv),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_middleware(BodyLimit)
    return app
