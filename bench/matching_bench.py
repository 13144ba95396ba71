"""Benchmark of the matching index against the brute-force reference on a synthetic city.

`python -m bench.matching_bench --volunteers 1000000 --tasks 100000 --queries 200` prints JSON;
`--batched` times all index queries, then all brute-force ones, instead of interleaving them.
The reference (`matching.brute.Reference`) is built from a second pass over the same generated
documents and fed the same commitments and service records; every answer of both must be equal.
"""

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from matching import MatchingIndex, brute
from matching.catalogue import CATEGORIES, CREDENTIALS, SKILLS

# (name, lat, lng, share of the population, local languages)
PLACES = (
    ("Jingzhou Shashi", 30.31, 112.25, 0.22, ("JINGZHOU_DIALECT",)),
    ("Jiangling Majiazhai Tongxin", 30.03, 112.42, 0.06, ("JINGZHOU_DIALECT",)),
    ("Hefei Shushan Xiyuan", 31.85, 117.26, 0.17, ("JIANGHUAI_MANDARIN",)),
    ("Tongling Qiaonan", 30.94, 117.81, 0.08, ("JIANGHUAI_MANDARIN",)),
    ("Jinan Lixia Dianliu", 36.67, 117.05, 0.17, ("JINAN_DIALECT",)),
    ("Jinan Huaiyin Kuangshan", 36.69, 116.93, 0.10, ("JINAN_DIALECT",)),
    ("Dushan Wangcheng", 25.83, 107.54, 0.08, ("GUIZHOU_DIALECT", "BOUYEI", "SHUI", "MIAO")),
    ("Yilong Mulong", 25.10, 104.90, 0.06, ("GUIZHOU_DIALECT", "BOUYEI", "MIAO")),
    ("Fuquan", 26.70, 107.51, 0.06, ("GUIZHOU_DIALECT", "MIAO")),
)
KM_PER_DEG = 111.2
BASE = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday (08:00 local)
CRED_RATE = {
    "FIRST_AID_CERT": 0.3,
    "CHILD_SAFEGUARDING_CHECK": 0.2,
    "SOCIAL_WORKER_LICENSE": 0.05,
    "DRIVING_LICENSE": 0.4,
    "HEALTH_CERT": 0.15,
}
# Weekly availability patterns: (weekdays, start_hour, end_hour) windows.
PATTERNS = (
    ((range(1, 6), 18, 22),),  # weekday evenings
    ((range(6, 8), 8, 20),),  # weekends
    ((range(1, 6), 8, 12), (range(1, 6), 14, 17)),  # retirees, weekday daytime
    ((range(1, 8), 7, 22),),  # almost always
    ((range(1, 8), 0, 24),),  # always (community volunteers on call)
    ((range(1, 6), 18, 21), (range(6, 8), 9, 18)),  # evenings and weekends
    (((1, 3, 5), 8, 18),),  # Mon/Wed/Fri
    (((2, 4), 13, 18), ((6,), 8, 12)),  # Tue/Thu afternoons, Saturday morning
)
PATTERN_DOCS = [[{"weekday": d, "start_hour": s, "end_hour": e} for days, s, e in p for d in days] for p in PATTERNS]


