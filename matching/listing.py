"""`open_tasks`: open tasks within a radius, nearest first (ties by id), keyset-paginated.

Main task rows are sorted by (latitude band, longitude), so the bands of the disk's bounding box are
one contiguous slice. The filters run on that slice's columns (views, no gathers): the longitude
bounds, `listed_end` (the end of an open task, NOT_LISTED once it is closed, replaced or removed)
against `now`/`start`, the start against `end`, and `tags` (required-skill bits plus a category bit).
Delta rows are filtered the same way; only the survivors get an exact distance.
"""

import math
from collections.abc import Iterable
from datetime import datetime

import numpy as np

from . import geo
from . import timeutil as tu
from .parse import CATEGORY_CODE, N_SKILLS, NOT_LISTED, SKILL_BIT, id_bytes
from .ranking import top
from .results import OpenTaskHit, OpenTasksPage
from .tasks import TaskTable


def _listed_nearby(
    tasks: TaskTable,
    lat: float,
    lng: float,
    radius_km: float,
    categories: Iterable[str] | None,
    skills: Iterable[str] | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime | None,
) -> np.ndarray:
    """Rows in the disk's bounding box that pass open_tasks' filters other than distance."""
    task = tasks.table
    T = task.cols
    after_s = max((tu.to_seconds(x) for x in (now, start) if x is not None), default=NOT_LISTED)
    end_s = None if end is None else tu.to_seconds_ceil(end)
    cats = None if categories is None else sum(1 << (N_SKILLS + CATEGORY_CODE[c]) for c in set(categories))
    wanted = None if skills is None else sum(1 << SKILL_BIT[s] for s in set(skills))
    box = geo.bounding_box(lat, lng, radius_km)
    west = east = None
    a, b = 0, task.n_main
    if box is not None:
        first_band, last_band, w, e = box
        a, b = np.searchsorted(
            T["cell"][: task.n_main], np.array([first_band, last_band + 1], dtype=np.uint64) * np.uint64(geo.N_COLS)
        ).tolist()
        west, east = math.radians(w), math.radians(e)

    def pick(a: int, b: int) -> np.ndarray:
        ok = T["listed_end"][a:b] > after_s
        if west is not None:
            lng_rad = T["lng_rad"][a:b]
            ok &= (lng_rad >= west) & (lng_rad <= east)
        if end_s is not None:
            ok &= T["start"][a:b] < end_s
        if cats is not None:
            ok &= (T["tags"][a:b] & cats) != 0
        if wanted is not None:
            ok &= (T["tags"][a:b] & wanted) != 0
        return np.flatnonzero(ok) + a

    rows = pick(a, b)
    if task.n > task.n_main:
        rows = np.concatenate([rows, pick(task.n_main, task.n)])
    return rows


def open_tasks(
    tasks: TaskTable,
    lat: float,
    lng: float,
    radius_km: float,
    categories: Iterable[str] | None = None,
    skills: Iterable[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    first: int = 20,
    after: tuple[float, str] | None = None,
    now: datetime | None = None,
) -> OpenTasksPage:
    T = tasks.table.cols
    rows = _listed_nearby(tasks, lat, lng, radius_km, categories, skills, start, end, now)
    d = geo.great_circle_km(T["sin_lat"][rows], T["cos_lat"][rows], T["lng_rad"][rows], *geo.trig(lat, lng))
    ok = d <= radius_km
    rows, d = rows[ok], d[ok]
    total = len(rows)
    tids = T["tid"][rows]
    if after is not None:
        a_d = float(after[0])
        a_id = np.array([id_bytes(after[1])], dtype="S12")
        keep = (d > a_d) | ((d == a_d) & (tids > a_id))
        rows, d, tids = rows[keep], d[keep], tids[keep]
    shown_top = top(-d, tids, first + 1)
    shown = shown_top[:first]
    hexes = tids[shown].tobytes().hex()
    items = [OpenTaskHit(hexes[24 * j : 24 * j + 24], dist) for j, dist in enumerate(d[shown].tolist())]
    cursor = (items[-1].distance_km, items[-1].task_id) if items else None
    return OpenTasksPage(items, total, len(shown_top) > first, cursor)
