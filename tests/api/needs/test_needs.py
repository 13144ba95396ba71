from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schema.base.ids import decode_id
from services.clock import local_today
from tests.support import CLOCK, NEED_FIELDS, future, hierarchy, need_input


@pytest.fixture
async def h(api, services, repos):
    return await hierarchy(services, api)


async def test_post_need_with_tasks_and_privacy(api, h):
    village = h["village"]
    res = await api.ok(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(village["organisation"]["id"]), village["token"]
    )
    need = res["need"]
    assert need["beneficiaryNotes"] == "独居, 糖尿病, 喜欢聊天" and need["address"] == "同心村3组12号"
    assert need["tasks"]["totalCount"] == 1
    task = need["tasks"]["edges"][0]["node"]
    assert (task["slots"], task["filled"], task["status"]) == (2, 0, "OPEN")
    q = "query($id: ID!) { node(id: $id) { ... on Need { title beneficiaryNotes address organisation { name } } } }"
    # the county above sees the notes; anonymous callers and a volunteer do not
    assert (await api.call(q, {"id": need["id"]}, h["county"]["token"]))["node"]["beneficiaryNotes"]
    anon = (await api.call(q, {"id": need["id"]}))["node"]
    assert anon == {
        "title": "给吴奶奶送午餐",
        "beneficiaryNotes": None,
        "address": None,
        "organisation": {"name": "同心村社工室"},
    }


async def test_category_defaults_credentials(api, h):
    org = h["village"]["organisation"]["id"]
    child = await api.ok(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
        need_input(org, category="CHILD_CARE", title="辅导作业"),
        h["village"]["token"],
    )
    assert child["need"]["requiredCredentials"] == ["CHILD_SAFEGUARDING_CHECK"]
    none = await api.ok(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
        need_input(org, category="CHILD_CARE", requiredCredentials=[]),
        h["village"]["token"],
    )
    assert none["need"]["requiredCredentials"] == []


async def test_weekly_recurrence_expands_within_horizon(api, h, settings):
    start = local_today(CLOCK) + timedelta(days=1)
    inp = need_input(
        h["village"]["organisation"]["id"],
        tasks=None,
        recurrence={
            "weekdays": ["MONDAY", "THURSDAY"],
            "startTime": "11:00:00",
            "durationMinutes": 90,
            "slots": 1,
            "startsOn": start.isoformat(),
        },
    )
    res = await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", inp, h["village"]["token"])
    tasks = [e["node"] for e in res["need"]["tasks"]["edges"]]
    horizon = settings.recurrence_horizon_days
    expected = sum(
        1
        for d in range(horizon + 1)
        if (start + timedelta(days=d)).weekday() in (0, 3)
        and start + timedelta(days=d) <= local_today(CLOCK) + timedelta(days=horizon)
    )
    assert len(tasks) == res["need"]["tasks"]["totalCount"] == expected
    for t in tasks:
        local = datetime.fromisoformat(t["startsAt"]).astimezone(timezone(timedelta(hours=8)))
        assert local.weekday() in (0, 3) and (local.hour, local.minute) == (11, 0)
        assert datetime.fromisoformat(t["endsAt"]) - datetime.fromisoformat(t["startsAt"]) == timedelta(minutes=90)
    assert [t["startsAt"] for t in tasks] == sorted(t["startsAt"] for t in tasks)


@pytest.mark.parametrize(
    "over, code",
    [
        (
            {"tasks": [{"startsAt": future(2).isoformat(), "endsAt": future(1).isoformat(), "slots": 1}]},
            "INVALID_TIME_RANGE",
        ),
        (
            {"tasks": [{"startsAt": future(2).isoformat(), "endsAt": future(3, 1).isoformat(), "slots": 1}]},
            "INVALID_TIME_RANGE",
        ),
        (
            {"tasks": [{"startsAt": future(-2).isoformat(), "endsAt": future(-2, 1).isoformat(), "slots": 1}]},
            "INVALID_TIME_RANGE",
        ),
        (
            {"tasks": [{"startsAt": future(2).isoformat(), "endsAt": future(2, 1).isoformat(), "slots": 0}]},
            "INVALID_SLOTS",
        ),
        (
            {"tasks": [{"startsAt": future(2).isoformat(), "endsAt": future(2, 1).isoformat(), "slots": 10_000}]},
            "INVALID_SLOTS",
        ),
        ({"tasks": []}, "TOO_MANY"),
        ({"tasks": None}, "INVALID_SCHEDULE"),
        ({"location": {"lat": -95, "lng": 10}}, "INVALID_COORDINATES"),
        ({"title": "长" * 201}, "TOO_LONG"),
        ({"requiredSkills": [{"skill": "FLYING", "minLevel": 1}]}, "UNKNOWN_SKILL"),
        ({"requiredCredentials": ["PILOT"]}, "UNKNOWN_CREDENTIAL"),
        (
            {
                "recurrence": {
                    "weekdays": ["MONDAY"],
                    "startTime": "09:00:00",
                    "durationMinutes": 60,
                    "slots": 1,
                    "startsOn": local_today(CLOCK).isoformat(),
                }
            },
            "INVALID_SCHEDULE",
        ),
    ],
)
async def test_post_need_rejects_bad_input_and_writes_nothing(api, h, services, repos, over, code):
    before = (await repos.needs.coll.count_documents({}), await repos.tasks.coll.count_documents({}))
    errors = await api.fails(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
        need_input(h["village"]["organisation"]["id"], **over),
        h["village"]["token"],
    )
    assert errors[0]["code"] == code
    assert (await repos.needs.coll.count_documents({}), await repos.tasks.coll.count_documents({})) == before


