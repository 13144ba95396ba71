"""The HTTP part of `make bench`: the real app under uvicorn over the embedded engine, loaded by a
separate process at concurrency 16, beside a bare Starlette JSON endpoint in the same run."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx

from api.runtime import Runtime
from bench import matching_bench as city
from bootstrap import Services
from config import ROOT, Settings
from db.repositories import Repositories
from services.auth import Viewer

COORDINATOR = ("bench-coordinator@example.cn", "bench password")
OPEN_TASKS = """query($near: GeoPointInput!) { openTasks(near: $near, radiusKm: 5, first: 20) {
  totalCount edges { distanceKm node { id startsAt endsAt slots filled category urgency } } } }"""
RECOMMEND = """query($task: ID!) { recommendVolunteers(taskId: $task, first: 10) {
  score distanceKm reasons volunteer { id name skills { skill level } } } }"""
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shift_to_future(tasks: list[dict]) -> None:
    """The synthetic city's calendar starts on a past Monday; move it by whole weeks to next week."""
    weeks = (datetime.now(UTC) - city.BASE).days // 7 + 1
    delta = timedelta(weeks=weeks)
    for t in tasks:
        t["starts_at"] += delta
        t["ends_at"] += delta


async def _load(
    data_dir: Path, n_volunteers: int, n_tasks: int, then: Callable[[Services, str], Awaitable[T]] | None = None
) -> tuple[str, T | None]:
    """Writes the synthetic city into a fresh embedded database; returns the organisation id, and what
    `then(services, organisation id)` returned (more set-up, on the same services).

    The admin and the organisation (with its coordinator) go through the services; the volunteers
    and tasks are bulk-inserted straight into their collections, and the server process derives its
    matching index from them at start-up.
    """
    from types import SimpleNamespace as NS

    settings = Settings.from_env(data_dir=data_dir, mongodb_uri=None)
    runtime = Runtime(settings)
    services = await runtime.start()
    try:
        assert runtime.database is not None
        repos = Repositories.open(runtime.database)
        admin = await services.accounts.create_admin("bench-admin@example.cn", "bench password", "Bench")
        _, org = await services.organisations.register(
            Viewer(account_id=admin["_id"], role="ADMIN"),
            NS(
                name="荆州市社会工作指导中心",
                kind=NS(value="CITY_CENTER"),
                region_code="421000",
                location=None,
                address=None,
                coordinator=NS(email=COORDINATOR[0], password=COORDINATOR[1], display_name="Bench"),
            ),
            None,
        )
        batch: list[dict] = []
        for doc in city.volunteers(n_volunteers):
            batch.append({**doc, "account_id": "bench-" + doc["_id"]})
            if len(batch) == 5000:
                await repos.volunteers.insert_many(batch)
                batch = []
        await repos.volunteers.insert_many(batch)
        tasks = city.tasks(n_tasks)
        _shift_to_future(tasks)
        for t in tasks:
            t["organisation_id"] = org["_id"]
        for i in range(0, len(tasks), 5000):
            await repos.tasks.insert_many(tasks[i : i + 5000])
        return org["_id"], (await then(services, org["_id"]) if then else None)
    finally:
        await runtime.stop()


def _serve(args: list[str], env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, **env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def _wait(url: str, seconds: float = 600) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


def _loadgen(port: int, path: str, body: dict | None, token: str | None, concurrency: int, seconds: float) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(port),
        "--path",
        path,
        "--concurrency",
        str(concurrency),
        "--seconds",
        str(seconds),
    ]
    if body is not None:
        cmd += ["--body", json.dumps(body)]
    if token:
        cmd += ["--header", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out)


def run(volunteers: int = 100_000, tasks: int = 20_000, concurrency: int = 16, seconds: float = 10) -> dict:
    with tempfile.TemporaryDirectory(prefix="vm-bench-") as tmp:
        data_dir = Path(tmp)
        load_started = time.monotonic()
        asyncio.run(_load(data_dir, volunteers, tasks))
        load_seconds = time.monotonic() - load_started

        baseline_port = free_port()
        # the same server settings as `api.cli serve`: uvloop, httptools, no access log
        baseline = _serve(
            [
                "-m",
                "uvicorn",
                "bench.baseline_app:app",
                "--port",
                str(baseline_port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {},
            baseline_port,
        )
        port = free_port()
        server = _serve(["-m", "api.cli", "serve"], {"DATA_DIR": str(data_dir), "HOST": "127.0.0.1"}, port)
        try:
            _wait(f"http://127.0.0.1:{baseline_port}/json")
            startup = _wait(f"http://127.0.0.1:{port}/readyz")
            login = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={
                    "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
                    "variables": {"i": {"email": COORDINATOR[0], "password": COORDINATOR[1]}},
                },
            ).json()
            token = login["data"]["login"]["token"]
            place = city.PLACES[0]
            near = {"lat": place[1], "lng": place[2]}
            # a task that recommendations can be asked for: the nearest open one
            first = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": OPEN_TASKS, "variables": {"near": near}}
            ).json()
            task_id = first["data"]["openTasks"]["edges"][0]["node"]["id"]

            baseline_result = _loadgen(baseline_port, "/json", None, None, concurrency, seconds)
            open_result = _loadgen(
                port, "/graphql", {"query": OPEN_TASKS, "variables": {"near": near}}, None, concurrency, seconds
            )
            recommend_result = _loadgen(
                port, "/graphql", {"query": RECOMMEND, "variables": {"task": task_id}}, token, concurrency, seconds
            )
        finally:
            for proc in (server, baseline):
                proc.terminate()
                proc.wait(timeout=30)
    strip = lambda r: {k: r[k] for k in ("rps", "p50_ms", "p95_ms", "errors", "requests")}  # noqa: E731
    return {
        "volunteers": volunteers,
        "open_tasks": tasks,
        "concurrency": concurrency,
        "seconds_per_run": seconds,
        "data_load_seconds": round(load_seconds, 1),
        "startup_until_ready_seconds": round(startup, 2),
        "open_tasks_query": strip(open_result),
        "recommend_volunteers_query": strip(recommend_result),
        "baseline_starlette_rps": baseline_result["rps"],
        "baseline_starlette": strip(baseline_result),
        "open_tasks_vs_baseline_rps": round(open_result["rps"] / baseline_result["rps"], 3),
    }


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--volunteers", type=int, default=100_000)
    p.add_argument("--tasks", type=int, default=20_000)
    p.add_argument("--seconds", type=float, default=10)
    a = p.parse_args()
    print(json.dumps(run(a.volunteers, a.tasks, seconds=a.seconds), indent=2))
