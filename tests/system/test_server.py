"""Slow and idle clients over a real socket, against the server as `api.cli serve` configures it
(api/server.py), with its deadlines shortened: they are closed in time, and normal requests still work."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.system.test_process import Served

HEADER = 1.0  # seconds for the request line and headers
BODY = 1.0  # seconds for the body after the headers
KEEP_ALIVE = 1.0
SLACK = 1.0  # a shared, noisy machine (the whole suite runs in this event loop)
QUERY = b'{"query": "{ __typename }"}'


@pytest.fixture
async def served(runtime, caplog):
    uvicorn_log = logging.getLogger("uvicorn")  # uvicorn's loggers do not propagate to the root's
    uvicorn_log.addHandler(caplog.handler)
    try:
        async with Served(runtime, header_seconds=HEADER, body_seconds=BODY, timeout_keep_alive=KEEP_ALIVE) as client:
            yield client
    finally:
        uvicorn_log.removeHandler(caplog.handler)
    # nothing the clients did is an error of the server's: no tracebacks, no "Exception in ASGI application"
    assert [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.ERROR or r.exc_info] == []


async def connect(client) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:  # type: ignore[no-untyped-def]
    return await asyncio.open_connection("127.0.0.1", client.base_url.port)


async def until_closed(reader: asyncio.StreamReader, started: float, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, which it must do `limit` (+ SLACK) seconds
    after `started`; and when it did."""
    data = await asyncio.wait_for(reader.read(), started + limit + SLACK - time.monotonic())
    return data, time.monotonic() - started


async def test_normal_requests_are_served(served):
    assert (await served.get("/healthz")).text == "ok"
    response = await served.post("/graphql", content=QUERY, headers={"content-type": "application/json"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_silent_connection_is_closed(served):
    reader, writer = await connect(served)
    data, seconds = await until_closed(reader, time.monotonic(), HEADER)
    assert data == b"" and seconds >= HEADER - 0.1
    writer.close()


@pytest.mark.parametrize("trickle", [False, True], ids=["half a header", "a header trickled byte by byte"])
async def test_an_incomplete_header_gets_408(served, trickle):
    reader, writer = await connect(served)
    started = time.monotonic()
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
    if trickle:  # a byte every tenth of the deadline, for most of it: had each byte renewed it, the 408 would be late
        for byte in head[:9]:
            writer.write(bytes([byte]))
            await asyncio.sleep(HEADER / 10)
    else:
        writer.write(head)
    data, seconds = await until_closed(reader, started, HEADER)
    assert data.startswith(b"HTTP/1.1 408 ") and seconds >= HEADER - 0.1
    writer.close()


async def test_a_trickled_body_gets_408(served):
    reader, writer = await connect(served)
    started = time.monotonic()
    writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    data, seconds = await until_closed(reader, started, BODY)
    assert data.startswith(b"HTTP/1.1 408 ") and seconds >= BODY - 0.1
    writer.close()


@pytest.mark.parametrize("then", ["nothing", "half a request"])
async def test_a_kept_alive_connection_then(served, then):
    reader, writer = await connect(served)
    request = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    for _ in range(2):  # two requests on one connection
        writer.write(request % (len(QUERY), QUERY))
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert await reader.readexactly(length) == b'{"data":{"__typename":"Query"}}'
    started = time.monotonic()
    if then == "nothing":
        data, seconds = await until_closed(reader, started, KEEP_ALIVE)
        assert data == b"" and seconds >= KEEP_ALIVE - 0.1
    else:
        writer.write(b"GET /healthz HTTP/1.1\r\n")
        data, seconds = await until_closed(reader, started, HEADER)
        assert data.startswith(b"HTTP/1.1 408 ") and seconds >= HEADER - 0.1
    writer.close()
