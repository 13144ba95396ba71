"""Slots are never oversold and nobody is double-booked, whatever the concurrency (through the API)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest

from services.engagement.rules import time_buckets
from tests.support import hierarchy, make_volunteers, post_tasks, raw, window

ROUNDS = 10
APPLICANTS = 200
SLOTS = 5


@pytest.fixture
async def h(api, services):
    return await hierarchy(services, api)


@pytest.fixture
async def bulk(services, repos):
    """Volunteers made in bulk, removed afterwards so the session's shared database stays small."""
    made: list[dict] = []

    async def make(n: int) -> list[dict]:
        made.extend(await make_volunteers(services, repos, n))
        return made[-n:]

    yield make
    ids = [v["id"] for v in made]
    await repos.applications.coll.delete_many({"volunteer_id": {"$in": ids}})
    await repos.time_claims.coll.delete_many({"volunteer_id": {"$in": ids}})
    await repos.accounts.coll.delete_many({"volunteer_id": {"$in": ids}})
    await repos.account_emails.coll.delete_many({"_id": {"$in": [v["email"] for v in made]}})
    await repos.volunteers.coll.delete_many({"_id": {"$in": ids}})


async def apply(api, task_id: str, token: str) -> dict:
    data = await api.call(
        "mutation($input: ApplyToTaskInput!) { applyToTask(input: $input) { "
        "application { id status } errors { code } } }",
        {"input": {"taskId": task_id}},
        token,
    )
    return data["applyToTask"]


async def test_200_concurrent_applications_to_a_5_slot_auto_accept_task(api, services, repos, h, bulk):
    windows = [window(20 + r) for r in range(ROUNDS)]
    tasks = await post_tasks(api, h["village"], windows, slots=SLOTS, auto=True)
    timings = []
    for task, (starts, ends) in zip(tasks, windows):
        vols = await bulk(APPLICANTS)
        began = time.perf_counter()
        results = await asyncio.gather(*(apply(api, task, v["token"]) for v in vols))
        timings.append(time.perf_counter() - began)
        assert all(r["errors"] == [] for r in results), [r["errors"] for r in results if r["errors"]][:3]
        statuses = Counter(r["application"]["status"] for r in results)
        assert statuses == {"ACCEPTED": SLOTS, "WAITLISTED": APPLICANTS - SLOTS}

        state = (await api.call("query($id: ID!) { node(id: $id) { ... on Task { filled status } } }", {"id": task}))[
            "node"
        ]
        assert state == {"filled": SLOTS, "status": "FULL"}
        accepted = {raw(r["application"]["id"]) for r in results if r["application"]["status"] == "ACCEPTED"}
        slot_claims = [c async for c in repos.slot_claims.coll.find({"task_id": raw(task)})]
        assert sorted(c["application_id"] for c in slot_claims) == sorted(accepted)
        # each accepted volunteer holds exactly the task's time buckets; nobody else holds any
        buckets = len(time_buckets(starts, ends))
        held = Counter([c["application_id"] async for c in repos.time_claims.coll.find({"task_id": raw(task)})])
        assert held == {a: buckets for a in accepted}
        stored = Counter([d["status"] async for d in repos.applications.coll.find({"task_id": raw(task)})])
        assert stored == statuses
    print(f"\n200 concurrent applications: {[round(t, 2) for t in timings]} s per round")


async def test_volunteers_racing_over_overlapping_tasks_are_booked_once(api, services, repos, h, bulk):
    base = window(40)
    overlapping = [
        base,
        (base[0] + timedelta(minutes=45), base[1] + timedelta(minutes=45)),
        (base[0] + timedelta(minutes=30), base[0] + timedelta(hours=1)),
    ]
    tasks = await post_tasks(api, h["village"], overlapping, slots=4, auto=True)
    vols = await bulk(20)
    results = await asyncio.gather(*(apply(api, t, v["token"]) for v in vols for t in tasks))
    per_volunteer = Counter()
    for i, r in enumerate(results):
        if r["application"] and r["application"]["status"] == "ACCEPTED":
            per_volunteer[i // len(tasks)] += 1
        else:
            assert r["application"] or r["errors"][0]["code"] == "SCHEDULE_CONFLICT"
    assert max(per_volunteer.values()) == 1
    assert sum(per_volunteer.values()) == len(tasks) * 4  # 20 volunteers, 12 slots: all filled
    for t in tasks:
        assert len([c async for c in repos.slot_claims.coll.find({"task_id": raw(t)})]) == 4
