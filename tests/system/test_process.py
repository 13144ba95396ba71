"""The service as a process: a real uvicorn socket, data across restarts, the database going away."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.runtime import Runtime
from tests.support import CLOCK, VOLUNTEER_FIELDS, volunteer_input


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """uvicorn on a loopback port in this event loop, over a runtime we start and stop."""

    def __init__(self, runtime: Runtime) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            create_app(runtime=runtime), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> httpx.AsyncClient:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        return self.client

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()
        self.server.should_exit = True
        await self.task


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


async def gql(client: httpx.AsyncClient, query: str, variables: dict) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def own_settings(settings, tmp_path):
    return replace(settings, data_dir=tmp_path, mongodb_uri=None, database_name="vm_process", request_db_seconds=2.0)


async def test_socket_restart_and_outage(own_settings):
    if not own_settings.embedded:
        pytest.skip("needs the embedded engine")
    inp = volunteer_input()
    register = (
        f"mutation($input: RegisterVolunteerInput!) {{ registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }} }}"
    )
    login = "mutation($input: LoginInput!) { login(input: $input) { token viewer { email } errors { code } } }"

    first = Runtime(own_settings, CLOCK)
    await first.start()
    try:
        async with Served(first) as client:
            body = await gql(client, register, {"input": inp})
            assert body["data"]["registerVolunteer"]["errors"] == []
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await first.stop()

    second = Runtime(own_settings, CLOCK)  # a new engine process over the same data folder
    await second.start()
    try:
        async with Served(second) as client:
            body = await gql(client, login, {"input": {"email": inp["email"], "password": inp["password"]}})
            assert body["data"]["login"]["viewer"] == {"email": inp["email"]}

            # The database stops answering (frozen): not ready, requests fail cleanly, then it returns.
            os.kill(second.engine.pid, signal.SIGSTOP)
            try:
                await frozen(second.engine.pid)
                assert (await client.get("/readyz")).status_code == 503
                body = await gql(client, login, {"input": {"email": inp["email"], "password": inp["password"]}})
                assert body["data"] is None and body["errors"][0]["message"] == "internal error"
            finally:
                os.kill(second.engine.pid, signal.SIGCONT)
            await wait_ready(client)

            # The engine dies: the supervisor starts it again on the same port and data.
            old_pid = second.engine.pid
            second.engine.kill()
            await wait_ready(client)
            assert second.engine.pid != old_pid
            body = await gql(client, login, {"input": {"email": inp["email"], "password": inp["password"]}})
            assert body["data"]["login"]["viewer"] == {"email": inp["email"]}
    finally:
        await second.stop()
