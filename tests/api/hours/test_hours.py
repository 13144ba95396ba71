"""The hours ledger through the real API: record, verify, reject, correct, tallies, CSV, rebuild."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from db.repo import new_id
from schema.base.ids import decode_id, encode_id
from tests.support import (
    CLOCK,
    CORRECT,
    REC,
    TALLIES,
    VERIFY,
    Api,
    World,
    activity,
    add_volunteers,
    build_world,
    committee_token,
)

VOL_Q = "query($id: ID!) { node(id: $id) { ... on Volunteer { verifiedMinutes starLevel } } }"


@pytest.fixture
async def world(api, services, repos) -> World:
    w = await build_world(services, api)
    await add_volunteers(services, repos, w, "王芳", "李强", "张敏")
    return w


@pytest.fixture(scope="module")
async def shared_world(runtime, services, repos) -> World:
    """For tests that write nothing: built once."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime=runtime)), base_url="http://test"
    ) as client:
        w = await build_world(services, Api(client))
    await add_volunteers(services, repos, w, "王芳")
    return w


async def record(
    api, w: World, org: str, names: list[str], day: tuple, minutes: int, category="ELDER_CARE", **over
) -> list[dict]:
    inp = {
        "organisationId": w.orgs[org],
        "category": category,
        "volunteerIds": [w.volunteers[n] for n in names],
        **activity(*day[:3], minutes, *day[3:]),
        **over,
    }
    return (await api.ok(REC, inp, token=w.tokens[org]))["entries"]


async def verify(api, w: World, org: str, entries: list[dict], decision="VERIFY") -> list[dict]:
    return (await api.ok(VERIFY, {"entryIds": [e["id"] for e in entries], "decision": decision}, token=w.tokens[org]))[
        "entries"
    ]


async def tallies(api, token: str, scope: dict, group_by: str, start="2024-03-01", end="2024-03-31") -> list[dict]:
    return (await api.call(TALLIES, {"scope": scope, "groupBy": group_by, "from": start, "to": end}, token=token))[
        "hourTallies"
    ]


async def volunteer_stars(api, w: World, name: str) -> dict:
    return (await api.call(VOL_Q, {"id": w.volunteers[name]}, token=w.volunteer_tokens[name]))["node"]


async def test_record_verify_moves_verified_minutes_and_star_level(api, world):
    w = world
    assert await volunteer_stars(api, w, "王芳") == {"verifiedMinutes": 0, "starLevel": 0}
    entries = []
    for day in range(1, 6):
        entries += await record(
            api, w, "马家寨乡社工站", ["王芳", "李强"], (2024, 3, day), 1200, title="重阳节敬老活动"
        )
    assert len(entries) == 10 and {e["status"] for e in entries} == {"PENDING"}
    assert {e["source"] for e in entries} == {"MANUAL"} and entries[0]["servedOn"] == "2024-03-01"
    assert await volunteer_stars(api, w, "王芳") == {"verifiedMinutes": 0, "starLevel": 0}
    decided = await verify(api, w, "马家寨乡社工站", entries[:9])
    assert {e["status"] for e in decided} == {"VERIFIED"}
    assert await volunteer_stars(api, w, "王芳") == {"verifiedMinutes": 6000, "starLevel": 1}
    assert await volunteer_stars(api, w, "李强") == {"verifiedMinutes": 4800, "starLevel": 0}


async def test_reject_and_already_decided(api, world):
    w = world
    a, b = await record(api, w, "同心村社工室", ["王芳", "李强"], (2024, 3, 2), 90)
    await verify(api, w, "同心村社工室", [a], "REJECT")
    await verify(api, w, "同心村社工室", [b])
    errors = await api.fails(
        VERIFY, {"entryIds": [a["id"], b["id"]], "decision": "VERIFY"}, token=w.tokens["同心村社工室"]
    )
    assert [(e["code"], e["field"]) for e in errors] == [
        ("ALREADY_DECIDED", ["entryIds", "0"]),
        ("ALREADY_DECIDED", ["entryIds", "1"]),
    ]
    assert (await volunteer_stars(api, w, "王芳"))["verifiedMinutes"] == 0
    assert (await volunteer_stars(api, w, "李强"))["verifiedMinutes"] == 90
    # the same activity again: refused while an entry stands, allowed once the old one is rejected
    errors = await api.fails(
        REC,
        {
            "organisationId": w.orgs["同心村社工室"],
            "category": "ELDER_CARE",
            "volunteerIds": [w.volunteers["李强"]],
            **activity(2024, 3, 2, 90),
        },
        token=w.tokens["同心村社工室"],
    )
    assert errors[0]["code"] == "ALREADY_RECORDED"
    again = await record(api, w, "同心村社工室", ["王芳"], (2024, 3, 2), 60)
    assert again[0]["id"] != a["id"]


