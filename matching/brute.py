"""Brute-force reference: the index's constraints and score on every row, no index, no pruning.

Every hard constraint and the distance are evaluated for every volunteer (resp. task); no spatial
candidates, no early filtering, no threshold search.

Used by the tests and the benchmark as the baseline the index must match exactly. EMERGENCY
searches go straight to the cap radius: nearest-first ranking makes that equal to the ring search.
"""

from datetime import datetime

from .index import MatchingIndex
from .results import OpenTasksPage, TaskMatch, VolunteerMatch


def recommend_volunteers(index: MatchingIndex, task_id: str, now: datetime, first: int = 10,
                         radius_km: float | None = None) -> list[VolunteerMatch]:
    return index._recommend_volunteers(task_id, now, first, radius_km, index._all_volunteers,
                                       rings=False)


def recommend_tasks(index: MatchingIndex, volunteer_id: str, now: datetime,
                    first: int = 10) -> list[TaskMatch]:
    return index._recommend_tasks(volunteer_id, now, first, index._all_tasks, prune=False)


def open_tasks(index: MatchingIndex, lat: float, lng: float, radius_km: float, categories=None,
               skills=None, start=None, end=None, first: int = 20, after=None,
               now=None) -> OpenTasksPage:
    return index._open_tasks(lat, lng, radius_km, categories, skills, start, end, first, after,
                             now, index._all_listed)
