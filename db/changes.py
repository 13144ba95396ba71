"""Derived state stays fresh: in-process listeners, and a capped change log for other processes.

A service that wrote documents calls `publish(kind, *docs)`: this process's listeners (the
organisation directory, the matching index) apply them at once, and one entry per document goes
to the capped `changelog` collection. Every process polls the log every `POLL_SECONDS` and applies
the documents other processes changed, read again by `_id`, so a write reaches every process
within about a second. `rebuild()` derives everything again from the documents: at start-up, and
when a process fell so far behind that the capped log may have dropped entries it never saw.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from db.collections import CHANGELOG_MAX
from db.repo import Repository, new_id

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# Entry times come from the clocks of several processes: re-read a window so a late writer is not missed.
REREAD = timedelta(seconds=5)

Listener = Callable[[dict], Awaitable[None] | None]
Rebuilder = Callable[[], Awaitable[None]]


class ChangeFeed:
    """`sources` maps each kind to the repository its documents are read from by other processes.

    Entry times are infrastructure, not domain time: they come from the system clock, because
    processes compare them with each other.
    """

    def __init__(self, changelog: Repository, sources: dict[str, Repository]) -> None:
        self.changelog = changelog
        self.sources = sources
        self.process_id = new_id()
        self._listeners: dict[str, list[Listener]] = {}
        self._rebuilders: list[Rebuilder] = []
        self._poller: asyncio.Task | None = None
        self._logger: asyncio.Task | None = None
        self._unlogged: list[dict] = []
        self._to_log = asyncio.Event()
        self._seen: deque[str] = deque(maxlen=20000)
        self._seen_set: set[str] = set()
        self._poll_from = self.now()

    @staticmethod
    def now() -> datetime:
        """The time change-log entries carry and polls compare: the system clock."""
        return datetime.now(UTC)

    def subscribe(self, kind: str, listener: Listener) -> None:
        """`listener(doc)` (plain or async) runs for every changed document of `kind`."""
        if kind not in self.sources:
            raise ValueError(f"unknown change kind {kind!r}")
        self._listeners.setdefault(kind, []).append(listener)

    def on_rebuild(self, rebuilder: Rebuilder) -> None:
        """`rebuilder()` derives its state from the documents; rebuilders run in registration order."""
        self._rebuilders.append(rebuilder)

    async def rebuild(self) -> None:
        self._poll_from = self.now()
        for rebuilder in self._rebuilders:
            await rebuilder()

    async def start(self) -> None:
        await self.rebuild()
        self._poller = asyncio.create_task(self._poll_forever())

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()
        if self._logger:
            self._logger.cancel()
        await self._flush()

    async def publish(self, kind: str, *docs: dict) -> None:
        """A write landed: apply it here at once, and log it for the other processes.

        The log is written in the background, in order and in batches (`_log_forever`): a request
        does not wait for it. Like a failed log write, entries a crash cuts off reach the other
        processes only at their next rebuild."""
        now = self.now()
        for doc in docs:
            await self._apply(kind, doc)
            entry_id = new_id()
            self._remember(entry_id)
            self._unlogged.append(
                {"_id": entry_id, "at": now, "kind": kind, "doc_id": doc["_id"], "origin": self.process_id}
            )
        if self._logger is None or self._logger.done():
            # A context of its own: not the request's database deadline (pymongo.timeout), which
            # would expire under it.
            self._logger = asyncio.create_task(self._log_forever(), context=contextvars.Context())
        self._to_log.set()

    async def _log_forever(self) -> None:
        while True:
            await self._to_log.wait()
            self._to_log.clear()
            await self._flush()

    async def _flush(self) -> None:
        while self._unlogged:
            batch, self._unlogged = self._unlogged, []
            try:
                await self.changelog.insert_many(batch)
            except Exception:
                log.exception("could not log %d change(s); other processes see them after a rebuild", len(batch))

    async def _apply(self, kind: str, doc: dict) -> None:
        for listener in self._listeners.get(kind, []):
            result = listener(doc)
            if inspect.isawaitable(result):
                await result

    def _remember(self, entry_id: str) -> None:
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(entry_id)
        self._seen_set.add(entry_id)

    async def poll_once(self) -> int:
        """Applies the other processes' changes since the last poll; returns how many it applied."""
        since = self._poll_from - REREAD
        entries = [e async for e in self.changelog.coll.find({"at": {"$gte": since}})]
        if len(entries) >= CHANGELOG_MAX:
            # More changes than the capped log holds may have passed: what it dropped is lost to
            # this process, so derive everything again from the documents.
            log.warning("fell behind the change log (%d entries); rebuilding in-memory indexes", len(entries))
            await self.rebuild()
            return 0
        applied = 0
        for e in sorted(entries, key=lambda e: (e["at"], e["_id"])):
            self._poll_from = max(self._poll_from, e["at"])
            if e["_id"] in self._seen_set:
                continue
            self._remember(e["_id"])
            source = self.sources.get(e["kind"])
            doc = await source.get(e["doc_id"]) if source else None
            if doc is not None:
                await self._apply(e["kind"], doc)
                applied += 1
        return applied

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be away; readiness reports it
                log.debug("change poll failed: %s", exc)
