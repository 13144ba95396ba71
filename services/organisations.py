"""Organisations: the four-tier station hierarchy, agencies and volunteer teams."""

from __future__ import annotations

from datetime import datetime, timezone

from db.repo import new_id
from services import validation as v
from services.auth import Viewer
from services.directory import region_contains
from services.errors import Collector, DomainError, forbidden, not_found

STATIONS = ("CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION", "VILLAGE_ROOM")
KINDS = (*STATIONS, "AGENCY", "VOLUNTEER_TEAM")
# The tier a station must hang under; agencies and teams may sit under any organisation, or none.
PARENT_KIND = {"COUNTY_STATION": "CITY_CENTER", "TOWNSHIP_STATION": "COUNTY_STATION",
               "VILLAGE_ROOM": "TOWNSHIP_STATION"}
REGION_DIGITS = {"CITY_CENTER": 6, "COUNTY_STATION": 6, "TOWNSHIP_STATION": 9, "VILLAGE_ROOM": 12}


class OrganisationService:
    def __init__(self, app) -> None:
        self.app = app

    async def register(self, viewer: Viewer | None, p, parent_id: str | None) -> tuple[str, dict]:
        c = Collector()
        name = v.text(c, p.name, "name", max_len=v.MAX_NAME)
        kind = p.kind.value
        code = v.region_code(c, p.region_code)
        location = v.point(c, p.location, "location")
        address = v.text(c, p.address, "address", max_len=v.MAX_TITLE, required=False)
        co = p.coordinator
        email = v.email(c, co.email, "coordinator.email")
        v.password(c, co.password, "coordinator.password")
        co_name = v.text(c, co.display_name, "coordinator.displayName", max_len=v.MAX_NAME)
        digits = REGION_DIGITS.get(kind)
        if digits and v.REGION_RE.match(code):
            c.check(len(code) == digits, f"a {kind} has a {digits}-digit region code", "regionCode",
                    code="INVALID_REGION")
        parent = None
        if parent_id is not None:
            parent = self.app.directory.get(parent_id)
            if parent is None:
                raise not_found("parent organisation", "parentId")
        c.check(parent is None or kind != "CITY_CENTER", "a city centre has no parent", "parentId",
                code="INVALID_PARENT")
        if kind in PARENT_KIND:
            c.check(parent is not None and parent["kind"] == PARENT_KIND[kind],
                    f"a {kind} must hang under a {PARENT_KIND[kind]}", "parentId", code="INVALID_PARENT")
        if parent is not None and v.REGION_RE.match(code):
            c.check(region_contains(parent["region_code"], code),
                    f"region {code} is not inside the parent's region {parent['region_code']}", "regionCode",
                    code="INVALID_REGION")
        c.raise_if_any()
        self._authorize(viewer, kind, parent)

        org_id = new_id()
        account = await self.app.account_service.create_account(
            email=email, password=co.password, role="COORDINATOR", display_name=co_name,
            organisation_ids=[org_id])
        doc = {"_id": org_id, "name": name, "kind": kind, "region_code": code,
               "parent_id": parent["_id"] if parent else None,
               "path": [*(parent["path"] if parent else []), org_id],
               "location": location, "address": address or None,
               "coordinator_account_ids": [account["_id"]], "created_at": datetime.now(timezone.utc)}
        try:
            await self.app.organisations.insert(doc)
        except BaseException:
            await self.app.account_service.undo_account(account)
            raise
        await self.app.changed("organisation", doc)
        return self.app.tokens.issue(account["_id"]), doc

    def _authorize(self, viewer: Viewer | None, kind: str, parent: dict | None) -> None:
        if viewer is not None and viewer.role == "ADMIN":
            return
        if kind == "CITY_CENTER":
            raise forbidden("only an admin can create a city centre")
        if parent is None:
            if kind in STATIONS:
                raise forbidden("a station needs a parent")
            return  # agencies and teams may register themselves
        if viewer is None or viewer.role != "COORDINATOR" or not self.app.directory.manages(
                viewer.organisation_ids, parent["_id"]):
            raise forbidden("only a coordinator of the parent organisation (or above) can add under it", "parentId")

    def may_manage(self, viewer: Viewer | None, org_id: str) -> bool:
        """Admins, and coordinators of the organisation or of any organisation above it."""
        if viewer is None:
            return False
        return viewer.role == "ADMIN" or (
            viewer.role == "COORDINATOR" and self.app.directory.manages(viewer.organisation_ids, org_id))

    def require_manager(self, viewer: Viewer | None, org_id: str) -> dict:
        org = self.app.directory.get(org_id)
        if org is None:
            raise not_found("organisation", "organisationId")
        if viewer is None:
            raise DomainError("UNAUTHENTICATED", "sign in first")
        if not self.may_manage(viewer, org_id):
            raise forbidden("you do not coordinate this organisation", "organisationId")
        return org

    def list(self, region_code: str | None, kind: str | None) -> list[str]:
        ids = self.app.directory.sorted_ids()
        orgs = self.app.directory.orgs
        return [i for i in ids
                if (kind is None or orgs[i]["kind"] == kind)
                and (region_code is None or region_contains(region_code, orgs[i]["region_code"]))]
