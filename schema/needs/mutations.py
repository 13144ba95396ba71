"""Need mutations: post, update, cancel."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.errors import UserError, no_errors
from schema.base.ids import raw_id
from schema.needs.inputs import CancelNeedInput, PostNeedInput, UpdateNeedInput
from schema.needs.types import Need


@strawberry.type(description="The result of `postNeed`, `updateNeed` or `cancelNeed`.")
class NeedPayload:
    need: Need | None = strawberry.field(default=None, description="The need as it is now.")
    errors: list[UserError] = no_errors()


@strawberry.type
class NeedMutation:
    @strawberry.mutation(description="Posts a need with its tasks, for a coordinator of the organisation (or above).")
    async def post_need(
        self,
        info: Info,
        input: Annotated[
            PostNeedInput,
            strawberry.argument(description="The need and its tasks: one-off `tasks` or a weekly `recurrence`."),
        ],
    ) -> NeedPayload:
        viewer = info.context.require_viewer()
        org_id = raw_id(input.organisation_id, "Organisation", "organisationId")
        return NeedPayload(need=Need.of(await info.context.services.needs.post(viewer, input, org_id)))

    @strawberry.mutation(description="Changes a need that is not cancelled.")
    async def update_need(
        self,
        info: Info,
        input: Annotated[
            UpdateNeedInput,
            strawberry.argument(
                description="The need and the fields to change; fields left out or null keep their value."
            ),
        ],
    ) -> NeedPayload:
        viewer = info.context.require_viewer()
        need_id = raw_id(input.need_id, "Need", "needId")
        return NeedPayload(need=Need.of(await info.context.services.needs.update(viewer, input, need_id)))

    @strawberry.mutation(description="Cancels a need and its tasks; their volunteers are free again.")
    async def cancel_need(
        self,
        info: Info,
        input: Annotated[CancelNeedInput, strawberry.argument(description="The need to cancel, and why.")],
    ) -> NeedPayload:
        viewer = info.context.require_viewer()
        need_id = raw_id(input.need_id, "Need", "needId")
        return NeedPayload(need=Need.of(await info.context.services.needs.cancel(viewer, need_id, input.reason)))