def _zipf(n: int, s: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def _hex_ids(rng, n: int, prefix: int) -> list[str]:
    raw = rng.integers(0, 2**63, size=n, dtype=np.int64)
    return [f"{prefix:08x}{i:08x}{int(r) & 0xFFFFFFFF:08x}" for i, r in enumerate(raw)]


def _positions(rng, n: int, spread_km: float):
    """Points around the places: each place has 40 township centres (Zipf-sized) spread over
    its prefecture, and people live within a few km of their township centre."""
    shares = np.array([p[3] for p in PLACES])
    centres = np.random.default_rng(12345)
    n_town = 40
    r_town = np.concatenate([[0.0], centres.gamma(2.0, 12.0, size=n_town - 1)])
    th_town = centres.uniform(0, 2 * np.pi, size=n_town)
    place = rng.choice(len(PLACES), size=n, p=shares / shares.sum())
    town = rng.choice(n_town, size=n, p=_zipf(n_town, 0.9))
    lat0 = np.array([p[1] for p in PLACES])[place] + r_town[town] * np.sin(th_town[town]) / KM_PER_DEG
    lng0 = np.array([p[2] for p in PLACES])[place] + r_town[town] * np.cos(th_town[town]) / (
        KM_PER_DEG * np.cos(np.radians(lat0))
    )
    r = rng.gamma(2.0, spread_km / 2.0, size=n)
    theta = rng.uniform(0, 2 * np.pi, size=n)
    lat = lat0 + r * np.sin(theta) / KM_PER_DEG
    lng = lng0 + r * np.cos(theta) / (KM_PER_DEG * np.cos(np.radians(lat0)))
    return place, lat, lng


def volunteers(n: int, seed: int = 1):
    """Yields n volunteer documents (a generator: 1 M dicts never sit in memory together)."""
    rng = np.random.default_rng(seed)
    ids = _hex_ids(rng, n, 0x65A10000)
    place, lat, lng = _positions(rng, n, 3.0)
    skill_p = _zipf(len(SKILLS))
    n_skills = rng.integers(1, 5, size=n)
    skill_draw = rng.choice(len(SKILLS), size=(n, 4), p=skill_p)
    levels = rng.choice(5, size=(n, 4), p=[0.35, 0.3, 0.2, 0.1, 0.05]) + 1
    radius = np.clip(np.round(rng.lognormal(np.log(5.0), 0.7, size=n), 1), 1.0, 30.0)
    pattern = rng.choice(len(PATTERNS), size=n, p=[0.2, 0.15, 0.15, 0.1, 0.05, 0.15, 0.1, 0.1])
    cred_has = {c: rng.random(n) < p for c, p in CRED_RATE.items()}
    cred_day = rng.integers(-120, 1500, size=(n, len(CREDENTIALS)))
    lang_local = rng.random(n) < 0.6
    lang_local2 = rng.random(n) < 0.25
    n_black = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    black = rng.integers(0, 30, size=(n, 2))
    max_hours = rng.choice([4, 6, 8, 10, 12, 16, 20], size=n)
    responder = rng.random(n) < 0.05
    active = rng.random(n) < 0.98
    base_date = BASE.date()
    for i in range(n):
        local = PLACES[place[i]][4]
        langs = ["MANDARIN"]
        if lang_local[i]:
            langs.append(local[0])
        if lang_local2[i] and len(local) > 1:
            langs.append(local[1 + i % (len(local) - 1)])
        skills = {}
        for j in range(n_skills[i]):
            skills[SKILLS[skill_draw[i, j]]] = int(levels[i, j])
        yield {
            "_id": ids[i],
            "name": f"volunteer {i}",
            "skills": [{"code": c, "level": lv} for c, lv in skills.items()],
            "credentials": [
                {"kind": c, "expires_on": (base_date + timedelta(days=int(cred_day[i, k]))).isoformat()}
                for k, c in enumerate(CREDENTIALS)
                if cred_has[c][i]
            ],
            "languages": langs,
            "home": {"lat": float(lat[i]), "lng": float(lng[i])},
            "travel_radius_km": float(radius[i]),
            "availability": PATTERN_DOCS[pattern[i]],
            "blackout_dates": [(base_date + timedelta(days=int(black[i, k]))).isoformat() for k in range(n_black[i])],
            "max_hours_per_week": int(max_hours[i]),
            "emergency_responder": bool(responder[i]),
            "active": bool(active[i]),
        }


def tasks(n: int, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed + 1000)
    ids = _hex_ids(rng, n, 0x66B20000)
    place, lat, lng = _positions(rng, n, 3.0)
    skill_p = _zipf(len(SKILLS))
    cat = rng.choice(len(CATEGORIES), size=n, p=[0.2, 0.35, 0.2, 0.08, 0.12, 0.05])
    urgency = rng.choice(3, size=n, p=[0.85, 0.12, 0.03])
    day = rng.integers(0, 21, size=n)
    hour = rng.choice(np.arange(7, 21), size=n)
    minute = rng.choice([0, 0, 0, 30], size=n)
    dur = rng.choice([60, 90, 120, 180, 240], size=n, p=[0.35, 0.2, 0.25, 0.15, 0.05])
    n_req = rng.choice(3, size=n, p=[0.3, 0.5, 0.2])
    req = rng.choice(len(SKILLS), size=(n, 2), p=skill_p)
    req_lvl = rng.choice(3, size=(n, 2), p=[0.6, 0.3, 0.1]) + 1
    slots = rng.integers(1, 6, size=n)
    filled = (rng.random(n) * slots).astype(int)
    has_lang = rng.random(n) < 0.3
    has_benef = rng.random(n) < 0.5
    out = []
    for i in range(n):
        start = BASE + timedelta(days=int(day[i]), hours=int(hour[i]) - 8, minutes=int(minute[i]))
        category = CATEGORIES[cat[i]]
        creds = {"CHILD_CARE": ["CHILD_SAFEGUARDING_CHECK"], "EMERGENCY_RESPONSE": ["FIRST_AID_CERT"]}.get(category, [])
        skills = {}
        for j in range(n_req[i]):
            skills[SKILLS[req[i, j]]] = int(req_lvl[i, j])
        out.append(
            {
                "_id": ids[i],
                "need_id": f"{0x77C30000:08x}{i // 4:016x}",
                "organisation_id": f"{0x88D40000:08x}{i % 997:016x}",
                "starts_at": start,
                "ends_at": start + timedelta(minutes=int(dur[i])),
                "slots": int(slots[i]),
                "filled": int(filled[i]),
                "status": "OPEN",
                "category": category,
                "urgency": ("ROUTINE", "URGENT", "EMERGENCY")[urgency[i]],
                "location": {"lat": float(lat[i]), "lng": float(lng[i])},
                "required_skills": [{"code": c, "min_level": lv} for c, lv in skills.items()],
                "required_credentials": creds,
                "languages": [PLACES[place[i]][4][0]] if has_lang[i] else [],
                "beneficiary_key": f"b{place[i]}-{i // 8}" if has_benef[i] else None,
            }
        )
    return out


def _engagement(vol_ids: list[str], task_docs: list[dict], rng, n_commit: int, n_history: int):
    """Commitments (add_commitment arguments) and service records (record_service arguments)."""
    commitments = []
    for _ in range(n_commit):
        t = task_docs[rng.integers(len(task_docs))]
        commitments.append((vol_ids[rng.integers(len(vol_ids))], t["_id"], t["starts_at"], t["ends_at"]))
    history = []
    for _ in range(n_history):
        t = task_docs[rng.integers(len(task_docs))]
        at = BASE - timedelta(days=int(rng.integers(1, 90)))
        history.append(
            (
                vol_ids[rng.integers(len(vol_ids))],
                t["need_id"],
                t["beneficiary_key"],
                bool(rng.random() < 0.92),
                at,
                int(rng.choice([60, 90, 120, 180])),
            )
        )
    return commitments, history


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t0) * 1000


