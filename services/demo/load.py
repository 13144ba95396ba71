"""Loads the demo set through the domain services, so it passes the same validation as the API.

Content is fixed by a seed; times are relative to the clock's today, so every task lies in the future.
Password hashing (argon2, 50–150 ms each) dominates the load time. Organisations, the admin, the
committee account and the first volunteer of each area get their own hash through the services; the
other volunteers pass the same profile validation and are inserted in batches sharing one hash of
DEMO_PASSWORD (`_insert_volunteers`).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from services.accounts import AccountService
from services.auth import Viewer, hash_password
from services.clock import LOCAL, Clock, local_today
from services.demo.needs import NEEDS, DemoNeed
from services.demo.people import DEMO_PASSWORD, SEED, enum_input, point, scatter, volunteer_profiles
from services.demo.places import AREAS, ORGANISATIONS, DemoOrganisation
from services.errors import DomainError, ErrorCode
from services.needs import NeedService
from services.organisations import OrganisationService
from services.volunteers import VolunteerService

ADMIN_EMAIL = "admin@demo.cn"
COMMITTEE_EMAIL = "committee@majiazhai.demo.cn"
COMMITTEE_REGION = "421024206"


def coordinator_email(org_key: str) -> str:
    return f"coordinator@{org_key}.demo.cn"


def _need_input(rng: random.Random, need: DemoNeed, org: DemoOrganisation, today: date) -> SimpleNamespace:
    location = point(*need.at) if need.at else scatter(rng, org.lat, org.lng, 0.8)
    tasks = recurrence = None
    if "weekly" in need.schedule:
        weekdays, start, minutes, slots, weeks = need.schedule["weekly"]
        starts_on = today + timedelta(days=1)
        recurrence = SimpleNamespace(
            weekdays=[enum_input(w) for w in weekdays],
            start_time=time.fromisoformat(start),
            duration_minutes=minutes,
            slots=slots,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(weeks=weeks, days=-1) if weeks else None,
        )
    else:
        tasks = []
        for days, start, minutes, slots in need.schedule["once"]:
            starts = datetime.combine(today + timedelta(days=days), time.fromisoformat(start), LOCAL)
            tasks.append(SimpleNamespace(starts_at=starts, ends_at=starts + timedelta(minutes=minutes), slots=slots))
    return SimpleNamespace(
        title=need.title,
        description=need.description,
        category=enum_input(need.category),
        urgency=enum_input(need.urgency),
        location=location,
        address=need.address or org.address,
        required_skills=[SimpleNamespace(skill=s, min_level=lvl) for s, lvl in need.skills],
        required_credentials=list(need.credentials) if need.credentials is not None else None,
        languages=list(need.languages),
        beneficiary_notes=need.notes,
        beneficiary_ref=need.ref,
        auto_accept=need.auto_accept,
        tasks=tasks,
        recurrence=recurrence,
        idempotency_key=None,
    )


class DemoLoader:
    def __init__(
        self,
        accounts: AccountService,
        organisations: OrganisationService,
        needs: NeedService,
        volunteers: VolunteerService,
        clock: Clock,
    ) -> None:
        self.accounts = accounts
        self.organisations = organisations
        self.needs = needs
        self.volunteers = volunteers
        self.clock = clock

    async def is_database_empty(self) -> bool:
        return not await self.accounts.any_exist()

    async def load(self, today: date | None = None) -> dict[str, int]:
        """Loads the demo set into a database without it; returns how many of each kind were written."""
        if await self.accounts.email_in_use(ADMIN_EMAIL):
            raise DomainError(ErrorCode.DEMO_ALREADY_LOADED, f"the demo data is already loaded ({ADMIN_EMAIL} exists)")
        today = today or local_today(self.clock)
        rng = random.Random(SEED)

        admin = await self.accounts.create_admin(ADMIN_EMAIL, DEMO_PASSWORD, "演示管理员")
        admin_viewer = Viewer(account_id=admin["_id"], role="ADMIN")
        orgs: dict[str, dict] = {}
        for o in ORGANISATIONS:
            p = SimpleNamespace(
                name=o.name,
                kind=enum_input(o.kind),
                region_code=o.region_code,
                location=point(o.lat, o.lng),
                address=o.address,
                coordinator=SimpleNamespace(
                    email=coordinator_email(o.key), password=DEMO_PASSWORD, display_name=o.coordinator
                ),
            )
            _, orgs[o.key] = await self.organisations.register(
                admin_viewer, p, orgs[o.parent]["_id"] if o.parent else None
            )
        await self.accounts.create_committee_account(
            admin_viewer,
            SimpleNamespace(
                email=COMMITTEE_EMAIL,
                password=DEMO_PASSWORD,
                display_name="马家寨乡村（居）委会联络员",
                region_code=COMMITTEE_REGION,
            ),
        )

        by_key = {o.key: o for o in ORGANISATIONS}
        needs = []
        for need in NEEDS:
            org = orgs[need.org]
            viewer = await self.accounts.viewer_for(org["coordinator_account_ids"][0])
            assert viewer is not None
            needs.append(await self.needs.post(viewer, _need_input(rng, need, by_key[need.org], today), org["_id"]))

        profiles = volunteer_profiles(today)
        registered = len(AREAS)
        for p in profiles[:registered]:
            await self.volunteers.register(p)
        await self.volunteers.import_many(profiles[registered:], await hash_password(DEMO_PASSWORD))

        return {
            "organisations": len(orgs),
            "accounts": 2 + len(orgs) + len(profiles),
            "volunteers": len(profiles),
            "needs": len(needs),
            "tasks": sum(len(n["task_ids"]) for n in needs),
        }
