"""Engagement queries: the signed-in volunteer's applications."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.pagination import Connection, after_key, check_first, connection
from schema.engagement.types import Application, ApplicationStatus


@strawberry.type
class EngagementQuery:
    @strawberry.field(description="The signed-in volunteer's applications and assignments, oldest first.")
    async def my_applications(
        self,
        info: Info,
        statuses: Annotated[list[ApplicationStatus] | None, strawberry.argument(description="Only these.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[Application]:
        viewer = info.context.require_viewer()
        docs, has_next, total = await info.context.services.applications.mine(
            viewer, [s.value for s in statuses] if statuses else None, check_first(first), after_key(after)
        )
        return connection(Application.of, docs, has_next, total, after, cursor_key="applied_id")
