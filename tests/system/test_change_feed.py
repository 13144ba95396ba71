"""Several processes over one database: writes reach the others' matching index through the change log."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from bench import matching_bench as city
from bootstrap import Services, build_services
from db.client import Database
from db.collections import CHANGELOG_MAX
from db.repositories import Repositories
from schema.base.ids import decode_id
from tests.support import CLOCK, NEED_FIELDS, future, hierarchy, lonely_spot, need_input


@pytest.fixture
async def h(api, services):
    return await hierarchy(services, api)


async def other_process(runtime, settings=None) -> tuple[Services, Database]:
    """The services of a second API process over the same database (started: rebuilt and polling)."""
    settings = settings or runtime.settings
    uri = runtime.engine.uri if runtime.engine else settings.mongodb_uri
    database = Database(uri, settings.database_name)
    await database.prepare()
    services = build_services(settings, database, CLOCK)
    await services.start()
    return services, database


async def post(api, h, spot, **over) -> dict:
    inp = need_input(h["village"]["organisation"]["id"], location=spot, **over)
    return (await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", inp, h["village"]["token"]))["need"]


def visible(services: Services, spot: dict) -> list[str]:
    page = services.matching.open_tasks(SimpleNamespace(**spot), 5, None, None, None, None, 10, None)
    return [hit.task_id for hit in page.items]


async def test_writes_reach_another_process_within_two_seconds(api, h, runtime):
    other, database = await other_process(runtime)
    try:
        spot = lonely_spot()
        need = await post(api, h, spot, title="跨进程")
        task_raw = decode_id(need["tasks"]["edges"][0]["node"]["id"])[1]
        started = time.monotonic()
        while visible(other, spot) != [task_raw]:
            assert time.monotonic() - started < 2.0, "not visible in the other process within 2 s"
            await asyncio.sleep(0.05)
        # a cancellation travels the same way
        await api.ok(f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"]}, h["village"]["token"])
        started = time.monotonic()
        while visible(other, spot):
            assert time.monotonic() - started < 2.0
            await asyncio.sleep(0.05)
    finally:
        await other.stop()
        await database.close()


async def test_rebuild_at_start_sees_existing_data(api, h, runtime):
    spot = lonely_spot()
    await post(
        api,
        h,
        spot,
        tasks=[{"startsAt": future(5).isoformat(), "endsAt": (future(5) + timedelta(hours=1)).isoformat(), "slots": 3}],
    )
    fresh, database = await other_process(runtime)
    try:
        assert len(visible(fresh, spot)) == 1
        assert fresh.matching.last_build_seconds is not None
    finally:
        await fresh.stop()
        await database.close()


async def test_a_process_that_falls_behind_the_change_log_rebuilds(runtime):
    """More changes than the capped log holds: the poller cannot know what it lost, so it rebuilds."""
    settings = replace(runtime.settings, database_name="vm_fall_behind")
    services, database = await other_process(runtime, settings)
    repos = Repositories.open(database)
    try:
        await services.changes.poll_once()
        volunteer = next(iter(city.volunteers(1)))
        await repos.volunteers.insert({**volunteer, "account_id": "direct-write"})  # written behind its back
        assert services.matching.index.volunteer_count() == 0
        now = services.changes.now()  # entries carry the feed's own time (db/changes.py)
        await repos.changelog.insert_many(
            [
                {"_id": f"{i:024x}", "at": now, "kind": "noise", "doc_id": "x", "origin": "elsewhere"}
                for i in range(CHANGELOG_MAX)
            ]
        )
        assert await services.changes.poll_once() == 0
        assert services.matching.index.volunteer_count() == 1
    finally:
        await services.stop()
        await database.client.drop_database(settings.database_name)
        await database.close()
