"""Committee-wide monthly hour tallies over a ledger of ≥ 1 M verified entries, on the embedded engine.

`python -m bench.tallies_bench --entries 1000000` prints JSON. The organisations and the ledger
are written with insert_many (the organisations then published on the change feed, so the
directory knows them); the rollups by the rebuild's own computation (`compute_rollups`, fed the
generated entries instead of re-reading a million documents from the engine); the timed reads go
through `HourTallies.tallies` (`services.tallies`) and through the GraphQL schema, as a committee
of the whole city.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pymongo import timeout as db_timeout

from api.runtime import Runtime
from bootstrap import Services
from config import Settings
from db.repo import new_id
from db.repositories import Repositories
from matching.catalogue import CATEGORIES
from services.auth import Viewer
from services.clock import LOCAL
from services.hours.rollup_math import Fact, compute_rollups
from services.hours.tallies import Scope

CITY = "4210"
# The groupings timed per query (`services.hours.tallies.GROUPS` without VOLUNTEER, timed once on its own).
GROUPS = ("ORGANISATION", "REGION", "CATEGORY", "MONTH")
BATCH = 10_000
QUERY = """query($scope: HourScopeInput!, $groupBy: TallyGroup!, $from: Date, $to: Date) {
  hourTallies(scope: $scope, groupBy: $groupBy, from: $from, to: $to) { key label minutes entries volunteers } }"""


def _orgs(now: datetime) -> list[dict]:
    """A city centre, 8 counties, 12 townships each, 6 villages each, and 40 volunteer teams: ~720."""
    orgs = []

    def add(name, kind, code, parent):
        oid = new_id()
        orgs.append(
            {
                "_id": oid,
                "name": name,
                "kind": kind,
                "region_code": code,
                "parent_id": parent["_id"] if parent else None,
                "path": [*(parent["path"] if parent else []), oid],
                "location": None,
                "coordinator_account_ids": [],
                "created_at": now,
            }
        )
        return orgs[-1]

    city = add("荆州市社会工作指导中心", "CITY_CENTER", f"{CITY}00", None)
    for c in range(1, 9):
        county = add(f"县级总站{c}", "COUNTY_STATION", f"{CITY}{c:02d}", city)
        for t in range(1, 13):
            town = add(f"乡镇社工站{c}-{t}", "TOWNSHIP_STATION", f"{CITY}{c:02d}{t:03d}", county)
            for v in range(1, 7):
                add(f"村社工室{c}-{t}-{v}", "VILLAGE_ROOM", f"{CITY}{c:02d}{t:03d}{v:03d}", town)
    for i in range(40):
        add(f"志愿服务队{i}", "VOLUNTEER_TEAM", f"{CITY}{i % 8 + 1:02d}", orgs[1 + (i % 8) * 85])
    return orgs


def _entries(rng: random.Random, n: int, orgs: list[dict], volunteers: list[str], year: int):
    """Verified entries in batches: a volunteer serves mostly at a few organisations near home."""
    now = datetime.now(UTC)
    batch = []
    for i in range(n):
        vi = rng.randrange(len(volunteers))
        org = orgs[(vi * 7 + rng.randrange(3)) % len(orgs)]
        served = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        start = datetime(served.year, served.month, served.day, rng.randrange(7, 19), tzinfo=LOCAL)
        minutes = rng.choice((30, 45, 60, 90, 120, 180, 240))
        day = served.isoformat()
        batch.append(
            {
                "_id": f"b{i:09d}",
                "volunteer_id": volunteers[vi],
                "organisation_id": org["_id"],
                "org_path": org["path"],
                "region_code": org["region_code"],
                "category": CATEGORIES[(vi + rng.randrange(2)) % len(CATEGORIES)],
                "task_id": None,
                "need_id": None,
                "title": None,
                "served_on": day,
                "month": day[:7],
                "started_at": start.astimezone(UTC),
                "ended_at": (start + timedelta(minutes=minutes)).astimezone(UTC),
                "minutes": minutes,
                "status": "VERIFIED",
                "source": "MANUAL",
                "corrects": None,
                "reason": None,
                "flags": [],
                "created_by": "bench",
                "created_at": now,
                "verified_by": "bench",
                "verified_at": now,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return round(cuts[49], 2), round(cuts[94], 2)


async def _run(entries: int, queries: int, data_dir: Path, seed: int) -> dict:
    settings = Settings.from_env(data_dir=data_dir, database_name="vm_bench_tallies")
    runtime = Runtime(settings)
    services = await runtime.start()
    try:
        assert runtime.database is not None
        repos = Repositories.open(runtime.database)
        with db_timeout(3600):
            return await _measure(services, repos, settings, entries, queries, seed)
    finally:
        await runtime.stop()


async def _measure(
    services: Services, repos: Repositories, settings: Settings, entries: int, queries: int, seed: int
) -> dict:
    from schema import build_schema
    from schema.base.context import Context, Loaders

    rng = random.Random(seed)
    now = datetime.now(UTC)
    orgs = _orgs(now)
    await repos.organisations.insert_many(orgs)
    await services.changes.publish("organisation", *orgs)
    volunteers = [new_id() for _ in range(max(1, entries // 100))]
    t0 = time.perf_counter()
    facts = []
    for batch in _entries(rng, entries, orgs, volunteers, 2024):
        await repos.hour_entries.insert_many(batch)
        facts += [Fact.of(e) for e in batch]
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = list(compute_rollups(facts).values())
    del facts
    await repos.rollups.coll.delete_many({})
    for i in range(0, len(docs), 5000):
        await repos.rollups.insert_many(docs[i : i + 5000])
    rollup_docs = len(docs)
    del docs
    rollups_s = time.perf_counter() - t0

    committee = Viewer(account_id="bench-committee", role="COMMITTEE", region_code=f"{CITY}00")
    scope = Scope("r", f"{CITY}00")
    months = [(date(2024, m, 1), date(2024 + m // 12, m % 12 + 1, 1) - timedelta(days=1)) for m in range(1, 13)]
    service_ms = []
    by_group: dict[str, list[float]] = {g: [] for g in GROUPS}
    for i in range(queries):
        start, end = months[i % 12]
        t = time.perf_counter()
        rows = await services.tallies.tallies(committee, scope, GROUPS[i % len(GROUPS)], start, end)
        service_ms.append((time.perf_counter() - t) * 1000)
        by_group[GROUPS[i % len(GROUPS)]].append(service_ms[-1])
        assert rows
    schema = build_schema(settings.limits)
    graphql_ms = []
    for i in range(queries):
        start, end = months[i % 12]
        # what `GraphQLEndpoint.get_context` builds for a request signed in as the committee
        context = Context(
            services=services,
            viewer=committee,
            token_problem=None,
            loaders=Loaders.create(services),
            request_id="bench",
        )
        variables = {
            "scope": {"regionCode": f"{CITY}00"},
            "groupBy": GROUPS[i % len(GROUPS)],
            "from": start.isoformat(),
            "to": end.isoformat(),
        }
        t = time.perf_counter()
        result = await schema.execute(QUERY, variable_values=variables, context_value=context)
        graphql_ms.append((time.perf_counter() - t) * 1000)
        assert result.errors is None, result.errors
    start, end = months[5]
    t = time.perf_counter()
    by_volunteer = await services.tallies.tallies(committee, scope, "VOLUNTEER", start, end)
    volunteer_ms = (time.perf_counter() - t) * 1000
    p50, p95 = _percentiles(service_ms)
    g50, g95 = _percentiles(graphql_ms)
    return {
        "entries": await repos.hour_entries.coll.estimated_document_count(),
        "p50_ms": p50,
        "p95_ms": p95,
        "graphql_p50_ms": g50,
        "graphql_p95_ms": g95,
        "queries": queries,
        "organisations": len(orgs),
        "volunteers": len(volunteers),
        "rollup_documents": rollup_docs,
        "load_s": round(load_s, 1),
        "rollups_s": round(rollups_s, 1),
        "volunteer_grouping_ms": round(volunteer_ms, 1),
        "volunteer_groups": len(by_volunteer),
        "p95_ms_by_group": {g: _percentiles(ms)[1] for g, ms in by_group.items() if len(ms) > 1},
    }


def run(entries: int = 1_000_000, queries: int = 200, seed: int = 7) -> dict:
    """`{"entries", "p50_ms", "p95_ms", ...}` for a committee-wide monthly tally (fresh temp database)."""
    with tempfile.TemporaryDirectory(prefix="vm-tallies-") as tmp:
        return asyncio.run(_run(entries, queries, Path(tmp), seed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(json.dumps(run(args.entries, args.queries, args.seed), ensure_ascii=False))


if __name__ == "__main__":
    main()
