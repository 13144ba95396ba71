"""Volunteer profiles: registration, skills, credentials, languages, home, radius, weekly availability."""

from __future__ import annotations

from collections.abc import Sequence

from db.changes import ChangeFeed
from db.repo import Repository, new_id
from services import crashpoints
from services import validation as v
from services.accounts import AccountService
from services.auth import TokenIssuer, Viewer
from services.clock import Clock
from services.errors import Collector, ErrorCode, forbidden, invalid, not_found
from services.writes import Writes

MAX_RADIUS_KM = 200.0
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MAX_BLACKOUTS = 366


def normalise_profile(c: Collector, p, *, partial: bool) -> dict:
    """Turns a profile input into document fields; fields left unset are absent when `partial`."""
    out: dict = {}

    def given(name: str) -> bool:
        value = getattr(p, name, None)
        return value is not None or not partial

    if given("name"):
        out["name"] = v.text(c, p.name, "name", max_len=v.MAX_NAME)
    if getattr(p, "phone", None) is not None:
        phone = p.phone.strip()
        c.check(bool(v.PHONE_RE.match(phone)), "is not a valid phone number", "phone")
        out["phone"] = phone
    if given("skills"):
        skills = {}
        for i, s in enumerate(v.bounded_list(c, p.skills, "skills", len(v.SKILLS))):
            if v.skill_code(c, s.skill, "skills", str(i), "skill") and v.level(c, s.level, "skills", str(i), "level"):
                c.check(s.skill not in skills, "skill listed twice", "skills", str(i), "skill")
                skills[s.skill] = s.level
        out["skills"] = [{"code": k, "level": lvl} for k, lvl in skills.items()]
    if given("credentials"):
        creds: dict[str, str] = {}
        for i, cr in enumerate(v.bounded_list(c, p.credentials, "credentials", 20)):
            kind_ok = v.credential_kind(c, cr.kind, "credentials", str(i), "kind")
            if v.day(c, cr.expires_on, "credentials", str(i), "expiresOn") and kind_ok:
                creds[cr.kind] = max(creds.get(cr.kind, ""), cr.expires_on.isoformat())
        out["credentials"] = [{"kind": k, "expires_on": e} for k, e in creds.items()]
    if given("languages"):
        langs = v.bounded_list(c, p.languages, "languages", len(v.LANGUAGES))
        for i, lang in enumerate(langs):
            v.language(c, lang, "languages", str(i))
        out["languages"] = list(dict.fromkeys(langs))
    if given("home"):
        c.check(p.home is not None, "is required", "home")
        out["home"] = v.point(c, p.home, "home")
    if given("travel_radius_km"):
        r = p.travel_radius_km
        c.check(
            r is not None and 0 < r <= MAX_RADIUS_KM,
            f"must be above 0 and at most {MAX_RADIUS_KM:g} km",
            "travelRadiusKm",
            code=ErrorCode.INVALID_RADIUS,
        )
        out["travel_radius_km"] = float(r or 0)
    if given("availability"):
        slots = []
        for i, a in enumerate(v.bounded_list(c, p.availability, "availability", 7 * 24)):
            ok = c.check(
                0 <= a.start_hour < a.end_hour <= 24,
                "hours must satisfy 0 <= startHour < endHour <= 24",
                "availability",
                str(i),
            )
            if ok:
                slots.append(
                    {"weekday": WEEKDAYS.index(a.weekday.value) + 1, "start_hour": a.start_hour, "end_hour": a.end_hour}
                )
        out["availability"] = slots
    if given("blackout_dates"):
        days = v.bounded_list(c, p.blackout_dates, "blackoutDates", MAX_BLACKOUTS)
        kept = [d for i, d in enumerate(days) if v.day(c, d, "blackoutDates", str(i))]
        out["blackout_dates"] = sorted({d.isoformat() for d in kept})
    if given("max_hours_per_week"):
        h = p.max_hours_per_week
        c.check(h is not None and 1 <= h <= 84, "must be 1 to 84", "maxHoursPerWeek")
        out["max_hours_per_week"] = h
    if given("emergency_responder"):
        out["emergency_responder"] = bool(p.emergency_responder)
    return out


