"""Everything the tests share: the fixed clock, the API client, and builders of test data.

Builders go through the real API where that is the point, and write documents straight to the
database where only the result matters (argon2 per volunteer would make the suite slow).

The clock: every service reads `CLOCK`, which stands still at `VM_TEST_NOW` (ISO-8601, default
below) unless a test moves it. `VM_TEST_NOW=2026-12-31T23:30:00+08:00 make test` runs the suite
on New Year's Eve; nothing in it reads the real date.
"""

from __future__ import annotations

import itertools
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from pymongo.monitoring import CommandListener

from bootstrap import Services
from db.repo import new_id
from db.repositories import Repositories
from schema.base.ids import decode_id, encode_id
from services.auth import hash_password_now
from services.clock import LOCAL, FixedClock
from tests.guard import Recording, problems

DEFAULT_NOW = "2026-03-16T09:30:00+08:00"
CLOCK = FixedClock(datetime.fromisoformat(os.environ.get("VM_TEST_NOW") or DEFAULT_NOW))
PASSWORD = "correct horse"
_counter = itertools.count()
_shared_hash: list[str] = []


def unique(prefix: str = "u") -> str:
    return f"{prefix}{os.getpid()}x{next(_counter)}"


def shared_hash() -> str:
    """One argon2 hash of PASSWORD for every directly written account."""
    if not _shared_hash:
        _shared_hash.append(hash_password_now(PASSWORD))
    return _shared_hash[0]


def raw(gid: str) -> str:
    return decode_id(gid)[1]


def future(days: float, hours: float = 0) -> datetime:
    """A whole hour `days` (+ `hours`) after the test clock's current hour."""
    base = CLOCK.now().replace(minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hours)


def local(y: int, mo: int, d: int, h: int = 9) -> datetime:
    return datetime(y, mo, d, h, tzinfo=LOCAL)


# ---- talking to the API ------------------------------------------------------------------------


