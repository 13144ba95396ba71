"""Matching queries: open tasks near a point, tasks for a volunteer, volunteers for a task."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.core import PageInfo, check_first, decode_cursor, decode_id, encode_cursor, graphql_error
from schema.enums import NeedCategory
from schema.inputs import GeoPointInput
from schema.types import Task, Volunteer
from services.errors import DomainError


@strawberry.type
class OpenTaskEdge:
    cursor: str
    node: Task
    distance_km: float


@strawberry.type
class OpenTaskConnection:
    edges: list[OpenTaskEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class TaskMatch:
    task: Task
    score: float
    distance_km: float
    reasons: list[str]


@strawberry.type
class VolunteerMatch:
    volunteer: Volunteer
    score: float
    distance_km: float
    matched_skills: list[str]
    missing_skills: list[str]
    reasons: list[str]


def _after(cursor: str | None) -> tuple[float, str] | None:
    if cursor is None:
        return None
    distance, task_id = decode_cursor(cursor, 2)
    try:
        return float(distance), task_id
    except ValueError:
        raise DomainError("INVALID_CURSOR", "is not a cursor from this list", "after") from None


@strawberry.type
class MatchingQuery:
    @strawberry.field(description="Open, not full tasks within `radiusKm` (default 10, at most 200) of `near`, "
                                  "nearest first. Anonymous callers may use it; beneficiary notes never appear.")
    async def open_tasks(self, info: Info, near: GeoPointInput, radius_km: float | None = None,
                         categories: list[NeedCategory] | None = None, skills: list[str] | None = None,
                         from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
                         to: datetime | None = None, first: int | None = None,
                         after: str | None = None) -> OpenTaskConnection:
        try:
            n = check_first(first)
            page = info.context.app.matching_service.open_tasks(
                near, radius_km, [c.value for c in categories] if categories else None, skills, from_, to, n,
                _after(after))
        except DomainError as exc:
            raise graphql_error(exc) from None
        docs = await info.context.loaders.tasks.load_many([h.task_id for h in page.items])
        edges = [OpenTaskEdge(cursor=encode_cursor(repr(h.distance_km), h.task_id), node=Task.of(d),
                              distance_km=h.distance_km) for h, d in zip(page.items, docs) if d]
        return OpenTaskConnection(
            edges=edges, total_count=page.total_count,
            page_info=PageInfo(has_next_page=page.has_next_page, has_previous_page=after is not None,
                               start_cursor=edges[0].cursor if edges else None,
                               end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="The best open tasks for the signed-in volunteer, best first.")
    async def recommended_tasks(self, info: Info, first: int | None = None) -> list[TaskMatch]:
        try:
            matches = info.context.app.matching_service.recommended_tasks(info.context.optional_viewer(),
                                                                          check_first(first))
        except DomainError as exc:
            raise graphql_error(exc) from None
        docs = await info.context.loaders.tasks.load_many([m.task_id for m in matches])
        return [TaskMatch(task=Task.of(d), score=m.score, distance_km=m.distance_km, reasons=m.reasons)
                for m, d in zip(matches, docs) if d]

    @strawberry.field(description="The best volunteers to invite for a task: for its organisation's coordinators.")
    async def recommend_volunteers(self, info: Info, task_id: strawberry.ID, first: int | None = None,
                                   radius_km: float | None = None) -> list[VolunteerMatch]:
        try:
            _, raw = decode_id(task_id, "Task", field="taskId")
            matches = await info.context.app.matching_service.recommend_volunteers(
                info.context.optional_viewer(), raw, check_first(first), radius_km)
        except DomainError as exc:
            raise graphql_error(exc) from None
        docs = await info.context.loaders.volunteers.load_many([m.volunteer_id for m in matches])
        return [VolunteerMatch(volunteer=Volunteer.of(d), score=m.score, distance_km=m.distance_km,
                               matched_skills=m.matched_skills, missing_skills=m.missing_skills, reasons=m.reasons)
                for m, d in zip(matches, docs) if d]
