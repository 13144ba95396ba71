"""Accounts, volunteers and organisations through the real API."""

from __future__ import annotations

import jwt
import pytest
from argon2 import PasswordHasher

from tests.support import CLOCK, PASSWORD, VOLUNTEER_FIELDS, volunteer_input


async def test_register_volunteer_then_login_and_viewer(api):
    inp = volunteer_input()
    res = await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", inp)
    assert res["volunteer"]["name"] == "王芳" and res["volunteer"]["email"] == inp["email"]
    login = await api.ok(
        "login(input: $input) { token viewer { role email } errors { code } }",
        {"email": inp["email"].upper(), "password": PASSWORD},
    )
    assert login["viewer"] == {"role": "VOLUNTEER", "email": inp["email"]}
    data = await api.call("{ viewer { role volunteer { name home { lat } } } }", token=login["token"])
    assert data["viewer"] == {"role": "VOLUNTEER", "volunteer": {"name": "王芳", "home": {"lat": 30.33}}}


async def test_a_hash_from_older_parameters_still_signs_in_and_is_upgraded(api, repos):
    inp = volunteer_input()
    await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", inp)
    account = await repos.accounts.coll.find_one({"email": inp["email"]})
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    await repos.accounts.set_fields(account["_id"], {"password_hash": old})
    await api.login(inp["email"])
    upgraded = (await repos.accounts.get(account["_id"]))["password_hash"]
    assert upgraded != old and upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    await api.login(inp["email"])