class CommandCounter(CommandListener):
    """Counts the commands this process sends to the database (one per round-trip)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.point_reads: list[tuple[str, str]] = []  # (collection, _id) of single-id finds

    def started(self, event) -> None:  # type: ignore[no-untyped-def]
        collection = event.command.get(event.command_name)
        self.names.append(f"{event.command_name}:{collection}")
        _id = (event.command.get("filter") or {}).get("_id") if event.command_name == "find" else None
        if isinstance(_id, str):
            self.point_reads.append((collection, _id))

    def succeeded(self, event) -> None:  # type: ignore[no-untyped-def]
        pass

    def failed(self, event) -> None:  # type: ignore[no-untyped-def]
        pass


class Api:
    """Posts GraphQL over the real ASGI app; `call` returns `data`, failing on GraphQL errors."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """Also checks what the request asked the database for (tests/guard.py)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with Recording() as recorded:
            r = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert r.status_code == 200, r.text
        found = problems(recorded)
        assert not found, "\n".join(found)
        return r.json()

    async def call(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        body = await self.raw(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def ok(self, mutation: str, input: dict, token: str | None = None) -> dict:
        """Runs `mutation(input: $input)`, asserts no user errors, returns the payload."""
        name = mutation.split("(")[0].split("{")[0].strip()
        data = await self.call(f"mutation($input: {_input_type(name)}!) {{ {mutation} }}", {"input": input}, token)
        result = data[name]
        assert result["errors"] == [], result["errors"]
        return result

    async def fails(self, mutation: str, input: dict, token: str | None = None) -> list[dict]:
        name = mutation.split("(")[0].split("{")[0].strip()
        data = await self.call(f"mutation($input: {_input_type(name)}!) {{ {mutation} }}", {"input": input}, token)
        errors = data[name]["errors"]
        assert errors, f"expected user errors from {name}"
        return errors

    async def login(self, email: str, password: str = PASSWORD) -> str:
        res = await self.ok("login(input: $input) { token errors { code } }", {"email": email, "password": password})
        return res["token"]


def _input_type(mutation_name: str) -> str:
    return mutation_name[0].upper() + mutation_name[1:] + "Input"


# ---- accounts, organisations, needs ------------------------------------------------------------

ORG_FIELDS = "token organisation { id name kind regionCode parent { id } } errors { code field message }"
NEED_FIELDS = (
    "need { id title category urgency status beneficiaryNotes address requiredCredentials "
    "tasks(first: 100) { totalCount edges { node { id startsAt endsAt slots filled status } } } } "
    "errors { code field message }"
)
VOLUNTEER_FIELDS = (
    "token volunteer { id name skills { skill level } languages travelRadiusKm email home { lat lng } } "
    "errors { code field message }"
)
ALL_WEEK = [
    {"weekday": d, "startHour": 0, "endHour": 24}
    for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
]


async def admin_token(services: Services, api: Api) -> str:
    email = f"{unique('admin')}@example.cn"
    await services.accounts.create_admin(email, PASSWORD, "管理员")
    return await api.login(email)


def volunteer_input(**over: object) -> dict:
    base = {
        "name": "王芳", "email": f"{unique('v')}@example.cn", "password": PASSWORD,
        "home": {"lat": 30.33, "lng": 112.24}, "travelRadiusKm": 5.0,
        "skills": [{"skill": "MEAL_DELIVERY", "level": 3}], "languages": ["MANDARIN", "JINGZHOU_DIALECT"],
        "credentials": [{"kind": "FIRST_AID_CERT", "expiresOn": "2030-01-01"}],
        "availability": [{"weekday": "MONDAY", "startHour": 8, "endHour": 12}],
        "blackoutDates": ["2030-01-01"], "maxHoursPerWeek": 6,
    }  # fmt: skip
    base.update(over)
    return base


def org_input(name: str, kind: str, region: str, parent: str | None = None, **over: object) -> dict:
    return {
        "name": name, "kind": kind, "regionCode": region, "parentId": parent,
        "location": {"lat": 30.33, "lng": 112.24},
        "coordinator": {"email": f"{unique('c')}@example.cn", "password": PASSWORD, "displayName": f"{name} 站长"},
        **over,
    }  # fmt: skip


async def hierarchy(services: Services, api: Api) -> dict:
    """City → county → township → village, each with its own coordinator token."""
    admin = await admin_token(services, api)
    register = f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}"
    city = await api.ok(register, org_input("荆州市社会工作指导中心", "CITY_CENTER", "421000"), admin)
    county = await api.ok(
        register, org_input("江陵县社工总站", "COUNTY_STATION", "421024", city["organisation"]["id"]), city["token"]
    )
    town = await api.ok(
        register,
        org_input("马家寨乡社工站", "TOWNSHIP_STATION", "421024101", county["organisation"]["id"]),
        county["token"],
    )
    village = await api.ok(
        register, org_input("同心村社工室", "VILLAGE_ROOM", "421024101201", town["organisation"]["id"]), town["token"]
    )
    return {"admin": admin, "city": city, "county": county, "town": town, "village": village}


def need_input(org_id: str, **over: object) -> dict:
    start = future(3)
    base = {
        "organisationId": org_id, "title": "给吴奶奶送午餐", "category": "ELDER_CARE", "urgency": "ROUTINE",
        "description": "每周一、四送餐上门", "location": {"lat": 30.34, "lng": 112.25},
        "address": "同心村3组12号", "requiredSkills": [{"skill": "MEAL_DELIVERY", "minLevel": 2}],
        "languages": ["JINGZHOU_DIALECT"], "beneficiaryNotes": "独居, 糖尿病, 喜欢聊天",
        "tasks": [{"startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat(), "slots": 2}],
    }  # fmt: skip
    base.update(over)
    return base


_spots = itertools.count()


def lonely_spot() -> dict:
    """A place no other test of this session uses, so matching results are this test's alone: the
    next point of a 1° grid (≥ 84 km apart, four times the largest travel radius the tests use)."""
    n = next(_spots) % (6 * 15)
    return {"lat": 38.5 + n // 15, "lng": 85.5 + n % 15}


# ---- engagement ----------------------------------------------------------------------------------

APP = "application { id status invited task { id filled status } } errors { code field message }"
ATTEND = (
    "assignment { id status flags checkIn { distanceM flags } checkOut { flags } } flags errors { code field message }"
)
TASK_LOCATION = {"lat": 30.34, "lng": 112.25}


async def make_volunteers(services: Services, repos: Repositories, n: int, **profile: object) -> list[dict]:
    """Volunteer and account documents sharing one password hash, announced like a registration."""
    now = CLOCK.now()
    accounts, volunteers, out = [], [], []
    for i in range(n):
        vid, aid, email = new_id(), new_id(), f"{unique('bulk')}@example.cn"
        accounts.append(
            {
                "_id": aid,
                "email": email,
                "password_hash": shared_hash(),
                "role": "VOLUNTEER",
                "display_name": f"志愿者{i}",
                "volunteer_id": vid,
                "created_at": now,
            }
        )
        volunteers.append(
            {
                "_id": vid,
                "account_id": aid,
                "email": email,
                "active": True,
                "name": f"志愿者{i}",
                "home": {"lat": 30.33, "lng": 112.24},
                "travel_radius_km": 5.0,
                "skills": [{"code": "MEAL_DELIVERY", "level": 3}],
                "credentials": [],
                "languages": ["MANDARIN"],
                "availability": [],
                "blackout_dates": [],
                "max_hours_per_week": 8,
                "emergency_responder": False,
                "created_at": now,
                "updated_at": now,
                **profile,
            }
        )
        out.append(
            {
                "id": vid,
                "gid": encode_id("Volunteer", vid),
                "token": services.accounts.tokens.issue(aid),
                "email": email,
            }
        )
    await services.accounts.import_accounts(accounts)
    await repos.volunteers.insert_many(volunteers)
    await services.changes.publish("volunteer", *volunteers)
    return out


def window(days: float, hours: float = 2, offset_hours: float = 0) -> tuple[datetime, datetime]:
    start = future(days, offset_hours)
    return start, start + timedelta(hours=hours)


async def post_tasks(
    api: Api, org: dict, windows: list[tuple[datetime, datetime]], slots: int = 1, auto: bool = False, **over: object
) -> list[str]:
    inp = need_input(
        org["organisation"]["id"],
        autoAccept=auto,
        requiredCredentials=[],
        tasks=[{"startsAt": s.isoformat(), "endsAt": e.isoformat(), "slots": slots} for s, e in windows],
        **over,
    )
    res = await api.ok(
        "postNeed(input: $input) { need { id tasks(first: 100) { edges { node { id } } } } "
        "errors { code field message } }",
        inp,
        org["token"],
    )
    return [e["node"]["id"] for e in res["need"]["tasks"]["edges"]]


async def apply(api: Api, task_id: str, token: str | None) -> dict:
    data = await api.call(
        f"mutation($input: ApplyToTaskInput!) {{ applyToTask(input: $input) {{ {APP} }} }}",
        {"input": {"taskId": task_id}},
        token,
    )
    return data["applyToTask"]


async def review(api: Api, application: str, decision: str, token: str) -> dict:
    data = await api.call(
        f"mutation($input: ReviewApplicationInput!) {{ reviewApplication(input: $input) {{ {APP} }} }}",
        {"input": {"applicationId": application, "decision": decision}},
        token,
    )
    return data["reviewApplication"]


async def task_state(api: Api, task_id: str) -> dict:
    q = "query($id: ID!) { node(id: $id) { ... on Task { filled status slots } } }"
    return (await api.call(q, {"id": task_id}))["node"]


async def shift_task(repos: Repositories, task_gid: str, starts: datetime, ends: datetime) -> None:
    """Moves one task in time; the shared clock stays where it is for every other test."""
    await repos.tasks.set_fields(
        raw(task_gid), {"starts_at": starts.replace(microsecond=0), "ends_at": ends.replace(microsecond=0)}
    )


# ---- hours: a fresh city of stations -------------------------------------------------------------

REC = "recordHours(input: $input) { entries { id minutes status servedOn source } errors { code field message } }"
VERIFY = "verifyHours(input: $input) { entries { id status } errors { code field message } }"
CORRECT = (
    "correctHours(input: $input) { correction { id minutes status source reason corrects { id } "
    "correctedMinutes } original { id correctedMinutes } errors { code field message } }"
)
TALLIES = (
    "query($scope: HourScopeInput!, $groupBy: TallyGroup!, $from: Date, $to: Date) { "
    "hourTallies(scope: $scope, groupBy: $groupBy, from: $from, to: $to) "
    "{ key label minutes entries volunteers } }"
)


@dataclass
class World:
    admin: str
    city_code: str
    orgs: dict[str, str] = field(default_factory=dict)  # name → global id
    raw_orgs: dict[str, str] = field(default_factory=dict)  # name → raw id
    tokens: dict[str, str] = field(default_factory=dict)  # org name → coordinator token
    volunteers: dict[str, str] = field(default_factory=dict)  # name → global id
    volunteer_tokens: dict[str, str] = field(default_factory=dict)


def fresh_city(services: Services) -> str:
    """A 4-digit city prefix no organisation uses yet, so region tallies see only this test's data."""
    codes = [o["region_code"] for o in services.organisations.directory.orgs.values()]
    while True:
        prefix = f"{random.randint(11, 65)}{random.randint(10, 99)}"
        if not any(c.startswith(prefix) for c in codes):
            return prefix


async def add_org(api: Api, w: World, name: str, kind: str, region: str, parent: str | None) -> None:
    inp = {
        "name": name,
        "kind": kind,
        "regionCode": region,
        "location": {"lat": 30.3, "lng": 112.2},
        "coordinator": {"email": f"{unique('co')}@example.cn", "password": PASSWORD, "displayName": "社工"},
    }
    if parent:
        inp["parentId"] = w.orgs[parent]
    res = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}", inp, token=w.admin)
    w.orgs[name] = res["organisation"]["id"]
    w.tokens[name] = res["token"]
    w.raw_orgs[name] = raw(res["organisation"]["id"])


async def build_world(services: Services, api: Api) -> World:
    """city ← county ← township ← village, plus a team under the township and a second county."""
    city = fresh_city(services)
    w = World(admin=await admin_token(services, api), city_code=city)
    await add_org(api, w, "市指导中心", "CITY_CENTER", f"{city}00", None)
    await add_org(api, w, "江陵县总站", "COUNTY_STATION", f"{city}24", "市指导中心")
    await add_org(api, w, "沙市区总站", "COUNTY_STATION", f"{city}02", "市指导中心")
    await add_org(api, w, "马家寨乡社工站", "TOWNSHIP_STATION", f"{city}24101", "江陵县总站")
    await add_org(api, w, "同心村社工室", "VILLAGE_ROOM", f"{city}24101201", "马家寨乡社工站")
    await add_org(api, w, "爱心妈妈志愿服务队", "VOLUNTEER_TEAM", f"{city}24101", "马家寨乡社工站")
    await add_org(api, w, "沙市社工站", "TOWNSHIP_STATION", f"{city}02001", "沙市区总站")
    return w


async def add_volunteers(services: Services, repos: Repositories, w: World, *names: str) -> None:
    """Named volunteers, written straight to the database with one shared hash."""
    for name in names:
        (made,) = await make_volunteers(
            services, repos, 1, name=name, home={"lat": 30.3, "lng": 112.2}, skills=[], languages=[]
        )
        w.volunteers[name] = made["gid"]
        w.volunteer_tokens[name] = made["token"]


def activity(y: int, mo: int, d: int, minutes: int, h: int = 9) -> dict:
    """`startedAt`/`endedAt` of an activity on a local day."""
    start = local(y, mo, d, h)
    return {"startedAt": start.isoformat(), "endedAt": (start + timedelta(minutes=minutes)).isoformat()}


async def committee_token(api: Api, w: World, region: str) -> str:
    email = f"{unique('cm')}@example.cn"
    await api.ok(
        "createCommitteeAccount(input: $input) { account { id } errors { code field message } }",
        {"email": email, "password": PASSWORD, "displayName": "居委会", "regionCode": region},
        token=w.admin,
    )
    return await api.login(email)


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)
