"""The services of one process: repositories, in-memory indexes, the change log, domain services."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from datetime import datetime, timedelta, timezone

from api.settings import Settings
from db.client import Database
from db.collections import CHANGELOG_MAX
from db.repo import BATCH_IN, BATCH_POINT, Repository, new_id
from services.accounts import AccountService
from services.auth import TokenIssuer, load_or_create_secret
from services.directory import Directory
from services.engagement import EngagementService
from services.hours import HourService
from services.matching import MatchingService
from services.needs import NeedService
from services.organisations import OrganisationService
from services.volunteers import VolunteerService

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# Ids come from clocks of several processes: re-read a window so a late writer is not missed.
REREAD = timedelta(seconds=5)


class App:
    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._listeners: dict[str, list] = {}
        self.process_id = new_id()
        batch = BATCH_POINT if settings.embedded else BATCH_IN
        repo = lambda name: Repository(database, name, batch)  # noqa: E731
        self.accounts = repo("accounts")
        self.emails = repo("account_emails")
        self.organisations = repo("organisations")
        self.volunteers = repo("volunteers")
        self.needs = repo("needs")
        self.tasks = repo("tasks")
        self.idempotency = repo("idempotency")
        self.changelog = repo("changelog")
        self.applications = repo("applications")
        self.slot_claims = repo("slot_claims")
        self.time_claims = repo("time_claims")
        self.service_records = repo("service_records")
        self.hour_entries = repo("hour_entries")
        self.hour_decisions = repo("hour_decisions")
        self.rollups = repo("rollups")
        self.rollup_outbox = repo("rollup_outbox")
        self.directory = Directory()
        self.on("organisation", self.directory.put_org)
        self.on("need", self.directory.put_need)
        self.tokens = TokenIssuer(load_or_create_secret(settings.jwt_secret, settings.data_dir),
                                  settings.token_ttl_seconds)
        self.account_service = AccountService(self)
        self.organisation_service = OrganisationService(self)
        self.volunteer_service = VolunteerService(self)
        self.need_service = NeedService(self)
        self.matching_service = MatchingService(self)
        self.engagement_service = EngagementService(self)
        self.hour_service = HourService(self)
        self._poller: asyncio.Task | None = None
        self._seen: deque[str] = deque(maxlen=20000)
        self._seen_set: set[str] = set()
        self._poll_from = datetime.now(timezone.utc)

    async def start(self) -> None:
        await self.database.prepare()
        await self.rebuild_indexes()
        self._poller = asyncio.create_task(self._poll_changes())

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()

    async def rebuild_indexes(self) -> None:
        self._poll_from = datetime.now(timezone.utc)
        async for org in self.organisations.scan():
            self.directory.put_org(org)
        async for need in self.needs.scan({"organisation_id": 1}):
            self.directory.put_need(need)
        for listener in self._listeners.get("rebuild", []):
            await listener()

    def on(self, kind: str, listener) -> None:
        """Registers `listener(doc)` (plain or async) for changes of a kind, or `listener()` for "rebuild"."""
        self._listeners.setdefault(kind, []).append(listener)

    async def _apply(self, kind: str, doc: dict) -> None:
        for listener in self._listeners.get(kind, []):
            result = listener(doc)
            if inspect.isawaitable(result):
                await result

    async def changed(self, kind: str, *docs: dict) -> None:
        """A write landed: apply it here at once, and log it for the other processes."""
        now = datetime.now(timezone.utc)
        entries = []
        for doc in docs:
            await self._apply(kind, doc)
            entry_id = new_id()
            self._remember(entry_id)
            entries.append({"_id": entry_id, "at": now, "kind": kind, "doc_id": doc["_id"],
                            "origin": self.process_id})
        try:
            await self.changelog.insert_many(entries)
        except Exception:
            log.exception("could not log %d %s change(s); other processes see them after a rebuild",
                          len(entries), kind)

    def _remember(self, entry_id: str) -> None:
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(entry_id)
        self._seen_set.add(entry_id)

    async def poll_changes_once(self) -> int:
        since = self._poll_from - REREAD
        entries = [e async for e in self.changelog.coll.find({"at": {"$gte": since}})]
        if len(entries) >= CHANGELOG_MAX:
            # More changes than the capped log holds may have passed: what it dropped is lost to
            # this process, so derive everything again from the documents.
            log.warning("fell behind the change log (%d entries); rebuilding in-memory indexes", len(entries))
            await self.rebuild_indexes()
            return 0
        applied = 0
        repos = {"organisation": self.organisations, "need": self.needs, "task": self.tasks,
                 "volunteer": self.volunteers, "assignment": self.applications, "service": self.service_records}
        for e in sorted(entries, key=lambda e: (e["at"], e["_id"])):
            self._poll_from = max(self._poll_from, e["at"])
            if e["_id"] in self._seen_set:
                continue
            self._remember(e["_id"])
            repo = repos.get(e["kind"])
            doc = await repo.get(e["doc_id"]) if repo else None
            if doc is not None:
                await self._apply(e["kind"], doc)
                applied += 1
        return applied

    async def _poll_changes(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.poll_changes_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be away; readiness reports it
                log.debug("change poll failed: %s", exc)

