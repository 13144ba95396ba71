"""Commands of many statements on the embedded engine.

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
