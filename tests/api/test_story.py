"""The whole story through the API: post a need, recommend, invite, accept, check in and out,
verify, correct, and the committee sees the hours while the volunteer's star level moves."""

from __future__ import annotations

from datetime import date, timedelta

from services.clock import LOCAL
from tests.support import (
    ALL_WEEK,
    CLOCK,
    NEED_FIELDS,
    VOLUNTEER_FIELDS,
    hierarchy,
    lonely_spot,
    need_input,
    volunteer_input,
)

VILLAGE_REGION = "421024101201"


def month_start(d: date, back: int = 0) -> date:
    """The first day of the month `back` months before `d`'s (negative: after)."""
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return date(y, m + 1, 1)


async def test_need_to_star_level(api, services, repos):
    h = await hierarchy(services, api)
    coord, org_id = h["village"]["token"], h["village"]["organisation"]["id"]
    spot = lonely_spot()

    # an elder-care need with one task starting in a few minutes
    start = CLOCK.now().replace(microsecond=0) + timedelta(minutes=5)
    need = (
        await api.ok(
            f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
            need_input(
                org_id,
                location=spot,
                tasks=[{"startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat(), "slots": 1}],
            ),
            coord,
        )
    )["need"]
    task_id = need["tasks"]["edges"][0]["node"]["id"]

    # a volunteer nearby who already has 99 verified hours from earlier group activities
    vol = await api.ok(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(
            name="吴阿姨的邻居",
            home=spot,
            availability=ALL_WEEK,
            travelRadiusKm=10.0,
            maxHoursPerWeek=40,
            skills=[{"skill": "MEAL_DELIVERY", "level": 4}],
        ),
    )
    vol_token, vol_id = vol["token"], vol["volunteer"]["id"]
    earlier = CLOCK.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=6)
    recorded = []
    for i in range(5):  # 5 × 19.8 h = 99 h
        began = earlier + timedelta(days=i)
        res = await api.ok(
            "recordHours(input: $input) { entries { id minutes } errors { code field message } }",
            {
                "volunteerIds": [vol_id],
                "organisationId": org_id,
                "category": "ELDER_CARE",
                "startedAt": began.isoformat(),
                "endedAt": (began + timedelta(minutes=1188)).isoformat(),
                "title": "重阳节敬老活动",
            },
            coord,
        )
        recorded += [e["id"] for e in res["entries"]]
    await api.ok(
        "verifyHours(input: $input) { entries { status } errors { code field message } }",
        {"entryIds": recorded, "decision": "VERIFY"},
        coord,
    )
    level = "query($id: ID!) { node(id: $id) { ... on Volunteer { verifiedMinutes starLevel } } }"
    assert (await api.call(level, {"id": vol_id}, vol_token))["node"] == {"verifiedMinutes": 99 * 60, "starLevel": 0}

    # the coordinator asks for recommendations and invites the best match
    recs = (
        await api.call(
            "query($t: ID!) { recommendVolunteers(taskId: $t, first: 5) { volunteer { id } reasons } }",
            {"t": task_id},
            coord,
        )
    )["recommendVolunteers"]
    assert recs[0]["volunteer"]["id"] == vol_id
    invited = await api.ok(
        "inviteVolunteer(input: $input) { application { id status } errors { code field message } }",
        {"taskId": task_id, "volunteerId": vol_id},
        coord,
    )
    application_id = invited["application"]["id"]
    q_need = "query($id: ID!) { node(id: $id) { ... on Need { beneficiaryNotes address } } }"
    assert (await api.call(q_need, {"id": need["id"]}, vol_token))["node"]["beneficiaryNotes"] is None
    accepted = await api.ok(
        "respondToInvitation(input: $input) { application { status } errors { code field message } }",
        {"applicationId": application_id, "decision": "ACCEPT"},
        vol_token,
    )
    assert accepted["application"]["status"] == "ACCEPTED"
    # once accepted, the volunteer sees the private notes and the exact address
    private = (await api.call(q_need, {"id": need["id"]}, vol_token))["node"]
    assert private == {"beneficiaryNotes": "独居, 糖尿病, 喜欢聊天", "address": "同心村3组12号"}
    task = (await api.call("query($id: ID!) { node(id: $id) { ... on Task { filled status } } }", {"id": task_id}))[
        "node"
    ]
    assert task == {"filled": 1, "status": "FULL"}

    # check in and out at the door (the phone's location is inside the geofence)
    for op in ("checkIn", "checkOut"):
        res = await api.ok(
            f"{op}(input: $input) {{ assignment {{ status }} flags errors {{ code field message }} }}",
            {"assignmentId": application_id, "location": spot, "idempotencyKey": f"{op}-1"},
            vol_token,
        )
        assert "OUT_OF_FENCE" not in res["flags"]

    # the coordinator finds the pending entry, verifies it, and corrects it to the real two hours
    pending = await api.call(
        "query($o: ID!) { hourEntries(organisationId: $o, status: PENDING, first: 10) { "
        "edges { node { id minutes source volunteer { id } } } } }",
        {"o": org_id},
        coord,
    )
    entry = next(e["node"] for e in pending["hourEntries"]["edges"] if e["node"]["volunteer"]["id"] == vol_id)
    assert entry["source"] == "CHECKOUT"
    await api.ok(
        "verifyHours(input: $input) { entries { status } errors { code field message } }",
        {"entryIds": [entry["id"]], "decision": "VERIFY"},
        coord,
    )
    await api.ok(
        "correctHours(input: $input) { correction { minutes } errors { code field message } }",
        {"entryId": entry["id"], "minutes": 120, "reason": "手机电量耗尽, 提前签退; 实际服务两小时"},
        coord,
    )
    assert (await api.call(level, {"id": vol_id}, vol_token))["node"] == {"verifiedMinutes": 101 * 60, "starLevel": 1}

    # the village committee sees the hours add up in its region, by month and by volunteer
    committee_email = f"committee-{vol_id[-8:]}@example.cn"
    await api.ok(
        "createCommitteeAccount(input: $input) { account { role } errors { code field message } }",
        {
            "email": committee_email,
            "password": "committee pw",
            "displayName": "同心村村委会",
            "regionCode": VILLAGE_REGION,
        },
        h["town"]["token"],
    )
    committee = (
        await api.ok(
            "login(input: $input) { token errors { code } }", {"email": committee_email, "password": "committee pw"}
        )
    )["token"]
    today = CLOCK.now().astimezone(LOCAL).date()
    span = {"from": month_start(today, 1).isoformat(), "to": (month_start(today, -1) - timedelta(days=1)).isoformat()}
    q = """query($scope: HourScopeInput!, $g: TallyGroup!, $from: Date, $to: Date) {
             hourTallies(scope: $scope, groupBy: $g, from: $from, to: $to) { key label minutes entries volunteers } }"""
    by_month = await api.call(q, {"scope": {"regionCode": VILLAGE_REGION}, "g": "MONTH", **span}, committee)
    by_volunteer = await api.call(q, {"scope": {"regionCode": VILLAGE_REGION}, "g": "VOLUNTEER", **span}, committee)
    assert sum(t["minutes"] for t in by_month["hourTallies"]) == 101 * 60
    mine = [t for t in by_volunteer["hourTallies"] if t["key"] == vol_id]
    assert mine and mine[0]["minutes"] == 101 * 60
