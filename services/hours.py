"""The hours ledger: append-only entries, verification, corrections, rollups and tallies.

Entries are never rewritten except for the one status transition PENDING → VERIFIED | REJECTED.
Every exclusive step is a unique `_id` insert (atomic on both engines):
- an entry tied to an activity has `_id` `<task or organisation:start>:<volunteer>:<n>`, so the same
  activity cannot be recorded twice for a volunteer (a REJECTED entry frees the next `n`);
- a decision is a claim document in `hour_decisions` whose `_id` is the entry's;
- a correction has `_id` `<original>:c<n>`, so two concurrent corrections cannot both pass the
  non-negative check against the same total.
Rollups are derived: maintained at verification time under one in-process lock (the single writer
of every rollup document in this process) and rebuilt from the entries by `rebuild_rollups`.
docs/hours.md explains the documents and what holds with several processes.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from pymongo import timeout as db_timeout
from pymongo.errors import BulkWriteError, DuplicateKeyError

from db.repo import new_id
from services import validation as v
from services.auth import Viewer
from services.clock import LOCAL, now_ms, to_ms
from services.directory import region_contains, region_prefix
from services.errors import Collector, DomainError, forbidden, not_found, unauthenticated
from services.idempotency import once

log = logging.getLogger(__name__)

MAX_MINUTES = 24 * 60
MAX_BATCH = 100
# Counted check-out time is clipped to the task window widened by this much on each side.
CHECKOUT_SLACK = timedelta(minutes=30)
# Hours are recorded after the activity; a little clock skew between phone and server is fine.
CLOCK_SKEW = timedelta(minutes=5)
STAR_HOURS = (100, 300, 600, 1000, 1500)
ROSTER_BUCKETS = 16
MAX_RANGE_MONTHS = 120
REGION_LEVELS = (2, 4, 6, 9, 12)
GROUPS = ("VOLUNTEER", "ORGANISATION", "REGION", "CATEGORY", "MONTH")
STATIONS = ("CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION", "VILLAGE_ROOM")
CATEGORY_LABELS = {
    "VULNERABLE_ASSISTANCE": "困弱帮扶", "ELDER_CARE": "养老服务", "CHILD_CARE": "儿童关爱",
    "DISABILITY_REHAB": "残障康复", "COMMUNITY_GOVERNANCE": "社区治理", "EMERGENCY_RESPONSE": "应急守护",
}
SEQUENCE_TRIES = 5
# A rebuild scans the whole ledger: it may take far longer than the client's per-request timeout.
REBUILD_SECONDS = 3600


def star_level(minutes: int) -> int:
    """1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1000 h, 5★ 1500 h of certified service."""
    return sum(1 for h in STAR_HOURS if minutes >= h * 60)


def month_of(day: str) -> str:
    return day[:7]


def local_day(t: datetime) -> str:
    return t.astimezone(LOCAL).date().isoformat()


def region_nodes(code: str) -> list[str]:
    """Rollup nodes of a region code: province, city, county, township, village prefixes."""
    p = region_prefix(code)
    return [f"r:{p[:n]}" for n in REGION_LEVELS if n <= len(p)]


def roster_bucket(volunteer_id: str) -> int:
    return zlib.crc32(volunteer_id.encode()) % ROSTER_BUCKETS


# ---------------------------------------------------------------------------------------------
# Rollup arithmetic: pure, shared by the live path and the rebuild so both give the same documents.


@dataclass(frozen=True)
class Fact:
    """What a verified entry (or an aggregate of them) adds to the rollups."""

    volunteer_id: str
    month: str
    organisation_id: str
    org_path: tuple[str, ...]
    category: str
    region_code: str
    minutes: int
    entries: int

    @classmethod
    def of(cls, entry: dict) -> "Fact":
        return cls(entry["volunteer_id"], entry["month"], entry["organisation_id"], tuple(entry["org_path"]),
                   entry["category"], entry["region_code"], entry["minutes"],
                   0 if entry["source"] == "CORRECTION" else 1)

    @property
    def combo(self) -> str:
        return f"{self.organisation_id}~{self.category}~{self.region_code}"

    def nodes(self) -> list[str]:
        return [*(f"o:{i}" for i in self.org_path), *region_nodes(self.region_code)]


def _contains(node: str, org_path: Iterable[str], region_code: str) -> bool:
    kind, value = node[0], node[2:]
    return value in org_path if kind == "o" else region_prefix(region_code).startswith(value)


def contributions(fact: Fact, combos: dict[str, str]) -> tuple[dict[str, dict[str, int]], dict[str, dict]]:
    """($inc, $set) per rollup document for one fact.

    `combos` holds the (organisation, category, region) combinations the volunteer already has in
    the fact's month (combo key → organisation path), which decides whether the volunteer is new
    to each distinct-volunteer counter.
    """
    seen = []
    for key, path in combos.items():
        org, cat, region = key.split("~")
        seen.append((org, cat, region, path.split(",")))
    incs: dict[str, dict[str, int]] = defaultdict(dict)
    sets: dict[str, dict] = {}
    f = fact

    def add(doc_id: str, prefix: str, new: bool) -> None:
        doc = incs[doc_id]
        doc[f"{prefix}m"] = doc.get(f"{prefix}m", 0) + f.minutes
        doc[f"{prefix}e"] = doc.get(f"{prefix}e", 0) + f.entries
        if new:
            doc[f"{prefix}v"] = doc.get(f"{prefix}v", 0) + 1

    def group(base: str, mine: list, split: bool) -> None:
        add(base, "", not mine)
        add(base, f"cat.{f.category}.", not any(x[1] == f.category for x in mine))
        add(f"{base}|org" if split else base, f"org.{f.organisation_id}.",
            not any(x[0] == f.organisation_id for x in mine))
        add(f"{base}|reg" if split else base, f"reg.{f.region_code}.", not any(x[2] == f.region_code for x in mine))

    for node in f.nodes():
        group(f"{node}|{f.month}", [x for x in seen if _contains(node, x[3], x[2])], split=True)
        add(f"{node}|{f.month}|b{roster_bucket(f.volunteer_id)}", f"vols.{f.volunteer_id}.", False)
    own = f"v:{f.volunteer_id}|{f.month}"
    group(own, seen, split=False)
    if f.combo not in combos:
        sets[own] = {f"combos.{f.combo}": ",".join(f.org_path)}
    add(f"v:{f.volunteer_id}|all", "", False)
    return incs, sets


def _merge(into_incs: dict, into_sets: dict, incs: dict, sets: dict) -> None:
    for doc_id, fields in incs.items():
        target = into_incs[doc_id]
        for k, value in fields.items():
            target[k] = target.get(k, 0) + value
    for doc_id, fields in sets.items():
        into_sets.setdefault(doc_id, {}).update(fields)


def _nested(doc: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
    doc[leaf] = value


def compute_rollups(facts: Iterable[Fact]) -> dict[str, dict]:
    """Every rollup document from scratch (what `rebuild_rollups` writes).

    Independent of `contributions`: sums and sets of volunteers instead of "is this volunteer new"
    decisions, so the rebuild-equals-live test checks one against the other.
    """
    totals: dict[tuple, list[int]] = {}
    for f in facts:
        key = (f.volunteer_id, f.month, f.organisation_id, f.org_path, f.category, f.region_code)
        acc = totals.setdefault(key, [0, 0])
        acc[0] += f.minutes
        acc[1] += f.entries
    sums: dict[tuple[str, str], list[int]] = {}
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    combos: dict[str, dict[str, str]] = defaultdict(dict)
    node_cache: dict[tuple, list[str]] = {}

    def count(doc_id: str, prefix: str, vol: str, m: int, e: int, distinct: bool = True) -> None:
        acc = sums.get((doc_id, prefix))
        if acc is None:
            acc = sums[(doc_id, prefix)] = [0, 0]
        acc[0] += m
        acc[1] += e
        if distinct:
            members[(doc_id, prefix)].add(vol)

    for (vol, month, org, path, cat, region), (m, e) in totals.items():
        nodes = node_cache.get((path, region))
        if nodes is None:
            nodes = node_cache[(path, region)] = [*(f"o:{i}" for i in path), *region_nodes(region)]
        bucket = roster_bucket(vol)
        for base, split in [*((f"{n}|{month}", True) for n in nodes), (f"v:{vol}|{month}", False)]:
            count(base, "", vol, m, e)
            count(base, f"cat.{cat}.", vol, m, e)
            count(f"{base}|org" if split else base, f"org.{org}.", vol, m, e)
            count(f"{base}|reg" if split else base, f"reg.{region}.", vol, m, e)
        for n in nodes:
            count(f"{n}|{month}|b{bucket}", f"vols.{vol}.", vol, m, e, distinct=False)
        count(f"v:{vol}|all", "", vol, m, e, distinct=False)
        combos[f"v:{vol}|{month}"][f"{org}~{cat}~{region}"] = ",".join(path)
    docs: dict[str, dict] = {}
    for (doc_id, prefix), (m, e) in sums.items():
        doc = docs.get(doc_id)
        if doc is None:
            doc = docs[doc_id] = {"_id": doc_id}
        _nested(doc, f"{prefix}m", m)
        _nested(doc, f"{prefix}e", e)
        if (doc_id, prefix) in members:
            _nested(doc, f"{prefix}v", len(members[(doc_id, prefix)]))
    for doc_id, mine in combos.items():
        docs[doc_id]["combos"] = mine
    return docs


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    minutes: int
    entries: int
    volunteers: int


@dataclass(frozen=True)
class Scope:
    """One of: an organisation and its subtree (`o`), a region and all under it (`r`), a volunteer (`v`)."""

    kind: str
    value: str

    @property
    def node(self) -> str:
        return f"{self.kind}:{self.value}"


class HourService:
    def __init__(self, app) -> None:
        self.app = app
        self._rollup_lock = asyncio.Lock()
        app.on("rebuild", self.repair)

    # -- recording ---------------------------------------------------------------------------

    async def record(self, viewer: Viewer | None, p, *, task_id: str | None, organisation_id: str | None,
                     volunteer_ids: list[str]) -> list[dict]:
        """A coordinator records an activity (e.g. a group activity) for one or more volunteers."""
        c = Collector()
        now = datetime.now(timezone.utc)
        started = v.aware(c, p.started_at, "startedAt")
        ended = v.aware(c, p.ended_at, "endedAt")
        title = v.text(c, p.title, "title", max_len=v.MAX_TITLE, required=False) or None
        volunteer_ids = list(dict.fromkeys(volunteer_ids))
        c.check(1 <= len(volunteer_ids) <= MAX_BATCH, f"give 1 to {MAX_BATCH} volunteers", "volunteerIds",
                code="TOO_MANY" if volunteer_ids else "INVALID_INPUT")
        c.check((task_id is None) != (organisation_id is None), "give either a task or an organisation",
                "taskId")
        c.check(task_id is not None or p.category is not None, "give the category of an activity without a task",
                "category")
        minutes = None
        if started and ended:
            span = int((ended - started).total_seconds() // 60)
            minutes = p.minutes if p.minutes is not None else span
            ok = c.check(0 < span <= MAX_MINUTES, "an activity lasts more than 0 minutes and at most 24 hours",
                         "endedAt", code="INVALID_DURATION")
            if ok:
                c.check(0 < minutes <= span, "minutes must be above 0 and at most the activity's length",
                        "minutes", code="INVALID_DURATION")
            c.check(ended <= now + CLOCK_SKEW, "hours are recorded once the activity has ended", "endedAt",
                    code="INVALID_TIME_RANGE")
        c.raise_if_any()
        task = None
        if task_id is not None:
            task = await self.app.tasks.get(task_id)
            if task is None:
                raise not_found("task", "taskId")
            organisation_id = task["organisation_id"]
        org = self.app.organisation_service.require_manager(viewer, organisation_id)
        if task is not None and task["status"] == "CANCELLED":
            raise DomainError("TASK_CANCELLED", "the task was cancelled; no hours can be recorded on it", "taskId")
        volunteers = await self.app.volunteers.get_many(volunteer_ids)
        for i, doc in enumerate(volunteers):
            if doc is None:
                c.add("NOT_FOUND", "volunteer not found", "volunteerIds", str(i))
        c.raise_if_any()
        base = (f"{task_id}" if task else f"{organisation_id}:{started.astimezone(LOCAL):%Y%m%d%H%M}")
        category = task["category"] if task else p.category.value

        async def work() -> str:
            slots = []
            for i, vid in enumerate(volunteer_ids):
                entry_id, live = await self._free_id(f"{base}:{vid}")
                if live is not None:
                    c.add("ALREADY_RECORDED", "hours for this activity are already recorded for this volunteer",
                          "volunteerIds", str(i))
                slots.append(entry_id)
            c.raise_if_any()
            docs = [self._entry(entry_id, vid, org, category, task, started, ended, minutes, source="MANUAL",
                                created_by=viewer.account_id, title=title, now=now)
                    for entry_id, vid in zip(slots, volunteer_ids)]
            written = []
            try:
                for doc in docs:
                    await self.app.hour_entries.insert(doc)
                    written.append(doc["_id"])
            except DuplicateKeyError:
                await self._delete(written)
                raise DomainError("ALREADY_RECORDED", "these hours were recorded at the same moment by someone else",
                                  "volunteerIds") from None
            except BaseException:
                await self._delete(written)
                raise
            return ",".join(written)

        ids = await once(self.app, viewer.account_id, "recordHours", p.idempotency_key, work)
        return [d for d in await self.app.hour_entries.get_many(ids.split(",")) if d]

    async def add_checkout_entry(self, assignment: dict, task: dict, checked_in_at: datetime,
                                 checked_out_at: datetime, flags: list[str], idempotency_key: str | None) -> dict:
        """A PENDING entry for a check-out (called by engagement).

        Counted time is check-in → check-out clipped to the task window widened by 30 minutes on
        each side and capped at 24 h; a clip to nothing gives 0 minutes and the flag
        `NO_TIME_IN_WINDOW`. If the activity already has a live entry for the volunteer (say a
        coordinator recorded it by hand), that entry is returned instead of a second one.
        """
        if task.get("status") == "CANCELLED":
            raise DomainError("TASK_CANCELLED", "the task was cancelled; no hours can be recorded on it", "taskId")
        vid = assignment["volunteer_id"]
        start = max(checked_in_at, task["starts_at"] - CHECKOUT_SLACK)
        end = min(checked_out_at, task["ends_at"] + CHECKOUT_SLACK)
        minutes = min(MAX_MINUTES, max(0, int((end - start).total_seconds() // 60)))
        flags = list(dict.fromkeys(flags))
        if minutes == 0:
            flags.append("NO_TIME_IN_WINDOW")
        org = self.app.directory.get(task["organisation_id"])
        if org is None:
            raise not_found("organisation")
        now = datetime.now(timezone.utc)

        async def work() -> str:
            for _ in range(SEQUENCE_TRIES):
                entry_id, live = await self._free_id(f"{task['_id']}:{vid}")
                if live is not None:
                    return live["_id"]
                doc = self._entry(entry_id, vid, org, task["category"], task, to_ms(checked_in_at),
                                  to_ms(checked_out_at), minutes, source="CHECKOUT", created_by=vid, now=now,
                                  flags=flags, need_id=assignment.get("need_id"))
                try:
                    await self.app.hour_entries.insert(doc)
                    return entry_id
                except DuplicateKeyError:
                    continue
            raise DomainError("CONFLICT", "the entry is being written by another request; retry")

        entry_id = await once(self.app, vid, "checkoutHours", idempotency_key, work)
        return await self.app.hour_entries.get(entry_id)

    def _entry(self, entry_id: str, volunteer_id: str, org: dict, category: str, task: dict | None,
               started: datetime, ended: datetime, minutes: int, *, source: str, created_by: str, now: datetime,
               title: str | None = None, flags: list[str] | None = None, need_id: str | None = None) -> dict:
        served_on = local_day(started)
        return {"_id": entry_id, "volunteer_id": volunteer_id, "organisation_id": org["_id"],
                "org_path": list(org["path"]), "region_code": org["region_code"], "category": category,
                "task_id": task["_id"] if task else None,
                "need_id": need_id or (task.get("need_id") if task else None), "title": title,
                "served_on": served_on, "month": month_of(served_on), "started_at": to_ms(started),
                "ended_at": to_ms(ended), "minutes": minutes, "status": "PENDING", "source": source,
                "corrects": None, "reason": None, "flags": flags or [], "created_by": created_by,
                "created_at": to_ms(now), "verified_by": None, "verified_at": None}

    async def _free_id(self, base: str) -> tuple[str, dict | None]:
        """The next free `<base>:<n>`, or the live (not rejected) entry already recorded there."""
        n = 1
        while True:
            doc = await self.app.hour_entries.get(f"{base}:{n}")
            if doc is None:
                return f"{base}:{n}", None
            if doc["status"] != "REJECTED":
                return doc["_id"], doc
            n += 1

    async def _delete(self, ids: list[str]) -> None:
        for i in ids:
            await self.app.hour_entries.delete(i)

    # -- deciding -----------------------------------------------------------------------------

    def _require_manager(self, viewer: Viewer | None, org_id: str, *field: str) -> None:
        if viewer is None:
            raise unauthenticated()
        if not self.app.organisation_service.may_manage(viewer, org_id):
            raise forbidden("only a coordinator of the organisation that ran the activity can do this", *field)

    async def decide(self, viewer: Viewer | None, entry_ids: list[str], decision: str) -> list[dict]:
        """VERIFY or REJECT pending entries, all or none."""
        if viewer is None:
            raise unauthenticated()
        entry_ids = list(dict.fromkeys(entry_ids))
        if not 1 <= len(entry_ids) <= MAX_BATCH:
            raise DomainError("TOO_MANY" if entry_ids else "INVALID_INPUT",
                              f"give 1 to {MAX_BATCH} entries", "entryIds")
        entries = await self.app.hour_entries.get_many(entry_ids)
        c = Collector()
        for i, e in enumerate(entries):
            if e is None:
                c.add("NOT_FOUND", "hour entry not found", "entryIds", str(i))
            elif not self.app.organisation_service.may_manage(viewer, e["organisation_id"]):
                c.add("FORBIDDEN", "only a coordinator of the organisation that ran the activity can decide",
                      "entryIds", str(i))
            elif e["status"] != "PENDING":
                c.add("ALREADY_DECIDED", f"the entry is already {e['status']}", "entryIds", str(i))
        c.raise_if_any()
        now = now_ms()
        status = "VERIFIED" if decision == "VERIFY" else "REJECTED"
        journal = await self.app.rollup_outbox.insert({"_id": new_id(), "entry_ids": entry_ids, "at": now})
        claims = [{"_id": i, "decision": status, "by": viewer.account_id, "at": now} for i in entry_ids]
        try:
            await self.app.hour_decisions.insert_many(claims)
        except BulkWriteError as exc:
            done = exc.details.get("nInserted", 0)
            for claim in claims[:done]:
                await self.app.hour_decisions.delete(claim["_id"])
            await self.app.rollup_outbox.delete(journal["_id"])
            raise DomainError("ALREADY_DECIDED", "the entry was decided at the same moment by someone else",
                              ("entryIds", str(min(done, len(entry_ids) - 1)))) from None
        fields = {"status": status, "verified_by": viewer.account_id, "verified_at": now}
        await asyncio.gather(*(self.app.hour_entries.set_fields(i, fields) for i in entry_ids))
        decided = [{**e, **fields} for e in entries]
        if status == "VERIFIED":
            await self._roll_up(decided)
        await self.app.rollup_outbox.delete(journal["_id"])
        return decided

    async def correct(self, viewer: Viewer | None, entry_id: str, minutes: int, reason: str | None,
                      idempotency_key: str | None = None) -> tuple[dict, dict]:
        """A VERIFIED correction entry carrying the delta that brings the activity to `minutes`.

        `entry_id` may name the original or any of its corrections; the correction always refers to
        the original. Returns (correction, original).
        """
        if viewer is None:
            raise unauthenticated()
        c = Collector()
        reason = v.text(c, reason, "reason", max_len=v.MAX_TITLE)
        c.check(minutes >= 0, "the corrected total cannot be negative", "minutes", code="NEGATIVE_TOTAL")
        c.check(minutes <= MAX_MINUTES, "an activity lasts at most 24 hours", "minutes", code="INVALID_DURATION")
        c.raise_if_any()
        entry = await self.app.hour_entries.get(entry_id)
        if entry is None:
            raise not_found("hour entry", "entryId")
        original = entry if entry["corrects"] is None else await self.app.hour_entries.get(entry["corrects"])
        if original is None:
            raise not_found("hour entry", "entryId")
        self._require_manager(viewer, original["organisation_id"], "entryId")
        if original["status"] != "VERIFIED":
            raise DomainError("NOT_VERIFIED", "only verified hours can be corrected; decide pending ones first",
                              "entryId")

        async def work() -> str:
            for _ in range(SEQUENCE_TRIES):
                total, n = await self._corrected_total(original)
                delta = minutes - total
                if delta == 0:
                    raise DomainError("NO_CHANGE", f"the activity already counts {total} minutes", "minutes")
                now = now_ms()
                doc = {**original, "_id": f"{original['_id']}:c{n}", "minutes": delta, "status": "VERIFIED",
                       "source": "CORRECTION", "corrects": original["_id"], "reason": reason, "flags": [],
                       "created_by": viewer.account_id, "created_at": now, "verified_by": viewer.account_id,
                       "verified_at": now}
                journal = await self.app.rollup_outbox.insert({"_id": new_id(), "entry_ids": [doc["_id"]], "at": now})
                try:
                    await self.app.hour_entries.insert(doc)
                except DuplicateKeyError:
                    await self.app.rollup_outbox.delete(journal["_id"])
                    continue
                await self._roll_up([doc])
                await self.app.rollup_outbox.delete(journal["_id"])
                return doc["_id"]
            raise DomainError("CONFLICT", "the entry is being corrected by someone else; retry", "entryId")

        correction_id = await once(self.app, viewer.account_id, "correctHours", idempotency_key, work)
        return await self.app.hour_entries.get(correction_id), original

    async def _corrected_total(self, original: dict) -> tuple[int, int]:
        """The activity's minutes after its corrections, and the number the next correction takes."""
        total, n = original["minutes"], 1
        while (prior := await self.app.hour_entries.get(f"{original['_id']}:c{n}")) is not None:
            total += prior["minutes"]
            n += 1
        return total, n

    async def corrected_minutes(self, entry: dict) -> int:
        """An entry's activity total after corrections (the entry itself if it is a correction)."""
        if entry["source"] == "CORRECTION":
            return entry["minutes"]
        return (await self._corrected_total(entry))[0]

    # -- rollups ------------------------------------------------------------------------------

    async def _roll_up(self, entries: list[dict]) -> None:
        facts = [Fact.of(e) for e in entries]
        async with self._rollup_lock:
            own_ids = list(dict.fromkeys(f"v:{f.volunteer_id}|{f.month}" for f in facts))
            own = dict(zip(own_ids, await self.app.rollups.get_many(own_ids)))
            combos = {i: dict((doc or {}).get("combos", {})) for i, doc in own.items()}
            incs: dict[str, dict[str, int]] = defaultdict(dict)
            sets: dict[str, dict] = {}
            for f in facts:
                mine = combos[f"v:{f.volunteer_id}|{f.month}"]
                _merge(incs, sets, *contributions(f, mine))
                mine.setdefault(f.combo, ",".join(f.org_path))
            await asyncio.gather(*(
                self.app.rollups.coll.update_one(
                    {"_id": doc_id},
                    {"$inc": incs.get(doc_id, {}), **({"$set": sets[doc_id]} if doc_id in sets else {})},
                    upsert=True)
                for doc_id in sorted(set(incs) | set(sets))))

    async def rebuild_rollups(self) -> int:
        """Recomputes every rollup document from the verified entries; returns how many there are.

        Holds the rollup lock, so this process's verifications wait; other processes must not
        verify meanwhile (see docs/hours.md).
        """
        async with self._rollup_lock:
            with db_timeout(REBUILD_SECONDS):
                facts = [Fact.of(e) async for e in self.app.hour_entries.coll.find(
                    {"status": "VERIFIED"},
                    {"volunteer_id": 1, "month": 1, "organisation_id": 1, "org_path": 1, "category": 1,
                     "region_code": 1, "minutes": 1, "source": 1}, batch_size=10000)]
                docs = compute_rollups(facts)
                await self.app.rollups.coll.delete_many({})
                batch = list(docs.values())
                for i in range(0, len(batch), 5000):
                    await self.app.rollups.insert_many(batch[i:i + 5000])
                return len(docs)

    async def repair(self) -> None:
        """At start-up: finish decisions a crash interrupted, then rebuild the rollups if any were."""
        journals = [d async for d in self.app.rollup_outbox.coll.find({})]
        if not journals:
            return
        log.warning("%d hour write(s) were interrupted; repairing and rebuilding rollups", len(journals))
        for journal in journals:
            for entry_id in journal["entry_ids"]:
                claim = await self.app.hour_decisions.get(entry_id)
                entry = await self.app.hour_entries.get(entry_id)
                if claim and entry and entry["status"] == "PENDING":
                    await self.app.hour_entries.set_fields(entry_id, {"status": claim["decision"],
                                                                      "verified_by": claim["by"],
                                                                      "verified_at": claim["at"]})
        await self.rebuild_rollups()
        for journal in journals:
            await self.app.rollup_outbox.delete(journal["_id"])

    # -- reading ------------------------------------------------------------------------------

    async def list_entries(self, viewer: Viewer | None, org_id: str, status: str | None, after: str | None,
                           limit: int) -> tuple[list[dict], bool, int]:
        """An organisation's own entries in id order (what its coordinators verify)."""
        if self.app.directory.get(org_id) is None:
            raise not_found("organisation", "organisationId")
        self._require_manager(viewer, org_id, "organisationId")
        query: dict = {"organisation_id": org_id}
        if status is not None:
            query["status"] = status
        total = await self.app.hour_entries.coll.count_documents(query)
        if after is not None:
            query["_id"] = {"$gt": after}
        docs = [d async for d in self.app.hour_entries.coll.find(query).sort("_id", 1).limit(limit + 1)]
        return docs[:limit], len(docs) > limit, total

    async def verified_minutes(self, volunteer_id: str) -> int:
        doc = await self.app.rollups.get(f"v:{volunteer_id}|all")
        return doc["m"] if doc else 0

    def authorize_scope(self, viewer: Viewer | None, scope: Scope) -> None:
        """Committees see their region, coordinators their subtree, volunteers themselves, admins all."""
        if viewer is None:
            raise unauthenticated()
        org = self.app.directory.get(scope.value) if scope.kind == "o" else None
        if scope.kind == "o" and org is None:
            raise not_found("organisation", "scope", "organisationId")
        if viewer.role == "ADMIN":
            return
        if scope.kind == "o":
            if self.app.organisation_service.may_manage(viewer, scope.value):
                return
            if viewer.role == "COMMITTEE" and viewer.region_code and region_contains(
                    viewer.region_code, org["region_code"]):
                return
        elif scope.kind == "r":
            if viewer.role == "COMMITTEE" and viewer.region_code and region_contains(viewer.region_code, scope.value):
                return
        elif viewer.volunteer_id == scope.value:
            return
        raise forbidden("you may not see the hours of this scope", "scope")

    async def tallies(self, viewer: Viewer | None, scope: Scope, group_by: str, start: date | None,
                      end: date | None) -> list[Tally]:
        months = self._months(start, end)
        if scope.kind == "r":
            c = Collector()
            v.region_code(c, scope.value, "scope")
            c.raise_if_any()
        self.authorize_scope(viewer, scope)
        if scope.kind == "v" and await self.app.volunteers.get(scope.value) is None:
            raise not_found("volunteer", "scope", "volunteerId")
        node = f"r:{region_prefix(scope.value)}" if scope.kind == "r" else scope.node
        if group_by == "VOLUNTEER":
            return await self._by_volunteer(scope, node, months)
        # Organisation and region breakdowns of organisation and region nodes have documents of their own
        # (they can have hundreds of keys, and FerretDB reads a document in time linear in its fields).
        split = scope.kind != "v"
        suffix = {"ORGANISATION": "|org", "REGION": "|reg"}.get(group_by, "") if split else ""
        docs = [d for d in await self.app.rollups.get_many([f"{node}|{m}{suffix}" for m in months]) if d]
        if group_by == "MONTH":
            return [Tally(d["_id"].rsplit("|", 1)[1], _month_label(d["_id"].rsplit("|", 1)[1]), d["m"], d["e"],
                          d.get("v", 0)) for d in docs]
        field = {"CATEGORY": "cat", "ORGANISATION": "org", "REGION": "reg"}[group_by]
        sums: dict[str, list[int]] = {}
        for d in docs:
            for key, g in d.get(field, {}).items():
                acc = sums.setdefault(key, [0, 0, 0])
                acc[0] += g["m"]
                acc[1] += g["e"]
                acc[2] += g.get("v", 0)
        labels = {"cat": lambda k: CATEGORY_LABELS.get(k, k), "org": self._org_label,
                  "reg": self._region_labeller()}[field]
        return _ordered([Tally(k, labels(k), *acc) for k, acc in sums.items()])

    async def total(self, scope: Scope, start: date | None, end: date | None) -> Tally:
        """The scope's own counters summed over the months (no authorization: for internal use)."""
        node = f"r:{region_prefix(scope.value)}" if scope.kind == "r" else scope.node
        docs = [d for d in await self.app.rollups.get_many([f"{node}|{m}" for m in self._months(start, end)]) if d]
        return Tally(node, node, sum(d["m"] for d in docs), sum(d["e"] for d in docs),
                     sum(d.get("v", 0) for d in docs))

    async def _by_volunteer(self, scope: Scope, node: str, months: list[str]) -> list[Tally]:
        sums: dict[str, list[int]] = {}
        if scope.kind == "v":
            for d in await self.app.rollups.get_many([f"{node}|{m}" for m in months]):
                if d:
                    acc = sums.setdefault(scope.value, [0, 0, 1])
                    acc[0] += d["m"]
                    acc[1] += d["e"]
        else:
            ids = [f"{node}|{m}|b{b}" for m in months for b in range(ROSTER_BUCKETS)]
            for d in await self.app.rollups.get_many(ids):
                for vid, g in (d or {}).get("vols", {}).items():
                    acc = sums.setdefault(vid, [0, 0, 1])
                    acc[0] += g["m"]
                    acc[1] += g["e"]
        names = dict(zip(sums, await self.app.volunteers.get_many(list(sums))))
        return _ordered([Tally(k, (names.get(k) or {}).get("name", k), *acc) for k, acc in sums.items()])

    def _months(self, start: date | None, end: date | None) -> list[str]:
        """Tallies count whole calendar months (local time) from `start`'s month to `end`'s."""
        c = Collector()
        today = datetime.now(LOCAL).date()
        if end is None:
            end = _month_end(start or today)
        if start is None:
            start = end.replace(day=1)
        c.check(start.day == 1, "tallies count whole months: start on the first day of a month", "from",
                code="INVALID_RANGE")
        c.check(end == _month_end(end), "tallies count whole months: end on the last day of a month", "to",
                code="INVALID_RANGE")
        c.check(start <= end, "from must not be after to", "from", code="INVALID_RANGE")
        span = (end.year - start.year) * 12 + end.month - start.month + 1
        c.check(span <= MAX_RANGE_MONTHS, f"a tally covers at most {MAX_RANGE_MONTHS} months", "to",
                code="INVALID_RANGE")
        c.raise_if_any()
        months, y, m = [], start.year, start.month
        for _ in range(span):
            months.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return months

    def _org_label(self, org_id: str) -> str:
        org = self.app.directory.get(org_id)
        return org["name"] if org else org_id

    def _region_labeller(self):
        """A region is labelled with the name of the station that serves exactly that code."""
        names = {o["region_code"]: o["name"] for o in self.app.directory.orgs.values() if o["kind"] in STATIONS}
        return lambda code: names.get(code, code)


def _month_end(d: date) -> date:
    first_next = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _month_label(month: str) -> str:
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def _ordered(tallies: list[Tally]) -> list[Tally]:
    return sorted(tallies, key=lambda t: (-t.minutes, t.key))

