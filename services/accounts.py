"""Accounts: sign-in, and the accounts behind volunteers, coordinators, committees and admins.

An email belongs to one account through a claim document whose `_id` is the email: the insert is
atomic on both engines, so two concurrent registrations cannot both win. Making an account is a
planned write (services/writes.py): the email claim first, then whatever the account comes with
(a volunteer profile, an organisation), the account itself last; a crash anywhere is finished by
a retry or the start-up sweep, so no account exists without what it came with.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pymongo.errors import DuplicateKeyError

from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.access import AccessPolicy
from services.auth import TokenIssuer, Viewer, hash_password, needs_rehash, verify_password
from services.clock import Clock
from services.errors import Collector, DomainError, ErrorCode, forbidden
from services.writes import Writes

# How long this process trusts what it read about a token's account: sparing a read per request,
# a disabled account's tokens stop working within this long.
VIEWER_SECONDS = 5.0
VIEWER_CACHE_MAX = 20_000


def email_taken() -> DomainError:
    return DomainError(ErrorCode.EMAIL_TAKEN, "an account with this email already exists", "email")


class AccountService:
    def __init__(
        self,
        accounts: Repository,
        emails: Repository,
        access: AccessPolicy,
        tokens: TokenIssuer,
        writes: Writes,
        clock: Clock,
    ) -> None:
        self.accounts = accounts
        self.emails = emails
        self.access = access
        self.tokens = tokens
        self.writes = writes
        self.clock = clock
        writes.register("createAccount", self._apply_create)
        self._viewers: dict[str, tuple[float, Viewer | None]] = {}

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        return await self.accounts.get_many(ids)

    async def any_exist(self) -> bool:
        return await self.accounts.coll.find_one({}, {"_id": 1}) is not None

    async def email_in_use(self, email: str) -> bool:
        return await self.emails.get(email) is not None

    async def import_accounts(self, docs: list[dict]) -> None:
        """Accounts made elsewhere (bulk imports): their email claims first, then the accounts."""
        await self.emails.insert_many({"_id": d["email"], "account_id": d["_id"], "at": d["created_at"]} for d in docs)
        await self.accounts.insert_many(docs)

    async def viewer_for(self, account_id: str) -> Viewer | None:
        now = time.monotonic()
        cached = self._viewers.get(account_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        viewer = await self._read_viewer(account_id)
        if len(self._viewers) >= VIEWER_CACHE_MAX:
            self._viewers = {k: c for k, c in self._viewers.items() if c[0] > now}
        self._viewers[account_id] = (now + VIEWER_SECONDS, viewer)
        return viewer

    async def _read_viewer(self, account_id: str) -> Viewer | None:
        acc = await self.accounts.get(account_id)
        if acc is None or acc.get("disabled"):
            return None
        return Viewer(
            account_id=acc["_id"],
            role=acc["role"],
            volunteer_id=acc.get("volunteer_id"),
            organisation_ids=tuple(acc.get("organisation_ids", ())),
            region_code=acc.get("region_code"),
        )

    async def viewer_for_token(self, token: str) -> Viewer:
        """The viewer a bearer token stands for; INVALID_TOKEN or TOKEN_EXPIRED otherwise."""
        viewer = await self.viewer_for(self.tokens.account_id(token))
        if viewer is None:
            raise DomainError(ErrorCode.INVALID_TOKEN, "the account behind this token no longer exists")
        return viewer

    async def plan_account(
        self, write_id: str, *, email: str, password: str, role: str, display_name: str, **extra
    ) -> dict:
        """The account document a planned write will insert (the password hashed off the event loop)."""
        return {
            "_id": new_id(),
            "email": email,
            "password_hash": await hash_password(password),
            "role": role,
            "display_name": display_name,
            "created_at": self.clock.now(),
            "write_id": write_id,
            **extra,
        }

    async def claim_email(self, account: dict) -> None:
        """The first write of making an account; EMAIL_TAKEN when another account holds the email."""
        claim = {"_id": account["email"], "account_id": account["_id"], "at": account["created_at"]}
        try:
            await self.emails.insert_planned({**claim, "write_id": account["write_id"]})
        except DuplicateKeyError:
            raise email_taken() from None
        crashpoints.reached("account.email_claimed")

    async def insert_account(self, account: dict) -> None:
        """The last write of making an account: from here on it can sign in."""
        await self.accounts.insert_planned(account)

    async def create_account(self, *, email: str, password: str, role: str, display_name: str, **extra) -> dict:
        """An account with nothing else attached (committees, admins)."""
        write_id = new_id()
        account = await self.plan_account(
            write_id, email=email, password=password, role=role, display_name=display_name, **extra
        )
        await self.writes.run("createAccount", {"account": account}, key=None, write_id=write_id)
        return account

    async def _apply_create(self, plan: dict, write_id: str) -> str:
        await self.claim_email(plan["account"])
        await self.insert_account(plan["account"])
        return plan["account"]["_id"]

    async def login(self, email: str, password: str) -> tuple[str, dict]:
        email = (email or "").strip().lower()
        claim = await self.emails.get(email) if len(email) <= 254 and v.unicode_ok(email) else None
        account = await self.accounts.get(claim["account_id"]) if claim else None
        # An unknown email is checked against a dummy hash: as slow as a wrong password.
        if not await verify_password(account["password_hash"] if account else None, password or "") or account is None:
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, "wrong email or password")
        if account.get("disabled"):
            raise DomainError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        if needs_rehash(account["password_hash"]):
            await self.accounts.set_fields(account["_id"], {"password_hash": await hash_password(password)})
        return self.tokens.issue(account["_id"]), account

    async def create_committee_account(self, viewer: Viewer, p) -> dict:
        c = Collector()
        email = v.email(c, p.email)
        v.password(c, p.password)
        name = v.text(c, p.display_name, "displayName", max_len=v.MAX_NAME)
        code = v.region_code(c, p.region_code)
        c.raise_if_any()
        if not self.access.may_create_committee_for(viewer, code):
            raise forbidden(
                "only an admin or a coordinator of a station whose region contains it can do this", "regionCode"
            )
        return await self.create_account(
            email=email, password=p.password, role="COMMITTEE", display_name=name or "", region_code=code
        )

    async def create_admin(self, email: str, password: str, display_name: str) -> dict:
        c = Collector()
        email = v.email(c, email)
        v.password(c, password)
        name = v.text(c, display_name, "displayName", max_len=v.MAX_NAME)
        c.raise_if_any()
        return await self.create_account(email=email, password=password, role="ADMIN", display_name=name or "")
