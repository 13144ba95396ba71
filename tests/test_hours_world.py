"""Helpers (no tests) for the hours tests: an admin, a fresh city's station hierarchy, volunteers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from db.repo import new_id
from schema.core import decode_id, encode_id
from services.auth import hash_password
from tests.conftest import unique

PASSWORD = "correct horse"
ORG_FIELDS = "token organisation { id } errors { code field message }"
REC = "recordHours(input: $input) { entries { id minutes status servedOn source } errors { code field message } }"
VERIFY = "verifyHours(input: $input) { entries { id status } errors { code field message } }"
CORRECT = ("correctHours(input: $input) { correction { id minutes status source reason corrects { id } "
           "correctedMinutes } original { id correctedMinutes } errors { code field message } }")
TALLIES = ("query($scope: HourScopeInput!, $groupBy: TallyGroup!, $from: Date, $to: Date) { "
           "hourTallies(scope: $scope, groupBy: $groupBy, from: $from, to: $to) "
           "{ key label minutes entries volunteers } }")
_HASH = hash_password(PASSWORD)


@dataclass
class World:
    admin: str
    city_code: str
    orgs: dict[str, str] = field(default_factory=dict)      # name → global id
    raw_orgs: dict[str, str] = field(default_factory=dict)  # name → raw id
    tokens: dict[str, str] = field(default_factory=dict)    # org name → coordinator token
    volunteers: dict[str, str] = field(default_factory=dict)  # name → global id
    volunteer_tokens: dict[str, str] = field(default_factory=dict)


def fresh_city(app) -> str:
    """A 4-digit city prefix no organisation uses yet, so region tallies see only this test's data."""
    codes = [o["region_code"] for o in app.directory.orgs.values()]
    while True:
        prefix = f"{random.randint(11, 65)}{random.randint(10, 99)}"
        if not any(c.startswith(prefix) for c in codes):
            return prefix


async def login(api, email: str, password: str = PASSWORD) -> str:
    res = await api.ok("login(input: $input) { token errors { code } }", {"email": email, "password": password})
    return res["token"]


async def admin_token(api, app) -> str:
    email = f"{unique('admin')}@example.cn"
    await app.account_service.create_admin(email, PASSWORD, "管理员")
    return await login(api, email)


async def add_org(api, w: World, name: str, kind: str, region: str, parent: str | None) -> None:
    inp = {"name": name, "kind": kind, "regionCode": region, "location": {"lat": 30.3, "lng": 112.2},
           "coordinator": {"email": f"{unique('co')}@example.cn", "password": PASSWORD, "displayName": "社工"}}
    if parent:
        inp["parentId"] = w.orgs[parent]
    res = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}", inp, token=w.admin)
    w.orgs[name] = res["organisation"]["id"]
    w.tokens[name] = res["token"]
    w.raw_orgs[name] = decode_id(res["organisation"]["id"])[1]


async def build_world(api, app) -> World:
    """city ← county ← township ← village, plus an agency under the township and a second county."""
    city = fresh_city(app)
    w = World(admin=await admin_token(api, app), city_code=city)
    await add_org(api, w, "市指导中心", "CITY_CENTER", f"{city}00", None)
    await add_org(api, w, "江陵县总站", "COUNTY_STATION", f"{city}24", "市指导中心")
    await add_org(api, w, "沙市区总站", "COUNTY_STATION", f"{city}02", "市指导中心")
    await add_org(api, w, "马家寨乡社工站", "TOWNSHIP_STATION", f"{city}24101", "江陵县总站")
    await add_org(api, w, "同心村社工室", "VILLAGE_ROOM", f"{city}24101201", "马家寨乡社工站")
    await add_org(api, w, "爱心妈妈志愿服务队", "VOLUNTEER_TEAM", f"{city}24101", "马家寨乡社工站")
    await add_org(api, w, "沙市社工站", "TOWNSHIP_STATION", f"{city}02001", "沙市区总站")
    return w


async def add_volunteers(app, w: World, *names: str) -> None:
    """Volunteer and account documents written straight to the database with one shared hash."""
    for name in names:
        vid, aid = new_id(), new_id()
        email = f"{unique('v')}@example.cn"
        now = datetime.now(timezone.utc)
        await app.accounts.insert({"_id": aid, "email": email, "password_hash": _HASH, "role": "VOLUNTEER",
                                   "display_name": name, "volunteer_id": vid, "created_at": now})
        await app.emails.insert({"_id": email, "account_id": aid, "at": now})
        doc = {"_id": vid, "account_id": aid, "name": name, "email": email, "active": True,
               "home": {"lat": 30.3, "lng": 112.2}, "travel_radius_km": 5.0, "skills": [], "credentials": [],
               "languages": [], "availability": [], "blackout_dates": [], "max_hours_per_week": 8,
               "emergency_responder": False, "created_at": now, "updated_at": now}
        await app.volunteers.insert(doc)
        await app.changed("volunteer", doc)
        w.volunteers[name] = encode_id("Volunteer", vid)
        w.volunteer_tokens[name] = app.tokens.issue(aid)


def local(y: int, mo: int, d: int, h: int = 9) -> datetime:
    return datetime(y, mo, d, h, tzinfo=timezone(timedelta(hours=8)))


def window(y: int, mo: int, d: int, minutes: int, h: int = 9) -> dict:
    start = local(y, mo, d, h)
    return {"startedAt": start.isoformat(), "endedAt": (start + timedelta(minutes=minutes)).isoformat()}


async def committee_token(api, app, w: World, region: str) -> str:
    email = f"{unique('cm')}@example.cn"
    await api.ok("createCommitteeAccount(input: $input) { account { id } errors { code field message } }",
                 {"email": email, "password": PASSWORD, "displayName": "居委会", "regionCode": region},
                 token=w.admin)
    return await login(api, email)