async def test_corrections_offset_the_original(api, world, services, repos):
    w = world
    (entry,) = await record(api, w, "马家寨乡社工站", ["张敏"], (2024, 3, 5), 120)
    coord = w.tokens["马家寨乡社工站"]
    errors = await api.fails(CORRECT, {"entryId": entry["id"], "minutes": 90, "reason": "提前离开"}, token=coord)
    assert errors[0]["code"] == "NOT_VERIFIED"
    await verify(api, w, "马家寨乡社工站", [entry])
    res = await api.ok(CORRECT, {"entryId": entry["id"], "minutes": 90, "reason": "提前离开"}, token=coord)
    c1 = res["correction"]
    assert (c1["minutes"], c1["status"], c1["source"], c1["reason"]) == (-30, "VERIFIED", "CORRECTION", "提前离开")
    assert c1["corrects"]["id"] == entry["id"] and res["original"]["correctedMinutes"] == 90
    assert (await volunteer_stars(api, w, "张敏"))["verifiedMinutes"] == 90
    # correcting the correction targets the original activity
    res = await api.ok(CORRECT, {"entryId": c1["id"], "minutes": 150, "reason": "补录签到"}, token=coord)
    assert res["correction"]["minutes"] == 60 and res["correction"]["corrects"]["id"] == entry["id"]
    assert (await volunteer_stars(api, w, "张敏"))["verifiedMinutes"] == 150
    for inp, code in [
        ({"minutes": -10}, "NEGATIVE_TOTAL"),
        ({"minutes": 150}, "NO_CHANGE"),
        ({"minutes": 2000}, "INVALID_DURATION"),
        ({"reason": " "}, "INVALID_INPUT"),
    ]:
        errors = await api.fails(CORRECT, {"entryId": c1["id"], "minutes": 60, "reason": "x", **inp}, token=coord)
        assert errors[0]["code"] == code
    errors = await api.fails(
        CORRECT, {"entryId": entry["id"], "minutes": 10, "reason": "x"}, token=w.tokens["沙市社工站"]
    )
    assert errors[0]["code"] == "FORBIDDEN"
    # the parent station's coordinator manages the township's entries
    await api.ok(CORRECT, {"entryId": entry["id"], "minutes": 0, "reason": "未到岗"}, token=w.tokens["江陵县总站"])
    assert (await volunteer_stars(api, w, "张敏"))["verifiedMinutes"] == 0
    corrections = await repos.hour_entries.coll.count_documents({"corrects": decode_id(entry["id"])[1]})
    assert corrections == 3


async def test_concurrent_corrections_never_go_negative(api, world):
    w = world
    (entry,) = await record(api, w, "马家寨乡社工站", ["张敏"], (2024, 3, 6), 100)
    await verify(api, w, "马家寨乡社工站", [entry])
    coord = w.tokens["马家寨乡社工站"]
    results = await asyncio.gather(
        *(
            api.raw(
                f"mutation($input: CorrectHoursInput!) {{ {CORRECT} }}",
                {"input": {"entryId": entry["id"], "minutes": m, "reason": "核对"}},
                token=coord,
            )
            for m in (40, 30, 20, 10, 0)
        )
    )
    assert all(not r["data"]["correctHours"]["errors"] for r in results)
    minutes = (await volunteer_stars(api, w, "张敏"))["verifiedMinutes"]
    assert minutes in (40, 30, 20, 10, 0)


