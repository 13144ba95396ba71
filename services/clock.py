"""The services' clock, and time as they store it.

Every service takes a `Clock` and never calls `datetime.now()`: production passes `SystemClock`,
tests a `FixedClock` they set and move, so no rule and no test depends on the real date.
Stored times are UTC with millisecond precision (what BSON dates keep, so what we return equals
what we read back); the local zone of every deployment is UTC+8.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

from matching.catalogue import UTC_OFFSET_HOURS

LOCAL = timezone(timedelta(hours=UTC_OFFSET_HOURS))


def to_ms(t: datetime) -> datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, UTC, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until it is set or moved (tests, demos at a chosen date)."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a FixedClock needs a timezone-aware time")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def now_ms(clock: Clock) -> datetime:
    return to_ms(clock.now())


def local_today(clock: Clock) -> date:
    return clock.now().astimezone(LOCAL).date()
