"""DataLoaders keep a page with nested relations to a bounded number of database round-trips."""

from __future__ import annotations

import pytest

from db.repo import BATCH_IN, BATCH_POINT
from schema.base.ids import decode_id
from tests.support import NEED_FIELDS, hierarchy, need_input

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


@pytest.mark.parametrize("strategy", [BATCH_IN, BATCH_POINT])
async def test_fifty_items_with_nested_relations(api, services, commands, org_with_50_needs, strategy):
    org, token = org_with_50_needs
    used = (services.accounts.accounts, services.needs.needs)  # what the page's loaders read through
    saved = [r.batch for r in used]
    for r in used:
        r.batch = strategy
    try:
        names, data = await _count(api, commands, org, token)
    finally:
        for r, b in zip(used, saved):
            r.batch = b
    edges = data["node"]["needs"]["edges"]
    assert len(edges) == 50 and all(len(e["node"]["tasks"]["edges"]) == 1 for e in edges)
    if strategy == BATCH_IN:
        # the viewer's account and one batch of needs; organisations and live tasks are in memory
        assert sorted(names) == ["find:accounts", "find:needs"], names
    else:
        # point reads: each need exactly once, never once per nesting; live tasks come from memory
        need_ids = {decode_id(e["node"]["id"])[1] for e in edges}
        task_ids = {decode_id(e["node"]["tasks"]["edges"][0]["node"]["id"])[1] for e in edges}
        assert sorted(r for r in commands.point_reads if r[1] in need_ids) == sorted(("needs", i) for i in need_ids)
        assert not [r for r in commands.point_reads if r[1] in task_ids]
