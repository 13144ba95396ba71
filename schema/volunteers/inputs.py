"""Inputs of the volunteer mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.base.common import GeoPointInput, Weekday


@strawberry.input(description="A skill and the volunteer's level in it.")
class SkillLevelInput:
    skill: str = strawberry.field(description="Skill code from the catalogue, e.g. MEAL_DELIVERY.")
    level: int = strawberry.field(description="1 (beginner) to 5 (expert).")


@strawberry.input(description="A credential the volunteer holds.")
class CredentialInput:
    kind: str = strawberry.field(description="Credential kind from the catalogue, e.g. FIRST_AID_CERT.")
    expires_on: date = strawberry.field(description="Last day it is valid.")


@strawberry.input(description="Free every week on `weekday` from `startHour` to `endHour` (local time, end exclusive).")
class AvailabilityInput:
    weekday: Weekday = strawberry.field(description="The day of the week.")
    start_hour: int = strawberry.field(description="First hour, 0 to 23.")
    end_hour: int = strawberry.field(description="Hour it ends, 1 to 24, after `startHour`.")


@strawberry.input(description="A new volunteer: their sign-in and their profile.")
class RegisterVolunteerInput:
    name: str = strawberry.field(description="The name they go by, at most 100 characters.")
    email: str = strawberry.field(description="Sign-in email; unique across all accounts.")
    password: str = strawberry.field(description="8 to 128 characters.")
    home: GeoPointInput = strawberry.field(description="Where they live (private; matching measures from here).")
    travel_radius_km: float = strawberry.field(description="How far they will travel: above 0, at most 200 km.")
    phone: str | None = strawberry.field(default=None, description="Phone number (private).")
    skills: list[SkillLevelInput] = strawberry.field(default_factory=list, description="Their skills, each once.")
    credentials: list[CredentialInput] = strawberry.field(default_factory=list, description="At most 20 credentials.")
    languages: list[str] = strawberry.field(default_factory=list, description="Language and dialect codes.")
    availability: list[AvailabilityInput] = strawberry.field(
        default_factory=list, description="Weekly free hours (local time)."
    )
    blackout_dates: list[date] = strawberry.field(default_factory=list, description="Days they are away (at most 366).")
    max_hours_per_week: int = strawberry.field(default=8, description="The most hours a week, 1 to 84.")
    emergency_responder: bool = strawberry.field(
        default=False, description="Answer emergency call-outs outside their weekly availability."
    )


@strawberry.input(
    description="Changes to the signed-in volunteer's profile: only the fields given change; lists "
    "given replace the old list."
)
class UpdateVolunteerProfileInput:
    name: str | None = strawberry.field(default=None, description="New name.")
    phone: str | None = strawberry.field(default=None, description="New phone number.")
    home: GeoPointInput | None = strawberry.field(default=None, description="New home location.")
    travel_radius_km: float | None = strawberry.field(default=None, description="New travel radius in km.")
    skills: list[SkillLevelInput] | None = strawberry.field(default=None, description="New skills.")
    credentials: list[CredentialInput] | None = strawberry.field(default=None, description="New credentials.")
    languages: list[str] | None = strawberry.field(default=None, description="New languages.")
    availability: list[AvailabilityInput] | None = strawberry.field(default=None, description="New availability.")
    blackout_dates: list[date] | None = strawberry.field(default=None, description="New blackout dates.")
    max_hours_per_week: int | None = strawberry.field(default=None, description="New weekly maximum.")
    emergency_responder: bool | None = strawberry.field(default=None, description="New emergency opt-in.")
