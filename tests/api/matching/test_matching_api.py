"""openTasks, recommendedTasks and recommendVolunteers through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support import (
    ALL_WEEK,
    NEED_FIELDS,
    VOLUNTEER_FIELDS,
    future,
    hierarchy,
    lonely_spot,
    need_input,
    volunteer_input,
)

OPEN = """query($near: GeoPointInput!, $r: Float, $first: Int, $after: String, $skills: [String!],
                 $cats: [NeedCategory!]) {
  openTasks(near: $near, radiusKm: $r, first: $first, after: $after, skills: $skills, categories: $cats) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor distanceKm node { id startsAt need { title beneficiaryNotes address } } } } }"""


def near(spot: dict, dlat: float) -> dict:
    return {"lat": spot["lat"] + dlat, "lng": spot["lng"]}


@pytest.fixture
async def h(api, services, repos):
    return await hierarchy(services, api)


async def post(api, h, spot, **over) -> dict:
    inp = need_input(h["village"]["organisation"]["id"], location=spot, **over)
    return (await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", inp, h["village"]["token"]))["need"]


async def test_open_tasks_anonymous_nearest_first_with_keyset_pages(api, h):
    spot = lonely_spot()
    for i in range(5):
        await post(api, h, near(spot, 0.01 * (i + 1)), title=f"任务{i}")
    await post(api, h, near(spot, 1.0), title="太远")  # ~111 km away
    seen, after = [], None
    while True:
        conn = (await api.call(OPEN, {"near": spot, "r": 20, "first": 2, "after": after}))["openTasks"]
        assert conn["totalCount"] == 5
        seen += conn["edges"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert [e["node"]["need"]["title"] for e in seen] == [f"任务{i}" for i in range(5)]
    distances = [e["distanceKm"] for e in seen]
    assert distances == sorted(distances) and 1.0 < distances[0] < 1.2
    assert all(e["node"]["need"]["beneficiaryNotes"] is None and e["node"]["need"]["address"] is None for e in seen)


async def test_open_tasks_filters(api, h):
    spot = lonely_spot()
    await post(api, h, spot, title="送餐", requiredSkills=[{"skill": "MEAL_DELIVERY", "minLevel": 1}])
    await post(
        api,
        h,
        spot,
        title="辅导",
        category="CHILD_CARE",
        requiredSkills=[{"skill": "HOMEWORK_TUTORING", "minLevel": 1}],
    )
    titles = lambda conn: sorted(e["node"]["need"]["title"] for e in conn["openTasks"]["edges"])  # noqa: E731
    assert titles(await api.call(OPEN, {"near": spot, "skills": ["HOMEWORK_TUTORING"]})) == ["辅导"]
    assert titles(await api.call(OPEN, {"near": spot, "cats": ["ELDER_CARE"]})) == ["送餐"]
    assert titles(await api.call(OPEN, {"near": spot})) == ["辅导", "送餐"]


@pytest.mark.parametrize(
    "variables, code",
    [
        ({"r": 0}, "INVALID_RADIUS"),
        ({"r": 200.5}, "INVALID_RADIUS"),
        ({"r": -3}, "INVALID_RADIUS"),
        ({"first": 101}, "INVALID_INPUT"),
        ({"skills": ["TIME_TRAVEL"]}, "UNKNOWN_SKILL"),
        ({"near": {"lat": 95, "lng": 0}}, "INVALID_COORDINATES"),
        ({"after": "bm9wZQ"}, "INVALID_CURSOR"),
    ],
)
async def test_open_tasks_bad_input(api, variables, code):
    body = await api.raw(OPEN, {"near": {"lat": 30, "lng": 112}, **variables})
    assert body["errors"][0]["extensions"]["code"] == code


RECOMMEND = """query($task: ID!, $first: Int) { recommendVolunteers(taskId: $task, first: $first) {
  score distanceKm matchedSkills missingSkills reasons volunteer { id name } } }"""


async def test_recommend_volunteers_ranks_and_respects_constraints(api, h):
    spot = lonely_spot()
    need = await post(api, h, spot, requiredSkills=[{"skill": "MEAL_DELIVERY", "minLevel": 2}], languages=["BOUYEI"])
    task_id = need["tasks"]["edges"][0]["node"]["id"]
    base = dict(availability=ALL_WEEK, travelRadiusKm=20.0, maxHoursPerWeek=20)
    close = await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(name="近的", home=near(spot, 0.01), skills=[{"skill": "MEAL_DELIVERY", "level": 2}], **base),
    )
    speaker = await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(
            name="会布依语",
            home=near(spot, 0.02),
            skills=[{"skill": "MEAL_DELIVERY", "level": 5}],
            languages=["BOUYEI"],
            **base,
        ),
    )
    await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(
            name="技能不够", home=near(spot, 0.005), skills=[{"skill": "MEAL_DELIVERY", "level": 1}], **base
        ),
    )
    await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(
            name="不在家",
            home=near(spot, 0.005),
            skills=[{"skill": "MEAL_DELIVERY", "level": 4}],
            **{**base, "availability": []},
        ),
    )
    matches = (await api.call(RECOMMEND, {"task": task_id, "first": 10}, h["village"]["token"]))["recommendVolunteers"]
    assert [m["volunteer"]["name"] for m in matches] == ["会布依语", "近的"]
    assert matches[0]["matchedSkills"] == ["MEAL_DELIVERY"] and matches[0]["missingSkills"] == []
    assert any("BOUYEI" in r for r in matches[0]["reasons"])
    assert matches[0]["volunteer"]["id"] == speaker["volunteer"]["id"]
    assert close["volunteer"]["id"] == matches[1]["volunteer"]["id"]

    # the volunteer's own recommendations include this task
    mine = await api.call(
        "{ recommendedTasks(first: 5) { score distanceKm reasons task { id } } }", token=close["token"]
    )
    assert task_id in [m["task"]["id"] for m in mine["recommendedTasks"]]


async def test_recommend_volunteers_errors(api, h, services, repos):
    spot = lonely_spot()
    need = await post(api, h, spot)
    task_id = need["tasks"]["edges"][0]["node"]["id"]
    other = await hierarchy(services, api)
    cases = [
        ({"task": task_id}, other["village"]["token"], "FORBIDDEN"),
        ({"task": task_id}, None, "UNAUTHENTICATED"),
        ({"task": need["id"]}, h["village"]["token"], "INVALID_ID"),
        ({"task": task_id, "first": 500}, h["village"]["token"], "INVALID_INPUT"),
    ]
    for variables, token, code in cases:
        body = await api.raw(RECOMMEND, variables, token)
        assert body["errors"][0]["extensions"]["code"] == code, (variables, body)
    await api.ok(f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": need["id"]}, h["village"]["token"])
    body = await api.raw(RECOMMEND, {"task": task_id}, h["village"]["token"])
    assert body["errors"][0]["extensions"]["code"] == "TASK_NOT_OPEN"
    body = await api.raw("{ recommendedTasks { score } }", {}, h["village"]["token"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_cancelling_a_need_frees_its_volunteers_for_matching(api, h, services, repos):
    spot = lonely_spot()
    starts = future(6)
    window = [{"startsAt": starts.isoformat(), "endsAt": (starts + timedelta(hours=2)).isoformat(), "slots": 1}]
    booked = await post(api, h, spot, title="已有安排", tasks=window, autoAccept=True)
    other = await post(api, h, spot, title="同一时间", tasks=window)
    vol = await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(
            home=spot,
            availability=ALL_WEEK,
            travelRadiusKm=10.0,
            maxHoursPerWeek=40,
            skills=[{"skill": "MEAL_DELIVERY", "level": 3}],
        ),
    )
    applied = await api.ok(
        "applyToTask(input: $input) { application { status } errors { code field message } }",
        {"taskId": booked["tasks"]["edges"][0]["node"]["id"]},
        vol["token"],
    )
    assert applied["application"]["status"] == "ACCEPTED"
    other_task = other["tasks"]["edges"][0]["node"]["id"]

    async def recommended() -> list[str]:
        data = await api.call(RECOMMEND, {"task": other_task, "first": 10}, h["village"]["token"])
        return [m["volunteer"]["id"] for m in data["recommendVolunteers"]]

    assert vol["volunteer"]["id"] not in await recommended()  # booked at that time
    await api.ok(f"cancelNeed(input: $input) {{ {NEED_FIELDS} }}", {"needId": booked["id"]}, h["village"]["token"])
    assert vol["volunteer"]["id"] in await recommended()
    await services.matching.rebuild()  # and a rebuild does not bring the commitment back
    assert vol["volunteer"]["id"] in await recommended()
