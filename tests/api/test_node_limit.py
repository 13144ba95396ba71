"""Heavy selections are refused before they run (schema/base/cost.py), with a clear code."""

from __future__ import annotations

from tests.support import hierarchy

NESTED = """query($id: ID!, $n: Int) { organisation(id: $id) { needs(first: $n) { edges { node {
  tasks(first: 100) { edges { node { applications(first: 100) { totalCount } } } } } } } } }"""


async def test_a_query_that_could_return_too_many_objects_is_refused(api, services, commands):
    h = await hierarchy(services, api)
    org, token = h["village"]["organisation"]["id"], h["village"]["token"]
    commands.names.clear()
    body = await api.raw(NESTED, {"id": org, "n": 100}, token)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "1010100 objects" in error["message"] and "at most 10000" in error["message"]
    assert [n for n in commands.names if not n.startswith("find:accounts")] == []  # refused before any resolver


async def test_the_same_query_with_small_pages_runs(api, services):
    h = await hierarchy(services, api)
    body = await api.raw(NESTED, {"id": h["village"]["organisation"]["id"], "n": 0}, h["village"]["token"])
    assert "errors" not in body and body["data"]["organisation"]["needs"]["edges"] == []