def _race(fast, slow, calls: list[tuple], interleaved: bool):
    """Times `fast` and `slow` on every argument tuple; returns both timings and mismatches.

    Interleaved (the default), every index query runs right after a brute-force pass that
    streams tens of MB through the CPU caches, which adds a roughly fixed ~0.1-0.15 ms of
    cold-cache cost to each sub-millisecond index query; batched, all `fast` calls run first.
    """
    fast_ms, slow_ms, fast_out, slow_out = [], [], [], []
    if interleaved:
        for args in calls:
            out, ms = _timed(fast, *args)
            fast_out.append(out)
            fast_ms.append(ms)
            out, ms = _timed(slow, *args)
            slow_out.append(out)
            slow_ms.append(ms)
    else:
        for args in calls:
            out, ms = _timed(fast, *args)
            fast_out.append(out)
            fast_ms.append(ms)
        for args in calls:
            out, ms = _timed(slow, *args)
            slow_out.append(out)
            slow_ms.append(ms)
    return fast_ms, slow_ms, sum(f != s for f, s in zip(fast_out, slow_out))


def _stats(fast: list[float], slow: list[float]) -> dict:
    p50, p95 = np.percentile(fast, [50, 95])
    b50, b95 = np.percentile(slow, [50, 95])
    return {
        "p50_ms": round(float(p50), 3),
        "p95_ms": round(float(p95), 3),
        "brute_force_p50_ms": round(float(b50), 3),
        "brute_force_p95_ms": round(float(b95), 3),
        "speedup_p50": round(float(b50) / float(p50), 1),
    }


