"""Engagement over GraphQL: applications, invitations, review, check-in/out, no-shows.

An accepted application is the assignment: `assignmentId` arguments take `Application` ids.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.context import Info
from schema.core import (Connection, Node, UserError, check_first, connection, decode_cursor, decode_raw,
                         encode_cursor, encode_id, graphql_error, no_errors, payload)
from schema.inputs import GeoPointInput
from schema.types import GeoPoint, Task, Volunteer
from services.errors import DomainError


@strawberry.enum
class ApplicationStatus(Enum):
    PENDING = "PENDING"
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    WAITLISTED = "WAITLISTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    DECLINED = "DECLINED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


ASSIGNMENT_STATUSES = ["ACCEPTED", "COMPLETED", "NO_SHOW"]


@strawberry.enum
class ReviewDecision(Enum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    WAITLIST = "WAITLIST"


@strawberry.enum
class InvitationAnswer(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


@strawberry.enum(description="Why a check-in or check-out needs the coordinator's eye.")
class AttendanceFlag(Enum):
    OUT_OF_FENCE = "OUT_OF_FENCE"
    EARLY = "EARLY"
    LATE = "LATE"


@strawberry.type(description="A check-in or check-out: when, where, how far from the task, and its flags.")
class AttendanceFix:
    at: datetime
    location: GeoPoint
    distance_m: float
    flags: list[AttendanceFlag]

    @classmethod
    def of(cls, fix: dict | None) -> "AttendanceFix | None":
        if not fix:
            return None
        return cls(at=fix["at"], location=GeoPoint.of(fix["location"]), distance_m=fix["distance_m"],
                   flags=[AttendanceFlag(f) for f in fix["flags"]])


@strawberry.type
class ApplicationEvent:
    status: ApplicationStatus
    at: datetime
    reason: str | None


@strawberry.type(description="A volunteer's application to a task; once ACCEPTED it is the assignment.")
class Application(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "Application | None":
        return cls(id=encode_id("Application", doc["_id"]), raw=doc) if doc else None

    @strawberry.field
    async def task(self, info: Info) -> Task | None:
        return Task.of(await info.context.loaders.tasks.load(self.raw["task_id"]))

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer | None:
        return Volunteer.of(await info.context.loaders.volunteers.load(self.raw["volunteer_id"]))

    @strawberry.field
    def status(self) -> ApplicationStatus:
        return ApplicationStatus(self.raw["status"])

    @strawberry.field(description="Whether the organisation invited the volunteer (rather than the volunteer applying).")
    def invited(self) -> bool:
        return self.raw.get("invited_by") is not None

    @strawberry.field
    def message(self) -> str | None:
        return self.raw.get("message")

    @strawberry.field(description="When the volunteer applied or was invited; the waitlist goes in this order.")
    def applied_at(self) -> datetime:
        return self.raw["applied_at"]

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.raw["updated_at"]

    @strawberry.field
    def check_in(self) -> AttendanceFix | None:
        return AttendanceFix.of(self.raw.get("check_in"))

    @strawberry.field
    def check_out(self) -> AttendanceFix | None:
        return AttendanceFix.of(self.raw.get("check_out"))

    @strawberry.field(description="Flags of the check-in and check-out together.")
    def flags(self) -> list[AttendanceFlag]:
        found = [*(self.raw.get("check_in") or {}).get("flags", []), *(self.raw.get("check_out") or {}).get("flags", [])]
        return [AttendanceFlag(f) for f in dict.fromkeys(found)]

    @strawberry.field
    def history(self) -> list[ApplicationEvent]:
        return [ApplicationEvent(status=ApplicationStatus(e["status"]), at=e["at"], reason=e.get("reason"))
                for e in self.raw.get("history", [])]


async def applications_page(info: Info, filt: dict, first: int | None, after: str | None) -> Connection[Application]:
    n = check_first(first)
    last = decode_cursor(after, 1)[0] if after is not None else None
    docs, has_next, total = await info.context.app.engagement_service.page(filt, n, last)
    return connection([Application.of(d) for d in docs], [encode_cursor(d["applied_id"]) for d in docs], has_next,
                      total, after is not None)


def _statuses(statuses: list[ApplicationStatus] | None) -> list[str] | None:
    return [s.value for s in statuses] if statuses else None


async def task_applications(info: Info, task: dict, statuses: list[ApplicationStatus] | None, first: int | None,
                            after: str | None) -> Connection[Application] | None:
    """For the task's organisation; null for everyone else."""
    try:
        filt = info.context.app.engagement_service.task_filter(info.context.viewer, task, _statuses(statuses))
    except DomainError:
        return None
    return await applications_page(info, filt, first, after)


async def volunteer_assignments(info: Info, volunteer: dict, first: int | None, after: str | None
                                ) -> Connection[Application] | None:
    """For the volunteer and admins; coordinators see the ones their organisations run; null otherwise."""
    try:
        filt = info.context.app.engagement_service.volunteer_filter(info.context.viewer, volunteer["_id"],
                                                                     ASSIGNMENT_STATUSES)
    except DomainError:
        return None
    return await applications_page(info, filt, first, after)


@strawberry.input
class ApplyToTaskInput:
    task_id: strawberry.ID
    message: str | None = None