async def test_concurrent_verifications_count_once(api, world):
    w = world
    entries = await record(api, w, "马家寨乡社工站", ["王芳"], (2024, 3, 7), 60)
    coord = w.tokens["马家寨乡社工站"]
    q = f"mutation($input: VerifyHoursInput!) {{ {VERIFY} }}"
    results = await asyncio.gather(
        *(api.raw(q, {"input": {"entryIds": [entries[0]["id"]], "decision": "VERIFY"}}, token=coord) for _ in range(8))
    )
    ok = [r for r in results if not r["data"]["verifyHours"]["errors"]]
    assert len(ok) == 1
    assert {r["data"]["verifyHours"]["errors"][0]["code"] for r in results if r not in ok} == {"ALREADY_DECIDED"}
    assert (await volunteer_stars(api, w, "王芳"))["verifiedMinutes"] == 60


@pytest.mark.parametrize(
    "over, code, field",
    [
        ({"endedAt": "2024-03-03T09:00:00+08:00"}, "INVALID_DURATION", ["endedAt"]),
        ({"endedAt": "2024-03-01T08:00:00+08:00"}, "INVALID_DURATION", ["endedAt"]),
        ({"endedAt": "2024-03-01T09:00:00+08:00"}, "INVALID_DURATION", ["endedAt"]),
        ({"minutes": 0}, "INVALID_DURATION", ["minutes"]),
        ({"minutes": 121}, "INVALID_DURATION", ["minutes"]),
        ({"minutes": -5}, "INVALID_DURATION", ["minutes"]),
        ({"volunteerIds": []}, "INVALID_INPUT", ["volunteerIds"]),
        ({"category": None}, "INVALID_INPUT", ["category"]),
        ({"title": "x" * 201}, "TOO_LONG", ["title"]),
        ({"volunteerIds": ["bm9wZQ"]}, "INVALID_ID", ["volunteerIds", "0"]),
        ({"volunteerIds": [encode_id("Volunteer", "000000000000000000000000")]}, "NOT_FOUND", ["volunteerIds", "0"]),
        ({"organisationId": encode_id("Organisation", "000000000000000000000000")}, "NOT_FOUND", ["organisationId"]),
    ],
)
async def test_record_rejects_bad_input_and_writes_nothing(api, services, repos, shared_world, over, code, field):
    w = shared_world
    before = await repos.hour_entries.coll.count_documents({})
    inp = {
        "organisationId": w.orgs["马家寨乡社工站"],
        "category": "ELDER_CARE",
        "volunteerIds": [w.volunteers["王芳"]],
        "startedAt": "2024-03-01T09:00:00+08:00",
        "endedAt": "2024-03-01T11:00:00+08:00",
        **over,
    }
    errors = await api.fails(REC, inp, token=w.tokens["马家寨乡社工站"])
    assert (errors[0]["code"], errors[0]["field"]) == (code, field)
    assert await repos.hour_entries.coll.count_documents({}) == before


async def test_record_future_cancelled_and_foreign(api, services, repos, world):
    w = world
    coord = w.tokens["马家寨乡社工站"]
    start = CLOCK.now() + timedelta(hours=1)
    errors = await api.fails(
        REC,
        {
            "organisationId": w.orgs["马家寨乡社工站"],
            "category": "ELDER_CARE",
            "volunteerIds": [w.volunteers["王芳"]],
            "startedAt": start.isoformat(),
            "endedAt": (start + timedelta(hours=1)).isoformat(),
        },
        token=coord,
    )
    assert errors[0]["code"] == "INVALID_TIME_RANGE"
    errors = await api.fails(
        REC,
        {
            "organisationId": w.orgs["马家寨乡社工站"],
            "category": "ELDER_CARE",
            "volunteerIds": [w.volunteers["王芳"]],
            **activity(2024, 3, 1, 60),
        },
        token=w.tokens["沙市社工站"],
    )
    assert errors[0]["code"] == "FORBIDDEN"
    errors = await api.fails(
        REC,
        {
            "organisationId": w.orgs["马家寨乡社工站"],
            "category": "ELDER_CARE",
            "volunteerIds": [w.volunteers["王芳"]],
            **activity(2024, 3, 1, 60),
        },
        token=w.volunteer_tokens["王芳"],
    )
    assert errors[0]["code"] == "FORBIDDEN"
    task_id = await post_task(api, w, "马家寨乡社工站")
    await api.ok(
        "cancelNeed(input: $input) { need { id } errors { code } }",
        {"needId": (await task_need(api, w, task_id))},
        token=coord,
    )
    now = CLOCK.now()
    errors = await api.fails(
        REC,
        {
            "taskId": task_id,
            "volunteerIds": [w.volunteers["王芳"]],
            "startedAt": (now - timedelta(minutes=30)).isoformat(),
            "endedAt": now.isoformat(),
        },
        token=coord,
    )
    assert errors[0]["code"] == "TASK_CANCELLED"


