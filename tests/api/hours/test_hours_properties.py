"""Property: for random record/verify/reject/correct sequences, every grouping adds up to the scope's
total, which is the sum of the verified entries; and a rebuild from entries equals the live rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.repo import new_id
from services.auth import Viewer
from services.directory import region_contains
from services.errors import DomainError
from services.hours.tallies import GROUPS, Scope
from tests.support import CLOCK, fresh_city

ADMIN = Viewer(account_id="admin", role="ADMIN")
CATEGORIES = ("ELDER_CARE", "CHILD_CARE", "EMERGENCY_RESPONSE")
MONTHS = ((2023, 12), (2024, 1))

op = st.one_of(
    st.tuples(
        st.just("record"),
        st.integers(0, 2),
        st.integers(0, 3),
        st.integers(0, 2),
        st.integers(0, 1),
        st.integers(1, 28),
        st.integers(1, 600),
    ),
    st.tuples(st.just("verify"), st.integers(0, 50)),
    st.tuples(st.just("reject"), st.integers(0, 50)),
    st.tuples(st.just("correct"), st.integers(0, 50), st.integers(0, 700)),
)


async def small_world(services, repos) -> tuple[list[dict], list[str]]:
    """A city centre, a county station, a township station under it, and a team under the city."""
    city = fresh_city(services)
    now = CLOCK.now()
    orgs: list[dict] = []
    for name, kind, code, parent in [
        ("市中心", "CITY_CENTER", f"{city}00", None),
        ("县站", "COUNTY_STATION", f"{city}24", 0),
        ("乡站", "TOWNSHIP_STATION", f"{city}24101", 1),
        ("救援队", "VOLUNTEER_TEAM", f"{city}02", 0),
    ]:
        oid = new_id()
        path = [*(orgs[parent]["path"] if parent is not None else []), oid]
        doc = {
            "_id": oid,
            "name": name,
            "kind": kind,
            "region_code": code,
            "path": path,
            "parent_id": orgs[parent]["_id"] if parent is not None else None,
            "location": None,
            "coordinator_account_ids": [],
            "created_at": now,
        }
        await repos.organisations.insert(doc)
        await services.changes.publish("organisation", doc)
        orgs.append(doc)
    volunteers = []
    for i in range(3):
        vid = new_id()
        await repos.volunteers.insert(
            {
                "_id": vid,
                "account_id": new_id(),
                "name": f"志愿者{i}",
                "home": {"lat": 30.0, "lng": 112.0},
                "created_at": now,
            }
        )
        volunteers.append(vid)
    return orgs, volunteers


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(op, min_size=1, max_size=25))
async def test_groupings_add_up_and_rebuild_equals_live(services, repos, ops):
    orgs, volunteers = await small_world(services, repos)
    entries: list[str] = []
    for o in ops:
        try:
            if o[0] == "record":
                _, vi, oi, ci, mi, day, minutes = o
                y, m = MONTHS[mi]
                start = datetime(y, m, day, 2, tzinfo=UTC)
                p = SimpleNamespace(
                    started_at=start,
                    ended_at=start + timedelta(minutes=minutes),
                    minutes=None,
                    title=None,
                    category=SimpleNamespace(value=CATEGORIES[ci]),
                    idempotency_key=None,
                )
                docs = await services.ledger.record(
                    ADMIN, p, task_id=None, organisation_id=orgs[oi]["_id"], volunteer_ids=[volunteers[vi]]
                )
                entries += [d["_id"] for d in docs]
            elif entries and o[0] in ("verify", "reject"):
                await services.decisions.decide(ADMIN, [entries[o[1] % len(entries)]], o[0].upper())
            elif entries and o[0] == "correct":
                await services.decisions.correct(ADMIN, entries[o[1] % len(entries)], o[2], "核对")
        except DomainError as exc:
            assert exc.code in ("ALREADY_RECORDED", "ALREADY_DECIDED", "NOT_VERIFIED", "NO_CHANGE"), exc.code

    verified = [
        d async for d in repos.hour_entries.coll.find({"status": "VERIFIED", "volunteer_id": {"$in": volunteers}})
    ]
    assert all(d["minutes"] >= 0 or d["source"] == "CORRECTION" for d in verified)
    scopes = [
        Scope("r", orgs[0]["region_code"]),
        Scope("r", orgs[1]["region_code"]),
        *(Scope("o", org["_id"]) for org in orgs),
        *(Scope("v", v) for v in volunteers),
    ]
    start, end = datetime(2023, 12, 1).date(), datetime(2024, 1, 31).date()
    for scope in scopes:
        mine = [d for d in verified if _in_scope(scope, d)]
        want = (sum(d["minutes"] for d in mine), sum(d["source"] != "CORRECTION" for d in mine))
        total = await services.tallies.total(scope, start, end)
        assert (total.minutes, total.entries) == want, scope
        for group_by in GROUPS:
            rows = await services.tallies.tallies(ADMIN, scope, group_by, start, end)
            assert (sum(t.minutes for t in rows), sum(t.entries for t in rows)) == want, (scope, group_by)
        for y, m in MONTHS:
            month = f"{y}-{m:02d}"
            first = datetime(y, m, 1).date()
            last = (datetime(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).date()
            distinct = len({d["volunteer_id"] for d in mine if d["month"] == month})
            assert (await services.tallies.total(scope, first, last)).volunteers == distinct, (scope, month)
            by_org = await services.tallies.tallies(ADMIN, scope, "ORGANISATION", first, last)
            for t in by_org:
                assert t.volunteers == len(
                    {d["volunteer_id"] for d in mine if d["month"] == month and d["organisation_id"] == t.key}
                )
    # a correction never drives an activity below zero
    for d in verified:
        if d["source"] != "CORRECTION":
            assert await services.ledger.corrected_minutes(d) >= 0

    if len(ops) % 3 == 0:  # the rebuild reads every entry of the session: not on every example
        live = sorted([d async for d in repos.rollups.coll.find({})], key=lambda d: d["_id"])
        await services.rollups.rebuild()
        assert sorted([d async for d in repos.rollups.coll.find({})], key=lambda d: d["_id"]) == live


def _in_scope(scope: Scope, entry: dict) -> bool:
    if scope.kind == "v":
        return entry["volunteer_id"] == scope.value
    if scope.kind == "o":
        return scope.value in entry["org_path"]
    return region_contains(scope.value, entry["region_code"])
