"""Unit tests: each hard constraint, each reason, distances, grid coverage, errors."""

import math
import random
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from geopy.distance import great_circle

from matching import MatchingIndex, UnknownTask, UnknownVolunteer, Weights, brute, geo
from matching.scoring import score

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CST = timezone(timedelta(hours=8))
TASK_START = datetime(2026, 3, 4, 9, 0, tzinfo=CST)  # a Wednesday, 09:00 local
HOME = {"lat": 25.83, "lng": 107.54}


def vol(i=1, **kw):
    doc = {
        "_id": f"{i:024x}",
        "name": f"v{i}",
        "skills": [{"code": "MEAL_DELIVERY", "level": 4}],
        "credentials": [{"kind": "FIRST_AID_CERT", "expires_on": "2026-03-04"}],
        "languages": ["MANDARIN", "BOUYEI"],
        "home": dict(HOME),
        "travel_radius_km": 5.0,
        "availability": [{"weekday": 3, "start_hour": 8, "end_hour": 12}],
        "blackout_dates": [],
        "max_hours_per_week": 10,
        "emergency_responder": False,
        "active": True,
    }
    doc.update(kw)
    return doc


def task(i=1, **kw):
    doc = {
        "_id": f"{0xA0000 + i:024x}",
        "need_id": f"{0xB0000 + i:024x}",
        "organisation_id": f"{1:024x}",
        "starts_at": TASK_START,
        "ends_at": TASK_START + timedelta(hours=2),
        "slots": 2,
        "filled": 0,
        "status": "OPEN",
        "category": "ELDER_CARE",
        "urgency": "ROUTINE",
        "location": {"lat": 25.84, "lng": 107.54},
        "required_skills": [{"code": "MEAL_DELIVERY", "min_level": 2}],
        "required_credentials": ["FIRST_AID_CERT"],
        "languages": ["BOUYEI"],
        "beneficiary_key": "elder-7",
    }
    doc.update(kw)
    return doc


def ids(matches):
    return [m.volunteer_id for m in matches]


def matches_for(v, t=None, **kw):
    t = t or task()
    index = MatchingIndex.build([v], [t])
    got = index.recommend_volunteers(t["_id"], NOW, 5, **kw)
    assert got == brute.Reference([v], [t]).recommend_volunteers(t["_id"], NOW, 5, **kw)
    return got


def test_baseline_volunteer_matches_with_reasons():
    (m,) = matches_for(vol())
    assert m.volunteer_id == f"{1:024x}"
    assert m.matched_skills == ["MEAL_DELIVERY"] and m.missing_skills == []
    assert m.reasons == [
        "1.1 km away",
        "MEAL_DELIVERY level 4 (needs 2)",
        "speaks BOUYEI",
        "no service record yet",
        "light recent load",
    ]
    assert 0 < m.score <= 1


@pytest.mark.parametrize(
    "change",
    [
        {"skills": [{"code": "MEAL_DELIVERY", "level": 1}]},
        {"skills": [{"code": "ERRANDS", "level": 5}]},
        {"credentials": [{"kind": "FIRST_AID_CERT", "expires_on": "2026-03-03"}]},
        {"credentials": [{"kind": "HEALTH_CERT", "expires_on": "2030-01-01"}]},
        {"travel_radius_km": 1.0},
        {"availability": [{"weekday": 3, "start_hour": 8, "end_hour": 10}]},
        {"availability": [{"weekday": 4, "start_hour": 8, "end_hour": 12}]},
        {"blackout_dates": ["2026-03-04"]},
        {"max_hours_per_week": 1},
        {"active": False},
    ],
)
def test_each_hard_constraint_excludes(change):
    assert matches_for(vol(**change)) == []


def test_search_radius_is_a_hard_limit():
    assert matches_for(vol(), radius_km=1.0) == []
    assert len(matches_for(vol(), radius_km=1.2)) == 1


def test_half_hour_task_needs_every_touched_hour_slot():
    t = task(starts_at=TASK_START + timedelta(minutes=150), ends_at=TASK_START + timedelta(minutes=200))
    assert matches_for(vol(), t) == []  # 11:30-12:20 touches the 12:00 slot
    assert len(matches_for(vol(availability=[{"weekday": 3, "start_hour": 11, "end_hour": 13}]), t)) == 1


