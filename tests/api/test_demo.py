"""The demo data set, loaded into a database of its own on the session's engine."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import date

import httpx
import pytest

from api.app import create_app
from api.runtime import Runtime
from db.repositories import Repositories
from matching.catalogue import CATEGORIES
from services.clock import local_today
from services.demo.load import ADMIN_EMAIL, COMMITTEE_EMAIL, coordinator_email
from services.demo.needs import NEEDS
from services.demo.people import DEMO_PASSWORD, volunteer_email, volunteer_profiles
from services.demo.places import AREAS, ORGANISATIONS
from services.errors import DomainError, ErrorCode
from tests.support import CLOCK, Api

LOGIN = "login(input: $input) { token viewer { role email displayName } errors { code field message } }"


@pytest.fixture(scope="module")
async def demo(runtime, settings):
    uri = runtime.engine.uri if runtime.engine else settings.mongodb_uri
    demo_settings = dataclasses.replace(settings, mongodb_uri=uri, database_name=f"vm_demo_{os.getpid()}")
    rt = Runtime(demo_settings, CLOCK)
    services = await rt.start()
    started = time.perf_counter()
    counts = await services.demo.load()
    print(f"demo load: {time.perf_counter() - started:.1f} s, {counts}")
    yield rt, counts
    await rt.database.client.drop_database(demo_settings.database_name)
    await rt.stop()


@pytest.fixture
async def demo_api(demo):
    rt, _ = demo
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime=rt)), base_url="http://test"
    ) as client:
        yield Api(client)


def stored(rt: Runtime) -> Repositories:
    return Repositories.open(rt.database)


async def test_counts_match_what_is_stored(demo):
    rt, counts = demo
    repos = stored(rt)
    assert counts["organisations"] == len(ORGANISATIONS)
    assert counts["volunteers"] == sum(a.volunteers for a in AREAS) >= 200
    assert counts["needs"] == len(NEEDS)
    assert counts["tasks"] > 3 * counts["needs"]
    assert counts["accounts"] == counts["organisations"] + counts["volunteers"] + 2
    kinds = {
        "organisations": repos.organisations,
        "accounts": repos.accounts,
        "volunteers": repos.volunteers,
        "needs": repos.needs,
        "tasks": repos.tasks,
    }
    for kind, repo in kinds.items():
        assert await repo.coll.count_documents({}) == counts[kind], kind


async def test_every_tier_and_category_and_both_schedules(demo):
    rt = demo[0]
    repos = stored(rt)
    kinds = {o["kind"] for o in rt.services.organisations.directory.orgs.values()}
    assert kinds == {"CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION", "VILLAGE_ROOM", "AGENCY", "VOLUNTEER_TEAM"}
    needs = [n async for n in repos.needs.scan()]
    assert {n["category"] for n in needs} == set(CATEGORIES)
    assert all(n["beneficiary_notes"] for n in needs)
    recurring = [n for n in needs if n["recurrence"]]
    assert len(recurring) >= 5 and len(needs) - len(recurring) >= 5
    meals = [n for n in recurring if n["category"] == "ELDER_CARE" and "养老外卖" in n["title"]]
    assert meals and meals[0]["recurrence"]["weekdays"] == ["MONDAY", "THURSDAY"]
    assert any(n["category"] == "EMERGENCY_RESPONSE" and n["urgency"] == "EMERGENCY" for n in needs)
    now = CLOCK.now()
    tasks = [t async for t in repos.tasks.scan()]
    assert tasks and all(t["starts_at"] > now and t["status"] == "OPEN" for t in tasks)


async def test_volunteers_are_varied(demo):
    volunteers = [v async for v in stored(demo[0]).volunteers.scan()]
    today = local_today(CLOCK).isoformat()
    creds = [c for v in volunteers for c in v["credentials"]]
    assert any(c["expires_on"] < today for c in creds) and any(c["expires_on"] > today for c in creds)
    levels = {s["level"] for v in volunteers for s in v["skills"]}
    assert levels == {1, 2, 3, 4, 5}
    languages = {lang for v in volunteers for lang in v["languages"]}
    assert {"JINGZHOU_DIALECT", "BOUYEI", "SHUI", "JIANGHUAI_MANDARIN", "JINAN_DIALECT"} <= languages
    assert all(2 <= v["travel_radius_km"] <= 15 and v["availability"] for v in volunteers)
    assert 0 < sum(v["emergency_responder"] for v in volunteers) < len(volunteers) / 2


def test_profiles_are_deterministic():
    today = date(2030, 3, 1)
    first, again = volunteer_profiles(today), volunteer_profiles(today)
    assert [(p.name, p.home, p.email) for p in first] == [(p.name, p.home, p.email) for p in again]
    assert [p.name for p in volunteer_profiles(today, seed=1)] != [p.name for p in first]


@pytest.mark.parametrize(
    "email, role",
    [
        (ADMIN_EMAIL, "ADMIN"),
        (coordinator_email("jingzhou"), "COORDINATOR"),
        (COMMITTEE_EMAIL, "COMMITTEE"),
        (volunteer_email(1), "VOLUNTEER"),
        (volunteer_email(250), "VOLUNTEER"),  # inserted through the shared-hash shortcut
    ],
)
async def test_demo_logins(demo_api, email, role):
    res = await demo_api.ok(LOGIN, {"email": email, "password": DEMO_PASSWORD})
    assert res["viewer"]["role"] == role and res["viewer"]["email"] == email


async def test_coordinator_sees_private_notes_and_public_does_not(demo_api):
    token = (await demo_api.ok(LOGIN, {"email": coordinator_email("tongxin"), "password": DEMO_PASSWORD}))["token"]
    q = (
        "{ viewer { organisations { name needs(first: 10) { totalCount edges { node { id title beneficiaryNotes "
        "recurrence { weekdays } tasks(first: 3) { totalCount edges { node { startsAt slots status } } } } } } } } }"
    )
    org = (await demo_api.call(q, token=token))["viewer"]["organisations"][0]
    assert org["name"] == "马家寨乡同心村社工室" and org["needs"]["totalCount"] == 2
    meals = next(e["node"] for e in org["needs"]["edges"] if "养老外卖" in e["node"]["title"])
    assert meals["beneficiaryNotes"] and meals["recurrence"]["weekdays"] == ["MONDAY", "THURSDAY"]
    assert meals["tasks"]["totalCount"] == 16
    public = await demo_api.call(
        "query($id: ID!) { node(id: $id) { ... on Need { title beneficiaryNotes } } }", {"id": meals["id"]}
    )
    assert public["node"] == {"title": meals["title"], "beneficiaryNotes": None}


async def test_organisations_by_region(demo_api):
    data = await demo_api.call(
        '{ organisations(regionCode: "421000", first: 50) { totalCount edges { node { name kind regionCode } } } }'
    )
    orgs = [e["node"] for e in data["organisations"]["edges"]]
    assert data["organisations"]["totalCount"] == sum(o.region_code.startswith("4210") for o in ORGANISATIONS)
    assert all(o["regionCode"].startswith("4210") for o in orgs)
    assert {"江陵县马家寨乡社工站", "马家寨乡同心村社工室", "江陵县蓝天救援队"} <= {o["name"] for o in orgs}


async def test_loading_twice_is_refused_and_writes_nothing(demo):
    rt = demo[0]
    repos = stored(rt)
    before = await repos.accounts.coll.count_documents({})
    with pytest.raises(DomainError) as err:
        await rt.services.demo.load()
    assert err.value.code == ErrorCode.DEMO_ALREADY_LOADED
    assert await repos.accounts.coll.count_documents({}) == before
