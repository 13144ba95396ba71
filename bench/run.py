"""`make bench`: runs every benchmark and writes bench/results.json with the machine and data sizes.

    python -m bench.run              # every part: matching, http, tallies, load
    python -m bench.run load http    # only these parts; the others' results in the file are kept

Machines here are shared and noisy: each part reports medians and p95 beside a baseline measured in
the same run (brute force for matching, a bare Starlette endpoint for HTTP), and the machine it ran
on (with the load average at its start).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"
PARTS = ("matching", "http", "tallies", "load")


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("parts", nargs="*", metavar="part", help=f"any of {', '.join(PARTS)} (default: all)")
    p.add_argument("--volunteers", type=int, default=1_000_000, help="matching engine volunteers")
    p.add_argument("--tasks", type=int, default=100_000, help="matching engine open tasks")
    p.add_argument("--http-volunteers", type=int, default=100_000)
    p.add_argument("--http-tasks", type=int, default=20_000)
    p.add_argument("--tally-entries", type=int, default=1_000_000)
    p.add_argument("--load-volunteers", type=int, default=50_000)
    p.add_argument("--load-tasks", type=int, default=10_000)
    p.add_argument("--load-seconds", type=float, default=60)
    p.add_argument("--out", type=Path, default=RESULTS)
    a = p.parse_args()
    if unknown := set(a.parts) - set(PARTS):
        p.error(f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    parts = a.parts or list(PARTS)
    results = json.loads(a.out.read_text()) if a.out.exists() and a.parts else {}
    results["machine"] = machine()
    for part in parts:
        started = time.monotonic()
        print(f"bench: {part} …", file=sys.stderr, flush=True)
        at_start = machine()
        if part == "matching":
            from bench import matching_bench

            results["matching"] = matching_bench.run(a.volunteers, a.tasks)
        elif part == "http":
            from bench import http_bench

            results["http"] = http_bench.run(a.http_volunteers, a.http_tasks)
        elif part == "tallies":
            from bench import tallies_bench

            results["tallies"] = tallies_bench.run(a.tally_entries)
        else:
            from bench import load_bench

            results["load"] = load_bench.run(a.load_volunteers, a.load_tasks, a.load_seconds)
        results[part]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")  # parts may be re-run alone
        results[part]["machine"] = at_start
        results.setdefault("seconds", {})[part] = round(time.monotonic() - started, 1)
        a.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
