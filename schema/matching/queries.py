"""Matching queries: answered by the in-memory matching index, documents from the task loader."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.base.common import GeoPointInput
from schema.base.context import Info
from schema.base.ids import raw_id
from schema.base.pagination import PageInfo, check_first, decode_cursor, encode_cursor
from schema.matching.types import OpenTaskConnection, OpenTaskEdge, TaskMatch, VolunteerMatch
from schema.needs.types import NeedCategory, Task
from schema.volunteers.types import Volunteer
from services.errors import DomainError, ErrorCode

FIRST = "How many, 0 to 100 (default 20)."


def _after(cursor: str | None) -> tuple[float, str] | None:
    if cursor is None:
        return None
    distance, task_id = decode_cursor(cursor, 2)
    try:
        return float(distance), task_id
    except ValueError:
        raise DomainError(ErrorCode.INVALID_CURSOR, "is not a cursor from this list", "after") from None


@strawberry.type
class MatchingQuery:
    @strawberry.field(
        description="Open, not full tasks within `radiusKm` of `near`, nearest first. Anonymous "
        "callers may use it; beneficiary notes and exact addresses never appear."
    )
    async def open_tasks(
        self,
        info: Info,
        near: Annotated[GeoPointInput, strawberry.argument(description="The point to search around.")],
        radius_km: Annotated[
            float | None, strawberry.argument(description="Search radius: above 0, at most 200 km (default 10).")
        ] = None,
        categories: Annotated[
            list[NeedCategory] | None, strawberry.argument(description="Only these fields of service.")
        ] = None,
        skills: Annotated[
            list[str] | None, strawberry.argument(description="Only tasks requiring at least one of these skills.")
        ] = None,
        from_: Annotated[
            datetime | None, strawberry.argument(name="from", description="Only tasks that end after this time.")
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Only tasks that start before this time.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> OpenTaskConnection:
        page = info.context.services.matching.open_tasks(
            near,
            radius_km,
            [c.value for c in categories] if categories else None,
            skills,
            from_,
            to,
            check_first(first),
            _after(after),
        )
        docs = await info.context.loaders.tasks.load_many([h.task_id for h in page.items])
        edges = [
            OpenTaskEdge(cursor=encode_cursor(repr(h.distance_km), h.task_id), node=task, distance_km=h.distance_km)
            for h, d in zip(page.items, docs)
            if (task := Task.of(d)) is not None
        ]
        return OpenTaskConnection(
            edges=edges,
            total_count=page.total_count,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="The best open tasks for the signed-in volunteer, best first.")
    async def recommended_tasks(
        self, info: Info, first: Annotated[int | None, strawberry.argument(description=FIRST)] = None
    ) -> list[TaskMatch]:
        viewer = info.context.require_viewer()
        matches = info.context.services.matching.recommended_tasks(viewer, check_first(first))
        docs = await info.context.loaders.tasks.load_many([m.task_id for m in matches])
        return [
            TaskMatch(task=task, score=m.score, distance_km=m.distance_km, reasons=m.reasons)
            for m, d in zip(matches, docs)
            if (task := Task.of(d)) is not None
        ]

    @strawberry.field(description="The best volunteers to invite for a task: for its organisation's coordinators.")
    async def recommend_volunteers(
        self,
        info: Info,
        task_id: Annotated[strawberry.ID, strawberry.argument(description="The task (open, not ended).")],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        radius_km: Annotated[
            float | None,
            strawberry.argument(
                description="Only volunteers within this distance (default: each one's travel "
                "radius; emergencies widen ring by ring up to 50 km)."
            ),
        ] = None,
    ) -> list[VolunteerMatch]:
        viewer = info.context.require_viewer()
        matches = await info.context.services.matching.recommend_volunteers(
            viewer, raw_id(task_id, "Task", "taskId"), check_first(first), radius_km
        )
        docs = await info.context.loaders.volunteers.load_many([m.volunteer_id for m in matches])
        return [
            VolunteerMatch(
                volunteer=volunteer,
                score=m.score,
                distance_km=m.distance_km,
                matched_skills=m.matched_skills,
                missing_skills=m.missing_skills,
                reasons=m.reasons,
            )
            for m, d in zip(matches, docs)
            if (volunteer := Volunteer.of(d)) is not None
        ]
