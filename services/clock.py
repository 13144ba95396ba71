"""Time as the services store it: UTC with millisecond precision (what BSON dates keep, so what we
return equals what we read back), and the local zone of every deployment (UTC+8)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from matching.catalogue import UTC_OFFSET_HOURS

LOCAL = timezone(timedelta(hours=UTC_OFFSET_HOURS))


def to_ms(t: datetime) -> datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def now_ms() -> datetime:
    return to_ms(datetime.now(timezone.utc))
