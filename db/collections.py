"""Collection names, validators and indexes, created idempotently at start-up.

Exclusivity never depends on a conditional update (FerretDB v1 applies updates as
read-then-write): it comes from unique `_id` inserts in the `*_claims` collections,
`account_emails` and `idempotency`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

log = logging.getLogger(__name__)

NOT_IMPLEMENTED = 238  # FerretDB's answer to `validator` on create

_STR = {"bsonType": "string"}
_POINT = {
    "bsonType": "object",
    "required": ["lat", "lng"],
    "properties": {
        "lat": {"bsonType": "double", "minimum": -90, "maximum": 90},
        "lng": {"bsonType": "double", "minimum": -180, "maximum": 180},
    },
}

COLLECTIONS: dict[str, dict | None] = {
    "accounts": {
        "required": ["email", "password_hash", "role"],
        "properties": {"email": _STR, "role": {"enum": ["VOLUNTEER", "COORDINATOR", "COMMITTEE", "ADMIN"]}},
    },
    "account_emails": None,
    "organisations": {"required": ["name", "kind", "region_code", "path"], "properties": {"location": _POINT}},
    "volunteers": {"required": ["account_id", "name", "home"], "properties": {"home": _POINT}},
    "needs": {
        "required": ["organisation_id", "title", "category", "urgency", "location"],
        "properties": {"location": _POINT},
    },
    "tasks": {
        "required": ["need_id", "starts_at", "ends_at", "slots", "status"],
        "properties": {"slots": {"bsonType": "int", "minimum": 1}},
    },
    "changelog": None,
    "idempotency": None,
    "writes_in_flight": None,
    "applications": None,
    "slot_claims": None,
    "time_claims": None,
    "service_records": None,
    "hour_entries": None,
    "rollups": None,
    "hour_decisions": None,
    "rollup_outbox": None,
}

INDEXES: dict[str, list[IndexModel]] = {
    "accounts": [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")],
    "organisations": [
        IndexModel([("region_code", ASCENDING), ("kind", ASCENDING)], name="region_kind"),
        IndexModel([("parent_id", ASCENDING)], name="parent"),
    ],
    "volunteers": [IndexModel([("account_id", ASCENDING)], unique=True, name="account_unique")],
    "needs": [IndexModel([("organisation_id", ASCENDING)], name="organisation")],
    "changelog": [IndexModel([("at", ASCENDING)], name="at")],
    "tasks": [
        IndexModel([("need_id", ASCENDING), ("starts_at", ASCENDING)], name="need_start"),
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)], name="status_start"),
    ],
    "applications": [
        IndexModel([("task_id", ASCENDING), ("status", ASCENDING), ("applied_id", ASCENDING)], name="task_status"),
        IndexModel([("volunteer_id", ASCENDING), ("applied_id", ASCENDING)], name="volunteer"),
    ],
    # Kept a day (services/writes.py KEY_RETENTION): MongoDB's TTL index drops them; on FerretDB,
    # which has none, the purge job does.
    "idempotency": [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires")],
    "service_records": [IndexModel([("volunteer_id", ASCENDING), ("at", ASCENDING)], name="volunteer_at")],
    "hour_entries": [
        IndexModel(
            [("organisation_id", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)], name="organisation_status"
        )
    ],
}


# Other processes poll the change log for the last few seconds of entries; capping keeps every poll's
# scan small on FerretDB (which reads the whole collection for any filter but `_id`).
CHANGELOG_MAX = 5_000
CAPPED: dict[str, dict[str, Any]] = {"changelog": {"capped": True, "size": 8 * 1024 * 1024, "max": CHANGELOG_MAX}}


async def ensure_collections(db: AsyncDatabase) -> None:
    existing = set(await db.list_collection_names())
    for name, schema in COLLECTIONS.items():
        if name in existing:
            continue
        try:
            if schema is None:
                await db.create_collection(name, **CAPPED.get(name, {}))
            else:
                await _create_validated(db, name, schema)
        except CollectionInvalid:
            pass  # another process created it first
    for name, models in INDEXES.items():
        # One index per call, only the missing ones: FerretDB v1.24 panics ("slice bounds out of
        # range") when a single createIndexes call repeats several existing indexes.
        indexes = await db[name].index_information()
        for model in models:
            if model.document["name"] not in indexes:
                try:
                    await db[name].create_indexes([model])
                except OperationFailure as exc:
                    # FerretDB v1 has no TTL indexes: services/writes.py purges expired keys itself.
                    if exc.code != NOT_IMPLEMENTED:
                        raise
                    log.info("engine refused index %s.%s: %s", name, model.document["name"], exc.details)


async def _create_validated(db: AsyncDatabase, name: str, schema: dict) -> None:
    validator = {"$jsonSchema": {"bsonType": "object", **schema}}
    try:
        await db.create_collection(name, validator=validator, validationLevel="moderate")
    except OperationFailure as exc:
        if exc.code != NOT_IMPLEMENTED:
            raise
        log.info("engine has no validators; %s relies on service-side validation", name)
        await db.create_collection(name)


# ---- access paths ----------------------------------------------------------------------------
# What a request may ask the database for: a filter with an equality (or `$in`) on `_id` or on the
# leading field of one of the collection's indexes above, which MongoDB serves from that index and
# the embedded engine from the same SQLite index (docs/database.md: the pushdown patch). Everything
# else would read the whole collection on the embedded engine. The API tests check every request's
# commands against this (tests/guard.py).

_RANGES = ("$gt", "$gte", "$lt", "$lte")


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | datetime | ObjectId)


def _pushable(condition: Any, *, ranges: bool) -> bool:
    if not isinstance(condition, dict):
        return _scalar(condition)
    if set(condition) == {"$in"}:
        return bool(condition["$in"]) and all(_scalar(v) for v in condition["$in"])
    allowed = {"$eq", *_RANGES} if ranges else {"$eq"}
    return bool(condition) and set(condition) <= allowed and all(_scalar(v) for v in condition.values())


def leading_fields(collection: str) -> set[str]:
    return {"_id"} | {next(iter(m.document["key"])) for m in INDEXES.get(collection, [])}


def served_by_index(collection: str, filt: dict | None) -> bool:
    """Whether both engines answer `filt` from an index of `collection` (see above)."""
    if not filt:
        return False
    leading = leading_fields(collection)
    return any(
        key in leading and _pushable(cond, ranges=key == "_id") for key, cond in filt.items() if not key.startswith("$")
    )
