"""The application lifecycle's statuses and the errors its steps share.

An application's `_id` is `<task_id>:<volunteer_id>`, so a volunteer has at most one per task;
once ACCEPTED it is the volunteer's assignment.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from services.errors import DomainError, ErrorCode

OPEN_TASK = ("OPEN", "FULL")
HOLDS_TIME = ("ACCEPTED", "COMPLETED", "NO_SHOW")
ASSIGNMENT_STATUSES = ["ACCEPTED", "COMPLETED", "NO_SHOW"]
REOPENABLE = ("WITHDRAWN", "DECLINED")
REINVITABLE = ("WITHDRAWN", "DECLINED", "REJECTED")
WITHDRAWABLE = ("PENDING", "WAITLISTED", "ACCEPTED")
REVIEWABLE = {
    "ACCEPT": ("PENDING", "WAITLISTED"),
    "REJECT": ("PENDING", "WAITLISTED", "ACCEPTED"),
    "WAITLIST": ("PENDING",),
}
DECIDED = {"ACCEPT": "ACCEPTED", "REJECT": "REJECTED", "WAITLIST": "WAITLISTED"}
MAX_REASON = 500
BUCKET_SECONDS = 15 * 60
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_OUT_LATE = timedelta(hours=2)


def make_application_id(task_id: str, volunteer_id: str) -> str:
    return f"{task_id}:{volunteer_id}"


def time_buckets(starts: datetime, ends: datetime) -> range:
    """15-minute buckets (epoch-based) that the window [starts, ends) touches."""
    return range(math.floor(starts.timestamp() / BUCKET_SECONDS), math.ceil(ends.timestamp() / BUCKET_SECONDS))


def task_not_open(message: str = "the task no longer takes volunteers", field: str = "taskId") -> DomainError:
    return DomainError(ErrorCode.TASK_NOT_OPEN, message, field)


def already_applied(doc: dict) -> DomainError:
    return DomainError(
        ErrorCode.ALREADY_APPLIED,
        f"this volunteer already has an application for the task ({doc['status']})",
        "taskId",
    )


def invalid_transition(doc: dict, action: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_TRANSITION, f"cannot {action} an application that is {doc['status']}", "applicationId"
    )
