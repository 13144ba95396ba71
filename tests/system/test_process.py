"""The service as a process: a real uvicorn socket and data across restarts (outages: test_outage.py)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.runtime import Runtime
from api.server import server_config
from tests.support import CLOCK, VOLUNTEER_FIELDS, volunteer_input


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """uvicorn on a loopback port in this event loop, over a runtime we start and stop, configured as
    `api.cli serve` configures it (`options` go to `server_config`)."""

    def __init__(self, runtime: Runtime, **options: Any) -> None:
        self.port = free_port()
        app = create_app(runtime=runtime)
        config = server_config(app, "127.0.0.1", self.port, log_level="warning", lifespan="off", **options)
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


async def gql(client: httpx.AsyncClient, query: str, variables: dict) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def own_settings(settings, tmp_path):
    return replace(settings, data_dir=tmp_path, mongodb_uri=None, database_name="vm_process")


async def test_socket_and_restart(own_settings):
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
    finally:
        await second.stop()