async def post_task(api, w: World, org: str, category: str = "ELDER_CARE") -> str:
    now = CLOCK.now()
    res = await api.ok(
        "postNeed(input: $input) { need { tasks { edges { node { id } } } } errors { code field message } }",
        {
            "organisationId": w.orgs[org],
            "title": "送餐",
            "category": category,
            "location": {"lat": 30.3, "lng": 112.2},
            "requiredCredentials": [],
            "tasks": [
                {
                    "startsAt": (now - timedelta(minutes=50)).isoformat(),
                    "endsAt": (now - timedelta(minutes=5)).isoformat(),
                    "slots": 3,
                }
            ],
        },
        token=w.tokens[org],
    )
    return res["need"]["tasks"]["edges"][0]["node"]["id"]


async def task_need(api, w: World, task_id: str) -> str:
    res = await api.call("query($id: ID!) { node(id: $id) { ... on Task { need { id } } } }", {"id": task_id})
    return res["node"]["need"]["id"]


async def test_record_on_a_task_takes_its_organisation_and_category(api, services, repos, world):
    w = world
    task_id = await post_task(api, w, "同心村社工室", "CHILD_CARE")
    now = CLOCK.now()
    inp = {
        "taskId": task_id,
        "volunteerIds": [w.volunteers["王芳"], w.volunteers["李强"]],
        "startedAt": (now - timedelta(minutes=45)).isoformat(),
        "endedAt": now.isoformat(),
        "idempotencyKey": "group-1",
    }
    first = await api.ok(REC, inp, token=w.tokens["马家寨乡社工站"])
    again = await api.ok(REC, inp, token=w.tokens["马家寨乡社工站"])
    assert [e["id"] for e in first["entries"]] == [e["id"] for e in again["entries"]]
    raw = await repos.hour_entries.get(decode_id(first["entries"][0]["id"])[1])
    assert (raw["category"], raw["organisation_id"], raw["task_id"]) == (
        "CHILD_CARE",
        w.raw_orgs["同心村社工室"],
        decode_id(task_id)[1],
    )
    errors = await api.fails(REC, {**inp, "idempotencyKey": None}, token=w.tokens["同心村社工室"])
    assert [e["code"] for e in errors] == ["ALREADY_RECORDED", "ALREADY_RECORDED"]


async def checkout_entry(services, assignment: dict, task: dict, checked_in, checked_out, flags: list[str]) -> dict:
    """What a check-out writes: the planned entry, or the live one the activity already has."""
    write_id = new_id()
    planned = await services.ledger.plan_checkout_entry(assignment, task, checked_in, checked_out, flags, write_id)
    entry_id = await services.ledger.write_checkout_entry(planned, write_id)
    return (await services.ledger.get_many([entry_id]))[0]


async def test_checkout_entry_for_engagement(services, repos, world):
    w = world
    org = services.organisations.directory.get(w.raw_orgs["同心村社工室"])
    start = datetime(2024, 3, 9, 1, 0, tzinfo=UTC)
    task = {
        "_id": f"t{id(w)}",
        "organisation_id": org["_id"],
        "category": "ELDER_CARE",
        "need_id": "n1",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "status": "OPEN",
    }
    vid = decode_id(w.volunteers["王芳"])[1]
    assignment = {
        "_id": "a1",
        "volunteer_id": vid,
        "task_id": task["_id"],
        "need_id": "n1",
        "organisation_id": org["_id"],
    }
    entry = await checkout_entry(
        services, assignment, task, start - timedelta(hours=1), start + timedelta(hours=4), ["EARLY"]
    )
    assert (entry["minutes"], entry["status"], entry["source"], entry["flags"]) == (
        180,
        "PENDING",
        "CHECKOUT",
        ["EARLY"],
    )
    same = await checkout_entry(services, assignment, task, start, start + timedelta(hours=1), [])
    assert same["_id"] == entry["_id"]
    late = await checkout_entry(
        services,
        {**assignment, "volunteer_id": decode_id(w.volunteers["李强"])[1]},
        task,
        start + timedelta(hours=3),
        start + timedelta(hours=5),
        [],
    )
    assert late["minutes"] == 0 and late["flags"] == ["NO_TIME_IN_WINDOW"]


