"""The ledger's rules and units: limits, star levels, local days and months, category labels."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.clock import LOCAL

MAX_MINUTES = 24 * 60
MAX_BATCH = 100
# Counted check-out time is clipped to the task window widened by this much on each side.
CHECKOUT_SLACK = timedelta(minutes=30)
# Hours are recorded after the activity; a little clock skew between phone and server is fine.
CLOCK_SKEW = timedelta(minutes=5)
STAR_HOURS = (100, 300, 600, 1000, 1500)
# How many `<n>` suffixes a write tries before giving up to a concurrent writer.
SEQUENCE_TRIES = 5
CATEGORY_LABELS = {
    "VULNERABLE_ASSISTANCE": "困弱帮扶",
    "ELDER_CARE": "养老服务",
    "CHILD_CARE": "儿童关爱",
    "DISABILITY_REHAB": "残障康复",
    "COMMUNITY_GOVERNANCE": "社区治理",
    "EMERGENCY_RESPONSE": "应急守护",
}


def star_level(minutes: int) -> int:
    """1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1000 h, 5★ 1500 h of certified service (a statistic
    toward the star rating, which the competent body grants on application)."""
    return sum(1 for h in STAR_HOURS if minutes >= h * 60)


def month_of(day: str) -> str:
    return day[:7]


def local_day(t: datetime) -> str:
    return t.astimezone(LOCAL).date().isoformat()
