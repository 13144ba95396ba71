"""Planned writes left behind by a process that died: the sweep and keyed retries finish them.

A crash is stood for by what it leaves in the database: a `writes_in_flight` record (and a key)
written by an earlier boot. The real kills are in tests/system/test_crash.py.
"""

from __future__ import annotations

from datetime import timedelta

from db.repo import new_id
from tests.support import CLOCK, NEED_FIELDS, hierarchy, need_input, raw


async def posted_need(api, services) -> tuple[dict, str]:
    h = await hierarchy(services, api)
    village = h["village"]
    res = await api.ok(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(village["organisation"]["id"]), village["token"]
    )
    return res["need"], village["token"]


def change_plan(need: dict, title: str) -> dict:
    tasks = [raw(e["node"]["id"]) for e in need["tasks"]["edges"]]
    return {"need_id": raw(need["id"]), "task_ids": tasks, "fields": {"title": title}, "task_fields": {}}


def dead_record(write_id: str, plan: dict, key_id: str | None = None) -> dict:
    return {
        "_id": write_id,
        "kind": "changeNeed",
        "key_id": key_id,
        "plan": plan,
        "holder": "an-earlier-boot",
        "lease_until": CLOCK.now(),
        "at": CLOCK.now(),
    }


async def title_of(repos, need: dict) -> str:
    return (await repos.needs.get(raw(need["id"])))["title"]


async def test_sweep_finishes_a_write_whose_process_died(api, services, repos):
    need, _ = await posted_need(api, services)
    write_id = new_id()
    await repos.writes_in_flight.insert(dead_record(write_id, change_plan(need, "改期后的送餐")))
    assert await services.writes.sweep() >= 1
    assert await title_of(repos, need) == "改期后的送餐"
    assert await repos.writes_in_flight.get(write_id) is None


async def test_a_retry_with_the_key_takes_over_and_returns_the_first_result(api, services, repos):
    need, _ = await posted_need(api, services)
    first = new_id()
    key_id = f"changeNeed:acc-1:k-{first}"
    await repos.writes_in_flight.insert(dead_record(first, change_plan(need, "第一次的标题"), key_id))
    await repos.idempotency.insert({"_id": key_id, "write_id": first, "result": None, "at": CLOCK.now()})
    result = await services.writes.run(
        "changeNeed", change_plan(need, "重试的标题"), key=f"k-{first}", account_id="acc-1", write_id=new_id()
    )
    assert result == raw(need["id"])
    assert await title_of(repos, need) == "第一次的标题"  # the first plan, finished; the retry's not applied
    assert (await repos.idempotency.get(key_id))["result"] == result
    assert await repos.writes_in_flight.get(first) is None


async def test_sweep_drops_a_plan_whose_key_another_write_owns(api, services, repos):
    need, _ = await posted_need(api, services)
    loser = new_id()
    key_id = f"changeNeed:acc-2:k-{loser}"
    await repos.idempotency.insert({"_id": key_id, "write_id": "the-winner", "result": "x", "at": CLOCK.now()})
    await repos.writes_in_flight.insert(dead_record(loser, change_plan(need, "不该写入"), key_id))
    await services.writes.sweep()
    assert await title_of(repos, need) != "不该写入"
    assert await repos.writes_in_flight.get(loser) is None


async def test_keys_expire_after_their_retention(services, repos):
    old, fresh = f"k-old-{new_id()}", f"k-fresh-{new_id()}"
    now = CLOCK.now()
    await repos.idempotency.insert({"_id": old, "result": "a", "expires_at": now - timedelta(seconds=1)})
    await repos.idempotency.insert({"_id": fresh, "result": "b", "expires_at": now + timedelta(hours=1)})
    assert await services.writes.purge() >= 1
    assert await repos.idempotency.get(old) is None
    assert await repos.idempotency.get(fresh) is not None
