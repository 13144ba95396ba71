"""Organisations: the four-tier station hierarchy, agencies and volunteer teams."""

from __future__ import annotations

from db.changes import ChangeFeed
from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.accounts import AccountService
from services.auth import TokenIssuer, Viewer
from services.clock import Clock
from services.directory import STATIONS, Directory, region_contains
from services.errors import Collector, DomainError, ErrorCode, forbidden, not_found
from services.writes import Writes

KINDS = (*STATIONS, "AGENCY", "VOLUNTEER_TEAM")
# The tier a station must hang under; agencies and teams may sit under any organisation, or none.
PARENT_KIND = {
    "COUNTY_STATION": "CITY_CENTER",
    "TOWNSHIP_STATION": "COUNTY_STATION",
    "VILLAGE_ROOM": "TOWNSHIP_STATION",
}
REGION_DIGITS = {"CITY_CENTER": 6, "COUNTY_STATION": 6, "TOWNSHIP_STATION": 9, "VILLAGE_ROOM": 12}


class OrganisationService:
    def __init__(
        self,
        organisations: Repository,
        needs: Repository,
        accounts: AccountService,
        access: AccessPolicy,
        directory: Directory,
        tokens: TokenIssuer,
        writes: Writes,
        changes: ChangeFeed,
        clock: Clock,
    ) -> None:
        self.organisations = organisations
        self.needs = needs
        self.accounts = accounts
        self.access = access
        self.directory = directory
        self.tokens = tokens
        self.writes = writes
        self.changes = changes
        self.clock = clock
        writes.register("registerOrganisation", self._apply_register)

    async def load_directory(self) -> None:
        """Every organisation and the ids of its needs, from the documents (at start-up)."""
        async for org in self.organisations.scan():
            self.directory.put_org(org)
        async for need in self.needs.scan({"organisation_id": 1}):
            self.directory.put_need(need)

    def get(self, org_id: str | None) -> dict | None:
        """Organisations come from the in-memory directory: no round-trip."""
        return self.directory.get(org_id)

    def need_ids(self, org_id: str) -> list[str]:
        """Ids of the needs the organisation posted, sorted (oldest first)."""
        return self.directory.need_ids(org_id)

    def list(self, region_code: str | None, kind: str | None) -> list[str]:
        """Ids of the organisations in a region (and everything under it), oldest first."""
        orgs = self.directory.orgs
        return [
            i
            for i in self.directory.sorted_ids()
            if (kind is None or orgs[i]["kind"] == kind)
            and (region_code is None or region_contains(region_code, orgs[i]["region_code"]))
        ]

    async def register(self, viewer: Viewer | None, p, parent_id: str | None) -> tuple[str, dict]:
        """A new organisation and its first coordinator account; returns the coordinator's token."""
        c = Collector()
        name = v.text(c, p.name, "name", max_len=v.MAX_NAME)
        kind = p.kind.value
        code = v.region_code(c, p.region_code)
        location = v.point(c, p.location, "location")
        address = v.text(c, p.address, "address", max_len=v.MAX_TITLE, required=False)
        co = p.coordinator
        email = v.email(c, co.email, ("coordinator", "email"))
        v.password(c, co.password, ("coordinator", "password"))
        co_name = v.text(c, co.display_name, ("coordinator", "displayName"), max_len=v.MAX_NAME)
        digits = REGION_DIGITS.get(kind)
        if digits and v.REGION_RE.match(code):
            c.check(
                len(code) == digits,
                f"a {kind} has a {digits}-digit region code",
                "regionCode",
                code=ErrorCode.INVALID_REGION,
            )
        parent = None
        if parent_id is not None:
            parent = self.directory.get(parent_id)
            if parent is None:
                raise not_found("parent organisation", "parentId")
        c.check(
            parent is None or kind != "CITY_CENTER",
            "a city centre has no parent",
            "parentId",
            code=ErrorCode.INVALID_PARENT,
        )
        if kind in PARENT_KIND:
            c.check(
                parent is not None and parent["kind"] == PARENT_KIND[kind],
                f"a {kind} must hang under a {PARENT_KIND[kind]}",
                "parentId",
                code=ErrorCode.INVALID_PARENT,
            )
        if parent is not None and v.REGION_RE.match(code):
            c.check(
                region_contains(parent["region_code"], code),
                f"region {code} is not inside the parent's region {parent['region_code']}",
                "regionCode",
                code=ErrorCode.INVALID_REGION,
            )
        c.raise_if_any()
        self._authorize(viewer, kind, parent)

        write_id = new_id()
        org_id = new_id()
        account = await self.accounts.plan_account(
            write_id,
            email=email,
            password=co.password,
            role="COORDINATOR",
            display_name=co_name or "",
            organisation_ids=[org_id],
        )
        doc = {
            "_id": org_id,
            "name": name,
            "kind": kind,
            "region_code": code,
            "parent_id": parent["_id"] if parent else None,
            "path": [*(parent["path"] if parent else []), org_id],
            "location": location,
            "address": address or None,
            "coordinator_account_ids": [account["_id"]],
            "created_at": self.clock.now(),
            "write_id": write_id,
        }
        try:
            await self.writes.run(
                "registerOrganisation", {"account": account, "organisation": doc}, key=None, write_id=write_id
            )
        except DomainError as exc:
            if exc.code is ErrorCode.EMAIL_TAKEN:
                raise exc.about("coordinator", "email") from None
            raise
        return self.tokens.issue(account["_id"]), doc

    async def _apply_register(self, plan: dict, write_id: str) -> str:
        """Email claim, organisation, then its coordinator's account."""
        await self.accounts.claim_email(plan["account"])
        await self.organisations.insert_planned(plan["organisation"])
        crashpoints.reached("registerOrganisation.organisation")
        await self.accounts.insert_account(plan["account"])
        await self.changes.publish("organisation", plan["organisation"])
        return plan["organisation"]["_id"]

    def _authorize(self, viewer: Viewer | None, kind: str, parent: dict | None) -> None:
        if viewer is not None and viewer.role == "ADMIN":
            return
        if kind == "CITY_CENTER":
            raise forbidden("only an admin can create a city centre")
        if parent is None:
            if kind in STATIONS:
                raise forbidden("a station needs a parent")
            return  # agencies and teams may register themselves
        if viewer is None or viewer.role != "COORDINATOR" or not self.access.may_manage(viewer, parent["_id"]):
            raise forbidden("only a coordinator of the parent organisation (or above) can add under it", "parentId")