def run(
    volunteers: int = 1_000_000, tasks: int = 100_000, queries: int = 200, seed: int = 1, interleaved: bool = True
) -> dict:
    n_vol, n_task = volunteers, tasks
    rng = np.random.default_rng(seed + 7)
    task_docs = globals()["tasks"](n_task, seed)
    t0 = time.perf_counter()
    index = MatchingIndex.build(globals()["volunteers"](n_vol, seed), task_docs)
    build_s = time.perf_counter() - t0
    active: list[bool] = []

    def noting_active(docs):
        for doc in docs:
            active.append(doc["active"])
            yield doc

    t0 = time.perf_counter()
    reference = brute.Reference(noting_active(globals()["volunteers"](n_vol, seed)), task_docs)
    reference_s = time.perf_counter() - t0
    vol_ids = _hex_ids(np.random.default_rng(seed), n_vol, 0x65A10000)
    commitments, history = _engagement(
        vol_ids, task_docs, rng, n_commit=max(1, n_vol // 10), n_history=max(1, n_vol // 5)
    )
    for engine in (index, reference):
        for c in commitments:
            engine.add_commitment(*c)
        for h in history:
            engine.record_service(*h)
    index.compact()
    now = BASE
    mem = index.memory_report()
    picks = rng.choice(n_task, size=queries, replace=n_task < queries)
    index.recommend_volunteers(task_docs[0]["_id"], now, 10)
    rv_fast, rv_slow, rv_bad = _race(
        index.recommend_volunteers,
        reference.recommend_volunteers,
        [(task_docs[i]["_id"], now, 10) for i in picks],
        interleaved,
    )
    calls = []
    for q in range(queries):
        p = PLACES[rng.integers(len(PLACES))]
        lat = p[1] + rng.normal(0, 4) / KM_PER_DEG
        lng = p[2] + rng.normal(0, 4) / KM_PER_DEG
        radius = float(rng.choice([1.0, 2.0, 3.0, 5.0, 10.0]))
        cats = None if q % 3 else [CATEGORIES[q % len(CATEGORIES)]]
        skills = None if q % 4 else [SKILLS[q % 5]]
        calls.append((lat, lng, radius, cats, skills, now, now + timedelta(days=7), 20, None, now))
    ot_fast, ot_slow, ot_bad = _race(index.open_tasks, reference.open_tasks, calls, interleaved)
    vrng = np.random.default_rng(seed + 11)
    askers = [i for i in vrng.choice(n_vol, size=min(n_vol, 3 * queries), replace=False) if active[i]][:queries]
    rt_fast, rt_slow, rt_bad = _race(
        index.recommend_tasks, reference.recommend_tasks, [(vol_ids[i], now, 10) for i in askers], interleaved
    )
    return {
        "volunteers": n_vol,
        "active_volunteers": index.volunteer_count(),
        "open_tasks": index.task_count(),
        "index_build_seconds": round(build_s, 2),
        "reference_build_seconds": round(reference_s, 2),
        "index_bytes_per_volunteer": round(mem["bytes_per_volunteer"], 1),
        "index_bytes_per_volunteer_with_engagement": round(mem["bytes_per_volunteer_with_engagement"], 1),
        "recommend_volunteers": _stats(rv_fast, rv_slow),
        "open_tasks_query": _stats(ot_fast, ot_slow),
        "recommend_tasks": _stats(rt_fast, rt_slow),
        "timing": "interleaved" if interleaved else "batched",
        "exact_vs_brute_force": {
            "instances": len(rv_fast) + len(ot_fast) + len(rt_fast),
            "mismatches": int(rv_bad + ot_bad + rt_bad),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--volunteers", type=int, default=1_000_000)
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--batched", action="store_true", help="time all index queries, then all brute-force ones (warm caches)"
    )
    a = ap.parse_args()
    print(json.dumps(run(a.volunteers, a.tasks, a.queries, a.seed, not a.batched), indent=2))


if __name__ == "__main__":
    main()