async def test_tallies_for_every_scope_and_grouping(api, services, repos, world):
    w = world
    city = w.city_code
    e1 = await record(api, w, "同心村社工室", ["王芳", "李强"], (2024, 3, 3), 60)
    e2 = await record(api, w, "马家寨乡社工站", ["王芳"], (2024, 3, 4), 120, category="CHILD_CARE")
    e3 = await record(api, w, "爱心妈妈志愿服务队", ["张敏"], (2024, 3, 5), 30)
    e4 = await record(api, w, "沙市社工站", ["王芳"], (2024, 3, 31, 20), 45)
    e5 = await record(api, w, "沙市社工站", ["李强"], (2024, 4, 1, 5), 100)  # still 31 March in UTC
    pending = await record(api, w, "沙市社工站", ["李强"], (2024, 3, 8), 500)
    for org, es in [("同心村社工室", e1), ("马家寨乡社工站", e2), ("爱心妈妈志愿服务队", e3), ("沙市社工站", e4 + e5)]:
        await verify(api, w, org, es)
    assert pending[0]["status"] == "PENDING"
    admin = w.admin
    city_scope = {"regionCode": f"{city}00"}
    by = {
        g: await tallies(api, admin, city_scope, g)
        for g in ("VOLUNTEER", "ORGANISATION", "REGION", "CATEGORY", "MONTH")
    }
    assert by["MONTH"] == [{"key": "2024-03", "label": "2024年3月", "minutes": 315, "entries": 5, "volunteers": 3}]
    assert {t["label"]: (t["minutes"], t["entries"], t["volunteers"]) for t in by["VOLUNTEER"]} == {
        "王芳": (225, 3, 1),
        "李强": (60, 1, 1),
        "张敏": (30, 1, 1),
    }
    assert by["VOLUNTEER"][0]["key"] == w.volunteers["王芳"]
    assert {t["label"]: (t["minutes"], t["entries"], t["volunteers"]) for t in by["ORGANISATION"]} == {
        "同心村社工室": (120, 2, 2),
        "马家寨乡社工站": (120, 1, 1),
        "爱心妈妈志愿服务队": (30, 1, 1),
        "沙市社工站": (45, 1, 1),
    }
    assert {t["key"]: (t["minutes"], t["entries"], t["volunteers"]) for t in by["REGION"]} == {
        f"{city}24101201": (120, 2, 2),
        f"{city}24101": (150, 2, 2),
        f"{city}02001": (45, 1, 1),
    }
    assert {t["key"]: t["label"] for t in by["REGION"]}[f"{city}02001"] == "沙市社工站"
    assert {t["key"]: (t["minutes"], t["entries"], t["volunteers"]) for t in by["CATEGORY"]} == {
        "ELDER_CARE": (195, 4, 3),
        "CHILD_CARE": (120, 1, 1),
    }
    for g, rows in by.items():
        assert sum(t["minutes"] for t in rows) == 315, g
    # organisation scope: the township's whole subtree
    town = {"organisationId": w.orgs["马家寨乡社工站"]}
    rows = await tallies(api, w.tokens["马家寨乡社工站"], town, "ORGANISATION")
    assert {t["label"]: t["minutes"] for t in rows} == {
        "同心村社工室": 120,
        "马家寨乡社工站": 120,
        "爱心妈妈志愿服务队": 30,
    }
    rows = await tallies(api, w.tokens["马家寨乡社工站"], town, "MONTH", "2024-01-01", "2024-04-30")
    assert [(t["key"], t["minutes"]) for t in rows] == [("2024-03", 270)]
    # region scope, narrower; two months
    rows = await tallies(api, admin, {"regionCode": f"{city}02"}, "MONTH", "2024-03-01", "2024-04-30")
    assert [(t["key"], t["minutes"], t["volunteers"]) for t in rows] == [("2024-03", 45, 1), ("2024-04", 100, 1)]
    # volunteer scope: the volunteer themselves
    me = {"volunteerId": w.volunteers["王芳"]}
    rows = await tallies(api, w.volunteer_tokens["王芳"], me, "ORGANISATION")
    assert {t["label"]: t["minutes"] for t in rows} == {"同心村社工室": 60, "马家寨乡社工站": 120, "沙市社工站": 45}
    rows = await tallies(api, w.volunteer_tokens["王芳"], me, "VOLUNTEER")
    assert rows == [{"key": w.volunteers["王芳"], "label": "王芳", "minutes": 225, "entries": 3, "volunteers": 1}]
    rows = await tallies(api, w.volunteer_tokens["王芳"], me, "CATEGORY")
    assert {t["key"]: t["minutes"] for t in rows} == {"ELDER_CARE": 105, "CHILD_CARE": 120}


