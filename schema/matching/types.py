"""Matching results: open-task pages with distances, and ranked matches with their reasons."""

from __future__ import annotations

import strawberry

from schema.base.pagination import PageInfo
from schema.needs.types import Task
from schema.volunteers.types import Volunteer


@strawberry.type(description="An open task and how far it is from the point asked about.")
class OpenTaskEdge:
    cursor: str = strawberry.field(description="Pass as `after` to get the tasks after this one.")
    node: Task = strawberry.field(description="The task.")
    distance_km: float = strawberry.field(description="Great-circle distance from `near`, in km.")


@strawberry.type(description="A page of open tasks, nearest first.")
class OpenTaskConnection:
    edges: list[OpenTaskEdge] = strawberry.field(description="The tasks of this page, nearest first.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="How many open tasks match in all.")


@strawberry.type(description="A task recommended to a volunteer.")
class TaskMatch:
    task: Task = strawberry.field(description="The task.")
    score: float = strawberry.field(description="0 to 1: higher is a better match.")
    distance_km: float = strawberry.field(description="Distance from the volunteer's home, in km.")
    reasons: list[str] = strawberry.field(description='Why it ranks where it does, e.g. "served this elder before".')


@strawberry.type(description="A volunteer recommended for a task.")
class VolunteerMatch:
    volunteer: Volunteer = strawberry.field(description="The volunteer.")
    score: float = strawberry.field(description="0 to 1: higher is a better match.")
    distance_km: float = strawberry.field(description="Distance from the volunteer's home to the task, in km.")
    matched_skills: list[str] = strawberry.field(description="Required skills the volunteer has.")
    missing_skills: list[str] = strawberry.field(
        description="Required skills the volunteer lacks (always empty: required skills are a hard constraint)."
    )
    reasons: list[str] = strawberry.field(description="Why they rank where they do.")
