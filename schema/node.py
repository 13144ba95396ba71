"""`node(id:)` and `nodes(ids:)`: any object by its global id, through the node registry."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Context, Info
from schema.base.ids import decode_id
from schema.base.nodes import Node, registered
from schema.base.pagination import MAX_FIRST
from services.errors import DomainError, ErrorCode


async def resolve_node(ctx: Context, gid: str, field: str | tuple[str, ...] = "id") -> Node | None:
    """Any object by global id, or null when it does not exist or the caller may not see it."""
    type_name, raw = decode_id(gid, field=field)
    node_type = registered(type_name)
    return await node_type.load(ctx, raw) if node_type else None


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist or you may not see it.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
    ) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(
        description="Several objects by global id, in the order asked; null for each one that does not "
        "exist or you may not see."
    )
    async def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="At most 100 ids.")]
    ) -> list[Node | None]:
        if len(ids) > MAX_FIRST:
            raise DomainError(ErrorCode.TOO_MANY, f"give at most {MAX_FIRST} ids", "ids")
        return [await resolve_node(info.context, gid, ("ids", str(i))) for i, gid in enumerate(ids)]
