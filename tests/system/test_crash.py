"""SIGKILL in the middle of every multi-document write, then restart and retry (docs/reliability.md).

The API runs as its own process with crash points enabled; a request names the point where the
process dies (`X-Crash-At`). After each kill the process is started again on the same data and the
test checks: the write was finished (by the start-up sweep, or by the retry with the same key,
which returns it), nothing is duplicated or half-made, and slots and tallies are exact.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from config import ROOT
from services.clock import local_today
from tests.support import (
    ATTEND,
    CLOCK,
    NEED_FIELDS,
    ORG_FIELDS,
    TASK_LOCATION,
    VOLUNTEER_FIELDS,
    Api,
    need_input,
    org_input,
    unique,
    volunteer_input,
)
from tests.system.test_process import free_port

pytestmark = pytest.mark.system

REGISTER_VOLUNTEER = f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}"
REGISTER_ORG = f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}"
POST_NEED = f"postNeed(input: $input) {{ {NEED_FIELDS} }}"
CANCEL_NEED = (
    "cancelNeed(input: $input) { need { id status tasks(first: 100) { edges { node { status } } } } errors { code } }"
)
APPLY = "applyToTask(input: $input) { application { id status } errors { code } }"
CHECK_IN = f"checkIn(input: $input) {{ {ATTEND} }}"
CHECK_OUT = f"checkOut(input: $input) {{ {ATTEND} }}"
RECORD = "recordHours(input: $input) { entries { id minutes status } errors { code field message } }"
VERIFY = "verifyHours(input: $input) { entries { id status } errors { code } }"
CORRECT = "correctHours(input: $input) { correction { id minutes } original { id correctedMinutes } errors { code } }"
VIEWER = "{ viewer { email volunteer { id } organisations { id } } }"
ENTRIES = (
    "query($org: ID!, $after: String) { hourEntries(organisationId: $org, first: 100, after: $after) "
    "{ totalCount pageInfo { hasNextPage endCursor } edges { node { id minutes correctedMinutes status "
    "source volunteer { id } } } } }"
)
NEED_STATE = (
    "query($id: ID!) { node(id: $id) { ... on Need { status tasks(first: 10) { edges { node { status } } } } } }"
)
ORG_NEEDS = "query($id: ID!) { organisation(id: $id) { needs(first: 100) { totalCount } } }"
TALLY = (
    "query($scope: HourScopeInput!, $from: Date, $to: Date) { "
    "hourTallies(scope: $scope, groupBy: ORGANISATION, from: $from, to: $to) { minutes entries } }"
)


class Server:
    """`python -m tests.system.crash_server` on one data folder, started again after each kill."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        self.api = Api(self.client)
        self.starts = 0

    async def start(self) -> None:
        env = {**os.environ, "DATA_DIR": str(self.data_dir), "PORT": str(self.port)}
        env.pop("MONGODB_URI", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.system.crash_server"], cwd=ROOT, env=env)
        self.starts += 1
        for _ in range(600):
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited with {self.proc.returncode}")
            try:
                if (await self.client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
        raise AssertionError("the server did not become ready")

    async def crash(self, point: str, mutation: str, input: dict, token: str | None) -> None:
        """Sends a write that dies at `point`; waits for the process to be gone, then starts it again."""
        name = mutation.split("(")[0]
        query = f"mutation($input: {name[0].upper() + name[1:]}Input!) {{ {mutation} }}"
        headers = {"X-Crash-At": point, **({"Authorization": f"Bearer {token}"} if token else {})}
        with pytest.raises(httpx.TransportError):
            await self.client.post("/graphql", json={"query": query, "variables": {"input": input}}, headers=headers)
        assert self.proc is not None
        assert await asyncio.to_thread(self.proc.wait, 30) == -signal.SIGKILL, f"{point} was not reached"
        await self.start()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            await asyncio.to_thread(self.proc.wait, 30)
        await self.client.aclose()


async def entries_of(api: Api, org: str, token: str) -> list[dict]:
    found, after = [], None
    while True:
        page = (await api.call(ENTRIES, {"org": org, "after": after}, token))["hourEntries"]
        found += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_kill_at_every_point_of_every_multi_document_write(tmp_path):
    server = Server(tmp_path)
    await server.start()
    api = server.api
    try:
        await run_all(server, api)
    finally:
        await server.stop()


async def run_all(server: Server, api: Api) -> None:
    org = await api.ok(REGISTER_ORG, org_input("江陵县爱心志愿服务队", "VOLUNTEER_TEAM", "421024"))
    org_id, coordinator = org["organisation"]["id"], org["token"]
    start = CLOCK.now() + timedelta(days=3)
    shift = {"startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat(), "slots": 20}
    need = await api.ok(
        POST_NEED, need_input(org_id, autoAccept=True, requiredCredentials=[], tasks=[shift]), coordinator
    )
    task_id = need["need"]["tasks"]["edges"][0]["node"]["id"]
    points_run = 0

    async def each(points: list[str], write: Callable[[str], Awaitable[None]]) -> None:
        nonlocal points_run
        for point in points:
            await write(point)
            points_run += 1

    # Registration: the start-up sweep finishes it; the account signs in with its profile.
    async def register_volunteer(point: str) -> None:
        inp = volunteer_input(email=f"{unique('crash')}@example.cn")
        await server.crash(point, REGISTER_VOLUNTEER, inp, None)
        viewer = (await api.call(VIEWER, token=await api.login(inp["email"])))["viewer"]
        assert viewer["volunteer"] is not None, point
        assert [e["code"] for e in await api.fails(REGISTER_VOLUNTEER, inp)] == ["EMAIL_TAKEN"]

    await each(
        [
            "registerVolunteer.planned",
            "account.email_claimed",
            "registerVolunteer.profile",
            "registerVolunteer.applied",
        ],
        register_volunteer,
    )

    async def register_org(point: str) -> None:
        inp = org_input(f"{unique('队')}志愿服务队", "VOLUNTEER_TEAM", "421024")
        await server.crash(point, REGISTER_ORG, inp, None)
        viewer = (await api.call(VIEWER, token=await api.login(inp["coordinator"]["email"])))["viewer"]
        assert len(viewer["organisations"]) == 1, point

    await each(
        [
            "registerOrganisation.planned",
            "account.email_claimed",
            "registerOrganisation.organisation",
            "registerOrganisation.applied",
        ],
        register_org,
    )

    # Posting a need, with a key: the retry returns the need, with every task, exactly once.
    async def post_need(point: str) -> None:
        before = (await api.call(ORG_NEEDS, {"id": org_id}))["organisation"]["needs"]["totalCount"]
        tasks = [{**shift, "slots": 1}, {**shift, "slots": 2}]
        inp = need_input(org_id, tasks=tasks, idempotencyKey=unique("k"))
        await server.crash(point, POST_NEED, inp, coordinator)
        again = await api.ok(POST_NEED, inp, coordinator)
        assert again["need"]["tasks"]["totalCount"] == 2, point
        after = (await api.call(ORG_NEEDS, {"id": org_id}))["organisation"]["needs"]["totalCount"]
        assert after == before + 1, point

    await each(["postNeed.planned", "postNeed.keyed", "postNeed.tasks", "postNeed.applied"], post_need)

    # Cancelling a need (no key): the sweep finishes it, need and every task.
    async def cancel_need(point: str) -> None:
        tasks = [{**shift, "slots": 1}] * 3
        posted = await api.ok(POST_NEED, need_input(org_id, tasks=tasks), coordinator)
        need_id = posted["need"]["id"]
        await server.crash(point, CANCEL_NEED, {"needId": need_id}, coordinator)
        found = (await api.call(NEED_STATE, {"id": need_id}, coordinator))["node"]
        assert found["status"] == "CANCELLED", point
        assert {e["node"]["status"] for e in found["tasks"]["edges"]} == {"CANCELLED"}, point

    await each(["changeNeed.planned", "changeNeed.need", "changeNeed.applied"], cancel_need)

    # Check-out with a key: the retry returns the completed assignment with exactly one entry.
    checkout_points = ["checkOut.planned", "checkOut.keyed", "checkOut.entry", "checkOut.completed", "checkOut.applied"]
    assignments = []
    for _ in checkout_points:
        registered = await api.ok(REGISTER_VOLUNTEER, volunteer_input(email=f"{unique('v')}@example.cn"))
        applied = await api.ok(APPLY, {"taskId": task_id}, registered["token"])
        assert applied["application"]["status"] == "ACCEPTED"
        await api.ok(
            CHECK_IN, {"assignmentId": applied["application"]["id"], "location": TASK_LOCATION}, registered["token"]
        )
        assignments.append((applied["application"]["id"], registered["token"]))
    for point, (assignment_id, token) in zip(checkout_points, assignments):
        inp = {"assignmentId": assignment_id, "location": TASK_LOCATION, "idempotencyKey": unique("k")}
        await server.crash(point, CHECK_OUT, inp, token)
        again = await api.ok(CHECK_OUT, inp, token)
        assert again["assignment"]["status"] == "COMPLETED", point
        points_run += 1
    state = "query($id: ID!) { node(id: $id) { ... on Task { filled slots } } }"
    assert (await api.call(state, {"id": task_id}))["node"]["filled"] == len(assignments)
    checkouts = [e for e in await entries_of(api, org_id, coordinator) if e["source"] == "CHECKOUT"]
    assert len(checkouts) == len(assignments), "one entry per check-out, none twice"

    # Recording hours for a batch with a key: all entries or none, each once.
    volunteers = [(await api.ok(REGISTER_VOLUNTEER, volunteer_input()))["volunteer"]["id"] for _ in range(3)]
    recorded: list[str] = []

    async def record(point: str) -> None:
        ended = CLOCK.now() - timedelta(days=len(recorded) + 1)
        inp = {
            "organisationId": org_id,
            "volunteerIds": volunteers,
            "category": "ELDER_CARE",
            "startedAt": (ended - timedelta(hours=1)).isoformat(),
            "endedAt": ended.isoformat(),
            "idempotencyKey": unique("k"),
        }
        await server.crash(point, RECORD, inp, coordinator)
        again = await api.ok(RECORD, inp, coordinator)
        assert len(again["entries"]) == 3, point
        recorded.extend(e["id"] for e in again["entries"])
        assert [e["code"] for e in await api.fails(RECORD, {**inp, "idempotencyKey": None}, coordinator)] == [
            "ALREADY_RECORDED"
        ] * 3

    await each(["recordHours.planned", "recordHours.keyed", "recordHours.first_entry", "recordHours.applied"], record)
    manual = [e for e in await entries_of(api, org_id, coordinator) if e["source"] == "MANUAL"]
    assert sorted(e["id"] for e in manual) == sorted(recorded)

    # Correcting verified hours with a key: the retry returns the one correction; rollups exact.
    await api.ok(VERIFY, {"entryIds": recorded, "decision": "VERIFY"}, coordinator)

    async def correct(point: str) -> None:
        entry_id = recorded.pop()
        inp = {"entryId": entry_id, "minutes": 30, "reason": "实际服务半小时", "idempotencyKey": unique("k")}
        await server.crash(point, CORRECT, inp, coordinator)
        again = await api.ok(CORRECT, inp, coordinator)
        assert again["original"]["correctedMinutes"] == 30, point

    await each(
        ["correctHours.planned", "correctHours.keyed", "correctHours.rolled_up", "correctHours.applied"], correct
    )

    verified = [e for e in await entries_of(api, org_id, coordinator) if e["status"] == "VERIFIED"]
    today = local_today(CLOCK)
    months = {
        "from": (today - timedelta(days=40)).replace(day=1).isoformat(),
        "to": ((today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).isoformat(),
    }
    rows = (await api.call(TALLY, {"scope": {"organisationId": org_id}, **months}, coordinator))["hourTallies"]
    assert sum(r["minutes"] for r in rows) == sum(e["minutes"] for e in verified)
    assert points_run == 28 and server.starts == 29
