"""Inputs of the hours mutations and queries."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.hours.types import HourDecision
from schema.needs.types import NeedCategory

IDEMPOTENCY = "Any string of 1 to 100 characters; a retry with the same key returns the first result."


@strawberry.input(description="Whose hours to tally: exactly one of the three.")
class HourScopeInput:
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="An organisation and everything under it."
    )
    region_code: str | None = strawberry.field(default=None, description="A region and everything under it.")
    volunteer_id: strawberry.ID | None = strawberry.field(default=None, description="One volunteer.")


@strawberry.input(description="A coordinator records an activity, e.g. a group activity, for several volunteers.")
class RecordHoursInput:
    volunteer_ids: list[strawberry.ID] = strawberry.field(description="1 to 100 volunteers who served.")
    started_at: datetime = strawberry.field(description="When the activity started.")
    ended_at: datetime = strawberry.field(description="When it ended (not in the future), at most 24 h later.")
    task_id: strawberry.ID | None = strawberry.field(
        default=None, description="The task, or give organisationId + category."
    )
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="The organisation that ran an activity without a task."
    )
    category: NeedCategory | None = strawberry.field(
        default=None, description="The field of service of an activity without a task."
    )
    minutes: int | None = strawberry.field(
        default=None, description="Minutes served each; defaults to endedAt - startedAt."
    )
    title: str | None = strawberry.field(default=None, description="What the activity was, e.g. 重阳节敬老活动.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="Verify or reject pending entries, all or none.")
class VerifyHoursInput:
    entry_ids: list[strawberry.ID] = strawberry.field(description="1 to 100 pending entries of your organisations.")
    decision: HourDecision = strawberry.field(description="Verify or reject.")


@strawberry.input(
    description="Corrects a verified entry: `minutes` is the activity's corrected total; the "
    "correction records the difference."
)
class CorrectHoursInput:
    entry_id: strawberry.ID = strawberry.field(description="The entry, or any of its corrections.")
    minutes: int = strawberry.field(description="The activity's corrected total, 0 to 1440.")
    reason: str = strawberry.field(description="Why, at most 200 characters.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)
