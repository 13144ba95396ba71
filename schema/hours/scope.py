"""Tally scopes and rows shared by `hourTallies` and its CSV twin (`GET /exports/hours.csv`)."""

from __future__ import annotations

from datetime import date

from schema.base.ids import encode_id, raw_id
from services.auth import Viewer
from services.errors import invalid
from services.hours.tallies import HourTallies, Scope, Tally


def parse_scope(organisation_id: str | None, region_code: str | None, volunteer_id: str | None) -> Scope:
    given = [x for x in (organisation_id, region_code, volunteer_id) if x is not None]
    if len(given) != 1:
        raise invalid("give exactly one of organisationId, regionCode, volunteerId", "scope")
    if organisation_id is not None:
        return Scope("o", raw_id(organisation_id, "Organisation", "scope"))
    if volunteer_id is not None:
        return Scope("v", raw_id(volunteer_id, "Volunteer", "scope"))
    assert region_code is not None
    return Scope("r", region_code.strip())


def public_key(group_by: str, key: str) -> str:
    """Organisations and volunteers are keyed by their global ids, so a client can drill down."""
    if group_by == "ORGANISATION":
        return encode_id("Organisation", key)
    if group_by == "VOLUNTEER":
        return encode_id("Volunteer", key)
    return key


async def tally_rows(
    tallies: HourTallies, viewer: Viewer | None, scope: Scope, group_by: str, start: date | None, end: date | None
) -> list[Tally]:
    rows = await tallies.tallies(viewer, scope, group_by, start, end)
    return [Tally(public_key(group_by, t.key), t.label, t.minutes, t.entries, t.volunteers) for t in rows]