def test_commitment_overlap_and_weekly_cap():
    v, t = vol(), task()
    index = MatchingIndex.build([v], [t])
    other = f"{0xC0:024x}"
    held: dict[str, tuple[datetime, datetime]] = {}

    def commit(task_id, start, hours):
        index.add_commitment(v["_id"], task_id, start, start + timedelta(hours=hours))
        held[task_id] = (start, start + timedelta(hours=hours))

    def matches():
        got = index.recommend_volunteers(t["_id"], NOW, 5)
        ref = brute.Reference([v], [t])
        for task_id, window in held.items():
            ref.add_commitment(v["_id"], task_id, *window)
        assert got == ref.recommend_volunteers(t["_id"], NOW, 5)
        assert index.recommend_tasks(v["_id"], NOW, 5) == ref.recommend_tasks(v["_id"], NOW, 5)
        return len(got)

    commit(other, TASK_START + timedelta(hours=1), 2)
    assert matches() == 0
    index.remove_commitment(v["_id"], other)
    del held[other]
    assert matches() == 1
    # back-to-back is fine, but 9 committed hours in the same ISO week + 2 exceed the cap of 10
    commit(other, TASK_START - timedelta(days=1), 8)
    assert matches() == 1
    commit(other, TASK_START - timedelta(days=1), 9)
    assert matches() == 0
    # the previous week does not count
    commit(other, TASK_START - timedelta(days=7), 9)
    assert matches() == 1
    commit(t["_id"], t["starts_at"], 2)
    assert matches() == 0
    assert index.recommend_tasks(v["_id"], NOW, 5) == []


def test_emergency_skips_availability_for_responders_only_and_ranks_nearest_first():
    t = task(urgency="EMERGENCY", starts_at=TASK_START + timedelta(hours=10), ends_at=TASK_START + timedelta(hours=11))
    far = vol(2, emergency_responder=True, home={"lat": 25.86, "lng": 107.54})
    near = vol(3, emergency_responder=True, home={"lat": 25.84, "lng": 107.541})
    lazy = vol(4, emergency_responder=False, home={"lat": 25.84, "lng": 107.54})
    index = MatchingIndex.build([far, near, lazy], [t])
    got = index.recommend_volunteers(t["_id"], NOW, 5)
    assert ids(got) == [near["_id"], far["_id"]]
    assert "emergency responder" in got[0].reasons
    assert got == brute.Reference([far, near, lazy], [t]).recommend_volunteers(t["_id"], NOW, 5)


def test_emergency_ring_widens_until_enough():
    t = task(urgency="EMERGENCY")
    vols = [
        vol(10 + i, emergency_responder=True, travel_radius_km=30.0, home={"lat": 25.84 + 0.03 * i, "lng": 107.54})
        for i in range(6)
    ]
    index = MatchingIndex.build(vols, [t])
    got = index.recommend_volunteers(t["_id"], NOW, 4)
    assert len(got) == 4 and [round(m.distance_km) for m in got] == [0, 3, 7, 10]


def test_continuity_beats_slightly_closer():
    t = task()
    closer = vol(5, home={"lat": 25.84, "lng": 107.545})
    returning = vol(6, home={"lat": 25.84, "lng": 107.56})
    index = MatchingIndex.build([closer, returning], [t])
    ref = brute.Reference([closer, returning], [t])
    for engine in (index, ref):
        engine.record_service(returning["_id"], t["need_id"], "elder-7", True, NOW - timedelta(days=40), 60)
    got = index.recommend_volunteers(t["_id"], NOW, 5)
    assert got == ref.recommend_volunteers(t["_id"], NOW, 5)
    assert ids(got) == [returning["_id"], closer["_id"]]
    assert "served this elder before" in got[0].reasons
    assert got[0].distance_km > got[1].distance_km


