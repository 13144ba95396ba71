"""Rollup documents: maintained at verification time, rebuilt from the entries, repaired at start-up.

The rollups are derived: `roll_up` adds verified entries under one in-process lock (the single
writer of every rollup document in this process), `rebuild` recomputes every document from the
verified entries, and `repair` finishes decisions a crash interrupted (their journal is in
`rollup_outbox`) before rebuilding. docs/hours.md says what holds with several processes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime

from pymongo import timeout as db_timeout

from db.repo import Repository, new_id
from services.hours.rollup_math import Fact, compute_rollups, contributions, merge

log = logging.getLogger(__name__)

# A rebuild scans the whole ledger: it may take far longer than the client's per-request timeout.
REBUILD_SECONDS = 3600


class Rollups:
    def __init__(self, rollups: Repository, entries: Repository, decisions: Repository, outbox: Repository) -> None:
        self.rollups = rollups
        self.entries = entries
        self.decisions = decisions
        self.outbox = outbox
        self._lock = asyncio.Lock()

    async def get_many(self, ids: list[str]) -> list[dict | None]:
        return await self.rollups.get_many(ids)

    async def verified_minutes(self, volunteer_id: str) -> int:
        doc = await self.rollups.get(f"v:{volunteer_id}|all")
        return doc["m"] if doc else 0

    async def journal(self, entry_ids: list[str], at: datetime, journal_id: str | None = None) -> str:
        """Notes that these entries' decisions are being written (removed by `done`). With a
        `journal_id` already in the outbox, DuplicateKeyError: a crash left that journal."""
        doc = await self.outbox.insert({"_id": journal_id or new_id(), "entry_ids": entry_ids, "at": at})
        return doc["_id"]

    async def done(self, journal_id: str) -> None:
        await self.outbox.delete(journal_id)

    async def roll_up(self, entries: list[dict]) -> None:
        facts = [Fact.of(e) for e in entries]
        async with self._lock:
            own_ids = list(dict.fromkeys(f"v:{f.volunteer_id}|{f.month}" for f in facts))
            own = dict(zip(own_ids, await self.rollups.get_many(own_ids)))
            combos = {i: dict((doc or {}).get("combos", {})) for i, doc in own.items()}
            incs: dict[str, dict[str, int]] = defaultdict(dict)
            sets: dict[str, dict] = {}
            for f in facts:
                mine = combos[f"v:{f.volunteer_id}|{f.month}"]
                merge(incs, sets, *contributions(f, mine))
                mine.setdefault(f.combo, ",".join(f.org_path))
            await self.rollups.upsert_each(
                {
                    doc_id: {"$inc": incs.get(doc_id, {}), **({"$set": sets[doc_id]} if doc_id in sets else {})}
                    for doc_id in sorted(set(incs) | set(sets))
                }
            )

    async def rebuild(self) -> int:
        """Recomputes every rollup document from the verified entries; returns how many there are.

        Holds the rollup lock, so this process's verifications wait; other processes must not
        verify meanwhile (see docs/hours.md).
        """
        async with self._lock:
            with db_timeout(REBUILD_SECONDS):
                facts = [
                    Fact.of(e)
                    async for e in self.entries.coll.find(
                        {"status": "VERIFIED"},
                        {
                            "volunteer_id": 1,
                            "month": 1,
                            "organisation_id": 1,
                            "org_path": 1,
                            "category": 1,
                            "region_code": 1,
                            "minutes": 1,
                            "source": 1,
                        },
                        batch_size=10000,
                    )
                ]
                docs = compute_rollups(facts)
                await self.rollups.delete_many({})
                batch = list(docs.values())
                for i in range(0, len(batch), 5000):
                    await self.rollups.insert_many(batch[i : i + 5000])
                return len(docs)

    async def repair(self) -> None:
        """At start-up: finish decisions a crash interrupted, then rebuild the rollups if any were."""
        journals = [d async for d in self.outbox.coll.find({})]
        if not journals:
            return
        log.warning("%d hour write(s) were interrupted; repairing and rebuilding rollups", len(journals))
        for journal in journals:
            for entry_id in journal["entry_ids"]:
                claim = await self.decisions.get(entry_id)
                entry = await self.entries.get(entry_id)
                if claim and entry and entry["status"] == "PENDING":
                    await self.entries.set_fields(
                        entry_id, {"status": claim["decision"], "verified_by": claim["by"], "verified_at": claim["at"]}
                    )
        await self.rebuild()
        for journal in journals:
            await self.outbox.delete(journal["_id"])
