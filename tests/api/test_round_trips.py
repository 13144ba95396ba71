"""DataLoaders keep a page with nested relations to a bounded number of database round-trips."""

from __future__ import annotations

import pytest

from tests.support import NEED_FIELDS, VOLUNTEER_FIELDS, hierarchy, lonely_spot, need_input, volunteer_input

PAGE = """query($id: ID!) { node(id: $id) { ... on Organisation { needs(first: 50) { totalCount edges { node {
  id title organisation { name parent { name } }
  tasks(first: 3) { edges { node { id startsAt filled need { title organisation { name } } } } } } } } } } }"""


@pytest.fixture
async def org_with_50_needs(api, services):
    h = await hierarchy(services, api)
    org = h["village"]["organisation"]["id"]
    for i in range(50):
        await api.ok(
            f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org, title=f"需求{i}"), h["village"]["token"]
        )
    return org, h["village"]["token"]


async def _count(api, commands, org, token) -> tuple[list[str], dict]:
    commands.names.clear()
    commands.point_reads.clear()
    data = await api.call(PAGE, {"id": org}, token)
    # background work (change-log poll, rollup outbox) may run meanwhile; it is not the page's cost
    page_collections = ("accounts", "organisations", "needs", "tasks", "volunteers")
    return [n for n in commands.names if n.split(":")[1] in page_collections], data


async def test_fifty_items_with_nested_relations(api, services, commands, org_with_50_needs):
    org, token = org_with_50_needs
    names, data = await _count(api, commands, org, token)
    edges = data["node"]["needs"]["edges"]
    assert len(edges) == 50 and all(len(e["node"]["tasks"]["edges"]) == 1 for e in edges)
    # one batch of needs (and the viewer's account, unless read in the last few seconds: services/accounts.py);
    # organisations and live tasks are in memory
    assert [n for n in names if n != "find:accounts"] == ["find:needs"] and len(names) <= 2, names


OPEN_WITH_ADDRESS = """query($near: GeoPointInput!) { openTasks(near: $near, radiusKm: 5, first: 100) {
  edges { node { id need { address beneficiaryNotes organisation { name } } } } } }"""


async def test_a_page_of_open_tasks_with_private_fields_for_a_volunteer(api, services, commands):
    """Each need's address asks whether the volunteer is assigned to it: one query for the page."""
    h = await hierarchy(services, api)
    spot = lonely_spot()
    for i in range(60):
        await api.ok(
            f"postNeed(input: $input) {{ {NEED_FIELDS} }}",
            need_input(h["village"]["organisation"]["id"], title=f"需求{i}", location=spot),
            h["village"]["token"],
        )
    volunteer = await api.ok(f"registerVolunteer(input: $input) {{ {VOLUNTEER_FIELDS} }}", volunteer_input())
    commands.names.clear()
    data = await api.call(OPEN_WITH_ADDRESS, {"near": spot}, volunteer["token"])
    edges = data["openTasks"]["edges"]
    assert len(edges) == 60 and all(e["node"]["need"]["address"] is None for e in edges)
    assert [n for n in commands.names if n.split(":")[1] in ("applications", "needs")] == [
        "find:needs",
        "find:applications",
    ], commands.names
