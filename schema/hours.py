"""Hours: the ledger's mutations, the entries list, `hourTallies` and its CSV twin."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.context import Info, build_context
from schema.core import (Connection, Node, UserError, check_first, connection, decode_cursor, decode_raw,
                         encode_cursor, encode_id, graphql_error, no_errors, payload, user_errors)
from schema.enums import NeedCategory
from schema.types import Organisation, Task, Volunteer
from services.errors import DomainError, invalid
from services.hours import Scope, Tally


@strawberry.enum
class HourStatus(Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


@strawberry.enum
class HourSource(Enum):
    CHECKOUT = "CHECKOUT"
    MANUAL = "MANUAL"
    CORRECTION = "CORRECTION"


@strawberry.enum
class HourDecision(Enum):
    VERIFY = "VERIFY"
    REJECT = "REJECT"


@strawberry.enum
class TallyGroup(Enum):
    VOLUNTEER = "VOLUNTEER"
    ORGANISATION = "ORGANISATION"
    REGION = "REGION"
    CATEGORY = "CATEGORY"
    MONTH = "MONTH"


@strawberry.type(description="One record of service. Append-only: only PENDING → VERIFIED | REJECTED changes.")
class HourEntry(Node):
    raw: strawberry.Private[dict]

    @classmethod
    def of(cls, doc: dict | None) -> "HourEntry | None":
        return cls(id=encode_id("HourEntry", doc["_id"]), raw=doc) if doc else None

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer | None:
        return Volunteer.of(await info.context.loaders.volunteers.load(self.raw["volunteer_id"]))

    @strawberry.field(description="The organisation that ran the activity and certifies it.")
    def organisation(self, info: Info) -> Organisation | None:
        return Organisation.of(info.context.org(self.raw["organisation_id"]))

    @strawberry.field
    async def task(self, info: Info) -> Task | None:
        tid = self.raw.get("task_id")
        return Task.of(await info.context.loaders.tasks.load(tid)) if tid else None

    @strawberry.field
    def category(self) -> NeedCategory:
        return NeedCategory(self.raw["category"])

    @strawberry.field
    def title(self) -> str | None:
        return self.raw.get("title")

    @strawberry.field(description="Local (UTC+8) date of the activity.")
    def served_on(self) -> date:
        return date.fromisoformat(self.raw["served_on"])

    @strawberry.field
    def started_at(self) -> datetime:
        return self.raw["started_at"]

    @strawberry.field
    def ended_at(self) -> datetime:
        return self.raw["ended_at"]

    @strawberry.field(description="Minutes served; for a correction, the change it makes (may be negative).")
    def minutes(self) -> int:
        return self.raw["minutes"]

    @strawberry.field(description="The activity's minutes after every correction.")
    async def corrected_minutes(self, info: Info) -> int:
        return await info.context.app.hour_service.corrected_minutes(self.raw)

    @strawberry.field
    def status(self) -> HourStatus:
        return HourStatus(self.raw["status"])

    @strawberry.field
    def source(self) -> HourSource:
        return HourSource(self.raw["source"])

    @strawberry.field(description="Check-in/out findings for the coordinator, e.g. OUT_OF_FENCE, LATE.")
    def flags(self) -> list[str]:
        return list(self.raw.get("flags", []))

    @strawberry.field(description="For a correction: the entry it corrects.")
    async def corrects(self, info: Info) -> "HourEntry | None":
        cid = self.raw.get("corrects")
        return HourEntry.of(await info.context.app.hour_entries.get(cid)) if cid else None

    @strawberry.field
    def reason(self) -> str | None:
        return self.raw.get("reason")

    @strawberry.field
    def created_at(self) -> datetime:
        return self.raw["created_at"]

    @strawberry.field
    def verified_at(self) -> datetime | None:
        return self.raw.get("verified_at")


@strawberry.type(description="Verified minutes, entries (corrections excluded) and distinct volunteers of one group. "
                             "`volunteers` is exact within a month; over several months it adds the months' counts.")
class HourTally:
    key: str
    label: str
    minutes: int
    entries: int
    volunteers: int


@strawberry.input(description="Exactly one of the three.")
class HourScopeInput:
    organisation_id: strawberry.ID | None = None
    region_code: str | None = None
    volunteer_id: strawberry.ID | None = None


@strawberry.input(description="A coordinator records an activity, e.g. a group activity, for several volunteers.")
class RecordHoursInput:
    volunteer_ids: list[strawberry.ID]
    started_at: datetime
    ended_at: datetime
    task_id: strawberry.ID | None = strawberry.field(default=None, description="Or organisationId + category.")
    organisation_id: strawberry.ID | None = None
    category: NeedCategory | None = None
    minutes: int | None = strawberry.field(default=None, description="Defaults to endedAt - startedAt.")
    title: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class VerifyHoursInput:
    entry_ids: list[strawberry.ID]
    decision: HourDecision


@strawberry.input(description="`minutes` is the activity's corrected total; the correction records the difference.")
class CorrectHoursInput:
    entry_id: strawberry.ID
    minutes: int
    reason: str
    idempotency_key: str | None = None


@strawberry.type
class RecordHoursPayload:
    entries: list[HourEntry] | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class VerifyHoursPayload:
    entries: list[HourEntry] | None = None
    errors: list[UserError] = no_errors()


@strawberry.type
class CorrectHoursPayload:
    correction: HourEntry | None = None
    original: HourEntry | None = None
    errors: list[UserError] = no_errors()


def _ids(gids: list[str], type_name: str, field: str) -> list[str]:
    return [decode_raw(g, type_name, field) for g in gids]


@strawberry.type
class HoursMutation:
    @strawberry.mutation
    async def record_hours(self, info: Info, input: RecordHoursInput) -> RecordHoursPayload:
        async def work():
            viewer = info.context.require_viewer()
            task_id = decode_raw(input.task_id, "Task", "taskId")
            org_id = decode_raw(input.organisation_id, "Organisation", "organisationId")
            volunteer_ids = _ids(input.volunteer_ids, "Volunteer", "volunteerIds")
            docs = await info.context.app.hour_service.record(viewer, input, task_id=task_id,
                                                              organisation_id=org_id, volunteer_ids=volunteer_ids)
            return RecordHoursPayload(entries=[HourEntry.of(d) for d in docs])
        return await payload(RecordHoursPayload, work)

    @strawberry.mutation
    async def verify_hours(self, info: Info, input: VerifyHoursInput) -> VerifyHoursPayload:
        async def work():
            viewer = info.context.require_viewer()
            ids = _ids(input.entry_ids, "HourEntry", "entryIds")
            docs = await info.context.app.hour_service.decide(viewer, ids, input.decision.value)
            return VerifyHoursPayload(entries=[HourEntry.of(d) for d in docs])
        return await payload(VerifyHoursPayload, work)

    @strawberry.mutation
    async def correct_hours(self, info: Info, input: CorrectHoursInput) -> CorrectHoursPayload:
        async def work():
            viewer = info.context.require_viewer()
            entry_id = decode_raw(input.entry_id, "HourEntry", "entryId")
            correction, original = await info.context.app.hour_service.correct(
                viewer, entry_id, input.minutes, input.reason, input.idempotency_key)
            return CorrectHoursPayload(correction=HourEntry.of(correction), original=HourEntry.of(original))
        return await payload(CorrectHoursPayload, work)


def parse_scope(organisation_id: str | None, region_code: str | None, volunteer_id: str | None) -> Scope:
    given = [x for x in (organisation_id, region_code, volunteer_id) if x is not None]
    if len(given) != 1:
        raise invalid("give exactly one of organisationId, regionCode, volunteerId", "scope")
    if organisation_id is not None:
        return Scope("o", decode_raw(organisation_id, "Organisation", "scope"))
    if volunteer_id is not None:
        return Scope("v", decode_raw(volunteer_id, "Volunteer", "scope"))
    return Scope("r", region_code.strip())


def public_key(group_by: str, key: str) -> str:
    """Organisations and volunteers are keyed by their global ids, so a client can drill down."""
    if group_by == "ORGANISATION":
        return encode_id("Organisation", key)
    if group_by == "VOLUNTEER":
        return encode_id("Volunteer", key)
    return key


async def tally_rows(app, viewer, scope: Scope, group_by: str, start: date | None, end: date | None
                     ) -> list[Tally]:
    tallies = await app.hour_service.tallies(viewer, scope, group_by, start, end)
    return [Tally(public_key(group_by, t.key), t.label, t.minutes, t.entries, t.volunteers) for t in tallies]


@strawberry.type
class HoursQuery:
    @strawberry.field(description="Verified hours of a scope over whole months (`from` the 1st, `to` a month's last "
                                  "day; default: the current month), grouped. Committees see their region, "
                                  "coordinators their subtree, volunteers themselves.")
    async def hour_tallies(self, info: Info, scope: HourScopeInput, group_by: TallyGroup,
                           from_: Annotated[date | None, strawberry.argument(name="from")] = None,
                           to: date | None = None) -> list[HourTally]:
        try:
            viewer = info.context.require_viewer()
            s = parse_scope(scope.organisation_id, scope.region_code, scope.volunteer_id)
            rows = await tally_rows(info.context.app, viewer, s, group_by.value, from_, to)
        except DomainError as exc:
            raise graphql_error(exc) from None
        return [HourTally(key=t.key, label=t.label, minutes=t.minutes, entries=t.entries, volunteers=t.volunteers)
                for t in rows]

    @strawberry.field(description="An organisation's own entries, oldest first: for its coordinators.")
    async def hour_entries(self, info: Info, organisation_id: strawberry.ID, status: HourStatus | None = None,
                           first: int | None = None, after: str | None = None) -> Connection[HourEntry]:
        try:
            viewer = info.context.require_viewer()
            org_id = decode_raw(organisation_id, "Organisation", "organisationId")
            n = check_first(first)
            last = decode_cursor(after, 1)[0] if after is not None else None
            docs, has_next, total = await info.context.app.hour_service.list_entries(
                viewer, org_id, status.value if status else None, last, n)
        except DomainError as exc:
            raise graphql_error(exc) from None
        return connection([HourEntry.of(d) for d in docs], [encode_cursor(d["_id"]) for d in docs], has_next, total,
                          after is not None)


CSV_STATUS = {"UNAUTHENTICATED": 401, "INVALID_TOKEN": 401, "TOKEN_EXPIRED": 401, "FORBIDDEN": 403,
              "NOT_FOUND": 404}


async def tallies_csv(app, authorization: str | None, params: Mapping[str, str]) -> tuple[int, bytes, str]:
    """`GET /exports/hours.csv?organisationId=|regionCode=|volunteerId=&groupBy=&from=&to=`.

    Returns (status, body, media type): the tallies as UTF-8 CSV with a BOM (so Excel reads the
    Chinese labels), or `{"errors": [...]}` JSON with the same codes as the GraphQL query.
    """
    try:
        ctx = await build_context(app, authorization)
        viewer = ctx.require_viewer()
        scope = parse_scope(params.get("organisationId"), params.get("regionCode"), params.get("volunteerId"))
        group_by = params.get("groupBy", "")
        if group_by not in TallyGroup.__members__:
            raise invalid(f"groupBy must be one of {', '.join(TallyGroup.__members__)}", "groupBy")
        start, end = _date(params, "from"), _date(params, "to")
        rows = await tally_rows(app, viewer, scope, group_by, start, end)
    except DomainError as exc:
        body = json.dumps({"errors": [e.__dict__ for e in user_errors(exc)]}, ensure_ascii=False)
        return CSV_STATUS.get(exc.code, 400), body.encode(), "application/json"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["key", "label", "minutes", "entries", "volunteers"])
    for t in rows:
        writer.writerow([t.key, t.label, t.minutes, t.entries, t.volunteers])
    return 200, "\ufeff".encode() + out.getvalue().encode(), "text/csv; charset=utf-8"


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("must be a date like 2024-03-01", name) from None
