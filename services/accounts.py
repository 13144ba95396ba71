"""Accounts, sign-in, volunteers' registration, committee and admin accounts.

An email belongs to one account through a claim document whose `_id` is the email: the insert is
atomic on both engines, so two concurrent registrations cannot both win. Writes that span several
documents undo what they wrote when a later write fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pymongo.errors import DuplicateKeyError

from db.repo import new_id
from services import validation as v
from services.auth import Viewer, hash_password, verify_password
from services.directory import region_contains
from services.errors import Collector, DomainError, forbidden
from services.volunteers import normalise_profile

ORPHAN_CLAIM_AGE = timedelta(minutes=1)


def email_taken() -> DomainError:
    return DomainError("EMAIL_TAKEN", "an account with this email already exists", "email")


class AccountService:
    def __init__(self, app) -> None:
        self.app = app

    async def viewer_for(self, account_id: str) -> Viewer | None:
        acc = await self.app.accounts.get(account_id)
        if acc is None or acc.get("disabled"):
            return None
        return Viewer(
            account_id=acc["_id"],
            role=acc["role"],
            volunteer_id=acc.get("volunteer_id"),
            organisation_ids=tuple(acc.get("organisation_ids", ())),
            region_code=acc.get("region_code"),
        )

    async def claim_email(self, email: str, account_id: str) -> None:
        now = datetime.now(timezone.utc)
        for _ in range(2):
            try:
                await self.app.emails.insert({"_id": email, "account_id": account_id, "at": now})
                return
            except DuplicateKeyError:
                claim = await self.app.emails.get(email)
                stale = claim and claim["at"] < now - ORPHAN_CLAIM_AGE
                if claim and (not stale or await self.app.accounts.get(claim["account_id"])):
                    raise email_taken() from None
                # A claim left by a crash between the claim and the account: release it.
                await self.app.emails.delete(email)
        raise email_taken()

    async def create_account(self, *, email: str, password: str, role: str, display_name: str,
                             **extra) -> dict:
        account_id = extra.pop("_id", None) or new_id()
        await self.claim_email(email, account_id)
        doc = {"_id": account_id, "email": email, "password_hash": hash_password(password), "role": role,
               "display_name": display_name, "created_at": datetime.now(timezone.utc), **extra}
        try:
            await self.app.accounts.insert(doc)
        except BaseException:
            await self.app.emails.delete(email)
            raise
        return doc

    async def undo_account(self, account: dict) -> None:
        await self.app.accounts.delete(account["_id"])
        await self.app.emails.delete(account["email"])

    async def register_volunteer(self, p) -> tuple[str, dict]:
        c = Collector()
        email = v.email(c, p.email)
        v.password(c, p.password)
        profile = normalise_profile(c, p, partial=False)
        c.raise_if_any()
        volunteer_id = new_id()
        account = await self.create_account(email=email, password=p.password, role="VOLUNTEER",
                                            display_name=profile["name"], volunteer_id=volunteer_id)
        now = datetime.now(timezone.utc)
        doc = {"_id": volunteer_id, "account_id": account["_id"], "email": email, "active": True,
               "created_at": now, "updated_at": now, **profile}
        try:
            await self.app.volunteers.insert(doc)
        except BaseException:
            await self.undo_account(account)
            raise
        await self.app.changed("volunteer", doc)
        return self.app.tokens.issue(account["_id"]), doc

    async def login(self, email: str, password: str) -> tuple[str, dict]:
        email = (email or "").strip().lower()
        claim = await self.app.emails.get(email) if len(email) <= 254 else None
        account = await self.app.accounts.get(claim["account_id"]) if claim else None
        if not verify_password(account and account["password_hash"], password or ""):
            raise DomainError("INVALID_CREDENTIALS", "wrong email or password")
        if account.get("disabled"):
            raise DomainError("ACCOUNT_DISABLED", "this account is disabled")
        return self.app.tokens.issue(account["_id"]), account

    async def create_committee_account(self, viewer: Viewer | None, p) -> dict:
        c = Collector()
        email = v.email(c, p.email)
        v.password(c, p.password)
        name = v.text(c, p.display_name, "displayName", max_len=v.MAX_NAME)
        code = v.region_code(c, p.region_code)
        c.raise_if_any()
        if viewer is None:
            raise forbidden("sign in first")
        if viewer.role != "ADMIN" and not self._coordinates_station_over(viewer, code):
            raise forbidden("only an admin or a coordinator of a station whose region contains it can do this",
                            "regionCode")
        return await self.create_account(email=email, password=p.password, role="COMMITTEE",
                                          display_name=name, region_code=code)

    def _coordinates_station_over(self, viewer: Viewer, code: str) -> bool:
        if viewer.role != "COORDINATOR":
            return False
        stations = ("CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION", "VILLAGE_ROOM")
        for org_id in viewer.organisation_ids:
            org = self.app.directory.get(org_id)
            if org and org["kind"] in stations and region_contains(org["region_code"], code):
                return True
        return False

    async def create_admin(self, email: str, password: str, display_name: str) -> dict:
        c = Collector()
        email = v.email(c, email)
        v.password(c, password)
        display_name = v.text(c, display_name, "displayName", max_len=v.MAX_NAME)
        c.raise_if_any()
        return await self.create_account(email=email, password=password, role="ADMIN", display_name=display_name)
