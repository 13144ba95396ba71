"""Input checks shared by every service. Each adds to a `Collector` under the input's field path."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from matching.catalogue import CREDENTIALS, LANGUAGES, MAX_LEVEL, MIN_LEVEL, SKILLS
from services.errors import Collector, ErrorCode

MAX_NAME = 100
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_LIST = 50
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9 -]{6,20}$")
# ASCII digits only: `\d` alone also takes full-width and other scripts' digits.
REGION_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$", re.ASCII)
# Times and dates the service reasons about (tasks, filters, records). Calendar extremes such as
# year 1 or 9999 are a client's mistake, and date arithmetic near them overflows.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _path(field: str | tuple[str, ...]) -> tuple[str, ...]:
    return (field,) if isinstance(field, str) else field


def unicode_ok(value: str) -> bool:
    """Whether a string is Unicode text. JSON lets a client send lone surrogates (`"\\ud800"`), which
    no database stores and no password hash reads."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def text(
    c: Collector,
    value: str | None,
    field: str | tuple[str, ...],
    *,
    max_len: int,
    required: bool = True,
    min_len: int = 1,
) -> str | None:
    path = _path(field)
    if value is None:
        c.check(not required, "is required", *path)
        return None
    value = value.strip()
    if required or value:
        c.check(len(value) >= min_len, f"must have at least {min_len} characters", *path)
    if c.check(len(value) <= max_len, f"must have at most {max_len} characters", *path, code=ErrorCode.TOO_LONG):
        c.check(unicode_ok(value), "is not valid Unicode text", *path)
    return value


def email(c: Collector, value: str, field: str | tuple[str, ...] = "email") -> str:
    value = (value or "").strip().lower()
    c.check(
        len(value) <= 254 and bool(EMAIL_RE.match(value)) and unicode_ok(value),
        "is not a valid email address",
        *_path(field),
    )
    return value


def password(c: Collector, value: str, field: str | tuple[str, ...] = "password") -> None:
    if c.check(
        8 <= len(value or "") <= 128, "must have 8 to 128 characters", *_path(field), code=ErrorCode.WEAK_PASSWORD
    ):
        c.check(unicode_ok(value), "is not valid Unicode text", *_path(field))


def point(c: Collector, value, field: str) -> dict | None:
    if value is None:
        return None
    ok_lat = c.check(
        -90 <= value.lat <= 90, "latitude must be between -90 and 90", field, "lat", code=ErrorCode.INVALID_COORDINATES
    )
    ok_lng = c.check(
        -180 <= value.lng <= 180,
        "longitude must be between -180 and 180",
        field,
        "lng",
        code=ErrorCode.INVALID_COORDINATES,
    )
    return {"lat": float(value.lat), "lng": float(value.lng)} if ok_lat and ok_lng else None


def region_code(c: Collector, value: str, field: str = "regionCode") -> str:
    value = (value or "").strip()
    c.check(
        bool(REGION_RE.match(value)),
        "must be a 6-, 9- or 12-digit administrative division code",
        field,
        code=ErrorCode.INVALID_REGION,
    )
    return value


def bounded_list(c: Collector, values, field: str, max_len: int = MAX_LIST) -> list:
    values = list(values or [])
    c.check(len(values) <= max_len, f"must have at most {max_len} items", field, code=ErrorCode.TOO_MANY)
    return values[:max_len]


def skill_code(c: Collector, code: str, *field: str) -> bool:
    return c.check(code in SKILLS, f"unknown skill {code[:40]!r}", *field, code=ErrorCode.UNKNOWN_SKILL)


def level(c: Collector, value: int, *field: str) -> bool:
    return c.check(MIN_LEVEL <= value <= MAX_LEVEL, f"level must be {MIN_LEVEL} to {MAX_LEVEL}", *field)


def credential_kind(c: Collector, kind: str, *field: str) -> bool:
    return c.check(kind in CREDENTIALS, f"unknown credential {kind[:40]!r}", *field, code=ErrorCode.UNKNOWN_CREDENTIAL)


def language(c: Collector, code: str, *field: str) -> bool:
    return c.check(code in LANGUAGES, f"unknown language {code[:40]!r}", *field, code=ErrorCode.UNKNOWN_LANGUAGE)


def aware(c: Collector, value: datetime, *field: str) -> datetime | None:
    """A timezone-aware time within the service's years, in UTC; None (and a problem) otherwise."""
    if not c.check(value.tzinfo is not None, "must include a time zone", *field):
        return None
    if not c.check(
        FIRST_YEAR <= value.year <= LAST_YEAR,
        f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}",
        *field,
        code=ErrorCode.INVALID_TIME_RANGE,
    ):
        return None
    return value.astimezone(UTC)


def day(c: Collector, value: date, *field: str) -> date | None:
    """A calendar date within the service's years; None (and a problem) otherwise."""
    ok = c.check(
        FIRST_YEAR <= value.year <= LAST_YEAR,
        f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}",
        *field,
        code=ErrorCode.INVALID_TIME_RANGE,
    )
    return value if ok else None
