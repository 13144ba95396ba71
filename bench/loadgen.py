"""A small HTTP/1.1 keep-alive load generator, run as its own process so it does not share the
server's interpreter. Raw asyncio streams: far cheaper per request than an HTTP client library.

    python -m bench.loadgen --port 8000 --path /graphql --body '{"query": ...}' --concurrency 16 --seconds 10
    python -m bench.loadgen --port 8000 --plan plan.json --seconds 60

One request: `--concurrency` connections send it back to back. A plan (JSON) runs groups of
connections side by side, `{"groups": [{"workers": 32, "operations": [{"name", "weight", "requests":
[{"method", "path", "body", "headers"}]}]}]}`: before each request a connection picks one of its
group's operations by weight, then that operation's next request (they take turns, round and round).

An answer counts as an error when the connection fails, its status is not 200, or its JSON body has
top-level `errors`; a mutation payload's own `errors` are the caller's mistakes, not failures (they
are counted by code). Prints JSON: per operation requests, rps, p50/p95/p99 in ms, errors, the first
error and user errors; and the totals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Operation:
    name: str
    weight: float
    requests: list[bytes]
    turn: int = 0

    def next_request(self) -> bytes:
        request = self.requests[self.turn % len(self.requests)]
        self.turn += 1
        return request


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    user_errors: Counter = field(default_factory=Counter)  # by code

    def summary(self, elapsed: float) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else 0.0

        return {
            "requests": len(lat),
            "rps": round(len(lat) / elapsed, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "errors": len(self.errors),
            "first_error": self.errors[0] if self.errors else None,
            "user_errors": dict(self.user_errors),
        }


def encode(host: str, port: int, method: str, path: str, body: object, headers: dict) -> bytes:
    payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[bytes, bytes]:
    """One request on a kept-alive connection: (status line, body)."""
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status_line, await reader.readexactly(length)


def judge(status_line: bytes, body: bytes) -> tuple[str | None, list[str]]:
    """(the failure, if any; the codes of the user errors in the answer's payloads)."""
    if b" 200 " not in status_line:
        return status_line.decode(errors="replace").strip() + " " + body[:200].decode(errors="replace"), []
    try:
        answer = json.loads(body)
    except ValueError:
        return None, []  # not JSON (/healthz): the status says it all
    if not isinstance(answer, dict):
        return None, []
    if answer.get("errors"):
        return body[:300].decode(errors="replace"), []
    payloads = (answer.get("data") or {}).values()
    return None, [p["errors"][0]["code"] for p in payloads if isinstance(p, dict) and p.get("errors")]


async def worker(host: str, port: int, ops: list[Operation], deadline: float, stats: dict[str, Stats]) -> None:
    weights = [op.weight for op in ops]
    rng = random.Random()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            op = rng.choices(ops, weights)[0]
            started = time.perf_counter()
            codes: list[str] = []
            try:
                error, codes = judge(*await exchange(reader, writer, op.next_request()))
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                error = f"transport: {exc!r}"
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            stats[op.name].latencies.append(time.perf_counter() - started)
            stats[op.name].user_errors.update(codes)
            if error:
                stats[op.name].errors.append(error)
    finally:
        writer.close()


async def run_plan(host: str, port: int, plan: dict, seconds: float) -> dict:
    groups = [
        (
            g["workers"],
            [
                Operation(o["name"], o["weight"], [encode(host, port, **r) for r in o["requests"]])
                for o in g["operations"]
            ],
        )
        for g in plan["groups"]
    ]
    stats = {op.name: Stats() for _, ops in groups for op in ops}
    started = time.perf_counter()
    await asyncio.gather(
        *(worker(host, port, ops, started + seconds, stats) for workers, ops in groups for _ in range(workers))
    )
    elapsed = time.perf_counter() - started
    total = Stats([x for s in stats.values() for x in s.latencies], [e for s in stats.values() for e in s.errors])
    return {
        "seconds": round(elapsed, 1),
        "connections": sum(workers for workers, _ in groups),
        **{k: v for k, v in total.summary(elapsed).items() if k not in ("first_error", "user_errors")},
        "operations": {name: s.summary(elapsed) for name, s in stats.items()},
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--plan", type=Path, help="a plan (JSON file); without it, one request")
    p.add_argument("--path", default="/graphql")
    p.add_argument("--body", help="JSON")
    p.add_argument("--header", action="append", default=[], help="Name: value")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10)
    a = p.parse_args()
    if a.plan:
        print(json.dumps(asyncio.run(run_plan(a.host, a.port, json.loads(a.plan.read_text()), a.seconds))))
        return
    request = {
        "method": "GET" if a.body is None else "POST",
        "path": a.path,
        "body": None if a.body is None else json.loads(a.body),
        "headers": dict(h.split(": ", 1) for h in a.header),
    }
    one = {"name": "request", "weight": 1, "requests": [request]}
    plan = {"groups": [{"workers": a.concurrency, "operations": [one]}]}
    print(json.dumps(asyncio.run(run_plan(a.host, a.port, plan, a.seconds))["operations"]["request"]))


if __name__ == "__main__":
    main()