class VolunteerService:
    def __init__(
        self,
        volunteers: Repository,
        accounts: AccountService,
        tokens: TokenIssuer,
        writes: Writes,
        changes: ChangeFeed,
        clock: Clock,
    ) -> None:
        self.volunteers = volunteers
        self.accounts = accounts
        self.tokens = tokens
        self.writes = writes
        self.changes = changes
        self.clock = clock
        writes.register("registerVolunteer", self._apply_register)

    async def get_many(self, ids: Sequence[str]) -> list[dict | None]:
        return await self.volunteers.get_many(ids)

    async def register(self, p) -> tuple[str, dict]:
        """A volunteer's account and profile; returns their token and the profile."""
        c = Collector()
        email = v.email(c, p.email)
        v.password(c, p.password)
        profile = normalise_profile(c, p, partial=False)
        c.raise_if_any()
        write_id = new_id()
        volunteer_id = new_id()
        account = await self.accounts.plan_account(
            write_id,
            email=email,
            password=p.password,
            role="VOLUNTEER",
            display_name=profile["name"],
            volunteer_id=volunteer_id,
        )
        doc = {
            "_id": volunteer_id,
            "account_id": account["_id"],
            "email": email,
            "active": True,
            "created_at": account["created_at"],
            "updated_at": account["created_at"],
            "write_id": write_id,
            **profile,
        }
        plan = {"account": account, "volunteer": doc}
        await self.writes.run("registerVolunteer", plan, key=None, write_id=write_id)
        return self.tokens.issue(account["_id"]), doc

    async def _apply_register(self, plan: dict, write_id: str) -> str:
        """Email claim, profile, then the account: a profile never lacks its account for long, and
        an account never lacks its profile."""
        await self.accounts.claim_email(plan["account"])
        await self.volunteers.insert_planned(plan["volunteer"])
        crashpoints.reached("registerVolunteer.profile")
        await self.accounts.insert_account(plan["account"])
        await self.changes.publish("volunteer", plan["volunteer"])
        return plan["account"]["_id"]

    async def import_many(self, profiles: list, password_hash: str) -> list[dict]:
        """Many volunteers at once sharing one password hash (bulk imports, the demo): the same checks
        as `register`, batched writes, and no argon2 hash each."""
        c = Collector()
        normalised = [(v.email(c, p.email), normalise_profile(c, p, partial=False)) for p in profiles]
        c.raise_if_any()
        now = self.clock.now()
        accounts, volunteers = [], []
        for email, profile in normalised:
            account_id, volunteer_id = new_id(), new_id()
            accounts.append(
                {
                    "_id": account_id,
                    "email": email,
                    "password_hash": password_hash,
                    "role": "VOLUNTEER",
                    "display_name": profile["name"],
                    "created_at": now,
                    "volunteer_id": volunteer_id,
                }
            )
            volunteers.append(
                {
                    "_id": volunteer_id,
                    "account_id": account_id,
                    "email": email,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                    **profile,
                }
            )
        await self.accounts.import_accounts(accounts)
        await self.volunteers.insert_many(volunteers)
        await self.changes.publish("volunteer", *volunteers)
        return volunteers

    async def update_profile(self, viewer: Viewer, p) -> dict:
        if viewer.volunteer_id is None:
            raise forbidden("only a signed-in volunteer can update a volunteer profile")
        c = Collector()
        fields = normalise_profile(c, p, partial=True)
        c.raise_if_any()
        if not fields:
            raise invalid("nothing to update")
        current = await self.volunteers.get(viewer.volunteer_id)
        if current is None:
            raise not_found("volunteer")
        fields["updated_at"] = self.clock.now()
        await self.volunteers.set_fields(viewer.volunteer_id, fields)
        doc = {**current, **fields}
        await self.changes.publish("volunteer", doc)
        return doc