async def test_post_need_naive_datetime_rejected(api, h):
    errors = await api.fails(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
        need_input(
            h["village"]["organisation"]["id"],
            tasks=[{"startsAt": "2031-01-01T09:00:00", "endsAt": "2031-01-01T10:00:00", "slots": 1}],
        ),
        h["village"]["token"],
    )
    assert errors[0]["code"] == "INVALID_INPUT" and "zone" in errors[0]["message"]


async def test_only_managers_post_update_cancel(api, h):
    org = h["village"]["organisation"]["id"]
    errors = await api.fails(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org))
    assert errors[0]["code"] == "UNAUTHENTICATED"
    sibling = await api.ok(
        "registerOrganisation(input: $input) { token errors { code } }",
        {
            "name": "另一个站",
            "kind": "TOWNSHIP_STATION",
            "regionCode": "421024102",
            "parentId": h["county"]["organisation"]["id"],
            "coordinator": {"email": f"sib{org[:6]}@example.cn", "password": "sibling pw", "displayName": "x"},
        },
        h["county"]["token"],
    )
    errors = await api.fails(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org), sibling["token"])
    assert errors[0]["code"] == "FORBIDDEN"
    need = (await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org), h["town"]["token"]))["need"]
    errors = await api.fails(
        f"updateNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"], "title": "x"}, sibling["token"]
    )
    assert errors[0]["code"] == "FORBIDDEN"
    errors = await api.fails(f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"]}, sibling["token"])
    assert errors[0]["code"] == "FORBIDDEN"


async def test_update_propagates_to_tasks_and_cancel_cancels_them(api, h, services, repos):
    org = h["village"]["organisation"]["id"]
    token = h["village"]["token"]
    need = (await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org), token))["need"]
    upd = await api.ok(
        f"updateNeed(input: $input) {{ {NEED_FIELDS} }}",
        {
            "needId": need["id"],
            "urgency": "URGENT",
            "title": "送餐(加急)",
            "requiredSkills": [{"skill": "COOKING", "minLevel": 3}],
        },
        token,
    )
    assert (upd["need"]["urgency"], upd["need"]["title"]) == ("URGENT", "送餐(加急)")
    raw_task_id = need["tasks"]["edges"][0]["node"]["id"]
    task = await repos.tasks.get(decode_id(raw_task_id)[1])
    assert task["urgency"] == "URGENT" and task["required_skills"] == [{"code": "COOKING", "min_level": 3}]
    errors = await api.fails(
        f"updateNeed(input: $input) {{ {NEED_FIELDS} }}",
        {"needId": need["id"], "location": {"lat": 0, "lng": 999}},
        token,
    )
    assert errors[0]["code"] == "INVALID_COORDINATES"
    res = await api.ok(
        f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"], "reason": "老人住院"}, token
    )
    assert res["need"]["status"] == "CANCELLED"
    assert {e["node"]["status"] for e in res["need"]["tasks"]["edges"]} == {"CANCELLED"}
    errors = await api.fails(f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"]}, token)
    assert errors[0]["code"] == "NEED_CANCELLED"
    errors = await api.fails(f"updateNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": raw_task_id}, token)
    assert errors[0]["code"] == "INVALID_ID"


async def test_post_need_idempotency_key(api, h, services, repos):
    org = h["village"]["organisation"]["id"]
    inp = need_input(org, idempotencyKey=f"retry-{org}")
    first = await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", inp, h["village"]["token"])
    again = await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", inp, h["village"]["token"])
    assert first["need"]["id"] == again["need"]["id"]
    q = "query($id: ID!) { node(id: $id) { ... on Organisation { needs(first: 100) { totalCount } } } }"
    assert (await api.call(q, {"id": org}))["node"]["needs"]["totalCount"] == 1
