"""Organisation queries: one by id, or the organisations of a region."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.context import Info
from schema.base.ids import raw_id
from schema.base.pagination import Connection, connection, page_of_sorted_ids
from schema.organisations.types import Organisation, OrganisationKind
from services import validation as v
from services.errors import Collector


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="An organisation by id, or null if there is none.")
    def organisation(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="An `Organisation` id.")]
    ) -> Organisation | None:
        return Organisation.of(info.context.services.organisations.get(raw_id(id, "Organisation", "id")))

    @strawberry.field(description="Organisations in a region (and everything under it), oldest first.")
    def organisations(
        self,
        info: Info,
        region_code: Annotated[
            str | None,
            strawberry.argument(description="A 6-, 9- or 12-digit region code; e.g. 421000 covers all of 荆州市."),
        ] = None,
        kind: Annotated[OrganisationKind | None, strawberry.argument(description="Only this kind.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[Organisation]:
        if region_code is not None:
            c = Collector()
            v.region_code(c, region_code)
            c.raise_if_any()
        orgs = info.context.services.organisations
        ids = orgs.list(region_code, kind.value if kind else None)
        page, has_next = page_of_sorted_ids(ids, first, after)
        docs = [doc for i in page if (doc := orgs.get(i)) is not None]
        return connection(Organisation.of, docs, has_next, len(ids), after)
