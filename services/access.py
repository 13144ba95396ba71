"""Who may act for an organisation and who may see what: every such rule, in one place.

Writes ask `require_manager` (admins, and coordinators of the organisation or of one above it).
Reads ask the `may_see_*` predicates; the schema resolves a private field to null, and a node the
caller may not see to null, rather than failing the whole query.
"""

from __future__ import annotations

from collections.abc import Sequence

from db.repo import Repository
from services.auth import Viewer
from services.directory import STATIONS, Directory, region_contains
from services.errors import forbidden, not_found, unauthenticated

ASSIGNED = ["ACCEPTED", "COMPLETED"]


class AccessPolicy:
    def __init__(self, directory: Directory, applications: Repository) -> None:
        self.directory = directory
        self.applications = applications

    # ---- acting for an organisation --------------------------------------------------------

    def may_manage(self, viewer: Viewer | None, org_id: str) -> bool:
        """Admins, and coordinators of the organisation or of any organisation above it."""
        if viewer is None:
            return False
        return viewer.role == "ADMIN" or (
            viewer.role == "COORDINATOR" and self.directory.manages(viewer.organisation_ids, org_id)
        )

    def require_manager(self, viewer: Viewer | None, org_id: str, field: str = "organisationId") -> dict:
        """The organisation, if the viewer may act for it."""
        org = self.directory.get(org_id)
        if org is None:
            raise not_found("organisation", field)
        if viewer is None:
            raise unauthenticated()
        if not self.may_manage(viewer, org_id):
            raise forbidden("you do not coordinate this organisation", field)
        return org

    def may_create_committee_for(self, viewer: Viewer, region_code: str) -> bool:
        """Admins, and coordinators of a station whose region contains the committee's."""
        if viewer.role == "ADMIN":
            return True
        if viewer.role != "COORDINATOR":
            return False
        for org_id in viewer.organisation_ids:
            org = self.directory.get(org_id)
            if org and org["kind"] in STATIONS and region_contains(org["region_code"], region_code):
                return True
        return False

    def managed_organisations(self, viewer: Viewer) -> list[str]:
        """Every organisation the coordinator acts for, sorted."""
        return sorted({o for root in viewer.organisation_ids for o in self.directory.subtree(root)})

    # ---- seeing ------------------------------------------------------------------------------

    def may_see_volunteer(self, viewer: Viewer | None, volunteer_id: str) -> bool:
        """Profiles are for the volunteer and for the organisations that engage volunteers."""
        return viewer is not None and (viewer.role != "VOLUNTEER" or viewer.volunteer_id == volunteer_id)

    def may_see_volunteer_private(self, viewer: Viewer | None, volunteer_id: str) -> bool:
        """Email, phone, home and blackout dates: the volunteer themselves and admins."""
        return viewer is not None and (viewer.volunteer_id == volunteer_id or viewer.role == "ADMIN")

    def may_see_account(self, viewer: Viewer | None, account_id: str) -> bool:
        return viewer is not None and (viewer.account_id == account_id or viewer.role == "ADMIN")

    def may_see_need_private_as_manager(self, viewer: Viewer | None, need: dict) -> bool | None:
        """Exact address and beneficiary notes are for the owning organisation's coordinators (True)
        and volunteers accepted on, or done with, one of the need's tasks (None: ask
        `assigned_needs`); False for everyone else."""
        if self.may_manage(viewer, need["organisation_id"]):
            return True
        if viewer is None or viewer.volunteer_id is None:
            return False
        return None

    async def assigned_needs(self, volunteer_id: str, need_ids: Sequence[str]) -> list[bool]:
        """For each need, whether the volunteer holds or held an assignment on it: one query."""
        found = self.applications.coll.find(
            {"volunteer_id": volunteer_id, "need_id": {"$in": list(need_ids)}, "status": {"$in": ASSIGNED}},
            {"need_id": 1},
        )
        assigned = {d["need_id"] async for d in found}
        return [n in assigned for n in need_ids]

    def may_see_application(self, viewer: Viewer | None, application: dict) -> bool:
        """The volunteer, and the coordinators of the organisation that runs the task."""
        if viewer is not None and viewer.volunteer_id == application["volunteer_id"]:
            return True
        return self.may_manage(viewer, application["organisation_id"])

    def may_read_entry(self, viewer: Viewer | None, entry: dict) -> bool:
        """An hour entry: the volunteer, the organisation's coordinators (and above), committees of its region."""
        if viewer is None:
            return False
        if viewer.volunteer_id == entry["volunteer_id"] or self.may_manage(viewer, entry["organisation_id"]):
            return True
        return (
            viewer.role == "COMMITTEE"
            and viewer.region_code is not None
            and region_contains(viewer.region_code, entry.get("region_code", ""))
        )

    def require_hours_scope(self, viewer: Viewer | None, kind: str, value: str) -> None:
        """Tallies: committees see their region, coordinators their subtree, volunteers themselves, admins all.

        `kind` is "o" (an organisation and its subtree), "r" (a region) or "v" (a volunteer)."""
        if viewer is None:
            raise unauthenticated()
        org = self.directory.get(value) if kind == "o" else None
        if kind == "o" and org is None:
            raise not_found("organisation", "scope", "organisationId")
        if viewer.role == "ADMIN":
            return
        committee_region = viewer.region_code if viewer.role == "COMMITTEE" else None
        if kind == "o" and org is not None:
            if self.may_manage(viewer, value):
                return
            if committee_region and region_contains(committee_region, org["region_code"]):
                return
        elif kind == "r":
            if committee_region and region_contains(committee_region, value):
                return
        elif viewer.volunteer_id == value:
            return
        raise forbidden("you may not see the hours of this scope", "scope")
