"""Engagement mutations: one per step of an application's life."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.errors import UserError, no_errors
from schema.base.ids import raw_id
from schema.engagement.inputs import (
    ApplyToTaskInput,
    CheckInInput,
    CheckOutInput,
    InviteVolunteerInput,
    MarkNoShowInput,
    RespondToInvitationInput,
    ReviewApplicationInput,
    WithdrawApplicationInput,
)
from schema.engagement.types import Application, AttendanceFlag, InvitationAnswer


@strawberry.type(description="The result of an application step.")
class ApplicationPayload:
    application: Application | None = strawberry.field(default=None, description="The application as it is now.")
    errors: list[UserError] = no_errors()


@strawberry.type(description="The result of a check-in, check-out or no-show.")
class AssignmentPayload:
    assignment: Application | None = strawberry.field(default=None, description="The assignment as it is now.")
    flags: list[AttendanceFlag] = strawberry.field(
        default_factory=list, description="Flags of this check-in or check-out, for the coordinator's eye."
    )
    errors: list[UserError] = no_errors()


def _application(gid: strawberry.ID, field: str = "applicationId") -> str:
    return raw_id(gid, "Application", field)


@strawberry.type
class EngagementMutation:
    @strawberry.mutation(
        description="The signed-in volunteer applies: accepted at once on auto-accept needs while "
        "slots last (else waitlisted), otherwise PENDING until the organisation decides."
    )
    async def apply_to_task(
        self,
        info: Info,
        input: Annotated[
            ApplyToTaskInput,
            strawberry.argument(description="The task to apply to, with an optional note to the organisation."),
        ],
    ) -> ApplicationPayload:
        viewer = info.context.require_viewer()
        task_id = raw_id(input.task_id, "Task", "taskId")
        doc = await info.context.services.applications.apply(viewer, task_id, input.message)
        return ApplicationPayload(application=Application.of(doc))

    @strawberry.mutation(description="The volunteer withdraws; an accepted one frees the slot for the waitlist.")
    async def withdraw_application(
        self,
        info: Info,
        input: Annotated[
            WithdrawApplicationInput, strawberry.argument(description="The application to withdraw, and why.")
        ],
    ) -> ApplicationPayload:
        viewer = info.context.require_viewer()
        application_id = _application(input.application_id)
        doc = await info.context.services.applications.withdraw(viewer, application_id, input.reason)
        return ApplicationPayload(application=Application.of(doc))

    @strawberry.mutation(description="A coordinator of the task's organisation invites a volunteer.")
    async def invite_volunteer(
        self,
        info: Info,
        input: Annotated[
            InviteVolunteerInput,
            strawberry.argument(description="The task, the volunteer to invite and an optional note."),
        ],
    ) -> ApplicationPayload:
        viewer = info.context.require_viewer()
        task_id = raw_id(input.task_id, "Task", "taskId")
        volunteer_id = raw_id(input.volunteer_id, "Volunteer", "volunteerId")
        doc = await info.context.services.applications.invite(viewer, task_id, volunteer_id, input.message)
        return ApplicationPayload(application=Application.of(doc))

    @strawberry.mutation(description="The invited volunteer accepts (takes a slot) or declines.")
    async def respond_to_invitation(
        self,
        info: Info,
        input: Annotated[
            RespondToInvitationInput, strawberry.argument(description="The invitation and the volunteer's answer.")
        ],
    ) -> ApplicationPayload:
        viewer = info.context.require_viewer()
        accept = input.decision == InvitationAnswer.ACCEPT
        doc = await info.context.services.applications.respond(viewer, _application(input.application_id), accept)
        return ApplicationPayload(application=Application.of(doc))

    @strawberry.mutation(description="A coordinator of the task's organisation accepts, rejects or waitlists.")
    async def review_application(
        self,
        info: Info,
        input: Annotated[
            ReviewApplicationInput,
            strawberry.argument(description="The application, the decision and an optional reason."),
        ],
    ) -> ApplicationPayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.applications.review(
            viewer, _application(input.application_id), input.decision.value, input.reason
        )
        return ApplicationPayload(application=Application.of(doc))

    @strawberry.mutation(
        description="Allowed anywhere and any time; outside the geofence or the window (30 min "
        "before the start to the end) it is flagged for the coordinator."
    )
    async def check_in(
        self,
        info: Info,
        input: Annotated[
            CheckInInput, strawberry.argument(description="The assignment and where the volunteer's phone is now.")
        ],
    ) -> AssignmentPayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.attendance.check_in(
            viewer, _application(input.assignment_id, "assignmentId"), input.location, input.idempotency_key
        )
        flags = [AttendanceFlag(f) for f in doc["check_in"]["flags"]]
        return AssignmentPayload(assignment=Application.of(doc), flags=flags)

    @strawberry.mutation(
        description="Creates a PENDING hour entry. Outside the geofence or the window (the start "
        "to 2 h after the end) it is flagged for the coordinator."
    )
    async def check_out(
        self,
        info: Info,
        input: Annotated[
            CheckOutInput, strawberry.argument(description="The assignment and where the volunteer's phone is now.")
        ],
    ) -> AssignmentPayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.attendance.check_out(
            viewer, _application(input.assignment_id, "assignmentId"), input.location, input.idempotency_key
        )
        flags = [AttendanceFlag(f) for f in doc["check_out"]["flags"]]
        return AssignmentPayload(assignment=Application.of(doc), flags=flags)

    @strawberry.mutation(description="For the organisation, once the task has ended without a check-in.")
    async def mark_no_show(
        self,
        info: Info,
        input: Annotated[
            MarkNoShowInput, strawberry.argument(description="The assignment whose volunteer did not come.")
        ],
    ) -> AssignmentPayload:
        viewer = info.context.require_viewer()
        doc = await info.context.services.attendance.mark_no_show(
            viewer, _application(input.assignment_id, "assignmentId")
        )
        return AssignmentPayload(assignment=Application.of(doc))
