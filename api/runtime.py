"""What a running process holds: the embedded engine (without MONGODB_URI), the database, the services."""

from __future__ import annotations

from pymongo.monitoring import CommandListener

from bootstrap import Services, build_services
from config import Settings
from db.client import Database
from db.engine import EmbeddedEngine
from services.clock import Clock, SystemClock


class Runtime:
    def __init__(
        self, settings: Settings, clock: Clock | None = None, command_listeners: list[CommandListener] | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.command_listeners = command_listeners or []
        self.engine: EmbeddedEngine | None = None
        self.database: Database | None = None
        self.services: Services | None = None

    async def start(self) -> Services:
        try:
            uri = self.settings.mongodb_uri
            if self.settings.embedded:
                self.engine = EmbeddedEngine(self.settings.engine_binary, self.settings.data_dir / "engine")
                uri = await self.engine.start()
            assert uri is not None
            self.database = Database(uri, self.settings.database_name, self.command_listeners)
            await self.database.prepare()
            self.services = build_services(self.settings, self.database, self.clock)
            await self.services.start()
        except BaseException:
            await self.stop()  # never leave an engine behind a failed start
            raise
        return self.services

    async def stop(self) -> None:
        if self.services:
            await self.services.stop()
        if self.database:
            await self.database.close()
        if self.engine:
            await self.engine.stop()
