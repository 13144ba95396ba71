"""DataLoaders keep a page with nested relations to a bounded number of database round-trips."""

from __future__ import annotations

import pytest

from db.repo import BATCH_IN, BATCH_POINT
from tests.factories import NEED_FIELDS, hierarchy, need_input

PAGE = """query($id: ID!) { node(id: $id) { ... on Organisation { needs(first: 50) { totalCount edges { node {
  title organisation { name parent { name } }
  tasks(first: 3) { edges { node { startsAt filled need { title organisation { name } } } } } } } } } } }"""


@pytest.fixture
async def org_with_50_needs(api, app):
    h = await hierarchy(app, api)
    org = h["village"]["organisation"]["id"]
    for i in range(50):
        await api.ok(f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(org, title=f"需求{i}"),
                     h["village"]["token"])
    return org, h["village"]["token"]


async def _count(api, commands, org, token) -> tuple[list[str], dict]:
    commands.names.clear()
    data = await api.call(PAGE, {"id": org}, token)
    return list(commands.names), data


@pytest.mark.parametrize("strategy", [BATCH_IN, BATCH_POINT])
async def test_fifty_items_with_nested_relations(api, app, commands, org_with_50_needs, strategy):
    org, token = org_with_50_needs
    repos = (app.accounts, app.needs, app.tasks)
    saved = [r.batch for r in repos]
    for r in repos:
        r.batch = strategy
    try:
        names, data = await _count(api, commands, org, token)
    finally:
        for r, b in zip(repos, saved):
            r.batch = b
    edges = data["node"]["needs"]["edges"]
    assert len(edges) == 50 and all(len(e["node"]["tasks"]["edges"]) == 1 for e in edges)
    if strategy == BATCH_IN:
        # the viewer's account, one batch of needs, one batch of tasks; organisations are in memory
        assert len(names) <= 3, names
        assert sorted(names) == ["find:accounts", "find:needs", "find:tasks"]
    else:
        # point reads: each document once (1 account + 50 needs + 50 tasks), never once per nesting
        assert len(names) <= 101, names
        assert names.count("find:needs") == 50 and names.count("find:tasks") == 50
