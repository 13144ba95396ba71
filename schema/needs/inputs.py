"""Inputs of the need mutations."""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry

from schema.base.common import GeoPointInput, Weekday
from schema.needs.types import NeedCategory, Urgency

IDEMPOTENCY = "Any string of 1 to 100 characters; a retry with the same key returns the first result."


@strawberry.input(description="A skill every volunteer of the need must have.")
class RequiredSkillInput:
    skill: str = strawberry.field(description="Skill code from the catalogue, e.g. MEAL_DELIVERY.")
    min_level: int = strawberry.field(default=1, description="Lowest acceptable level, 1 to 5.")


@strawberry.input(description="One task: a time window and how many volunteers it takes.")
class TaskWindowInput:
    starts_at: datetime = strawberry.field(description="Start, with a time zone; not in the past.")
    ends_at: datetime = strawberry.field(description="End, after the start and at most 24 hours later.")
    slots: int = strawberry.field(description="Volunteers wanted, 1 to 100.")


@strawberry.input(
    description="Every week on `weekdays` at `startTime` (local), from `startsOn` until `endsOn` "
    "or the planning horizon (90 days by default), whichever comes first; at most 200 tasks."
)
class WeeklyRecurrenceInput:
    weekdays: list[Weekday] = strawberry.field(description="1 to 7 days of the week.")
    start_time: time = strawberry.field(description="Local (UTC+8) start time of each task.")
    duration_minutes: int = strawberry.field(description="Length of each task, 15 to 1440 minutes.")
    slots: int = strawberry.field(description="Volunteers wanted per task, 1 to 100.")
    starts_on: date = strawberry.field(description="First day; today or later.")
    ends_on: date | None = strawberry.field(default=None, description="Last day; default: the planning horizon.")


@strawberry.input(description="A new need with its tasks: give either `tasks` or a `recurrence`.")
class PostNeedInput:
    organisation_id: strawberry.ID = strawberry.field(description="The organisation that posts and runs it.")
    title: str = strawberry.field(description="Short title, at most 200 characters.")
    category: NeedCategory = strawberry.field(description="Its field of service.")
    location: GeoPointInput = strawberry.field(description="Approximate meeting point (public).")
    urgency: Urgency = strawberry.field(default=Urgency.ROUTINE, description="How soon it must be met.")
    description: str | None = strawberry.field(default=None, description="What volunteers will do (public).")
    address: str | None = strawberry.field(
        default=None,
        description="Exact address: shown only to coordinators and to volunteers accepted on (or done with) a task.",
    )
    required_skills: list[RequiredSkillInput] = strawberry.field(
        default_factory=list, description="At most 10 skills every volunteer must have."
    )
    required_credentials: list[str] | None = strawberry.field(
        default=None,
        description="Credential kinds every volunteer must hold. Defaults by category: child care needs "
        "CHILD_SAFEGUARDING_CHECK, emergency response FIRST_AID_CERT; pass [] for none.",
    )
    languages: list[str] = strawberry.field(
        default_factory=list, description="Languages or dialects the person served speaks (at most 5)."
    )
    beneficiary_notes: str | None = strawberry.field(
        default=None,
        description="Private notes on the person served: shown only to coordinators and to volunteers accepted on (or "
        "done with) a task.",
    )
    beneficiary_ref: str | None = strawberry.field(
        default=None, description="The organisation's case reference for the person served (for continuity)."
    )
    auto_accept: bool = strawberry.field(default=False, description="Accept applicants at once while slots last.")
    tasks: list[TaskWindowInput] | None = strawberry.field(default=None, description="1 to 200 one-off tasks.")
    recurrence: WeeklyRecurrenceInput | None = strawberry.field(
        default=None, description="A weekly schedule to expand into tasks."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(
    description="Changes to a need: only the fields given change; lists given replace the old list. "
    "Changes to skills, credentials, languages, location, category or urgency reach its tasks."
)
class UpdateNeedInput:
    need_id: strawberry.ID = strawberry.field(description="The need to change.")
    title: str | None = strawberry.field(default=None, description="New title.")
    description: str | None = strawberry.field(default=None, description="New description.")
    category: NeedCategory | None = strawberry.field(default=None, description="New field of service.")
    urgency: Urgency | None = strawberry.field(default=None, description="New urgency.")
    location: GeoPointInput | None = strawberry.field(default=None, description="New meeting point.")
    address: str | None = strawberry.field(default=None, description="New exact address.")
    required_skills: list[RequiredSkillInput] | None = strawberry.field(default=None, description="New skills.")
    required_credentials: list[str] | None = strawberry.field(default=None, description="New credentials.")
    languages: list[str] | None = strawberry.field(default=None, description="New languages.")
    beneficiary_notes: str | None = strawberry.field(default=None, description="New private notes.")
    beneficiary_ref: str | None = strawberry.field(default=None, description="New case reference.")
    auto_accept: bool | None = strawberry.field(default=None, description="New auto-accept setting.")


@strawberry.input(description="Cancels a need and all its tasks.")
class CancelNeedInput:
    need_id: strawberry.ID = strawberry.field(description="The need to cancel.")
    reason: str | None = strawberry.field(default=None, description="Why, at most 200 characters.")