@strawberry.input
class WithdrawApplicationInput:
    application_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class InviteVolunteerInput:
    task_id: strawberry.ID
    volunteer_id: strawberry.ID
    message: str | None = None


@strawberry.input
class RespondToInvitationInput:
    application_id: strawberry.ID
    decision: InvitationAnswer


@strawberry.input
class ReviewApplicationInput:
    application_id: strawberry.ID
    decision: ReviewDecision
    reason: str | None = None


@strawberry.input(description="`assignmentId` is the accepted application's id.")
class CheckInInput:
    assignment_id: strawberry.ID
    location: GeoPointInput
    idempotency_key: str | None = None


@strawberry.input(description="`assignmentId` is the accepted application's id.")
class CheckOutInput:
    assignment_id: strawberry.ID
    location: GeoPointInput
    idempotency_key: str | None = None


@strawberry.input
class MarkNoShowInput:
    assignment_id: strawberry.ID


@strawberry.type
class ApplicationPayload:
    application: Application | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class AssignmentPayload:
    assignment: Application | None = None
    flags: list[AttendanceFlag] = strawberry.field(default_factory=list)
    errors: list[UserError] = no_errors()


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in volunteer's applications and assignments, oldest first.")
    async def my_applications(self, info: Info, statuses: list[ApplicationStatus] | None = None,
                              first: int | None = None, after: str | None = None) -> Connection[Application]:
        try:
            filt = info.context.app.engagement_service.own_filter(info.context.require_viewer(), _statuses(statuses))
            return await applications_page(info, filt, first, after)
        except DomainError as exc:
            raise graphql_error(exc) from None


def _application(input_id: str, field: str = "applicationId") -> str:
    return decode_raw(input_id, "Application", field)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def apply_to_task(self, info: Info, input: ApplyToTaskInput) -> ApplicationPayload:
        async def work():
            viewer = info.context.require_viewer()
            task_id = decode_raw(input.task_id, "Task", "taskId")
            doc = await info.context.app.engagement_service.apply(viewer, task_id, input.message)
            return ApplicationPayload(application=Application.of(doc))
        return await payload(ApplicationPayload, work)

    @strawberry.mutation
    async def withdraw_application(self, info: Info, input: WithdrawApplicationInput) -> ApplicationPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.withdraw(viewer, _application(input.application_id),
                                                                     input.reason)
            return ApplicationPayload(application=Application.of(doc))
        return await payload(ApplicationPayload, work)

    @strawberry.mutation
    async def invite_volunteer(self, info: Info, input: InviteVolunteerInput) -> ApplicationPayload:
        async def work():
            viewer = info.context.require_viewer()
            task_id = decode_raw(input.task_id, "Task", "taskId")
            volunteer_id = decode_raw(input.volunteer_id, "Volunteer", "volunteerId")
            doc = await info.context.app.engagement_service.invite(viewer, task_id, volunteer_id, input.message)
            return ApplicationPayload(application=Application.of(doc))
        return await payload(ApplicationPayload, work)

    @strawberry.mutation
    async def respond_to_invitation(self, info: Info, input: RespondToInvitationInput) -> ApplicationPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.respond(
                viewer, _application(input.application_id), input.decision == InvitationAnswer.ACCEPT)
            return ApplicationPayload(application=Application.of(doc))
        return await payload(ApplicationPayload, work)

    @strawberry.mutation
    async def review_application(self, info: Info, input: ReviewApplicationInput) -> ApplicationPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.review(
                viewer, _application(input.application_id), input.decision.value, input.reason)
            return ApplicationPayload(application=Application.of(doc))
        return await payload(ApplicationPayload, work)

    @strawberry.mutation(description="Allowed anywhere and any time; outside the geofence or the window "
                                     "(30 min before the start to the end) it is flagged for the coordinator.")
    async def check_in(self, info: Info, input: CheckInInput) -> AssignmentPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.check_in(
                viewer, _application(input.assignment_id, "assignmentId"), input.location, input.idempotency_key)
            flags = [AttendanceFlag(f) for f in doc["check_in"]["flags"]]
            return AssignmentPayload(assignment=Application.of(doc), flags=flags)
        return await payload(AssignmentPayload, work)

    @strawberry.mutation(description="Creates a PENDING hour entry. Outside the geofence or the window (the start "
                                     "to 2 h after the end) it is flagged for the coordinator.")
    async def check_out(self, info: Info, input: CheckOutInput) -> AssignmentPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.check_out(
                viewer, _application(input.assignment_id, "assignmentId"), input.location, input.idempotency_key)
            flags = [AttendanceFlag(f) for f in doc["check_out"]["flags"]]
            return AssignmentPayload(assignment=Application.of(doc), flags=flags)
        return await payload(AssignmentPayload, work)

    @strawberry.mutation(description="For the organisation, once the task has ended without a check-in.")
    async def mark_no_show(self, info: Info, input: MarkNoShowInput) -> AssignmentPayload:
        async def work():
            viewer = info.context.require_viewer()
            doc = await info.context.app.engagement_service.mark_no_show(
                viewer, _application(input.assignment_id, "assignmentId"))
            return AssignmentPayload(assignment=Application.of(doc))
        return await payload(AssignmentPayload, work)