def test_reliability_and_fairness_reasons():
    v, t = vol(), task()
    index = MatchingIndex.build([v], [t])
    ref = brute.Reference([v], [t])
    for engine in (index, ref):
        for i in range(12):
            engine.record_service(v["_id"], f"{0xD0 + i:024x}", None, True, NOW - timedelta(days=i), 60)
    (m,) = index.recommend_volunteers(t["_id"], NOW, 5)
    assert [m] == ref.recommend_volunteers(t["_id"], NOW, 5)
    assert "reliable: 12 of 12 attended" in m.reasons
    assert "12.0 h served in the last 30 days" in m.reasons
    for engine in (index, ref):
        engine.record_service(v["_id"], f"{0xE0:024x}", None, False, NOW, 60)
    (m2,) = index.recommend_volunteers(t["_id"], NOW, 5)
    assert [m2] == ref.recommend_volunteers(t["_id"], NOW, 5)
    assert "reliable: 12 of 13 attended" in m2.reasons and m2.score < m.score


def test_recommend_tasks_and_unknown_ids():
    v = vol()
    t1, t2 = task(1), task(2, location={"lat": 25.86, "lng": 107.54})
    closed = task(3, status="FULL")
    started = task(4, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1))
    index = MatchingIndex.build([v], [t1, t2, closed, started])
    ref = brute.Reference([v, vol(7, active=False)], [t1, t2, closed, started])
    got = index.recommend_tasks(v["_id"], NOW, 5)
    assert [m.task_id for m in got] == [t1["_id"], t2["_id"]]
    assert got[0].reasons[0] == "1.1 km away"
    assert got == ref.recommend_tasks(v["_id"], NOW, 5)
    for engine in (index, ref):
        with pytest.raises(UnknownVolunteer):
            engine.recommend_tasks(f"{99:024x}", NOW)
        with pytest.raises(UnknownVolunteer):
            engine.recommend_tasks(f"{7:024x}", NOW)
        with pytest.raises(UnknownTask):
            engine.recommend_volunteers(f"{99:024x}", NOW)
    index.remove_volunteer(v["_id"])
    with pytest.raises(UnknownVolunteer):
        index.recommend_tasks(v["_id"], NOW)


def test_open_tasks_filters_and_keyset_pagination():
    tasks = [
        task(i, location={"lat": 25.83 + 0.005 * i, "lng": 107.54}, category="ELDER_CARE" if i % 2 else "CHILD_CARE")
        for i in range(10)
    ]
    tasks.append(task(50, status="CANCELLED"))
    index = MatchingIndex.build([], tasks)
    ref = brute.Reference([], tasks)
    for kw in ({}, {"categories": ["ELDER_CARE"]}, {"skills": ["MEAL_DELIVERY"]}, {"end": TASK_START}, {"first": 0}):
        assert index.open_tasks(25.83, 107.54, 3.0, **kw) == ref.open_tasks(25.83, 107.54, 3.0, **kw)
    page = index.open_tasks(25.83, 107.54, 3.0, first=3)
    assert page == ref.open_tasks(25.83, 107.54, 3.0, first=3)
    assert page.total_count == 6 and page.has_next_page
    assert [h.task_id for h in page.items] == [tasks[i]["_id"] for i in range(3)]
    nxt = index.open_tasks(25.83, 107.54, 3.0, first=3, after=page.end_cursor)
    assert nxt == ref.open_tasks(25.83, 107.54, 3.0, first=3, after=page.end_cursor)
    assert [h.task_id for h in nxt.items] == [tasks[i]["_id"] for i in range(3, 6)]
    assert not nxt.has_next_page
    cats = index.open_tasks(25.83, 107.54, 3.0, categories=["ELDER_CARE"])
    assert [h.task_id for h in cats.items] == [tasks[i]["_id"] for i in (1, 3, 5)]
    assert index.open_tasks(25.83, 107.54, 3.0, skills=["ERRANDS"]).total_count == 0
    assert index.open_tasks(25.83, 107.54, 3.0, start=TASK_START + timedelta(hours=3)).total_count == 0


def test_distance_matches_geopy():
    rng = random.Random(7)
    for _ in range(2000):
        a = (rng.uniform(18, 50), rng.uniform(75, 135))
        b = (a[0] + rng.uniform(-1, 1), a[1] + rng.uniform(-1, 1))
        ours = float(geo.distance_km(a[0], a[1], b[0], b[1]))
        assert ours == pytest.approx(great_circle(a, b).km, abs=1e-9)
    lat = np.array([30.33, 31.85])
    lng = np.array([112.24, 117.26])
    vec = geo.distance_km(36.67, 117.05, lat, lng)
    assert vec == pytest.approx([great_circle((36.67, 117.05), p).km for p in zip(lat, lng)], abs=1e-9)


