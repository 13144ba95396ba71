from __future__ import annotations

from datetime import date, datetime, time

import strawberry

from schema.enums import NeedCategory, OrganisationKind, Urgency, Weekday


@strawberry.input
class GeoPointInput:
    lat: float
    lng: float


@strawberry.input
class SkillLevelInput:
    skill: str
    level: int


@strawberry.input
class CredentialInput:
    kind: str
    expires_on: date


@strawberry.input(description="Free every week on `weekday` from `startHour` to `endHour` (local time, end exclusive).")
class AvailabilityInput:
    weekday: Weekday
    start_hour: int
    end_hour: int


@strawberry.input
class RegisterVolunteerInput:
    name: str
    email: str
    password: str
    home: GeoPointInput
    travel_radius_km: float
    phone: str | None = None
    skills: list[SkillLevelInput] = strawberry.field(default_factory=list)
    credentials: list[CredentialInput] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(default_factory=list)
    availability: list[AvailabilityInput] = strawberry.field(default_factory=list)
    blackout_dates: list[date] = strawberry.field(default_factory=list)
    max_hours_per_week: int = 8
    emergency_responder: bool = False


@strawberry.input(description="Only the fields given change; lists given replace the old list.")
class UpdateVolunteerProfileInput:
    name: str | None = None
    phone: str | None = None
    home: GeoPointInput | None = None
    travel_radius_km: float | None = None
    skills: list[SkillLevelInput] | None = None
    credentials: list[CredentialInput] | None = None
    languages: list[str] | None = None
    availability: list[AvailabilityInput] | None = None
    blackout_dates: list[date] | None = None
    max_hours_per_week: int | None = None
    emergency_responder: bool | None = None


@strawberry.input
class CoordinatorInput:
    email: str
    password: str
    display_name: str


@strawberry.input
class RegisterOrganisationInput:
    name: str
    kind: OrganisationKind
    region_code: str
    coordinator: CoordinatorInput
    parent_id: strawberry.ID | None = None
    location: GeoPointInput | None = None
    address: str | None = None


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class CreateCommitteeAccountInput:
    email: str
    password: str
    display_name: str
    region_code: str


@strawberry.input
class RequiredSkillInput:
    skill: str
    min_level: int = 1


@strawberry.input
class TaskWindowInput:
    starts_at: datetime
    ends_at: datetime
    slots: int


@strawberry.input(description="Every week on `weekdays` at `startTime` (local), from `startsOn` until `endsOn` "
                              "or the planning horizon, whichever comes first.")
class WeeklyRecurrenceInput:
    weekdays: list[Weekday]
    start_time: time
    duration_minutes: int
    slots: int
    starts_on: date
    ends_on: date | None = None


@strawberry.input
class PostNeedInput:
    organisation_id: strawberry.ID
    title: str
    category: NeedCategory
    location: GeoPointInput
    urgency: Urgency = Urgency.ROUTINE
    description: str | None = None
    address: str | None = None
    required_skills: list[RequiredSkillInput] = strawberry.field(default_factory=list)
    required_credentials: list[str] | None = strawberry.field(
        default=None, description="Defaults by category: child care needs CHILD_SAFEGUARDING_CHECK, "
                                  "emergency response FIRST_AID_CERT; pass [] for none.")
    languages: list[str] = strawberry.field(default_factory=list)
    beneficiary_notes: str | None = None
    beneficiary_ref: str | None = None
    auto_accept: bool = False
    tasks: list[TaskWindowInput] | None = None
    recurrence: WeeklyRecurrenceInput | None = None
    idempotency_key: str | None = None


@strawberry.input
class UpdateNeedInput:
    need_id: strawberry.ID
    title: str | None = None
    description: str | None = None
    category: NeedCategory | None = None
    urgency: Urgency | None = None
    location: GeoPointInput | None = None
    address: str | None = None
    required_skills: list[RequiredSkillInput] | None = None
    required_credentials: list[str] | None = None
    languages: list[str] | None = None
    beneficiary_notes: str | None = None
    beneficiary_ref: str | None = None
    auto_accept: bool | None = None


@strawberry.input
class CancelNeedInput:
    need_id: strawberry.ID
    reason: str | None = None
