"""Input checks shared by every service. Each adds to a `Collector` under the input's field path."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from matching.catalogue import CREDENTIALS, LANGUAGES, MAX_LEVEL, MIN_LEVEL, SKILLS
from services.errors import Collector

MAX_NAME = 100
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_LIST = 50
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9 -]{6,20}$")
REGION_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def text(c: Collector, value: str | None, field: str, *, max_len: int, required: bool = True,
         min_len: int = 1) -> str | None:
    if value is None:
        c.check(not required, "is required", field)
        return None
    value = value.strip()
    if required or value:
        c.check(len(value) >= min_len, f"must have at least {min_len} characters", field)
    c.check(len(value) <= max_len, f"must have at most {max_len} characters", field, code="TOO_LONG")
    return value


def email(c: Collector, value: str, field: str = "email") -> str:
    value = (value or "").strip().lower()
    c.check(len(value) <= 254 and bool(EMAIL_RE.match(value)), "is not a valid email address", field)
    return value


def password(c: Collector, value: str, field: str = "password") -> None:
    c.check(8 <= len(value or "") <= 128, "must have 8 to 128 characters", field, code="WEAK_PASSWORD")


def point(c: Collector, value, field: str) -> dict | None:
    if value is None:
        return None
    ok_lat = c.check(-90 <= value.lat <= 90, "latitude must be between -90 and 90", field, "lat",
                     code="INVALID_COORDINATES")
    ok_lng = c.check(-180 <= value.lng <= 180, "longitude must be between -180 and 180", field, "lng",
                     code="INVALID_COORDINATES")
    return {"lat": float(value.lat), "lng": float(value.lng)} if ok_lat and ok_lng else None


def region_code(c: Collector, value: str, field: str = "regionCode") -> str:
    value = (value or "").strip()
    c.check(bool(REGION_RE.match(value)), "must be a 6-, 9- or 12-digit administrative division code", field,
            code="INVALID_REGION")
    return value


def bounded_list(c: Collector, values, field: str, max_len: int = MAX_LIST) -> list:
    values = list(values or [])
    c.check(len(values) <= max_len, f"must have at most {max_len} items", field, code="TOO_MANY")
    return values[:max_len]


def skill_code(c: Collector, code: str, *field: str) -> bool:
    return c.check(code in SKILLS, f"unknown skill {code[:40]!r}", *field, code="UNKNOWN_SKILL")


def level(c: Collector, value: int, *field: str) -> bool:
    return c.check(MIN_LEVEL <= value <= MAX_LEVEL, f"level must be {MIN_LEVEL} to {MAX_LEVEL}", *field)


def credential_kind(c: Collector, kind: str, *field: str) -> bool:
    return c.check(kind in CREDENTIALS, f"unknown credential {kind[:40]!r}", *field, code="UNKNOWN_CREDENTIAL")


def language(c: Collector, code: str, *field: str) -> bool:
    return c.check(code in LANGUAGES, f"unknown language {code[:40]!r}", *field, code="UNKNOWN_LANGUAGE")


def aware(c: Collector, value: datetime, *field: str) -> datetime | None:
    if not c.check(value.tzinfo is not None, "must include a time zone", *field):
        return None
    return value.astimezone(timezone.utc)


def iso_date(value: date) -> str:
    return value.isoformat()
