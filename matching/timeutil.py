"""Local (UTC+8) calendar arithmetic on integer epoch seconds.

Epoch day 0 (1970-01-01) was a Thursday, so ISO week `w` starts on local day `7*w - 3` and the
weekly hour slot of local hour `h` (hours since the epoch) is `(h + 72) % 168`, with slot 0 =
Monday 00:00-01:00.
"""

from datetime import date, datetime

from .catalogue import UTC_OFFSET_HOURS

OFFSET_S = UTC_OFFSET_HOURS * 3600
HOUR_S = 3600
DAY_S = 86400
WEEK_S = 7 * DAY_S
WEEK_HOURS = 168
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
WORD = (1 << 64) - 1


def to_seconds(dt: datetime) -> int:
    """Epoch seconds of a tz-aware datetime, rounded down."""
    return int(dt.timestamp() // 1)


def to_seconds_ceil(dt: datetime) -> int:
    ts = dt.timestamp()
    return int(-((-ts) // 1))


def local_day(seconds: int) -> int:
    return (seconds + OFFSET_S) // DAY_S


def iso_week(seconds: int) -> int:
    """Index of the local ISO week (Monday-based) that contains `seconds`."""
    return (local_day(seconds) + 3) // 7


def week_start(week: int) -> int:
    """Epoch seconds (UTC) of local Monday 00:00 of ISO week index `week`."""
    return (7 * week - 3) * DAY_S - OFFSET_S


def date_to_day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal() - _EPOCH_ORDINAL


def availability_mask(windows) -> int:
    """168-bit mask of the weekly hour slots covered by availability windows."""
    mask = 0
    for w in windows:
        base = (int(w["weekday"]) - 1) * 24
        start, end = int(w["start_hour"]), int(w["end_hour"])
        if end > start:
            mask |= ((1 << (end - start)) - 1) << (base + start)
    return mask


def window_slot_mask(start_s: int, end_s: int) -> int:
    """168-bit mask of every weekly hour slot that the half-open window [start, end) touches."""
    h0 = (start_s + OFFSET_S) // HOUR_S
    h1 = -((-(end_s + OFFSET_S)) // HOUR_S)
    if h1 <= h0:
        h1 = h0 + 1
    if h1 - h0 >= WEEK_HOURS:
        return (1 << WEEK_HOURS) - 1
    mask = 0
    for h in range(h0, h1):
        mask |= 1 << ((h + 72) % WEEK_HOURS)
    return mask


def split_words(mask: int) -> tuple[int, int, int]:
    return mask & WORD, (mask >> 64) & WORD, mask >> 128
