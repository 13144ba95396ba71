"""Engagement through the real API: apply, review, invite, withdraw, waitlist, check-in/out, no-shows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from db.repo import new_id
from schema.base.ids import encode_id
from services.engagement.rules import time_buckets
from tests.support import (
    APP,
    ATTEND,
    CLOCK,
    TASK_LOCATION,
    apply,
    hierarchy,
    make_volunteers,
    post_tasks,
    raw,
    review,
    shift_task,
    task_state,
    unique,
    window,
)


@pytest.fixture
async def h(api, services):
    return await hierarchy(services, api)


async def test_manual_review_waitlist_and_promotion(api, services, repos, h):
    village = h["village"]
    (task,) = await post_tasks(api, village, [window(3)], slots=1)
    v1, v2, v3 = await make_volunteers(services, repos, 3)
    a1 = await apply(api, task, v1["token"])
    assert a1["errors"] == [] and a1["application"]["status"] == "PENDING" and not a1["application"]["invited"]
    accepted = await review(api, a1["application"]["id"], "ACCEPT", village["token"])
    assert accepted["application"]["status"] == "ACCEPTED"
    assert await task_state(api, task) == {"filled": 1, "status": "FULL", "slots": 1}

    a2 = (await apply(api, task, v2["token"]))["application"]
    a3 = (await apply(api, task, v3["token"]))["application"]
    full = await review(api, a2["id"], "ACCEPT", village["token"])
    assert full["errors"][0]["code"] == "TASK_FULL" and full["application"] is None
    assert full["errors"][0]["field"] == ["applicationId"]  # the input names an application, not a task
    for a in (a2, a3):
        assert (await review(api, a["id"], "WAITLIST", village["token"]))["application"]["status"] == "WAITLISTED"
    again = await review(api, a2["id"], "WAITLIST", village["token"])
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"

    withdrawn = await api.ok(
        f"withdrawApplication(input: $input) {{ {APP} }}",
        {"applicationId": a1["application"]["id"], "reason": "家里有事"},
        v1["token"],
    )
    assert withdrawn["application"]["status"] == "WITHDRAWN"
    # the oldest waitlisted volunteer moves up; the slot stays filled
    statuses = [(await repos.applications.get(raw(a["id"])))["status"] for a in (a2, a3)]
    assert statuses == ["ACCEPTED", "WAITLISTED"]
    assert await task_state(api, task) == {"filled": 1, "status": "FULL", "slots": 1}
    claims = [c async for c in repos.slot_claims.coll.find({"task_id": raw(task)})]
    assert [c["application_id"] for c in claims] == [raw(a2["id"])]
    assert await repos.time_claims.get(f"{v1['id']}:{time_buckets(*window(3))[0]}") is None


async def test_apply_errors(api, services, repos, h):
    village = h["village"]
    (task,) = await post_tasks(api, village, [window(3)])
    (vol,) = await make_volunteers(services, repos, 1)
    assert (await apply(api, task, vol["token"]))["errors"] == []
    dup = await apply(api, task, vol["token"])
    assert dup["errors"][0]["code"] == "ALREADY_APPLIED" and dup["errors"][0]["field"] == ["taskId"]

    unknown = encode_id("Task", new_id())
    assert (await apply(api, unknown, vol["token"]))["errors"][0]["code"] == "NOT_FOUND"
    for bad in ("garbage!", encode_id("Need", new_id())):
        assert (await apply(api, bad, vol["token"]))["errors"][0]["code"] == "INVALID_ID"
    assert (await apply(api, task, None))["errors"][0]["code"] == "UNAUTHENTICATED"
    assert (await apply(api, task, village["token"]))["errors"][0]["code"] == "FORBIDDEN"

    started, cancelled = await post_tasks(api, village, [window(4), window(5)])
    await shift_task(repos, started, CLOCK.now() - timedelta(minutes=5), CLOCK.now() + timedelta(hours=1))
    assert (await apply(api, started, vol["token"]))["errors"][0]["code"] == "TASK_NOT_OPEN"
    need_id = (await repos.tasks.get(raw(cancelled)))["need_id"]
    await api.ok(
        "cancelNeed(input: $input) { errors { code } }", {"needId": encode_id("Need", need_id)}, village["token"]
    )
    assert (await apply(api, cancelled, vol["token"]))["errors"][0]["code"] == "TASK_NOT_OPEN"
    assert await repos.applications.get(f"{raw(cancelled)}:{vol['id']}") is None


async def test_reapply_after_withdrawal_reuses_the_application(api, services, repos, h):
    (task,) = await post_tasks(api, h["village"], [window(3)], auto=True)
    (vol,) = await make_volunteers(services, repos, 1)
    first = (await apply(api, task, vol["token"]))["application"]
    assert first["status"] == "ACCEPTED"
    await api.ok(f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": first["id"]}, vol["token"])
    assert await task_state(api, task) == {"filled": 0, "status": "OPEN", "slots": 1}
    again = (await apply(api, task, vol["token"]))["application"]
    assert again["id"] == first["id"] and again["status"] == "ACCEPTED"
    doc = await repos.applications.get(raw(first["id"]))
    assert [e["status"] for e in doc["history"]] == ["ACCEPTED", "WITHDRAWN", "ACCEPTED"]
    twice = await api.ok(
        f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": first["id"]}, vol["token"]
    )
    fails = await api.fails(
        f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": first["id"]}, vol["token"]
    )
    assert twice["application"]["status"] == "WITHDRAWN" and fails[0]["code"] == "INVALID_TRANSITION"
    (other,) = await make_volunteers(services, repos, 1)
    foreign = await api.fails(
        f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": first["id"]}, other["token"]
    )
    assert foreign[0]["code"] == "FORBIDDEN"
    missing = await api.fails(
        f"withdrawApplication(input: $input) {{ {APP} }}",
        {"applicationId": encode_id("Application", f"{new_id()}:{vol['id']}")},
        vol["token"],
    )
    assert missing[0]["code"] == "NOT_FOUND"


async def test_private_need_fields_visible_once_accepted(api, services, repos, h):
    (task,) = await post_tasks(api, h["village"], [window(3)], auto=True, slots=1)
    v1, v2 = await make_volunteers(services, repos, 2)
    q = "query($id: ID!) { node(id: $id) { ... on Task { need { address beneficiaryNotes } } } }"
    assert (await api.call(q, {"id": task}, v1["token"]))["node"]["need"] == {"address": None, "beneficiaryNotes": None}
    assert (await apply(api, task, v1["token"]))["application"]["status"] == "ACCEPTED"
    assert (await apply(api, task, v2["token"]))["application"]["status"] == "WAITLISTED"
    seen = (await api.call(q, {"id": task}, v1["token"]))["node"]["need"]
    assert seen == {"address": "同心村3组12号", "beneficiaryNotes": "独居, 糖尿病, 喜欢聊天"}
    assert (await api.call(q, {"id": task}, v2["token"]))["node"]["need"]["address"] is None


async def test_schedule_conflict(api, services, repos, h):
    village = h["village"]
    base = window(6)
    a, overlapping, adjacent = await post_tasks(
        api,
        village,
        [base, (base[0] + timedelta(hours=1), base[1] + timedelta(hours=1)), (base[1], base[1] + timedelta(hours=1))],
        auto=True,
        slots=3,
    )
    (manual,) = await post_tasks(api, village, [(base[0] - timedelta(minutes=30), base[0] + timedelta(minutes=15))])
    (vol,) = await make_volunteers(services, repos, 1)
    first = (await apply(api, a, vol["token"]))["application"]
    assert first["status"] == "ACCEPTED"
    assert (await apply(api, a, vol["token"]))["errors"][0]["code"] == "ALREADY_APPLIED"
    assert await task_state(api, a) == {"filled": 1, "status": "OPEN", "slots": 3}
    for task in (overlapping, manual):
        res = await apply(api, task, vol["token"])
        assert res["errors"][0]["code"] == "SCHEDULE_CONFLICT" and res["application"] is None
        assert await repos.applications.get(f"{raw(task)}:{vol['id']}") is None
    assert (await apply(api, adjacent, vol["token"]))["application"]["status"] == "ACCEPTED"
    await api.ok(f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": first["id"]}, vol["token"])
    assert (await apply(api, overlapping, vol["token"]))["errors"][0]["code"] == "SCHEDULE_CONFLICT"  # adjacent
    (late,) = await post_tasks(api, village, [(base[0] - timedelta(hours=1), base[0])], auto=True)
    assert (await apply(api, late, vol["token"]))["application"]["status"] == "ACCEPTED"


async def test_cancelled_task_frees_the_volunteers_time(api, services, repos, h):
    village = h["village"]
    (task,) = await post_tasks(api, village, [window(7)], auto=True)
    (other,) = await post_tasks(api, village, [window(7)], auto=True)
    (vol,) = await make_volunteers(services, repos, 1)
    assert (await apply(api, task, vol["token"]))["application"]["status"] == "ACCEPTED"
    need_id = (await repos.tasks.get(raw(task)))["need_id"]
    await api.ok(
        "cancelNeed(input: $input) { errors { code } }", {"needId": encode_id("Need", need_id)}, village["token"]
    )
    assert (await apply(api, other, vol["token"]))["application"]["status"] == "ACCEPTED"


async def test_one_volunteer_two_overlapping_tasks_concurrently(api, services, repos, h):
    base = window(8)
    t1, t2 = await post_tasks(api, h["village"], [base, (base[0] + timedelta(minutes=30), base[1])], auto=True, slots=2)
    for _ in range(5):
        (vol,) = await make_volunteers(services, repos, 1)
        r1, r2 = await asyncio.gather(apply(api, t1, vol["token"]), apply(api, t2, vol["token"]))
        outcomes = sorted([(r["application"] or {}).get("status") or r["errors"][0]["code"] for r in (r1, r2)])
        assert outcomes == ["ACCEPTED", "SCHEDULE_CONFLICT"]
        holders = {c["application_id"] async for c in repos.time_claims.coll.find({"volunteer_id": vol["id"]})}
        assert len(holders) == 1
        won = next(r for r in (r1, r2) if r["application"])
        await api.ok(
            f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": won["application"]["id"]}, vol["token"]
        )


async def test_invitations(api, services, repos, h):
    village, town, county = h["village"], h["town"], h["county"]
    (task,) = await post_tasks(api, village, [window(9)], slots=1)
    v1, v2, v3 = await make_volunteers(services, repos, 3)
    invite = "inviteVolunteer(input: $input) { " + APP + " }"
    res = await api.ok(invite, {"taskId": task, "volunteerId": v1["gid"], "message": "吴奶奶想念你"}, village["token"])
    assert res["application"]["status"] == "INVITED" and res["application"]["invited"]
    assert (await api.fails(invite, {"taskId": task, "volunteerId": v1["gid"]}, village["token"]))[0][
        "code"
    ] == "ALREADY_APPLIED"
    # a coordinator above the village may invite too; one of another branch may not
    other = await api.ok(
        "registerOrganisation(input: $input) { token organisation { id } errors { code } }",
        {
            "name": "另一个社工站",
            "kind": "TOWNSHIP_STATION",
            "regionCode": "421024102",
            "parentId": county["organisation"]["id"],
            "coordinator": {"email": f"{unique('c')}@example.cn", "password": "coordinator pw", "displayName": "站长"},
        },
        county["token"],
    )
    assert (await api.fails(invite, {"taskId": task, "volunteerId": v2["gid"]}, other["token"]))[0][
        "code"
    ] == "FORBIDDEN"
    assert (await api.fails(invite, {"taskId": task, "volunteerId": encode_id("Volunteer", new_id())}, town["token"]))[
        0
    ]["code"] == "NOT_FOUND"
    assert (await api.fails(invite, {"taskId": task, "volunteerId": v1["gid"]}, v2["token"]))[0]["code"] == "FORBIDDEN"
    second = await api.ok(invite, {"taskId": task, "volunteerId": v2["gid"]}, town["token"])

    respond = "respondToInvitation(input: $input) { " + APP + " }"
    inv1 = res["application"]["id"]
    assert (await api.fails(respond, {"applicationId": inv1, "decision": "ACCEPT"}, v2["token"]))[0][
        "code"
    ] == "FORBIDDEN"
    accepted = await api.ok(respond, {"applicationId": inv1, "decision": "ACCEPT"}, v1["token"])
    assert accepted["application"]["status"] == "ACCEPTED" and accepted["application"]["task"]["filled"] == 1
    assert (await api.fails(respond, {"applicationId": inv1, "decision": "DECLINE"}, v1["token"]))[0][
        "code"
    ] == "INVALID_TRANSITION"
    full = await api.fails(respond, {"applicationId": second["application"]["id"], "decision": "ACCEPT"}, v2["token"])
    assert full[0]["code"] == "TASK_FULL" and full[0]["field"] == ["applicationId"]
    declined = await api.ok(respond, {"applicationId": second["application"]["id"], "decision": "DECLINE"}, v2["token"])
    assert declined["application"]["status"] == "DECLINED"
    assert (await api.fails(invite, {"taskId": task, "volunteerId": v3["gid"]}, village["token"]))[0][
        "code"
    ] == "TASK_FULL"
    withdraw = await api.fails(f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": inv1}, v2["token"])
    assert withdraw[0]["code"] == "FORBIDDEN"


async def test_review_rules(api, services, repos, h):
    village, county = h["village"], h["county"]
    (task,) = await post_tasks(api, village, [window(10)], slots=1)
    v1, v2 = await make_volunteers(services, repos, 2)
    a1 = (await apply(api, task, v1["token"]))["application"]
    a2 = (await apply(api, task, v2["token"]))["application"]
    foreign = await api.ok(
        "registerOrganisation(input: $input) { token errors { code } }",
        {
            "name": "爱心妈妈志愿服务队",
            "kind": "VOLUNTEER_TEAM",
            "regionCode": "421024",
            "coordinator": {"email": f"{unique('c')}@example.cn", "password": "coordinator pw", "displayName": "队长"},
        },
    )
    denied = await review(api, a1["id"], "ACCEPT", foreign["token"])
    assert denied["errors"][0]["code"] == "FORBIDDEN"
    assert (await review(api, a1["id"], "ACCEPT", v2["token"]))["errors"][0]["code"] == "FORBIDDEN"
    assert (await review(api, "bad id", "ACCEPT", village["token"]))["errors"][0]["code"] == "INVALID_ID"
    assert (await review(api, encode_id("Application", f"{raw(task)}:{new_id()}"), "ACCEPT", village["token"]))[
        "errors"
    ][0]["code"] == "NOT_FOUND"
    assert (await review(api, a1["id"], "ACCEPT", county["token"]))["application"]["status"] == "ACCEPTED"
    assert (await review(api, a2["id"], "WAITLIST", village["token"]))["application"]["status"] == "WAITLISTED"
    rejected = await review(api, a1["id"], "REJECT", village["token"])
    assert rejected["application"]["status"] == "REJECTED"
    assert (await repos.applications.get(raw(a2["id"])))["status"] == "ACCEPTED"
    assert (await review(api, a1["id"], "ACCEPT", village["token"]))["errors"][0]["code"] == "INVALID_TRANSITION"
    assert (await apply(api, task, v1["token"]))["errors"][0]["code"] == "ALREADY_APPLIED"


async def accepted_assignment(api, services, repos, h, starts: datetime, ends: datetime) -> tuple[str, dict, str]:
    (task,) = await post_tasks(api, h["village"], [window(11)], auto=True, slots=2)
    (vol,) = await make_volunteers(services, repos, 1)
    assignment = (await apply(api, task, vol["token"]))["application"]["id"]
    await shift_task(repos, task, starts, ends)
    return task, vol, assignment


async def test_check_in_and_out(api, services, repos, h):
    now = CLOCK.now()
    task, vol, assignment = await accepted_assignment(
        api, services, repos, h, now + timedelta(minutes=20), now + timedelta(hours=2)
    )
    events: list[tuple[str, dict]] = []
    services.changes.subscribe("assignment", lambda d: events.append(("assignment", d)))
    services.changes.subscribe("service", lambda d: events.append(("service", d)))
    check_out = f"checkOut(input: $input) {{ {ATTEND} }}"
    check_in = f"checkIn(input: $input) {{ {ATTEND} }}"
    early = await api.fails(check_out, {"assignmentId": assignment, "location": TASK_LOCATION}, vol["token"])
    assert early[0]["code"] == "NOT_CHECKED_IN"
    (other,) = await make_volunteers(services, repos, 1)
    assert (await api.fails(check_in, {"assignmentId": assignment, "location": TASK_LOCATION}, other["token"]))[0][
        "code"
    ] == "FORBIDDEN"
    assert (await api.fails(check_in, {"assignmentId": assignment, "location": {"lat": 95, "lng": 0}}, vol["token"]))[
        0
    ]["code"] == "INVALID_COORDINATES"

    near = {"lat": 30.3415, "lng": 112.25}  # ~170 m north of the meeting point
    res = await api.ok(check_in, {"assignmentId": assignment, "location": near}, vol["token"])
    assert res["flags"] == [] and 150 < res["assignment"]["checkIn"]["distanceM"] < 190
    twice = await api.fails(check_in, {"assignmentId": assignment, "location": near}, vol["token"])
    assert twice[0]["code"] == "ALREADY_CHECKED_IN"
    withdraw = await api.fails(
        f"withdrawApplication(input: $input) {{ {APP} }}", {"applicationId": assignment}, vol["token"]
    )
    assert withdraw[0]["code"] == "ALREADY_CHECKED_IN"

    far = {"lat": 30.36, "lng": 112.25}  # ~2.2 km away
    key = {"assignmentId": assignment, "location": far, "idempotencyKey": "phone-retry-1"}
    first = await api.ok(check_out, key, vol["token"])
    assert first["assignment"]["status"] == "COMPLETED"
    assert first["flags"] == ["OUT_OF_FENCE", "EARLY"] and first["assignment"]["flags"] == ["OUT_OF_FENCE", "EARLY"]
    retry = await api.ok(check_out, key, vol["token"])
    assert retry["assignment"] == first["assignment"]
    again = await api.fails(check_out, {"assignmentId": assignment, "location": far}, vol["token"])
    assert again[0]["code"] == "ALREADY_CHECKED_OUT"

    doc = await repos.applications.get(raw(assignment))
    entries = [e async for e in repos.hour_entries.coll.find({"task_id": raw(task), "volunteer_id": vol["id"]})]
    assert len(entries) == 1 and entries[0]["_id"] == doc["hour_entry_id"]
    assert entries[0]["status"] == "PENDING" and entries[0]["source"] == "CHECKOUT"
    assert {"OUT_OF_FENCE", "EARLY"} <= set(entries[0]["flags"])
    record = await repos.service_records.get(raw(assignment))
    assert record["attended"] is True and record["volunteer_id"] == vol["id"] and record["minutes"] >= 0
    assert ("service", record) in [(k, d) for k, d in events if k == "service"]
    assert [d["status"] for k, d in events if k == "assignment" and d["_id"] == raw(assignment)] == ["COMPLETED"]


async def test_check_in_late_is_flagged(api, services, repos, h):
    now = CLOCK.now()
    _, vol, assignment = await accepted_assignment(
        api, services, repos, h, now - timedelta(hours=3), now - timedelta(hours=1)
    )
    res = await api.ok(
        f"checkIn(input: $input) {{ {ATTEND} }}", {"assignmentId": assignment, "location": TASK_LOCATION}, vol["token"]
    )
    assert res["flags"] == ["LATE"]
    out = await api.ok(
        f"checkOut(input: $input) {{ {ATTEND} }}", {"assignmentId": assignment, "location": TASK_LOCATION}, vol["token"]
    )
    assert out["flags"] == []


async def test_no_show(api, services, repos, h):
    now = CLOCK.now()
    task, vol, assignment = await accepted_assignment(
        api, services, repos, h, now + timedelta(hours=1), now + timedelta(hours=2)
    )
    mark = "markNoShow(input: $input) { assignment { id status } errors { code field message } }"
    assert (await api.fails(mark, {"assignmentId": assignment}, h["village"]["token"]))[0]["code"] == "TASK_NOT_ENDED"
    await shift_task(repos, task, now - timedelta(hours=3), now - timedelta(hours=1))
    assert (await api.fails(mark, {"assignmentId": assignment}, vol["token"]))[0]["code"] == "FORBIDDEN"
    foreign = await api.ok(
        "registerOrganisation(input: $input) { token errors { code } }",
        {
            "name": "水上救援队",
            "kind": "VOLUNTEER_TEAM",
            "regionCode": "421024",
            "coordinator": {"email": f"{unique('c')}@example.cn", "password": "coordinator pw", "displayName": "队长"},
        },
    )
    assert (await api.fails(mark, {"assignmentId": assignment}, foreign["token"]))[0]["code"] == "FORBIDDEN"
    res = await api.ok(mark, {"assignmentId": assignment}, h["village"]["token"])
    assert res["assignment"]["status"] == "NO_SHOW"
    assert (await api.fails(mark, {"assignmentId": assignment}, h["village"]["token"]))[0][
        "code"
    ] == "INVALID_TRANSITION"
    record = await repos.service_records.get(raw(assignment))
    assert record["attended"] is False and record["minutes"] == 0
    late = await api.fails(
        f"checkIn(input: $input) {{ {ATTEND} }}", {"assignmentId": assignment, "location": TASK_LOCATION}, vol["token"]
    )
    assert late[0]["code"] == "NOT_ASSIGNED"


async def test_lists(api, services, repos, h):
    village = h["village"]
    (task,) = await post_tasks(api, village, [window(12)], slots=2, auto=True)
    vols = await make_volunteers(services, repos, 5)
    for v in vols:
        await apply(api, task, v["token"])
    q = (
        "query($id: ID!, $after: String, $st: [ApplicationStatus!]) { node(id: $id) { ... on Task { "
        "applications(first: 2, after: $after, statuses: $st) { totalCount pageInfo { hasNextPage endCursor } "
        "edges { node { status volunteer { id } } } } } } }"
    )
    seen, after = [], None
    while True:
        page = (await api.call(q, {"id": task, "after": after}, village["token"]))["node"]["applications"]
        assert page["totalCount"] == 5
        seen += [(e["node"]["volunteer"]["id"], e["node"]["status"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(v["gid"], s) for v, s in zip(vols, ["ACCEPTED"] * 2 + ["WAITLISTED"] * 3)]
    waiting = (await api.call(q, {"id": task, "st": ["WAITLISTED"]}, village["token"]))["node"]["applications"]
    assert waiting["totalCount"] == 3
    assert (await api.call(q, {"id": task}, vols[0]["token"]))["node"]["applications"] is None

    mine = await api.call(
        "{ myApplications { totalCount edges { node { status task { id } } } } }", token=vols[0]["token"]
    )
    assert mine["myApplications"]["edges"] == [{"node": {"status": "ACCEPTED", "task": {"id": task}}}]
    body = await api.raw("{ myApplications { totalCount } }", token=village["token"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    aq = "query($id: ID!) { node(id: $id) { ... on Volunteer { assignments { totalCount } } } }"
    assert (await api.call(aq, {"id": vols[0]["gid"]}, vols[0]["token"]))["node"]["assignments"]["totalCount"] == 1
    assert (await api.call(aq, {"id": vols[0]["gid"]}, village["token"]))["node"]["assignments"]["totalCount"] == 1
    assert (await api.call(aq, {"id": vols[2]["gid"]}, village["token"]))["node"]["assignments"]["totalCount"] == 0


@pytest.mark.parametrize(
    "mutation, field",
    [
        ("withdrawApplication", "applicationId"),
        ("respondToInvitation", "applicationId"),
        ("reviewApplication", "applicationId"),
        ("checkIn", "assignmentId"),
        ("checkOut", "assignmentId"),
        ("markNoShow", "assignmentId"),
    ],
)
async def test_unknown_and_malformed_application_ids(api, services, repos, h, mutation, field):
    (vol,) = await make_volunteers(services, repos, 1)
    extra = {
        "withdrawApplication": {},
        "respondToInvitation": {"decision": "ACCEPT"},
        "reviewApplication": {"decision": "ACCEPT"},
        "checkIn": {"location": TASK_LOCATION},
        "checkOut": {"location": TASK_LOCATION},
        "markNoShow": {},
    }[mutation]
    token = h["village"]["token"] if mutation in ("reviewApplication", "markNoShow") else vol["token"]
    selection = f"{mutation}(input: $input) {{ errors {{ code field message }} }}"
    for gid, code in (
        (encode_id("Application", f"{new_id()}:{vol['id']}"), "NOT_FOUND"),
        (encode_id("Task", new_id()), "INVALID_ID"),
        ("%%%", "INVALID_ID"),
    ):
        errors = await api.fails(selection, {field: gid, **extra}, token)
        assert (errors[0]["code"], errors[0]["field"]) == (code, [field])


async def test_repair_removes_claims_left_by_a_crash(api, services, repos, h):
    (task,) = await post_tasks(api, h["village"], [window(13)], auto=True, slots=2)
    v1, v2 = await make_volunteers(services, repos, 2)
    assert (await apply(api, task, v1["token"]))["application"]["status"] == "ACCEPTED"
    # what a crash after the claims and before the application's insert leaves behind
    old = CLOCK.now() - timedelta(minutes=5)
    orphan = f"{raw(task)}:{v2['id']}"
    await repos.slot_claims.insert(
        {"_id": f"{raw(task)}:1", "task_id": raw(task), "application_id": orphan, "volunteer_id": v2["id"], "at": old}
    )
    await repos.time_claims.insert(
        {"_id": f"{v2['id']}:1", "task_id": raw(task), "application_id": orphan, "volunteer_id": v2["id"], "at": old}
    )
    await repos.tasks.set_fields(raw(task), {"filled": 2, "status": "FULL"})
    assert await services.seating.repair() >= 2
    assert await task_state(api, task) == {"filled": 1, "status": "OPEN", "slots": 2}
    assert await repos.slot_claims.get(f"{raw(task)}:0") is not None
    assert (await apply(api, task, v2["token"]))["application"]["status"] == "ACCEPTED"
