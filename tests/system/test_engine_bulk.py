"""Commands that touch many documents on the embedded engine.

FerretDB v1.24 kept one SQLite connection per statement of an `update` command until the command
ended (a deferred close in a loop), and its pool holds 100: an update of more statements waited for
ever for a connection its own earlier statements held, and every later command queued behind it.
db/engine/patches/ferretdb-update-cursors.patch closes each statement's query as it finishes.
"""

from __future__ import annotations

import asyncio

from pymongo import UpdateOne

from db.repo import new_id


async def test_an_update_of_hundreds_of_statements_completes(repos):
    prefix = new_id()
    ops = [UpdateOne({"_id": f"{prefix}:{n}"}, {"$inc": {"m": n}}, upsert=True) for n in range(250)]
    result = await asyncio.wait_for(repos.rollups.coll.bulk_write(ops, ordered=False), timeout=30)
    assert result.upserted_count == 250
    again = await asyncio.wait_for(repos.rollups.coll.bulk_write(ops, ordered=False), timeout=30)
    assert again.modified_count == 250
    docs = await repos.rollups.get_many([f"{prefix}:{n}" for n in range(250)])
    assert [d["m"] for d in docs if d] == [2 * n for n in range(250)]
    await repos.rollups.coll.delete_many({"_id": {"$in": [f"{prefix}:{n}" for n in range(250)]}})


async def test_a_delete_of_more_documents_than_sqlite_takes_variables_completes(runtime):
    """FerretDB deleted the matching documents in one `IN (...)` of their ids, and SQLite takes at
    most 32,766 variables: deleting every rollup of a county failed ("too many SQL variables").
    db/engine/patches/ferretdb-wide-deletes.patch deletes in batches."""
    coll = runtime.database.db["wide_deletes"]
    await coll.drop()
    for start in range(0, 40_000, 10_000):
        await coll.insert_many({"_id": f"{n:06d}"} for n in range(start, start + 10_000))
    result = await coll.delete_many({})
    assert result.deleted_count == 40_000
    assert await coll.count_documents({}) == 0
    await coll.drop()
