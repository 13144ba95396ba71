"""A small HTTP/1.1 keep-alive load generator, run as its own process so it does not share the
server's interpreter. Raw asyncio streams: far cheaper per request than an HTTP client library.

    python -m bench.loadgen --port 8000 --path /graphql --body '{"query": ...}' --concurrency 16 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time


async def worker(
    host: str, port: int, request: bytes, deadline: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
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
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line or b'"errors"' in body:
                errors.append(status_line.decode(errors="replace").strip() + " " + body[:200].decode(errors="replace"))
    finally:
        writer.close()


async def run(
    host: str, port: int, path: str, body: str | None, headers: dict, concurrency: int, seconds: float
) -> dict:
    method = "POST" if body is not None else "GET"
    payload = (body or "").encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(worker(host, port, request, started + seconds, latencies, errors) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/graphql")
    p.add_argument("--body")
    p.add_argument("--header", action="append", default=[], help="Name: value")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10)
    a = p.parse_args()
    headers = dict(h.split(": ", 1) for h in a.header)
    print(json.dumps(asyncio.run(run(a.host, a.port, a.path, a.body, headers, a.concurrency, a.seconds))))


if __name__ == "__main__":
    main()