def test_grid_ranges_cover_every_point_in_the_disk():
    rng = random.Random(3)
    for i in range(400):
        lat = rng.uniform(-79, 79) if i % 4 == 0 else rng.uniform(20, 45)
        lng = rng.uniform(-180, 180) if i % 4 == 0 else rng.uniform(100, 125)
        radius = rng.choice([0.2, 1.0, 3.0, 7.0, 15.0, 30.0, 60.0, 500.0])
        ranges = geo.grid_ranges(lat, lng, [radius])
        if ranges is None:  # near a pole or the antimeridian, or too wide: callers scan all
            assert abs(lat) > 70 or abs(lng) > 170 or radius > 1000
            continue
        lo, hi = ranges[0][ranges[2]], ranges[1][ranges[2]]
        assert np.all(lo <= hi) and np.all(hi[:-1] < lo[1:])
        for j in range(40):
            frac = 1.0 if j % 2 else math.sqrt(rng.random())  # half of them on the circle
            p = great_circle(kilometers=radius * frac).destination((lat, lng), rng.uniform(0, 360))
            if float(geo.distance_km(lat, lng, p.latitude, p.longitude)) > radius:
                continue
            key = geo.grid_key(p.latitude, p.longitude)
            assert np.any((lo <= key) & (key <= hi))


def test_grid_ranges_hug_the_bounding_box():
    lo, hi, valid = geo.grid_ranges(30.31, 112.25, [1.0, 10.0])
    band_km = geo.BAND_DEG * 111.2
    step_km = geo.LNG_STEP * 111.2 * math.cos(math.radians(30.31))
    for i, radius in enumerate((1.0, 10.0)):
        area = float((hi[i] - lo[i] + 1)[valid[i]].sum()) * step_km * band_km
        assert (2 * radius) ** 2 < area < 2 * radius * (2 * radius + 2 * band_km) * 1.01
    assert geo.grid_ranges(30.31, 112.25, [math.inf]) is None
    assert geo.grid_ranges(30.31, 179.99, [5.0]) is None
    assert geo.grid_ranges(79.99, 112.25, [5.0]) is None


def test_weights_sum_to_one_and_score_bounds():
    w = Weights()
    assert math.isclose(w.distance + w.skill_surplus + w.language + w.continuity + w.reliability + w.fairness, 1.0)
    best = score(w, 0.0, 1.0, 1.0, 1.0, 10**6, 0, 0)
    worst = score(w, 1e9, 0.0, 0.0, 0.0, 0, 10**6, 10**6)
    assert 0.0 <= worst < best <= 1.0


def test_memory_report_is_within_budget():
    index = MatchingIndex.build([vol(i) for i in range(1, 3000)], [task()])
    report = index.memory_report()
    assert report["volunteers"] == 2999
    assert report["bytes_per_volunteer"] < 400  # fixed slack dominates at this size


def test_release_task_ends_every_commitment_to_it():
    idx = MatchingIndex()
    vols = [f"65a1000000000000000000{i:02x}" for i in range(3)]
    for vid in vols:
        idx.add_commitment(vid, "66b200000000000000000001", TASK_START, TASK_START + timedelta(hours=2))
    idx.add_commitment(
        vols[0], "66b200000000000000000002", TASK_START + timedelta(hours=3), TASK_START + timedelta(hours=4)
    )
    assert idx.release_task("66b200000000000000000001") == 3
    assert idx.release_task("66b200000000000000000001") == 0
    assert idx.remove_commitment(vols[0], "66b200000000000000000002")
    assert not idx.remove_commitment(vols[1], "66b200000000000000000001")


@pytest.mark.parametrize("urgency", ["ROUTINE", "EMERGENCY"])
def test_asking_for_none_gives_none(urgency):
    v, t = vol(), task(urgency=urgency)
    index, ref = MatchingIndex.build([v], [t]), brute.Reference([v], [t])
    for engine in (index, ref):
        assert engine.recommend_volunteers(t["_id"], NOW, 0) == []
        assert engine.recommend_tasks(v["_id"], NOW, 0) == []
        assert engine.recommend_volunteers(t["_id"], NOW, 1) != []
