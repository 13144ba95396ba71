"""One embedded engine per test session (in a temporary folder); the real ASGI app over httpx."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import httpx
import pytest
from pymongo.monitoring import CommandListener

from api.app import Runtime, create_app
from api.settings import ROOT, Settings

_counter = itertools.count()


def unique(prefix: str = "u") -> str:
    return f"{prefix}{os.getpid()}x{next(_counter)}"


@pytest.fixture(scope="session")
def tmp_data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(tmp_data) -> Settings:
    return Settings.from_env(
        mongodb_uri=os.environ.get("TEST_MONGODB_URI") or None,
        data_dir=tmp_data,
        engine_binary=Path(os.environ.get("VM_ENGINE_BINARY", ROOT / ".cache/engine/vm-engine")),
        database_name="vm_test",
    )


class CommandCounter(CommandListener):
    """Counts the commands this process sends to the database (one per round-trip)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.point_reads: list[tuple[str, str]] = []  # (collection, _id) of single-id finds

    def started(self, event) -> None:
        collection = event.command.get(event.command_name)
        self.names.append(f"{event.command_name}:{collection}")
        _id = (event.command.get("filter") or {}).get("_id") if event.command_name == "find" else None
        if isinstance(_id, str):
            self.point_reads.append((collection, _id))

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture(scope="session")
def commands() -> CommandCounter:
    return CommandCounter()


@pytest.fixture(scope="session")
async def runtime(settings, commands):
    rt = Runtime(settings, [commands])
    await rt.start()
    yield rt
    await rt.stop()


@pytest.fixture(scope="session")
async def app(runtime):
    return runtime.app


@pytest.fixture
async def client(runtime):
    asgi = create_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test") as c:
        yield c


class Api:
    """Posts GraphQL over the real ASGI app; `call` returns `data`, failing on GraphQL errors."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert r.status_code == 200, r.text
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


def _input_type(mutation_name: str) -> str:
    return mutation_name[0].upper() + mutation_name[1:] + "Input"


@pytest.fixture
def api(client) -> Api:
    return Api(client)
