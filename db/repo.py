"""One collection's reads and writes: every write of the services goes through here.

A batch read is one `{_id: {$in: ids}}` on both engines (the embedded engine's pushdown patch answers
it from FerretDB's `_id` index); documents come back in the order of the ids asked for (None where
missing). Writes of planned multi-document writes (`insert_planned*`) treat a document already written
by the same write as written (services/writes.py).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterable, Sequence

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.results import UpdateResult

from db.client import Database

SCAN_PARTS = 4
_HEX_ID = re.compile(r"[0-9a-f]{24}")


def new_id() -> str:
    """Ids are ObjectId hex strings: unique across processes and ordered by creation time."""
    return str(ObjectId())


class Repository:
    def __init__(self, database: Database, collection: str) -> None:
        self.coll = database[collection]

    async def get(self, _id: str) -> dict | None:
        return await self.coll.find_one({"_id": _id})

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return []
        if len(unique) == 1:
            doc = await self.coll.find_one({"_id": unique[0]})
            found = {doc["_id"]: doc} if doc else {}
        else:
            found = {d["_id"]: d async for d in self.coll.find({"_id": {"$in": unique}})}
        return [found.get(i) for i in ids]

    async def insert(self, doc: dict) -> dict:
        await self.coll.insert_one(doc)
        return doc

    async def insert_many(self, docs: Iterable[dict]) -> None:
        docs = list(docs)
        if docs:
            await self.coll.insert_many(docs, ordered=True)

    async def insert_planned(self, doc: dict) -> bool:
        """Inserts a document of a planned write (it carries `write_id`); True if this call wrote it.

        One already there from the same write counts as written (the write is being finished after
        a crash); one from another write raises DuplicateKeyError."""
        try:
            await self.insert(doc)
            return True
        except DuplicateKeyError:
            existing = await self.get(doc["_id"])
            if existing is None or existing.get("write_id") != doc["write_id"]:
                raise
            return False

    async def insert_planned_many(self, docs: list[dict]) -> None:
        """`insert_planned` for many documents in one round-trip when none is there yet."""
        if not docs:
            return
        try:
            await self.insert_many(docs)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if not errors or errors[0].get("code") != 11000:
                raise
            for doc in docs[exc.details.get("nInserted", 0) :]:
                await self.insert_planned(doc)

    async def delete_written_by(self, ids: Sequence[str], write_id: str) -> None:
        """Undoes a planned write: deletes those of `ids` that it wrote."""
        for doc in await self.get_many(ids):
            if doc is not None and doc.get("write_id") == write_id:
                await self.delete(doc["_id"])

    async def set_fields(self, _id: str, fields: dict) -> None:
        await self.update({"_id": _id}, {"$set": fields})

    async def update(self, filt: dict, change: dict, *, upsert: bool = False) -> UpdateResult:
        return await self.coll.update_one(filt, change, upsert=upsert)

    async def update_many(self, filt: dict, change: dict) -> None:
        await self.coll.update_many(filt, change)

    async def upsert_each(self, changes: dict[str, dict]) -> None:
        """One update per document id, upserting, in a single round-trip (`changes`: id → update)."""
        if changes:
            await self.coll.bulk_write(
                [UpdateOne({"_id": i}, c, upsert=True) for i, c in changes.items()], ordered=False
            )

    async def delete(self, _id: str) -> None:
        await self.coll.delete_one({"_id": _id})

    async def delete_many(self, filt: dict) -> None:
        await self.coll.delete_many(filt)

    async def scan(self, projection: dict | None = None, batch_size: int = 5000):
        """Every document, for rebuilding in-memory indexes at start-up."""
        async for doc in self.coll.find({}, projection, batch_size=batch_size):
            yield doc

    async def scan_all(self, parts: int = SCAN_PARTS) -> list[dict]:
        """Every document (string `_id`s, as all of ours are), in `_id` order, read as `parts`
        concurrent `_id` ranges.

        The embedded engine decodes each query's documents on one core; ranges split the work over
        all of them. The boundaries interpolate between the smallest and the largest id (ObjectId hex:
        ids made over time split by time, ids made in one second by their random part)."""
        bounds = await self._id_bounds(parts)
        if bounds is None:
            return [d async for d in self.scan()]
        ranges = [{"$gte": lo, "$lt": hi} for lo, hi in itertools.pairwise(bounds)]
        ranges[-1] = {"$gte": bounds[-2]}
        chunks = await asyncio.gather(
            *(self.coll.find({"_id": r}, batch_size=5000).sort("_id", 1).to_list() for r in ranges)
        )
        return [d for chunk in chunks for d in chunk]

    async def _id_bounds(self, parts: int) -> list[str] | None:
        everything = {"_id": {"$gte": ""}}  # an `_id` bound lets the engine sort by its index
        first = await self.coll.find(everything, {"_id": 1}).sort("_id", 1).limit(1).to_list()
        last = await self.coll.find(everything, {"_id": 1}).sort("_id", -1).limit(1).to_list()
        if not first or not last or not all(_HEX_ID.fullmatch(str(d["_id"])) for d in (*first, *last)):
            return None
        lo, hi = int(first[0]["_id"], 16), int(last[0]["_id"], 16)
        inner = [f"{lo + (hi - lo) * k // parts:024x}" for k in range(1, parts)]
        return [first[0]["_id"], *dict.fromkeys(inner), last[0]["_id"]]
