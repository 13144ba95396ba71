"""Builders for test data through the real API (each returns ids and tokens)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import Api, unique

ORG_FIELDS = "token organisation { id name kind regionCode parent { id } } errors { code field message }"
NEED_FIELDS = ("need { id title category urgency status beneficiaryNotes address requiredCredentials "
               "tasks(first: 100) { totalCount edges { node { id startsAt endsAt slots filled status } } } } "
               "errors { code field message }")


async def admin_token(app, api: Api) -> str:
    email = f"{unique('admin')}@example.cn"
    await app.account_service.create_admin(email, "admin password", "Admin")
    return (await api.ok("login(input: $input) { token errors { code } }",
                         {"email": email, "password": "admin password"}))["token"]


def org_input(name: str, kind: str, region: str, parent: str | None = None, **over) -> dict:
    return {"name": name, "kind": kind, "regionCode": region, "parentId": parent,
            "location": {"lat": 30.33, "lng": 112.24},
            "coordinator": {"email": f"{unique('c')}@example.cn", "password": "coordinator pw",
                            "displayName": f"{name} 站长"}, **over}


async def hierarchy(app, api: Api) -> dict:
    """City → county → township → village, each with its own coordinator token."""
    admin = await admin_token(app, api)
    city = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
                        org_input("荆州市社会工作指导中心", "CITY_CENTER", "421000"), admin)
    county = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
                          org_input("江陵县社工总站", "COUNTY_STATION", "421024", city["organisation"]["id"]),
                          city["token"])
    town = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
                        org_input("马家寨乡社工站", "TOWNSHIP_STATION", "421024101", county["organisation"]["id"]),
                        county["token"])
    village = await api.ok(f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
                           org_input("同心村社工室", "VILLAGE_ROOM", "421024101201", town["organisation"]["id"]),
                           town["token"])
    return {"admin": admin, "city": city, "county": county, "town": town, "village": village}


def future(days: float, hours: float = 0) -> datetime:
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hours)


def need_input(org_id: str, **over) -> dict:
    start = future(3)
    base = {"organisationId": org_id, "title": "给吴奶奶送午餐", "category": "ELDER_CARE", "urgency": "ROUTINE",
            "description": "每周一、四送餐上门", "location": {"lat": 30.34, "lng": 112.25},
            "address": "同心村3组12号", "requiredSkills": [{"skill": "MEAL_DELIVERY", "minLevel": 2}],
            "languages": ["JINGZHOU_DIALECT"], "beneficiaryNotes": "独居, 糖尿病, 喜欢聊天",
            "tasks": [{"startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat(),
                       "slots": 2}]}
    base.update(over)
    return base
