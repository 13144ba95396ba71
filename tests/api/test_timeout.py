"""Work that outlives the request's deadline while the database answers: TIMEOUT, not an outage."""

from __future__ import annotations

from dataclasses import replace

import httpx

from api.app import create_app
from tests.support import NEED_FIELDS, Api, hierarchy, need_input


async def test_work_past_the_deadline_is_a_coded_timeout(api, services, runtime):
    h = await hierarchy(services, api)
    village = h["village"]
    posted = await api.ok(
        f"postNeed(input: $input) {{ {NEED_FIELDS} }}", need_input(village["organisation"]["id"]), village["token"]
    )
    saved = runtime.settings
    runtime.settings = replace(saved, request_db_seconds=1e-6)  # every database call is already too late
    try:
        app = create_app(runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            q = "query($id: ID!) { node(id: $id) { ... on Need { title } } }"  # a need is read from the database
            body = await Api(client).raw(q, {"id": posted["need"]["id"]}, village["token"])
    finally:
        runtime.settings = saved
    assert body["data"] is None or body["data"].get("node") is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"TIMEOUT"}
    assert all(e["extensions"]["requestId"] for e in body["errors"])
