"""Inputs of the engagement mutations."""

from __future__ import annotations

import strawberry

from schema.base.common import GeoPointInput
from schema.engagement.types import InvitationAnswer, ReviewDecision

IDEMPOTENCY = "Any string of 1 to 100 characters; a retry with the same key returns the first result."


@strawberry.input(description="The signed-in volunteer applies to a task.")
class ApplyToTaskInput:
    task_id: strawberry.ID = strawberry.field(description="The task.")
    message: str | None = strawberry.field(default=None, description="A note to the organisation (at most 500).")


@strawberry.input(description="The volunteer withdraws their application (or assignment, before checking in).")
class WithdrawApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="The application.")
    reason: str | None = strawberry.field(default=None, description="Why (at most 500 characters).")


@strawberry.input(description="A coordinator invites a volunteer to a task.")
class InviteVolunteerInput:
    task_id: strawberry.ID = strawberry.field(description="The task.")
    volunteer_id: strawberry.ID = strawberry.field(description="The volunteer.")
    message: str | None = strawberry.field(default=None, description="A note to the volunteer (at most 500).")


@strawberry.input(description="The invited volunteer answers.")
class RespondToInvitationInput:
    application_id: strawberry.ID = strawberry.field(description="The invitation (an `Application` id).")
    decision: InvitationAnswer = strawberry.field(description="Accept or decline.")


@strawberry.input(description="A coordinator decides on an application.")
class ReviewApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="The application.")
    decision: ReviewDecision = strawberry.field(description="Accept, reject or waitlist.")
    reason: str | None = strawberry.field(default=None, description="Why (at most 500 characters).")


@strawberry.input(description="The volunteer checks in where they are.")
class CheckInInput:
    assignment_id: strawberry.ID = strawberry.field(description="The accepted application's id.")
    location: GeoPointInput = strawberry.field(description="Where the phone is.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="The volunteer checks out where they are.")
class CheckOutInput:
    assignment_id: strawberry.ID = strawberry.field(description="The accepted application's id.")
    location: GeoPointInput = strawberry.field(description="Where the phone is.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="The organisation records that an accepted volunteer did not come.")
class MarkNoShowInput:
    assignment_id: strawberry.ID = strawberry.field(description="The accepted application's id.")
