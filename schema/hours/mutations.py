"""Hours mutations: record, verify or reject, correct."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.errors import UserError, no_errors
from schema.base.ids import optional_raw_id, raw_id, raw_ids
from schema.hours.inputs import CorrectHoursInput, RecordHoursInput, VerifyHoursInput
from schema.hours.types import HourEntry


@strawberry.type(description="The result of `recordHours`.")
class RecordHoursPayload:
    entries: list[HourEntry] | None = strawberry.field(default=None, description="The new PENDING entries.")
    errors: list[UserError] = no_errors()


@strawberry.type(description="The result of `verifyHours`.")
class VerifyHoursPayload:
    entries: list[HourEntry] | None = strawberry.field(default=None, description="The decided entries.")
    errors: list[UserError] = no_errors()


@strawberry.type(description="The result of `correctHours`.")
class CorrectHoursPayload:
    correction: HourEntry | None = strawberry.field(default=None, description="The new correction entry.")
    original: HourEntry | None = strawberry.field(default=None, description="The entry it corrects.")
    errors: list[UserError] = no_errors()


@strawberry.type
class HoursMutation:
    @strawberry.mutation(description="A coordinator records an activity's hours for volunteers (PENDING).")
    async def record_hours(
        self,
        info: Info,
        input: Annotated[
            RecordHoursInput,
            strawberry.argument(
                description="The activity (a task, or an organisation and a category), when it ran and who served."
            ),
        ],
    ) -> RecordHoursPayload:
        viewer = info.context.require_viewer()
        task_id = optional_raw_id(input.task_id, "Task", "taskId")
        org_id = optional_raw_id(input.organisation_id, "Organisation", "organisationId")
        volunteer_ids = raw_ids(input.volunteer_ids, "Volunteer", "volunteerIds")
        docs = await info.context.services.ledger.record(
            viewer, input, task_id=task_id, organisation_id=org_id, volunteer_ids=volunteer_ids
        )
        return RecordHoursPayload(entries=[HourEntry.of(d) for d in docs])

    @strawberry.mutation(description="The organisation that ran the activities verifies or rejects pending entries.")
    async def verify_hours(
        self,
        info: Info,
        input: Annotated[
            VerifyHoursInput,
            strawberry.argument(description="The pending entries and the one decision for all of them."),
        ],
    ) -> VerifyHoursPayload:
        viewer = info.context.require_viewer()
        ids = raw_ids(input.entry_ids, "HourEntry", "entryIds")
        docs = await info.context.services.decisions.decide(viewer, ids, input.decision.value)
        return VerifyHoursPayload(entries=[HourEntry.of(d) for d in docs])

    @strawberry.mutation(
        description="Corrects a verified entry with a new entry that carries the difference; the "
        "original stays as it was (never silently rewritten)."
    )
    async def correct_hours(
        self,
        info: Info,
        input: Annotated[
            CorrectHoursInput,
            strawberry.argument(description="The verified entry, the activity's corrected total minutes and why."),
        ],
    ) -> CorrectHoursPayload:
        viewer = info.context.require_viewer()
        entry_id = raw_id(input.entry_id, "HourEntry", "entryId")
        correction, original = await info.context.services.decisions.correct(
            viewer, entry_id, input.minutes, input.reason, input.idempotency_key
        )
        return CorrectHoursPayload(correction=HourEntry.of(correction), original=HourEntry.of(original))
