"""Feeds the pure matching index from the database and answers the matching queries.

The index is derived state: `rebuild` loads it from the documents at start-up, every write in
this process reaches it through the change feed at once (the `on_*` listeners, subscribed in
`bootstrap.py`), and other processes' writes arrive through the change log within a poll
interval (0.5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from db.repo import Repository
from matching import MatchingIndex, OpenTasksPage, TaskMatch, UnknownTask, UnknownVolunteer, VolunteerMatch
from matching.catalogue import CATEGORIES
from services import validation as v
from services.access import AccessPolicy
from services.auth import Viewer
from services.clock import Clock
from services.errors import Collector, DomainError, ErrorCode, forbidden, not_found

log = logging.getLogger(__name__)

TASK_ID = re.compile(r"[0-9a-f]{24}")
MAX_RADIUS_KM = 200.0
DEFAULT_RADIUS_KM = 10.0
# Commitments older than this cannot affect an overlap or a weekly cap any more.
COMMITMENT_MEMORY = timedelta(days=8)


class MatchingService:
    def __init__(
        self,
        volunteers: Repository,
        tasks: Repository,
        applications: Repository,
        service_records: Repository,
        access: AccessPolicy,
        clock: Clock,
    ) -> None:
        self.volunteers = volunteers
        self.tasks = tasks
        self.applications = applications
        self.service_records = service_records
        self.access = access
        self.clock = clock
        self.index = MatchingIndex()
        self.windows: dict[str, tuple[datetime, datetime]] = {}
        # Documents of the tasks that have not ended: open-task pages read them from here, since
        # point reads on the embedded engine cost milliseconds each. Fed exactly like the index.
        self.live_tasks: dict[str, dict] = {}
        self.last_build_seconds: float | None = None

    async def rebuild(self) -> None:
        started = time.perf_counter()
        now = self.clock.now()
        # All four collections at once, each in concurrent ranges: the engine decodes on every core.
        volunteer_docs, task_docs, applications, records = await asyncio.gather(
            self.volunteers.scan_all(),
            self.tasks.scan_all(),
            self.applications.scan_all(),
            self.service_records.scan_all(),
        )
        volunteers = [d for d in volunteer_docs if _indexable(d)]
        live, windows = {}, {}
        for t in task_docs:
            if t["ends_at"] > now - COMMITMENT_MEMORY and t["status"] != "CANCELLED":
                windows[t["_id"]] = (t["starts_at"], t["ends_at"])
                if t["ends_at"] > now:
                    live[t["_id"]] = t
        tasks = list(live.values())
        index = MatchingIndex.build(volunteers=volunteers, tasks=tasks)
        for a in applications:
            window = windows.get(a["task_id"])
            if a.get("status") == "ACCEPTED" and window:
                _quietly(index.add_commitment, a["volunteer_id"], a["task_id"], *window)
        for r in records:
            _quietly(
                index.record_service,
                r["volunteer_id"],
                r["need_id"],
                r.get("beneficiary_key"),
                r["attended"],
                r["at"],
                r.get("minutes", 0),
            )
        self.index, self.windows, self.live_tasks = index, windows, live
        self.last_build_seconds = time.perf_counter() - started
        log.info(
            "matching index: %d volunteers, %d open tasks in %.2f s",
            index.volunteer_count(),
            index.task_count(),
            self.last_build_seconds,
        )

    def on_volunteer(self, doc: dict) -> None:
        self.index.upsert_volunteer(doc)

    def on_task(self, doc: dict) -> None:
        if doc["status"] == "CANCELLED":
            # Its volunteers are free again, whatever their applications still say.
            self.windows.pop(doc["_id"], None)
            self.index.release_task(doc["_id"])
        else:
            self.windows[doc["_id"]] = (doc["starts_at"], doc["ends_at"])
        if doc["ends_at"] > self.clock.now():
            self.live_tasks[doc["_id"]] = doc
        else:
            self.live_tasks.pop(doc["_id"], None)
        self.index.upsert_task(doc)

    async def tasks_by_id(self, ids: Sequence[str]) -> list[dict | None]:
        """Task documents by id: from memory when live, else from the database."""
        found = {i: self.live_tasks.get(i) for i in ids}
        missing = [i for i, d in found.items() if d is None]
        if missing:
            found.update(zip(missing, await self.tasks.get_many(missing)))
        return [found[i] for i in ids]

    async def on_assignment(self, doc: dict) -> None:
        if doc.get("status") != "ACCEPTED":
            self.index.remove_commitment(doc["volunteer_id"], doc["task_id"])
            return
        window = self.windows.get(doc["task_id"])
        if window is None:
            task = await self.tasks.get(doc["task_id"])
            if task is None or task["status"] == "CANCELLED":
                return
            window = self.windows[task["_id"]] = (task["starts_at"], task["ends_at"])
        _quietly(self.index.add_commitment, doc["volunteer_id"], doc["task_id"], *window)

    def on_service(self, doc: dict) -> None:
        _quietly(
            self.index.record_service,
            doc["volunteer_id"],
            doc["need_id"],
            doc.get("beneficiary_key"),
            doc["attended"],
            doc["at"],
            doc.get("minutes", 0),
        )

    # ---- queries -------------------------------------------------------------------------------

    def open_tasks(
        self,
        near,
        radius_km: float | None,
        categories,
        skills,
        start: datetime | None,
        end: datetime | None,
        first: int,
        after: tuple[float, str] | None,
    ) -> OpenTasksPage:
        c = Collector()
        point = v.point(c, near, "near")
        radius = check_radius(c, radius_km)
        for i, s in enumerate(v.bounded_list(c, skills, "skills", len(v.SKILLS))):
            v.skill_code(c, s, "skills", str(i))
        if start is not None:
            start = v.aware(c, start, "from")
        if end is not None:
            end = v.aware(c, end, "to")
        if start and end:
            c.check(start <= end, "`from` must not be after `to`", "to", code=ErrorCode.INVALID_TIME_RANGE)
        if after is not None:
            # Cursors are (distance, task id) pairs this list handed out: a finite distance, an ObjectId.
            c.check(
                math.isfinite(after[0]) and after[0] >= 0 and TASK_ID.fullmatch(after[1]) is not None,
                "is not a cursor from this list",
                "after",
                code=ErrorCode.INVALID_CURSOR,
            )
        c.raise_if_any()
        assert point is not None
        cats = [x for x in categories if x in CATEGORIES] if categories else None
        return self.index.open_tasks(
            point["lat"],
            point["lng"],
            radius,
            categories=cats,
            skills=skills or None,
            start=start,
            end=end,
            first=first,
            after=after,
            now=self.clock.now(),
        )

    def recommended_tasks(self, viewer: Viewer, first: int) -> list[TaskMatch]:
        if viewer.volunteer_id is None:
            raise forbidden("only volunteers get task recommendations")
        try:
            return self.index.recommend_tasks(viewer.volunteer_id, self.clock.now(), first)
        except UnknownVolunteer:
            return []  # an inactive profile has no recommendations

    async def recommend_volunteers(
        self, viewer: Viewer, task_id: str, first: int, radius_km: float | None
    ) -> list[VolunteerMatch]:
        c = Collector()
        radius = check_radius(c, radius_km) if radius_km is not None else None
        c.raise_if_any()
        (task,) = await self.tasks_by_id([task_id])
        if task is None:
            raise not_found("task", "taskId")
        self.access.require_manager(viewer, task["organisation_id"], "taskId")
        now = self.clock.now()
        if task["status"] != "OPEN" or task["ends_at"] <= now:
            raise DomainError(ErrorCode.TASK_NOT_OPEN, "the task is not open", "taskId")
        try:
            return self.index.recommend_volunteers(task_id, now, first, radius_km=radius)
        except UnknownTask:
            raise DomainError(ErrorCode.TASK_NOT_OPEN, "the task is not open", "taskId") from None


def check_radius(c: Collector, radius_km: float | None) -> float:
    radius = DEFAULT_RADIUS_KM if radius_km is None else radius_km
    c.check(
        0 < radius <= MAX_RADIUS_KM,
        f"radius must be above 0 and at most {MAX_RADIUS_KM:g} km",
        "radiusKm",
        code=ErrorCode.INVALID_RADIUS,
    )
    return radius


VOLUNTEER_FIELDS = ("home", "travel_radius_km", "availability", "max_hours_per_week")


def _indexable(doc: dict) -> bool:
    """Documents written by other means (imports, old versions) must not stop a rebuild."""
    if all(doc.get(f) is not None for f in VOLUNTEER_FIELDS):
        return True
    log.warning("volunteer %s lacks matching fields; left out of the index", doc.get("_id"))
    return False


def _quietly(fn: Callable, *args) -> None:
    """Facts about volunteers the index does not hold (removed, inactive) are dropped."""
    with contextlib.suppress(UnknownVolunteer, UnknownTask):
        fn(*args)
