"""The access-path guard (tests/guard.py) catches what it is there for, on the real engine."""

from __future__ import annotations

from tests.guard import MAX_COMMANDS, Recording, problems


async def test_an_unindexed_lookup_is_caught(repos):
    with Recording() as recorded:
        await repos.volunteers.coll.find_one({"name": "王芳"})  # volunteers have no index on name
    assert problems(recorded) == ["find on volunteers by {'name': '王芳'}: no index serves this filter"]


async def test_indexed_lookups_pass(repos):
    with Recording() as recorded:
        await repos.applications.coll.find_one({"task_id": "t", "status": {"$in": ["ACCEPTED"]}})
        await repos.hour_entries.coll.find_one({"organisation_id": "o", "_id": {"$gt": "a"}})
        await repos.accounts.get_many(["a", "b"])
    assert problems(recorded) == []


async def test_an_n_plus_one_is_caught(repos):
    with Recording() as recorded:
        for n in range(MAX_COMMANDS + 1):
            await repos.accounts.get(f"account-{n}")
    assert [p.split(" (")[0] for p in problems(recorded)] == [f"{MAX_COMMANDS + 1} database commands in one request"]
