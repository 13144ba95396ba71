from __future__ import annotations

import pytest

from tests.support import ORG_FIELDS, admin_token, hierarchy, org_input


async def test_four_tier_hierarchy_and_listing(api, services, repos):
    h = await hierarchy(services, api)
    q = """query($r: String!, $k: OrganisationKind) { organisations(regionCode: $r, kind: $k, first: 2) {
             totalCount edges { cursor node { name kind ancestors { kind } } } pageInfo { hasNextPage endCursor } } }"""
    village = h["village"]["organisation"]
    assert village["parent"]["id"] == h["town"]["organisation"]["id"]
    data = await api.call(q, {"r": "421024101", "k": "VILLAGE_ROOM"})
    names = [e["node"]["name"] for e in data["organisations"]["edges"]]
    assert "同心村社工室" in names
    node = next(e["node"] for e in data["organisations"]["edges"] if e["node"]["name"] == "同心村社工室")
    assert [a["kind"] for a in node["ancestors"]] == ["CITY_CENTER", "COUNTY_STATION", "TOWNSHIP_STATION"]


async def test_keyset_pagination_walks_every_item_once(api, services, repos):
    await hierarchy(services, api)
    q = """query($after: String) { organisations(regionCode: "421000", first: 3, after: $after) {
             totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor hasPreviousPage } } }"""
    seen, after = [], None
    while True:
        conn = (await api.call(q, {"after": after}))["organisations"]
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == conn["totalCount"]


async def test_first_is_capped_and_cursors_checked(api):
    body = await api.raw("{ organisations(first: 101) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await api.raw('{ organisations(first: 5, after: "garbage!") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    body = await api.raw('{ organisations(regionCode: "12ab") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_REGION"


@pytest.mark.parametrize(
    "kind, region, parent_key, code",
    [
        ("COUNTY_STATION", "421024", None, "INVALID_PARENT"),  # a station needs its tier above
        ("TOWNSHIP_STATION", "421024101", "city", "INVALID_PARENT"),  # skipping a tier
        ("TOWNSHIP_STATION", "42102410", "county", "INVALID_REGION"),  # 8 digits
        ("TOWNSHIP_STATION", "370102001", "county", "INVALID_REGION"),  # outside the parent's region
        ("CITY_CENTER", "421000", "city", "INVALID_PARENT"),
    ],
)
async def test_hierarchy_rules(api, services, repos, kind, region, parent_key, code):
    h = await hierarchy(services, api)
    parent = h[parent_key]["organisation"]["id"] if parent_key else None
    errors = await api.fails(
        f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}", org_input("x", kind, region, parent), h["admin"]
    )
    assert errors[0]["code"] == code


async def test_only_coordinators_above_can_add_stations(api, services, repos):
    h = await hierarchy(services, api)
    town_id = h["town"]["organisation"]["id"]
    # a sibling county's coordinator may not add under this township
    other = await api.ok(
        f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
        org_input("沙市区社工总站", "COUNTY_STATION", "421002", h["city"]["organisation"]["id"]),
        h["admin"],
    )
    for token in (other["token"], None, h["village"]["token"]):
        errors = await api.fails(
            f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
            org_input("新村", "VILLAGE_ROOM", "421024101202", town_id),
            token,
        )
        assert errors[0]["code"] == "FORBIDDEN"
    # the city centre's coordinator may, three tiers down
    await api.ok(
        f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
        org_input("新村", "VILLAGE_ROOM", "421024101202", town_id),
        h["city"]["token"],
    )
    errors = await api.fails(
        f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}",
        org_input("市中心", "CITY_CENTER", "420100"),
        h["city"]["token"],
    )
    assert errors[0]["code"] == "FORBIDDEN"


async def test_teams_self_register_and_bad_ids(api, services, repos):
    team = await api.ok(
        f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}", org_input("蓝天救援队", "VOLUNTEER_TEAM", "421002")
    )
    assert team["organisation"]["kind"] == "VOLUNTEER_TEAM" and team["token"]
    for bad in ("nonsense", team["token"][:10]):
        errors = await api.fails(
            f"registerOrganisation(input: $input) {{ {ORG_FIELDS} }}", org_input("x", "AGENCY", "421002", bad)
        )
        assert errors[0]["code"] == "INVALID_ID" and errors[0]["field"] == ["parentId"]
    body = await api.raw('{ organisation(id: "bm90LWFuLWlk") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


async def test_committee_accounts(api, services, repos):
    h = await hierarchy(services, api)
    inp = {
        "email": "committee-" + h["town"]["organisation"]["id"][:8] + "@example.cn",
        "password": "committee pw",
        "displayName": "马家寨乡同心村村委会",
        "regionCode": "421024101201",
    }
    q = "createCommitteeAccount(input: $input) { account { role regionCode } errors { code field message } }"
    res = await api.ok(q, inp, h["town"]["token"])
    assert res["account"] == {"role": "COMMITTEE", "regionCode": "421024101201"}
    errors = await api.fails(q, {**inp, "email": "x" + inp["email"], "regionCode": "370102001"}, h["town"]["token"])
    assert errors[0]["code"] == "FORBIDDEN"
    errors = await api.fails(q, {**inp, "email": "y" + inp["email"]})
    assert errors[0]["code"] == "UNAUTHENTICATED"
    errors = await api.fails(q, inp, await admin_token(services, api))
    assert errors[0]["code"] == "EMAIL_TAKEN"
