"""The `load` part of `make bench`: a mixed load against `api.cli serve`, then logins crowding the server.

- `load`: CONCURRENCY connections for SECONDS, each request one of MIX by weight: `openTasks` near the
  places of the city (half signed in), `hourTallies` of the organisation by month over a year,
  `applyToTask`, `recommendVolunteers` for the posted tasks, `login`. Each `applyToTask` pairs one
  volunteer with one task, each pair once per round of ACCOUNTS pairs (a pair met again answers
  ALREADY_APPLIED). Reported per operation: requests, p50/p95/p99, errors (a failed connection, a
  status other than 200, a top-level GraphQL error) and user errors (a payload's `errors`, by code),
  which are answers, not failures. Target: 0 errors and every p95 ≤ TARGET_P95_MS.
- `load.during_logins`: LOGINS connections signing in back to back, beside one connection asking
  `/healthz` and one asking `openTasks`: their p99 and p95 show whether password hashing holds up
  everything else.

The data: the synthetic city of the http part (`http_bench._load`), ACCOUNTS of its volunteers with
accounts (one shared argon2 hash, written in bulk; tokens issued directly), and NEEDS needs of 100
future tasks each, posted over GraphQL by the organisation's coordinator, every other one auto-accepting.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench import http_bench
from bench import matching_bench as city
from bench.http_bench import COORDINATOR, OPEN_TASKS, RECOMMEND
from bootstrap import Services
from config import ROOT
from schema.base.ids import encode_id
from services.auth import hash_password

CONCURRENCY = 32
SECONDS = 60
LOGINS = 50
LOGIN_SECONDS = 15
ACCOUNTS = 3000
NEEDS = 20
RECOMMENDED = 100  # of the posted tasks, those recommendations are asked for
PASSWORD = "bench password"
TARGET_P95_MS = 500
MIX = {"openTasks": 50, "hourTallies": 15, "applyToTask": 15, "recommendVolunteers": 15, "login": 5}
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }"
APPLY = "mutation($i: ApplyToTaskInput!) { applyToTask(input: $i) { application { id status } errors { code } } }"
TALLIES = """query($org: ID!, $from: Date!, $to: Date!) { hourTallies(scope: {organisationId: $org}, groupBy: MONTH,
  from: $from, to: $to) { key label minutes entries volunteers } }"""
POST_NEED = """mutation($i: PostNeedInput!) { postNeed(input: $i) {
  need { tasks(first: 100) { edges { node { id } } } } errors { code message field } } }"""


async def _accounts(services: Services, _org_id: str, n_volunteers: int) -> list[tuple[str, str]]:
    """(email, token) of ACCOUNTS volunteers of the city, given accounts directly (argon2 once, not per account)."""
    now = datetime.now(UTC)
    password_hash = await hash_password(PASSWORD)
    docs = [
        {
            "_id": "bench-" + v["_id"],  # the account id `http_bench._load` gave each volunteer
            "email": f"bench-v{i}@example.cn",
            "password_hash": password_hash,
            "role": "VOLUNTEER",
            "display_name": v["name"],
            "volunteer_id": v["_id"],
            "created_at": now,
        }
        for i, v in enumerate(itertools.islice(city.volunteers(n_volunteers), min(ACCOUNTS, n_volunteers)))
    ]
    await services.accounts.import_accounts(docs)
    return [(d["email"], services.accounts.tokens.issue(d["_id"])) for d in docs]


def _post_needs(client: httpx.Client, token: str, org: str) -> list[str]:
    """NEEDS needs of 100 tasks each, spread over the places and the coming four weeks; the tasks' ids."""
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    task_ids = []
    for n in range(NEEDS):
        place = city.PLACES[n % len(city.PLACES)]
        windows = [soon + timedelta(hours=6 * k + n % 6) for k in range(100)]
        need = {
            "organisationId": org, "title": f"bench need {n}", "category": "ELDER_CARE",
            "location": {"lat": place[1], "lng": place[2]}, "autoAccept": n % 2 == 0,
            "tasks": [{"startsAt": w.isoformat(), "endsAt": (w + timedelta(hours=2)).isoformat(),
                       "slots": 1 + (k % 4)} for k, w in enumerate(windows)],
        }  # fmt: skip
        answer = client.post("/graphql", json={"query": POST_NEED, "variables": {"i": need}}, headers=_bearer(token))
        payload = answer.json()["data"]["postNeed"]
        assert not payload["errors"], payload["errors"]
        task_ids += [e["node"]["id"] for e in payload["need"]["tasks"]["edges"]]
    return task_ids


def _bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _request(query: str, variables: dict, token: str | None = None) -> dict:
    """A request of a plan (bench/loadgen.py)."""
    return {
        "method": "POST",
        "path": "/graphql",
        "body": {"query": query, "variables": variables},
        "headers": _bearer(token),
    }


