"""Property tests: the index equals the brute-force reference, and no result breaks a hard constraint.

`brute.Reference` evaluates the rules on every row with its own code and data; the constraint checks
below use datetime and geopy directly, not the engine's code.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
from geopy.distance import great_circle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import MatchingIndex, brute
from matching.catalogue import CATEGORIES, CREDENTIALS, LANGUAGES, SKILLS

CST = timezone(timedelta(hours=8))
BASE = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
CENTRE = (25.83, 107.54)
FEW_SKILLS = SKILLS[:6]


def _hex(prefix: int, i: int) -> str:
    return f"{prefix:08x}{i:016x}"


def make_world(seed: int, n_vol: int, n_task: int, spread_km: float, emergency_rate: float):
    rng = np.random.default_rng(seed)

    def point():
        r = spread_km * np.sqrt(rng.random())
        th = rng.uniform(0, 2 * np.pi)
        return {
            "lat": CENTRE[0] + r * np.sin(th) / 111.2,
            "lng": CENTRE[1] + r * np.cos(th) / (111.2 * np.cos(np.radians(CENTRE[0]))),
        }

    vols = []
    for i in range(n_vol):
        avail = []
        for wd in range(1, 8):
            if rng.random() < 0.8:
                s = int(rng.integers(0, 12))
                avail.append({"weekday": wd, "start_hour": s, "end_hour": int(rng.integers(s + 4, 25))})
        vols.append(
            {
                "_id": _hex(0x65A1, i * 7919 % 1000003 + (i << 20)),
                "name": f"v{i}",
                "skills": [{"code": c, "level": int(rng.integers(1, 6))} for c in FEW_SKILLS if rng.random() < 0.6],
                "credentials": [
                    {"kind": c, "expires_on": (BASE.date() + timedelta(days=int(rng.integers(-5, 20)))).isoformat()}
                    for c in CREDENTIALS[:2]
                    if rng.random() < 0.7
                ],
                "languages": [code for code in LANGUAGES[:4] if rng.random() < 0.4],
                "home": point(),
                "travel_radius_km": float(rng.choice([1.0, 3.0, 5.0, 8.0, 15.0, 25.0, 40.0])),
                "availability": avail,
                "blackout_dates": [
                    (BASE.date() + timedelta(days=int(rng.integers(0, 10)))).isoformat()
                    for _ in range(int(rng.integers(0, 3)))
                ],
                "max_hours_per_week": int(rng.choice([1, 2, 3, 5, 10, 40])),
                "emergency_responder": bool(rng.random() < 0.3),
                "active": bool(rng.random() < 0.9),
            }
        )
    tasks = []
    for i in range(n_task):
        start = BASE + timedelta(
            days=int(rng.integers(0, 10)), hours=int(rng.integers(0, 24)), minutes=int(rng.choice([0, 0, 30]))
        )
        slots = int(rng.integers(1, 4))
        tasks.append(
            {
                "_id": _hex(0x66B2, i * 104729 % 999983 + (i << 20)),
                "need_id": _hex(0x77C3, i // 2),
                "organisation_id": _hex(0x88D4, 1),
                "starts_at": start,
                "ends_at": start + timedelta(minutes=int(rng.choice([30, 60, 90, 120, 180]))),
                "slots": slots,
                "filled": int(rng.integers(0, slots + 1)),
                "status": str(rng.choice(["OPEN", "OPEN", "OPEN", "FULL", "CANCELLED"])),
                "category": str(rng.choice(CATEGORIES)),
                "urgency": "EMERGENCY" if rng.random() < emergency_rate else str(rng.choice(["ROUTINE", "URGENT"])),
                "location": point(),
                "required_skills": [
                    {"code": c, "min_level": int(rng.integers(1, 4))} for c in FEW_SKILLS if rng.random() < 0.2
                ],
                "required_credentials": [c for c in CREDENTIALS[:2] if rng.random() < 0.2],
                "languages": [code for code in LANGUAGES[:4] if rng.random() < 0.3],
                "beneficiary_key": f"b{i % 3}" if rng.random() < 0.6 else None,
            }
        )
    commitments = []
    for _ in range(int(rng.integers(0, n_vol + 1))):
        v, t = vols[rng.integers(n_vol)], tasks[rng.integers(n_task)]
        commitments.append((v["_id"], t["_id"], t["starts_at"], t["ends_at"]))
    history = []
    for _ in range(int(rng.integers(0, 2 * n_vol + 1))):
        v, t = vols[rng.integers(n_vol)], tasks[rng.integers(n_task)]
        history.append(
            (
                v["_id"],
                t["need_id"],
                t["beneficiary_key"],
                bool(rng.random() < 0.8),
                BASE - timedelta(days=int(rng.integers(0, 60))),
                int(rng.choice([30, 60, 240])),
            )
        )
    return vols, tasks, commitments, history


def build(vols, tasks, commitments, history) -> MatchingIndex:
    index = MatchingIndex.build(vols, tasks)
    for c in commitments:
        index.add_commitment(*c)
    for h in history:
        index.record_service(*h)
    return index


def reference(vols, tasks, commitments, history) -> brute.Reference:
    ref = brute.Reference(vols, tasks)
    for c in commitments:
        ref.add_commitment(*c)
    for h in history:
        ref.record_service(*h)
    return ref


# ------------------------------------------------------------------ independent checks
def local_span(task):
    s = task["starts_at"].astimezone(CST)
    e = task["ends_at"].astimezone(CST)
    last = (e - timedelta(seconds=1)).date() if e > s else s.date()
    return s, e, last


def violations(vol, task, held, search_km=None) -> list[str]:
    """Hard constraints that volunteer `vol` breaks for `task`; `held` = its (task_id, s, e)."""
    out = []
    levels = {s["code"]: s["level"] for s in vol["skills"]}
    for r in task["required_skills"]:
        if levels.get(r["code"], 0) < r["min_level"]:
            out.append("skill")
    s, e, last = local_span(task)
    for kind in task["required_credentials"]:
        if not any(c["kind"] == kind and date.fromisoformat(c["expires_on"]) >= last for c in vol["credentials"]):
            out.append("credential")
    d = great_circle((task["location"]["lat"], task["location"]["lng"]), (vol["home"]["lat"], vol["home"]["lng"])).km
    if d > vol["travel_radius_km"] + 1e-9 or (search_km is not None and d > search_km + 1e-9):
        out.append("distance")
    if not (task["urgency"] == "EMERGENCY" and vol["emergency_responder"]):
        h = s.replace(minute=0, second=0, microsecond=0)
        while h < e or h == s.replace(minute=0, second=0, microsecond=0):
            if not any(
                w["weekday"] == h.isoweekday() and w["start_hour"] <= h.hour < w["end_hour"]
                for w in vol["availability"]
            ):
                out.append("availability")
                break
            h += timedelta(hours=1)
    day = s.date()
    while day <= last:
        if day.isoformat() in vol["blackout_dates"]:
            out.append("blackout")
        day += timedelta(days=1)
    week_start = datetime.combine(s.date() - timedelta(days=s.isoweekday() - 1), datetime.min.time(), tzinfo=CST)
    week_end = week_start + timedelta(days=7)
    committed = 0.0
    for tid, cs, ce in held:
        if tid == task["_id"]:
            out.append("already committed")
        if cs < task["ends_at"] and ce > task["starts_at"]:
            out.append("overlap")
        committed += max(0.0, (min(ce, week_end) - max(cs, week_start)).total_seconds())
    dur = (task["ends_at"] - task["starts_at"]).total_seconds()
    if committed + dur > vol["max_hours_per_week"] * 3600:
        out.append("weekly cap")
    return out


def held_by(commitments):
    held: dict[str, dict[str, tuple]] = {}
    for vid, tid, s, e in commitments:
        held.setdefault(vid, {})[tid] = (tid, s, e)
    return {v: list(d.values()) for v, d in held.items()}


def is_open(task, now):
    return task["status"] == "OPEN" and task["filled"] < task["slots"] and task["starts_at"] > now


worlds = st.builds(
    make_world,
    seed=st.integers(0, 2**32 - 1),
    n_vol=st.integers(1, 40),
    n_task=st.integers(1, 15),
    spread_km=st.sampled_from([2.0, 10.0, 30.0, 80.0]),
    emergency_rate=st.sampled_from([0.0, 0.3, 1.0]),
)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=300, **SETTINGS)
@given(world=worlds, first=st.integers(1, 8), radius=st.sampled_from([None, 2.0, 7.5, 30.0]))
def test_recommend_volunteers_matches_brute_force_and_constraints(world, first, radius):
    vols, tasks, commitments, history = world
    index = build(vols, tasks, commitments, history)
    ref = reference(vols, tasks, commitments, history)
    by_id = {v["_id"]: v for v in vols}
    held = held_by(commitments)
    now = BASE
    for task in tasks:
        got = index.recommend_volunteers(task["_id"], now, first, radius_km=radius)
        assert got == ref.recommend_volunteers(task["_id"], now, first, radius_km=radius)
        assert len(got) <= first
        for m in got:
            vol = by_id[m.volunteer_id]
            assert vol["active"]
            search = radius
            if task["urgency"] == "EMERGENCY" and radius is None:
                search = index.weights.emergency_max_radius_km
            assert violations(vol, task, held.get(vol["_id"], []), search) == []
        keys = [(-m.score, m.volunteer_id) for m in got]
        if task["urgency"] == "EMERGENCY":
            keys = [(m.distance_km, m.volunteer_id) for m in got]
        assert keys == sorted(keys)


@settings(max_examples=300, **SETTINGS)
@given(world=worlds, first=st.integers(1, 8))
def test_recommend_tasks_matches_brute_force_and_constraints(world, first):
    vols, tasks, commitments, history = world
    index = build(vols, tasks, commitments, history)
    ref = reference(vols, tasks, commitments, history)
    by_id = {t["_id"]: t for t in tasks}
    held = held_by(commitments)
    now = BASE + timedelta(days=1)
    for vol in vols:
        if not vol["active"]:
            continue
        got = index.recommend_tasks(vol["_id"], now, first)
        assert got == ref.recommend_tasks(vol["_id"], now, first)
        for m in got:
            task = by_id[m.task_id]
            assert is_open(task, now)
            assert violations(vol, task, held.get(vol["_id"], [])) == []
        keys = [(-m.score, m.task_id) for m in got]
        assert keys == sorted(keys)


@settings(max_examples=300, **SETTINGS)
@given(
    world=worlds,
    radius=st.sampled_from([0.5, 3.0, 12.0, 60.0]),
    first=st.integers(1, 6),
    cats=st.one_of(st.none(), st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3)),
    skills=st.one_of(st.none(), st.lists(st.sampled_from(FEW_SKILLS), min_size=1, max_size=2)),
    window=st.one_of(st.none(), st.tuples(st.integers(0, 10), st.integers(1, 5))),
)
def test_open_tasks_matches_brute_force_and_paginates(world, radius, first, cats, skills, window):
    vols, tasks, _, _ = world
    index = MatchingIndex.build(vols, tasks)
    ref = brute.Reference(vols, tasks)
    start = end = None
    if window:
        start = BASE + timedelta(days=window[0])
        end = start + timedelta(days=window[1])
    now = BASE + timedelta(days=2)
    lat, lng = CENTRE
    expected = []
    for t in tasks:
        d = great_circle(CENTRE, (t["location"]["lat"], t["location"]["lng"])).km
        if (
            t["status"] == "OPEN"
            and t["filled"] < t["slots"]
            and t["ends_at"] > now
            and (cats is None or t["category"] in cats)
            and (skills is None or any(r["code"] in skills for r in t["required_skills"]))
            and (start is None or (t["ends_at"] > start and t["starts_at"] < end))
            and d <= radius + 1e-9
        ):
            expected.append(t["_id"])
    seen, after = [], None
    while True:
        args = (lat, lng, radius, cats, skills, start, end, first, after, now)
        page = index.open_tasks(*args)
        assert page == ref.open_tasks(*args)
        assert page.total_count == len(expected)
        seen.extend(page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert sorted(h.task_id for h in seen) == sorted(expected)
    assert [(h.distance_km, h.task_id) for h in seen] == sorted((h.distance_km, h.task_id) for h in seen)


@settings(max_examples=150, **SETTINGS)
@given(
    world=worlds,
    ops=st.lists(
        st.tuples(st.sampled_from(["upsert", "remove", "commit", "uncommit", "task", "untask"]), st.integers(0, 10**6)),
        max_size=25,
    ),
    compact=st.booleans(),
)
def test_incremental_updates_equal_fresh_rebuild(world, ops, compact):
    vols, tasks, commitments, history = world
    index = build(vols, tasks, commitments, history)
    vols_now = {v["_id"]: v for v in vols}
    tasks_now = {t["_id"]: t for t in tasks}
    commits = {(c[0], c[1]): c for c in commitments}
    for op, r in ops:
        v = vols[r % len(vols)]
        t = tasks[r % len(tasks)]
        if op == "upsert":
            moved = dict(
                v,
                home={"lat": v["home"]["lat"] + (r % 7 - 3) * 0.01, "lng": v["home"]["lng"]},
                travel_radius_km=float(1 + r % 30),
                active=bool(r % 5),
            )
            index.upsert_volunteer(moved)
            vols_now[v["_id"]] = moved
        elif op == "remove":
            index.remove_volunteer(v["_id"])
            vols_now.pop(v["_id"], None)
        elif op == "commit":
            index.add_commitment(v["_id"], t["_id"], t["starts_at"], t["ends_at"])
            commits[(v["_id"], t["_id"])] = (v["_id"], t["_id"], t["starts_at"], t["ends_at"])
        elif op == "uncommit":
            index.remove_commitment(v["_id"], t["_id"])
            commits.pop((v["_id"], t["_id"]), None)
        elif op == "task":
            changed = dict(
                t, filled=0, status="OPEN", location={"lat": t["location"]["lat"] - 0.02, "lng": t["location"]["lng"]}
            )
            index.upsert_task(changed)
            tasks_now[t["_id"]] = changed
        else:
            index.remove_task(t["_id"])
            tasks_now.pop(t["_id"], None)
    if compact:
        index.compact()
    final = (list(vols_now.values()), list(tasks_now.values()), list(commits.values()), history)
    fresh = build(*final)
    ref = reference(*final)
    now = BASE
    for tid in tasks_now:
        got = index.recommend_volunteers(tid, now, 5)
        assert got == fresh.recommend_volunteers(tid, now, 5)
        assert got == ref.recommend_volunteers(tid, now, 5)
    for vid, v in vols_now.items():
        if v["active"]:
            got = index.recommend_tasks(vid, now, 5)
            assert got == fresh.recommend_tasks(vid, now, 5)
            assert got == ref.recommend_tasks(vid, now, 5)
    page = index.open_tasks(*CENTRE, 50.0, first=100)
    assert page == fresh.open_tasks(*CENTRE, 50.0, first=100)
    assert page == ref.open_tasks(*CENTRE, 50.0, first=100)
    assert index.volunteer_count() == fresh.volunteer_count()