async def test_duplicate_email_is_rejected_and_nothing_half_written(api, services, repos):
    inp = volunteer_input()
    await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", inp)
    before = await repos.volunteers.coll.count_documents({})
    errors = await api.fails(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", {**inp, "name": "B"})
    assert errors[0]["code"] == "EMAIL_TAKEN" and errors[0]["field"] == ["email"]
    assert await repos.volunteers.coll.count_documents({}) == before


@pytest.mark.parametrize(
    "over, code, field",
    [
        ({"home": {"lat": 91, "lng": 0}}, "INVALID_COORDINATES", ["home", "lat"]),
        ({"home": {"lat": 0, "lng": -181}}, "INVALID_COORDINATES", ["home", "lng"]),
        ({"travelRadiusKm": 0}, "INVALID_RADIUS", ["travelRadiusKm"]),
        ({"travelRadiusKm": 500}, "INVALID_RADIUS", ["travelRadiusKm"]),
        ({"skills": [{"skill": "JUGGLING", "level": 2}]}, "UNKNOWN_SKILL", ["skills", "0", "skill"]),
        ({"skills": [{"skill": "COOKING", "level": 9}]}, "INVALID_INPUT", ["skills", "0", "level"]),
        ({"languages": ["KLINGON"]}, "UNKNOWN_LANGUAGE", ["languages", "0"]),
        (
            {"credentials": [{"kind": "WIZARD", "expiresOn": "2030-01-01"}]},
            "UNKNOWN_CREDENTIAL",
            ["credentials", "0", "kind"],
        ),
        (
            {"availability": [{"weekday": "MONDAY", "startHour": 12, "endHour": 8}]},
            "INVALID_INPUT",
            ["availability", "0"],
        ),
        ({"name": "x" * 101}, "TOO_LONG", ["name"]),
        ({"name": "   "}, "INVALID_INPUT", ["name"]),
        ({"email": "not-an-email"}, "INVALID_INPUT", ["email"]),
        ({"password": "short"}, "WEAK_PASSWORD", ["password"]),
        ({"maxHoursPerWeek": 0}, "INVALID_INPUT", ["maxHoursPerWeek"]),
        ({"languages": ["MANDARIN"] * 51}, "TOO_MANY", ["languages"]),
    ],
)
async def test_register_volunteer_rejects_bad_input(api, services, repos, over, code, field):
    before = await repos.accounts.coll.count_documents({})
    errors = await api.fails(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", volunteer_input(**over))
    assert (errors[0]["code"], errors[0]["field"]) == (code, field)
    assert await repos.accounts.coll.count_documents({}) == before


async def test_all_problems_reported_at_once(api):
    errors = await api.fails(
        f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}",
        volunteer_input(email="bad", password="x", travelRadiusKm=-1),
    )
    assert {e["code"] for e in errors} == {"INVALID_INPUT", "WEAK_PASSWORD", "INVALID_RADIUS"}


async def test_unknown_enum_is_a_graphql_error_not_a_500(api):
    body = await api.raw(
        "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { token } }",
        {"i": volunteer_input(availability=[{"weekday": "FUNDAY", "startHour": 1, "endHour": 2}])},
    )
    assert body["errors"] and "FUNDAY" in body["errors"][0]["message"]


async def test_wrong_password_and_unknown_email(api):
    inp = volunteer_input()
    await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", inp)
    for email, pw in ((inp["email"], "wrong password"), ("nobody@example.cn", "whatever1")):
        errors = await api.fails(
            "login(input: $input) { token errors { code field message } }", {"email": email, "password": pw}
        )
        assert errors[0]["code"] == "INVALID_CREDENTIALS"


async def test_forged_and_expired_tokens(api, services):
    now = int(CLOCK.now().timestamp())
    forged = jwt.encode({"sub": "x", "exp": now + 60}, "not-our-secret-but-long-enough-for-hs256", "HS256")
    expired = jwt.encode({"sub": "x", "exp": now - 60}, services.accounts.tokens.secret, "HS256")
    for token, code in ((forged, "INVALID_TOKEN"), (expired, "TOKEN_EXPIRED"), ("garbage", "INVALID_TOKEN")):
        body = await api.raw("{ viewer { role } }", token=token)
        assert body["errors"][0]["extensions"]["code"] == code
        errors = await api.fails(
            "updateVolunteerProfile(input: $input) { errors { code field message } }", {"name": "x"}, token=token
        )
        assert errors[0]["code"] == code


async def test_update_volunteer_profile(api):
    res = await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", volunteer_input())
    upd = await api.ok(
        "updateVolunteerProfile(input: $input) { volunteer { name travelRadiusKm skills { skill level } "
        "availability { weekday startHour endHour } } errors { code field message } }",
        {
            "travelRadiusKm": 12.5,
            "skills": [{"skill": "READING", "level": 4}],
            "availability": [{"weekday": "SATURDAY", "startHour": 14, "endHour": 18}],
        },
        token=res["token"],
    )
    assert upd["volunteer"] == {
        "name": "王芳",
        "travelRadiusKm": 12.5,
        "skills": [{"skill": "READING", "level": 4}],
        "availability": [{"weekday": "SATURDAY", "startHour": 14, "endHour": 18}],
    }
    errors = await api.fails(
        "updateVolunteerProfile(input: $input) { errors { code field message } }",
        {"home": {"lat": 100, "lng": 0}},
        token=res["token"],
    )
    assert errors[0]["code"] == "INVALID_COORDINATES"
    errors = await api.fails("updateVolunteerProfile(input: $input) { errors { code field message } }", {"name": "x"})
    assert errors[0]["code"] == "UNAUTHENTICATED"


async def test_private_volunteer_fields_hidden_from_others(api):
    a = await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", volunteer_input())
    b = await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", volunteer_input())
    q = "query($id: ID!) { node(id: $id) { ... on Volunteer { name email home { lat } } } }"
    assert (await api.call(q, {"id": a["volunteer"]["id"]}, token=b["token"]))["node"] is None
    assert (await api.call(q, {"id": a["volunteer"]["id"]}))["node"] is None
    mine = (await api.call(q, {"id": a["volunteer"]["id"]}, token=a["token"]))["node"]
    assert mine["email"] and mine["home"]