async def test_tally_authorization(api, services, repos, world):
    w = world
    city = w.city_code
    committee = await committee_token(api, w, f"{city}24101")
    rows = await tallies(api, committee, {"regionCode": f"{city}24101"}, "CATEGORY")
    assert rows == []
    await tallies(api, committee, {"organisationId": w.orgs["同心村社工室"]}, "CATEGORY")
    cases = [
        (committee, {"regionCode": f"{city}24"}, "FORBIDDEN"),
        (committee, {"organisationId": w.orgs["沙市社工站"]}, "FORBIDDEN"),
        (w.tokens["同心村社工室"], {"organisationId": w.orgs["马家寨乡社工站"]}, "FORBIDDEN"),
        (w.tokens["马家寨乡社工站"], {"regionCode": f"{city}24101"}, "FORBIDDEN"),
        (w.volunteer_tokens["王芳"], {"volunteerId": w.volunteers["李强"]}, "FORBIDDEN"),
        (w.volunteer_tokens["王芳"], {"organisationId": w.orgs["同心村社工室"]}, "FORBIDDEN"),
        (None, {"volunteerId": w.volunteers["李强"]}, "UNAUTHENTICATED"),
        (w.admin, {"regionCode": "12"}, "INVALID_REGION"),
        (w.admin, {"regionCode": f"{city}00", "volunteerId": w.volunteers["李强"]}, "INVALID_INPUT"),
        (w.admin, {"organisationId": encode_id("Organisation", "nope")}, "NOT_FOUND"),
        (w.admin, {"organisationId": w.volunteers["李强"]}, "INVALID_ID"),
    ]
    for token, scope, code in cases:
        body = await api.raw(
            TALLIES, {"scope": scope, "groupBy": "MONTH", "from": "2024-03-01", "to": "2024-03-31"}, token=token
        )
        assert body["errors"][0]["extensions"]["code"] == code, (scope, body)
    for start, end in [
        ("2024-04-01", "2024-03-31"),
        ("2024-03-02", "2024-03-31"),
        ("2024-03-01", "2024-03-30"),
        ("2000-01-01", "2024-03-31"),
    ]:
        body = await api.raw(
            TALLIES, {"scope": {"regionCode": f"{city}00"}, "groupBy": "MONTH", "from": start, "to": end}, token=w.admin
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_RANGE"
    entries = await record(api, w, "马家寨乡社工站", ["王芳"], (2024, 3, 1), 60)
    errors = await api.fails(
        VERIFY, {"entryIds": [entries[0]["id"]], "decision": "VERIFY"}, token=w.tokens["同心村社工室"]
    )
    assert errors[0]["code"] == "FORBIDDEN"
    errors = await api.fails(
        VERIFY, {"entryIds": [encode_id("HourEntry", "x:y:1")], "decision": "VERIFY"}, token=w.tokens["同心村社工室"]
    )
    assert (errors[0]["code"], errors[0]["field"]) == ("NOT_FOUND", ["entryIds", "0"])


async def test_csv_export_equals_graphql(api, client, services, repos, world):
    w = world
    es = await record(api, w, "同心村社工室", ["王芳", "李强", "张敏"], (2024, 3, 3), 60)
    es += await record(api, w, "爱心妈妈志愿服务队", ["王芳"], (2024, 3, 4), 75, category="CHILD_CARE")
    await verify(api, w, "同心村社工室", es[:3])
    await verify(api, w, "爱心妈妈志愿服务队", es[3:])
    committee = await committee_token(api, w, f"{w.city_code}24101")
    for group_by in ("VOLUNTEER", "ORGANISATION", "REGION", "CATEGORY", "MONTH"):
        want = await tallies(api, committee, {"regionCode": f"{w.city_code}24101"}, group_by)
        r = await client.get(
            "/exports/hours.csv",
            params={"regionCode": f"{w.city_code}24101", "groupBy": group_by, "from": "2024-03-01", "to": "2024-03-31"},
            headers={"Authorization": f"Bearer {committee}"},
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        got = [
            {
                "key": x["key"],
                "label": x["label"],
                "minutes": int(x["minutes"]),
                "entries": int(x["entries"]),
                "volunteers": int(x["volunteers"]),
            }
            for x in rows
        ]
        assert got == want and want
    r = await client.get("/exports/hours.csv", params={"regionCode": f"{w.city_code}24101", "groupBy": "MONTH"})
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "UNAUTHENTICATED"
    r = await client.get(
        "/exports/hours.csv",
        params={"regionCode": f"{w.city_code}02", "groupBy": "MONTH"},
        headers={"Authorization": f"Bearer {committee}"},
    )
    assert r.status_code == 403
    r = await client.get(
        "/exports/hours.csv",
        params={"regionCode": f"{w.city_code}24101", "groupBy": "WEEK"},
        headers={"Authorization": f"Bearer {committee}"},
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == ["groupBy"]
    r = await client.get(
        "/exports/hours.csv",
        params={"regionCode": f"{w.city_code}24101", "groupBy": "MONTH", "from": "March"},
        headers={"Authorization": f"Bearer {committee}"},
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "INVALID_INPUT"


async def test_hour_entries_list_for_coordinators(api, world):
    w = world
    es = await record(api, w, "同心村社工室", ["王芳", "李强", "张敏"], (2024, 3, 12), 60)
    await verify(api, w, "同心村社工室", es[:1])
    q = (
        "query($org: ID!, $after: String) { hourEntries(organisationId: $org, status: PENDING, first: 1, "
        "after: $after) { totalCount edges { cursor node { id status minutes volunteer { name } } } "
        "pageInfo { hasNextPage endCursor } } }"
    )
    page = (await api.call(q, {"org": w.orgs["同心村社工室"]}, token=w.tokens["马家寨乡社工站"]))["hourEntries"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    nxt = (
        await api.call(
            q, {"org": w.orgs["同心村社工室"], "after": page["pageInfo"]["endCursor"]}, token=w.tokens["同心村社工室"]
        )
    )["hourEntries"]
    assert [e["node"]["id"] for e in page["edges"] + nxt["edges"]] == [e["id"] for e in es[1:]]
    body = await api.raw(q, {"org": w.orgs["同心村社工室"]}, token=w.tokens["沙市社工站"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_rebuild_equals_live_rollups_and_repairs_an_interrupted_verification(api, services, repos, world):
    w = world
    es = await record(api, w, "同心村社工室", ["王芳", "李强"], (2024, 5, 3), 60)
    es += await record(api, w, "沙市社工站", ["王芳"], (2024, 6, 3), 80, category="EMERGENCY_RESPONSE")
    await verify(api, w, "同心村社工室", es[:2])
    await verify(api, w, "沙市社工站", es[2:])
    await api.ok(CORRECT, {"entryId": es[0]["id"], "minutes": 50, "reason": "核对"}, token=w.tokens["同心村社工室"])
    live = sorted([d async for d in repos.rollups.coll.find({})], key=lambda d: d["_id"])
    count = await services.rollups.rebuild()
    rebuilt = sorted([d async for d in repos.rollups.coll.find({})], key=lambda d: d["_id"])
    assert count == len(rebuilt) == len(live) and rebuilt == live
    # a crash after the decision claim and before the status and rollups: start-up repairs it
    (entry,) = await record(api, w, "沙市社工站", ["张敏"], (2024, 6, 4), 70)
    raw_id = decode_id(entry["id"])[1]
    now = CLOCK.now().replace(microsecond=0)
    await repos.rollup_outbox.insert({"_id": "crash-" + raw_id, "entry_ids": [raw_id], "at": now})
    await repos.hour_decisions.insert({"_id": raw_id, "decision": "VERIFIED", "by": "someone", "at": now})
    await services.changes.rebuild()
    assert (await repos.hour_entries.get(raw_id))["status"] == "VERIFIED"
    assert await repos.rollup_outbox.get("crash-" + raw_id) is None
    assert (await volunteer_stars(api, w, "张敏"))["verifiedMinutes"] == 70