def _plans(accounts: list[tuple[str, str]], coordinator: str, org: str, task_ids: list[str]) -> tuple[dict, dict]:
    near = [{"lat": p[1], "lng": p[2]} for p in city.PLACES]
    # recommendations for tasks no one applies to: a task filled meanwhile would answer TASK_NOT_OPEN
    to_apply, to_recommend = task_ids[:-RECOMMENDED], task_ids[-RECOMMENDED:]
    month = date.today().replace(day=1)  # the twelve months before this one
    year = {"org": org, "from": str(month.replace(year=month.year - 1)), "to": str(month - timedelta(days=1))}
    requests = {
        "openTasks": [
            _request(OPEN_TASKS, {"near": near[i % len(near)]}, accounts[i][1] if i % 2 else None) for i in range(100)
        ],
        "hourTallies": [_request(TALLIES, year, coordinator)],
        "applyToTask": [  # volunteer i to task i (modulo the tasks)
            _request(APPLY, {"i": {"taskId": to_apply[i % len(to_apply)]}}, token)
            for i, (_, token) in enumerate(accounts)
        ],
        "recommendVolunteers": [_request(RECOMMEND, {"task": t}, coordinator) for t in to_recommend],
        "login": [_request(LOGIN, {"i": {"email": email, "password": PASSWORD}}) for email, _ in accounts[:200]],
    }
    ops = [{"name": name, "weight": weight, "requests": requests[name]} for name, weight in MIX.items()]
    mixed = {"groups": [{"workers": CONCURRENCY, "operations": ops}]}

    def alone(name: str, workers: int, reqs: list[dict]) -> dict:
        return {"workers": workers, "operations": [{"name": name, "weight": 1, "requests": reqs}]}

    health = {"method": "GET", "path": "/healthz", "body": None, "headers": {}}
    crowded = {
        "groups": [
            alone("login", LOGINS, requests["login"]),
            alone("healthz", 1, [health]),
            alone("openTasks", 1, requests["openTasks"][::2]),  # anonymous: no account read
        ]
    }
    return mixed, crowded


def _loadgen(port: int, plan: dict, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(plan, f, ensure_ascii=False)
        f.flush()
        cmd = [sys.executable, "-m", "bench.loadgen", "--port", str(port), "--plan", f.name, "--seconds", str(seconds)]
        return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout)


def run(volunteers: int = 50_000, tasks: int = 10_000, seconds: float = SECONDS) -> dict:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vm-load-") as tmp:
        data_dir = Path(tmp)
        raw_org, accounts = asyncio.run(
            http_bench._load(data_dir, volunteers, tasks, lambda s, o: _accounts(s, o, volunteers))
        )
        assert accounts is not None
        org = encode_id("Organisation", raw_org)
        port = http_bench.free_port()
        server = http_bench._serve(["-m", "api.cli", "serve"], {"DATA_DIR": str(data_dir), "HOST": "127.0.0.1"}, port)
        try:
            startup = http_bench._wait(f"http://127.0.0.1:{port}/readyz")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                login = {"i": {"email": COORDINATOR[0], "password": COORDINATOR[1]}}
                coordinator = client.post("/graphql", json={"query": LOGIN, "variables": login}).json()
                token = coordinator["data"]["login"]["token"]
                task_ids = _post_needs(client, token, org)
            mixed, crowded = _plans(accounts, token, org, task_ids)
            setup = time.monotonic() - started
            load = _loadgen(port, mixed, seconds)
            during = _loadgen(port, crowded, LOGIN_SECONDS)
        finally:
            server.terminate()
            server.wait(timeout=30)
    ops = load["operations"]
    return {
        "volunteers": volunteers,
        "city_tasks": tasks,
        "accounts": len(accounts),
        "posted_tasks": len(task_ids),
        "mix_weights": MIX,
        "concurrency": CONCURRENCY,
        "startup_until_ready_seconds": round(startup, 1),
        "setup_seconds": round(setup, 1),
        **{k: load[k] for k in ("seconds", "requests", "rps", "errors")},
        "operations": ops,
        "target": {
            "errors": 0,
            "p95_ms_at_most": TARGET_P95_MS,
            "met": load["errors"] == 0 and all(o["p95_ms"] <= TARGET_P95_MS for o in ops.values()),
        },
        "during_logins": {
            "concurrent_logins": LOGINS,
            "seconds": during["seconds"],
            "healthz_p99_ms": during["operations"]["healthz"]["p99_ms"],
            "open_tasks_p95_ms": during["operations"]["openTasks"]["p95_ms"],
            "operations": during["operations"],
        },
    }


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--volunteers", type=int, default=50_000)
    p.add_argument("--tasks", type=int, default=10_000)
    p.add_argument("--seconds", type=float, default=SECONDS)
    a = p.parse_args()
    print(json.dumps(run(a.volunteers, a.tasks, a.seconds), indent=2))
