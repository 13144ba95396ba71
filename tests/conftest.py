"""One embedded engine and one runtime per test session (in a temporary folder), on the fixed clock.

Fixtures are lazy: `pytest tests/unit` starts no engine. Tests under tests/system/ are marked
`system`, so `pytest -m "not system"` is the fast loop.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.runtime import Runtime
from config import ROOT, Settings
from db.repositories import Repositories
from tests.guard import AccessGuard
from tests.support import CLOCK, Api, CommandCounter

SYSTEM = Path(__file__).parent / "system"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SYSTEM in Path(item.fspath).parents:
            item.add_marker(pytest.mark.system)


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


@pytest.fixture(scope="session")
def clock():
    return CLOCK


@pytest.fixture(scope="session")
def commands() -> CommandCounter:
    return CommandCounter()


@pytest.fixture(scope="session")
async def runtime(settings, commands):
    rt = Runtime(settings, CLOCK, [commands, AccessGuard()])
    await rt.start()
    yield rt
    await rt.stop()


@pytest.fixture(scope="session")
def services(runtime):
    return runtime.services


@pytest.fixture(scope="session")
def repos(runtime, settings) -> Repositories:
    """The collections themselves, for setting up and checking what is stored."""
    return Repositories.open(runtime.database)


@pytest.fixture
async def client(runtime):
    asgi = create_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test") as c:
        yield c


@pytest.fixture
def api(client) -> Api:
    return Api(client)
