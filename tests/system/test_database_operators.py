"""Every query/update operator the code uses is listed here, exercised on the engine under test,
and documented in docs/database.md. A new operator in the code fails this file until it is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from config import ROOT
from tests.support import CLOCK

SOURCE_DIRS = ("api", "schema", "services", "db", "matching", "bench")
OPERATOR = re.compile(r'"(\$[a-zA-Z]+)"')


def operators_in_code() -> set[str]:
    found = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(OPERATOR.findall(path.read_text()))
    return found


@pytest.fixture
async def scratch(runtime):
    coll = runtime.database["operator_checks"]
    await coll.delete_many({})
    now = CLOCK.now().replace(microsecond=0)
    await coll.insert_many(
        [{"_id": f"d{i}", "n": i, "at": now + timedelta(minutes=i), "tags": ["x"]} for i in range(5)]
    )
    yield coll, now
    await coll.drop()


async def _ids(cursor) -> list[str]:
    return sorted([d["_id"] async for d in cursor])


async def check_in(coll, now):
    assert await _ids(coll.find({"_id": {"$in": ["d1", "d3", "nope"]}})) == ["d1", "d3"]


async def check_gt(coll, now):
    assert await _ids(coll.find({"n": {"$gt": 2}})) == ["d3", "d4"]


async def check_gte(coll, now):
    assert await _ids(coll.find({"at": {"$gte": now + timedelta(minutes=3)}})) == ["d3", "d4"]


async def check_lt(coll, now):
    assert await _ids(coll.find({"at": {"$lt": now + timedelta(minutes=2)}})) == ["d0", "d1"]


async def check_lte(coll, now):
    assert await _ids(coll.find({"n": {"$lte": 1}})) == ["d0", "d1"]


async def check_eq(coll, now):
    assert await _ids(coll.find({"n": {"$eq": 3}})) == ["d3"]


async def check_set(coll, now):
    await coll.update_one({"_id": "d0"}, {"$set": {"n": 10, "new.field": "v"}})
    assert await coll.find_one({"_id": "d0"}) == {"_id": "d0", "n": 10, "at": now, "tags": ["x"], "new": {"field": "v"}}


async def check_inc(coll, now):
    await coll.update_one({"_id": "d2"}, {"$inc": {"n": 5, "fresh": 1}})
    doc = await coll.find_one({"_id": "d2"})
    assert (doc["n"], doc["fresh"]) == (7, 1)


async def check_push(coll, now):
    await coll.update_one({"_id": "d1"}, {"$push": {"tags": {"k": 1}}})
    assert (await coll.find_one({"_id": "d1"}))["tags"] == ["x", {"k": 1}]


async def check_json_schema(coll, now):
    """Only at collection creation; FerretDB answers NotImplemented and we go on without it."""
    from db.collections import NOT_IMPLEMENTED, _create_validated

    db = coll.database
    await db.drop_collection("operator_validated")
    await _create_validated(db, "operator_validated", {"required": ["a"]})
    assert "operator_validated" in await db.list_collection_names()
    assert NOT_IMPLEMENTED == 238
    await db.drop_collection("operator_validated")


CHECKS = {
    "$in": check_in,
    "$gt": check_gt,
    "$gte": check_gte,
    "$lt": check_lt,
    "$lte": check_lte,
    "$eq": check_eq,
    "$set": check_set,
    "$inc": check_inc,
    "$push": check_push,
    "$jsonSchema": check_json_schema,
}


def test_every_operator_in_the_code_is_exercised_and_documented():
    used = operators_in_code()
    assert used <= set(CHECKS), f"operators used but not exercised here: {sorted(used - set(CHECKS))}"
    doc = (ROOT / "docs" / "database.md").read_text()
    missing = [op for op in used if f"`{op}`" not in doc]
    assert not missing, f"operators used but not listed in docs/database.md: {missing}"


@pytest.mark.parametrize("operator", sorted(CHECKS))
async def test_operator_behaves_on_this_engine(scratch, operator):
    await CHECKS[operator](*scratch)
