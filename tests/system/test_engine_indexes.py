"""The embedded engine answers our lookups from SQLite indexes, as its own `explain` reports.

FerretDB v1.24 alone pushes only `{_id: v}` into SQLite and decodes the whole collection for any other
filter; db/engine/patches/ferretdb-pushdown.patch pushes equality, `$in`, ranges, the `_id` sort and
counts down, and the engine program indexes every table's `_id` value (db/engine/main.go).
"""

from __future__ import annotations

import asyncio

import pytest

from db.repo import new_id


async def explain(runtime, collection: str, filt: dict, sort: dict | None = None, limit: int = 0) -> dict:
    find: dict = {"find": collection, "filter": filt}
    if sort:
        find["sort"] = sort
    if limit:
        find["limit"] = limit
    return await runtime.database.db.command("explain", find)


def plan_of(result: dict) -> str:
    return " ".join(str(line) for line in result["queryPlanner"]["Plan"])


@pytest.fixture
def embedded(settings):
    if not settings.embedded:
        pytest.skip("FerretDB only")


async def test_lookups_by_id_use_the_id_index(runtime, repos, embedded):
    await repos.accounts.get("warm-up")
    for filt in ({"_id": "x"}, {"_id": {"$in": ["x", "y"]}}):
        result = await explain(runtime, "accounts", filt)
        assert result["filterPushdown"] is True, result
        assert "USING INDEX" in plan_of(result) and "_id_" in plan_of(result), plan_of(result)


async def test_secondary_lookups_and_keyset_pages_use_indexes(runtime, repos, embedded):
    task = new_id()
    await repos.applications.insert_many(
        {"_id": f"{task}:{n}", "task_id": task, "status": "ACCEPTED", "applied_id": new_id()} for n in range(3)
    )
    by_task = await explain(runtime, "applications", {"task_id": task, "status": {"$in": ["ACCEPTED", "PENDING"]}})
    assert by_task["filterPushdown"] is True and "USING INDEX" in plan_of(by_task), plan_of(by_task)
    assert [d["_id"] async for d in repos.applications.coll.find({"task_id": task, "status": "ACCEPTED"})] == [
        f"{task}:{n}" for n in range(3)
    ]
    page = {"_id": {"$gt": f"{task}:0"}}
    plan = ""
    for _ in range(50):  # the engine adds the `_id` value index to a new table within a second
        result = await explain(runtime, "applications", page, sort={"_id": 1}, limit=2)
        plan = plan_of(result)
        if "_id_value" in plan:
            break
        await asyncio.sleep(0.1)
    assert result["filterPushdown"] is True and result["sortPushdown"] is True, result
    assert "_id_value" in plan, plan
    found = [d["_id"] async for d in repos.applications.coll.find({**page, "task_id": task}).sort("_id", 1)]
    assert found == [f"{task}:1", f"{task}:2"]


async def test_counts_are_answered_by_sqlite(runtime, repos, embedded):
    task = new_id()
    await repos.applications.insert_many(
        {"_id": f"{task}:{n}", "task_id": task, "status": "WAITLISTED"} for n in range(4)
    )
    reply = await runtime.database.db.command("count", "applications", query={"task_id": task, "status": "WAITLISTED"})
    assert reply["n"] == 4


async def test_scan_all_reads_every_document_once_in_id_order(runtime):
    from db.repo import Repository

    repo = Repository(runtime.database, "scan_checks")
    await repo.delete_many({})
    ids = sorted({new_id() for _ in range(300)} | {f"{n:024x}" for n in (0, 1, 2**95, 2**96 - 1)})
    await repo.insert_many({"_id": i, "n": k} for k, i in enumerate(ids))
    assert [d["_id"] for d in await repo.scan_all(parts=4)] == ids
    await repo.insert({"_id": "not-hex", "n": -1})  # ids of another shape: one plain scan
    assert sorted(d["_id"] for d in await repo.scan_all(parts=4)) == sorted([*ids, "not-hex"])
    await repo.coll.drop()
