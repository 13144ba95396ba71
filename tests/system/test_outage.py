"""The database goes away (frozen with SIGSTOP, or killed and kept down) under a served process.

Every request gets a coded answer within the request's deadline: GraphQL requests, signed in or
not, queries and mutations, HTTP 200 with `extensions.code == DATABASE_UNAVAILABLE`; the CSV export
503 with the same code; `/readyz` 503 within 0.5 s. Each failed request logs one line, without a
traceback. Then the database returns (SIGCONT; the supervisor restarting the engine) and so does
everything else.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.deadline import GRACE_SECONDS
from api.runtime import Runtime
from schema.base.ids import encode_id
from tests.support import CLOCK, VOLUNTEER_FIELDS, volunteer_input
from tests.system.test_process import Served, gql

DEADLINE = 1.0  # REQUEST_DB_SECONDS in this test
SLACK = 0.5  # a shared, noisy machine
READY_WITHIN = 0.5
REGISTER = f"mutation($input: RegisterVolunteerInput!) {{ registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }} }}"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token viewer { email } errors { code } } }"
VIEWER = "{ viewer { email } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
APPLY = "mutation($input: ApplyToTaskInput!) { applyToTask(input: $input) { application { id } errors { code } } }"


async def frozen(pid: int) -> None:
    """SIGSTOP reaches each thread asynchronously: wait until the kernel reports the process stopped."""
    for _ in range(100):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"process {pid} did not stop")


async def wait_ready(client: httpx.AsyncClient, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while (await client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        await asyncio.sleep(0.2)


class Caller:
    """One volunteer's requests, asked all at once: the same set while the database is away and back."""

    def __init__(self, client: httpx.AsyncClient, inp: dict, token: str, volunteer_id: str) -> None:
        self.client = client
        self.credentials = {"email": inp["email"], "password": inp["password"]}
        self.bearer = {"Authorization": f"Bearer {token}"}
        self.volunteer_id = volunteer_id

    def graphql_requests(self) -> dict[str, tuple[str, dict, dict]]:
        missing_task = encode_id("Task", "missing")
        return {
            "signed-in query": (VIEWER, {}, self.bearer),
            "anonymous query": (NODE, {"id": encode_id("Need", "missing")}, {}),
            "anonymous mutation": (LOGIN, {"input": self.credentials}, {}),
            "signed-in mutation": (APPLY, {"input": {"taskId": missing_task}}, self.bearer),
        }

    async def timed(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = await self.client.request(method, url, **kwargs)
        return response, time.monotonic() - started

    async def everything(self) -> dict[str, tuple[httpx.Response, float]]:
        graphql = self.graphql_requests()
        csv = {"volunteerId": self.volunteer_id, "groupBy": "MONTH"}
        calls = [
            *(
                self.timed("POST", "/graphql", json={"query": q, "variables": v}, headers=h)
                for q, v, h in graphql.values()
            ),
            self.timed("GET", "/exports/hours.csv", params=csv, headers=self.bearer),
            self.timed("GET", "/readyz"),
        ]
        return dict(zip([*graphql, "csv", "readyz"], await asyncio.gather(*calls), strict=True))

    async def check_unavailable(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.clear()
        answers = await self.everything()
        for name in self.graphql_requests():
            response, seconds = answers[name]
            assert response.status_code == 200, (name, response.text)
            codes = [e["extensions"]["code"] for e in response.json()["errors"]]
            assert codes == ["DATABASE_UNAVAILABLE"], (name, response.text)
            assert seconds < DEADLINE + GRACE_SECONDS + SLACK, (name, seconds)
        csv, seconds = answers["csv"]
        assert csv.status_code == 503 and csv.json()["errors"][0]["code"] == "DATABASE_UNAVAILABLE", csv.text
        assert seconds < DEADLINE + GRACE_SECONDS + SLACK
        readyz, seconds = answers["readyz"]
        assert readyz.status_code == 503 and seconds < READY_WITHIN, (readyz.status_code, seconds)
        # one line per failed request (GraphQL and CSV), named by its request id, and no traceback
        lines = [r for r in caplog.records if r.getMessage().startswith("database unavailable: ")]
        ids = sorted(r.getMessage().split()[2] for r in lines)
        expected = sorted(r.headers["x-request-id"] for name, (r, _) in answers.items() if name != "readyz")
        assert ids == expected
        assert all(r.exc_info is None for r in lines)

    async def check_served(self) -> None:
        answers = await self.everything()
        assert answers["signed-in query"][0].json() == {"data": {"viewer": {"email": self.credentials["email"]}}}
        assert answers["anonymous query"][0].json() == {"data": {"node": None}}
        assert answers["anonymous mutation"][0].json()["data"]["login"]["viewer"]["email"] == self.credentials["email"]
        assert answers["signed-in mutation"][0].json()["data"]["applyToTask"]["errors"] == [{"code": "NOT_FOUND"}]
        assert answers["csv"][0].status_code == 200
        assert answers["readyz"][0].status_code == 200


@pytest.fixture
def own_settings(settings, tmp_path):
    return replace(
        settings, data_dir=tmp_path, mongodb_uri=None, database_name="vm_outage", request_db_seconds=DEADLINE
    )


async def test_database_frozen_then_killed(own_settings, caplog):
    if not own_settings.embedded:
        pytest.skip("needs the embedded engine")
    caplog.set_level(logging.WARNING)
    runtime = Runtime(own_settings, CLOCK)
    await runtime.start()
    engine = runtime.engine
    assert engine is not None and engine.pid is not None
    try:
        async with Served(runtime) as client:
            inp = volunteer_input()
            registered = (await gql(client, REGISTER, {"input": inp}))["data"]["registerVolunteer"]
            caller = Caller(client, inp, registered["token"], registered["volunteer"]["id"])
            await caller.check_served()

            # Frozen: the engine holds its connections and answers nothing.
            os.kill(engine.pid, signal.SIGSTOP)
            try:
                await frozen(engine.pid)
                await caller.check_unavailable(caplog)
            finally:
                os.kill(engine.pid, signal.SIGCONT)
            await wait_ready(client)
            await caller.check_served()

            # Killed, and kept down a while (its restarts fail), then the supervisor brings it back.
            binary, old_pid = engine.binary, engine.pid
            engine.binary = Path(own_settings.data_dir) / "no-engine-here"
            try:
                engine.kill()
                await caller.check_unavailable(caplog)
            finally:
                engine.binary = binary
            await wait_ready(client)
            assert engine.pid != old_pid
            await caller.check_served()
    finally:
        await runtime.stop()
