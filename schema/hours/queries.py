"""Hours queries: tallies and an organisation's entries."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.ids import raw_id
from schema.base.pagination import Connection, after_key, check_first, connection
from schema.hours.inputs import HourScopeInput
from schema.hours.scope import parse_scope, tally_rows
from schema.hours.types import HourEntry, HourStatus, HourTally, TallyGroup


@strawberry.type
class HoursQuery:
    @strawberry.field(
        description="Verified hours (时长) of a scope over whole months, grouped. Committees see their "
        "region, coordinators their subtree, volunteers themselves, admins everything."
    )
    async def hour_tallies(
        self,
        info: Info,
        scope: Annotated[HourScopeInput, strawberry.argument(description="Whose hours.")],
        group_by: Annotated[TallyGroup, strawberry.argument(description="How to group them.")],
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="First day: the 1st of a month. Default: `to`'s month."),
        ] = None,
        to: Annotated[
            date | None,
            strawberry.argument(
                description="Last day: a month's last day. Default: the end of `from`'s month, or of the current month."
            ),
        ] = None,
    ) -> list[HourTally]:
        viewer = info.context.require_viewer()
        s = parse_scope(scope.organisation_id, scope.region_code, scope.volunteer_id)
        rows = await tally_rows(info.context.services.tallies, viewer, s, group_by.value, from_, to)
        return [
            HourTally(key=t.key, label=t.label, minutes=t.minutes, entries=t.entries, volunteers=t.volunteers)
            for t in rows
        ]

    @strawberry.field(description="An organisation's own entries, oldest first: for its coordinators (to verify).")
    async def hour_entries(
        self,
        info: Info,
        organisation_id: Annotated[strawberry.ID, strawberry.argument(description="The organisation.")],
        status: Annotated[HourStatus | None, strawberry.argument(description="Only this status.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[HourEntry]:
        viewer = info.context.require_viewer()
        org_id = raw_id(organisation_id, "Organisation", "organisationId")
        docs, has_next, total = await info.context.services.ledger.of_organisation(
            viewer, org_id, status.value if status else None, after_key(after), check_first(first)
        )
        return connection(HourEntry.of, docs, has_next, total, after)
