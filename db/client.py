"""The one `AsyncMongoClient` of a process, over MongoDB or the embedded engine."""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener

from db.collections import ensure_collections


class Database:
    def __init__(self, uri: str, name: str, listeners: list[CommandListener] | None = None) -> None:
        self.client: AsyncMongoClient = AsyncMongoClient(
            uri,
            tz_aware=True,
            serverSelectionTimeoutMS=3000,
            connectTimeoutMS=2000,
            event_listeners=listeners or [],
        )
        self.db: AsyncDatabase = self.client[name]

    def __getitem__(self, collection: str):
        return self.db[collection]

    async def prepare(self) -> None:
        await ensure_collections(self.db)

    async def ping(self, timeout_ms: int = 1000) -> bool:
        try:
            await self.client.admin.command("ping", maxTimeMS=timeout_ms)
            return True
        except Exception:
            return False

    async def close(self) -> None:
        await self.client.close()
