"""Deciding on hours: verify or reject pending entries, and correct verified ones.

A decision is a claim document in `hour_decisions` whose `_id` is the entry's, so two concurrent
decisions cannot both pass. A correction is a new VERIFIED entry `<original>:c<n>` carrying the
difference, so two concurrent corrections cannot both pass the non-negative check against the
same total. Both journal themselves in the rollup outbox first, so a crash half-way is repaired
at start-up (`Rollups.repair`).
"""

from __future__ import annotations

import logging

from pymongo.errors import BulkWriteError, DuplicateKeyError

from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import Clock, now_ms
from services.errors import Collector, DomainError, ErrorCode, forbidden, not_found
from services.hours.ledger import HourLedger
from services.hours.rollups import Rollups
from services.hours.rules import MAX_BATCH, MAX_MINUTES, SEQUENCE_TRIES
from services.writes import Writes

log = logging.getLogger(__name__)


class HourDecisions:
    def __init__(
        self,
        entries: Repository,
        decisions: Repository,
        ledger: HourLedger,
        rollups: Rollups,
        access: AccessPolicy,
        writes: Writes,
        clock: Clock,
    ) -> None:
        self.entries = entries
        self.decisions = decisions
        self.ledger = ledger
        self.rollups = rollups
        self.access = access
        self.writes = writes
        writes.register("correctHours", self._apply_correct)
        self.clock = clock

    async def decide(self, viewer: Viewer, entry_ids: list[str], decision: str) -> list[dict]:
        """VERIFY or REJECT pending entries, all or none."""
        entry_ids = list(dict.fromkeys(entry_ids))
        if not 1 <= len(entry_ids) <= MAX_BATCH:
            raise DomainError(
                ErrorCode.TOO_MANY if entry_ids else ErrorCode.INVALID_INPUT,
                f"give 1 to {MAX_BATCH} entries",
                "entryIds",
            )
        found = await self.entries.get_many(entry_ids)
        c = Collector()
        for i, e in enumerate(found):
            if e is None:
                c.add(ErrorCode.NOT_FOUND, "hour entry not found", "entryIds", str(i))
            elif not self.access.may_manage(viewer, e["organisation_id"]):
                c.add(
                    ErrorCode.FORBIDDEN,
                    "only a coordinator of the organisation that ran the activity can decide",
                    "entryIds",
                    str(i),
                )
            elif e["status"] != "PENDING":
                c.add(ErrorCode.ALREADY_DECIDED, f"the entry is already {e['status']}", "entryIds", str(i))
        c.raise_if_any()
        entries = [e for e in found if e is not None]
        now = now_ms(self.clock)
        status = "VERIFIED" if decision == "VERIFY" else "REJECTED"
        journal = await self.rollups.journal(entry_ids, now)
        claims = [{"_id": i, "decision": status, "by": viewer.account_id, "at": now} for i in entry_ids]
        try:
            await self.decisions.insert_many(claims)
        except BulkWriteError as exc:
            done = exc.details.get("nInserted", 0)
            for entry_id in entry_ids[:done]:
                await self.decisions.delete(entry_id)
            await self.rollups.done(journal)
            raise DomainError(
                ErrorCode.ALREADY_DECIDED,
                "the entry was decided at the same moment by someone else",
                ("entryIds", str(min(done, len(entry_ids) - 1))),
            ) from None
        fields = {"status": status, "verified_by": viewer.account_id, "verified_at": now}
        await self.entries.update_many({"_id": {"$in": entry_ids}}, {"$set": fields})
        decided = [{**e, **fields} for e in entries]
        if status == "VERIFIED":
            await self.rollups.roll_up(decided)
        await self.rollups.done(journal)
        return decided

    async def correct(
        self, viewer: Viewer, entry_id: str, minutes: int, reason: str | None, idempotency_key: str | None = None
    ) -> tuple[dict, dict]:
        """A VERIFIED correction entry carrying the delta that brings the activity to `minutes`.

        `entry_id` may name the original or any of its corrections; the correction always refers to
        the original. Returns (correction, original).
        """
        c = Collector()
        reason = v.text(c, reason, "reason", max_len=v.MAX_TITLE)
        c.check(minutes >= 0, "the corrected total cannot be negative", "minutes", code=ErrorCode.NEGATIVE_TOTAL)
        c.check(
            minutes <= MAX_MINUTES, "an activity lasts at most 24 hours", "minutes", code=ErrorCode.INVALID_DURATION
        )
        c.raise_if_any()
        entry = await self.entries.get(entry_id)
        if entry is None:
            raise not_found("hour entry", "entryId")
        original = entry if entry["corrects"] is None else await self.entries.get(entry["corrects"])
        if original is None:
            raise not_found("hour entry", "entryId")
        if not self.access.may_manage(viewer, original["organisation_id"]):
            raise forbidden("only a coordinator of the organisation that ran the activity can do this", "entryId")
        if original["status"] != "VERIFIED":
            raise DomainError(
                ErrorCode.NOT_VERIFIED, "only verified hours can be corrected; decide pending ones first", "entryId"
            )

        for _ in range(SEQUENCE_TRIES):
            write_id = new_id()

            async def plan(write_id: str = write_id) -> dict:
                total, n = await self.ledger.corrected_total(original)
                delta = minutes - total
                if delta == 0:
                    raise DomainError(ErrorCode.NO_CHANGE, f"the activity already counts {total} minutes", "minutes")
                now = now_ms(self.clock)
                return {
                    "correction": {
                        **original,
                        "_id": f"{original['_id']}:c{n}",
                        "minutes": delta,
                        "status": "VERIFIED",
                        "source": "CORRECTION",
                        "corrects": original["_id"],
                        "reason": reason,
                        "flags": [],
                        "created_by": viewer.account_id,
                        "created_at": now,
                        "verified_by": viewer.account_id,
                        "verified_at": now,
                        "write_id": write_id,
                    }
                }

            try:
                correction_id = await self.writes.run(
                    "correctHours", plan, account_id=viewer.account_id, key=idempotency_key, write_id=write_id
                )
                break
            except DomainError as exc:
                if exc.code is not ErrorCode.CONFLICT:
                    raise
        else:
            raise DomainError(ErrorCode.CONFLICT, "the entry is being corrected by someone else; retry", "entryId")
        correction = await self.entries.get(correction_id)
        if correction is None:
            raise not_found("hour entry")
        return correction, original

    async def _apply_correct(self, plan: dict, write_id: str) -> str:
        """The correction entry and its rollup, journalled like a decision (`correct:<write id>`).

        Finishing one a crash cut off: if its journal is gone, the first attempt counted the rollup
        and finished; if the journal is still there and the entry too, whether the rollup was counted
        is unknown, so the journal is left for `Rollups.repair` at the next start-up, which rebuilds
        the rollups (never counting the correction twice)."""
        doc = plan["correction"]
        journal_id = f"correct:{write_id}"
        try:
            await self.rollups.journal([doc["_id"]], doc["created_at"], journal_id)
            left_by_crash = False
        except DuplicateKeyError:
            left_by_crash = True
        try:
            inserted = await self.entries.insert_planned(doc)
        except DuplicateKeyError:
            await self.rollups.done(journal_id)
            raise DomainError(
                ErrorCode.CONFLICT, "the entry was corrected at the same moment; retry", "entryId"
            ) from None
        if inserted:
            await self.rollups.roll_up([doc])
            crashpoints.reached("correctHours.rolled_up")
        elif left_by_crash:
            log.warning("correction %s: rollups are rebuilt at the next start-up", doc["_id"])
            return doc["_id"]
        await self.rollups.done(journal_id)
        return doc["_id"]
