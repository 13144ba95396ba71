"""The in-memory matching index: volunteers and tasks as numpy columns, a lat/lng grid for space.

Hard constraints (a result never breaks one):
- every required skill at >= its min_level;
- every required credential valid (expires_on >= date) on the task's last local date;
- distance <= the volunteer's travel radius and <= the search radius;
- every weekly hour slot the task touches (local time) is in the volunteer's availability, except
  for emergency responders on EMERGENCY tasks; no local date of the task is a blackout date;
- no overlap with a commitment the volunteer holds (half-open intervals; back-to-back is fine);
- hours committed in the local ISO week of the task's start + the task's hours <= max per week.

Results are exact: `matching.brute.Reference` evaluates the same rules on every row with its own code
and must return the same ids, order, scores and reasons. This class is the front; the parts are
`keys` (stable volunteer keys), `volunteers` and `tasks` (the tables), `commitments` and `history`
(engagement facts), `constraints` (the rules above), `candidates` (spatial candidates), `search`
(recommendations) and `listing` (`open_tasks`).
"""

from collections.abc import Iterable
from datetime import datetime

from .commitments import Commitments
from .history import ServiceHistory
from .keys import VolunteerKeys
from .listing import open_tasks
from .results import OpenTasksPage, TaskMatch, VolunteerMatch
from .scoring import DEFAULT_WEIGHTS, Weights
from .search import Recommender
from .tasks import TaskTable
from .volunteers import VolunteerTable


class MatchingIndex:
    """Volunteers, open tasks, commitments and service history; answers matching queries."""

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS):
        self._weights = weights
        keys = VolunteerKeys()
        self._vols = VolunteerTable(keys)
        self._tasks = TaskTable()
        self._commitments = Commitments(keys)
        self._history = ServiceHistory(keys, self._tasks.codes, weights)
        self._search = Recommender(weights, keys, self._vols, self._tasks, self._commitments, self._history)

    @property
    def weights(self) -> Weights:
        return self._weights

    @classmethod
    def build(
        cls, volunteers: Iterable[dict] = (), tasks: Iterable[dict] = (), weights: Weights = DEFAULT_WEIGHTS
    ) -> "MatchingIndex":
        index = cls(weights)
        index.upsert_volunteers(volunteers)
        index.upsert_tasks(tasks)
        index.compact()
        return index

    # ----------------------------------------------------------------- documents
    def upsert_volunteer(self, doc: dict) -> None:
        self.upsert_volunteers([doc])

    def upsert_volunteers(self, docs: Iterable[dict]) -> None:
        self._vols.upsert(docs)

    def remove_volunteer(self, volunteer_id: str) -> bool:
        return self._vols.remove(volunteer_id)

    def upsert_task(self, doc: dict) -> None:
        self.upsert_tasks([doc])

    def upsert_tasks(self, docs: Iterable[dict]) -> None:
        self._tasks.upsert(docs)

    def remove_task(self, task_id: str) -> bool:
        return self._tasks.remove(task_id)

    def compact(self) -> None:
        """Fold appends and tombstones into the sorted layout (also done automatically)."""
        self._vols.compact()
        self._tasks.compact()

    # ----------------------------------------------------------------- engagement facts
    def add_commitment(self, volunteer_id: str, task_id: str, starts_at: datetime, ends_at: datetime) -> None:
        self._commitments.add(volunteer_id, task_id, starts_at, ends_at)

    def remove_commitment(self, volunteer_id: str, task_id: str) -> bool:
        return self._commitments.remove(volunteer_id, task_id)

    def release_task(self, task_id: str) -> int:
        """Ends every commitment to a task (it was cancelled); returns how many there were."""
        return self._commitments.release(task_id)

    def record_service(
        self, volunteer_id: str, need_id: str, beneficiary_key: str | None, attended: bool, at: datetime, minutes: int
    ) -> None:
        self._history.record(volunteer_id, need_id, beneficiary_key, attended, at, minutes)

    # ----------------------------------------------------------------- queries
    def recommend_volunteers(
        self, task_id: str, now: datetime, first: int = 10, radius_km: float | None = None
    ) -> list[VolunteerMatch]:
        """Best volunteers for a task; EMERGENCY tasks widen the radius ring by ring."""
        return self._search.volunteers(task_id, now, first, radius_km)

    def recommend_tasks(self, volunteer_id: str, now: datetime, first: int = 10) -> list[TaskMatch]:
        """Open tasks starting after `now` the volunteer can take, best score first."""
        return self._search.tasks(volunteer_id, now, first)

    def open_tasks(
        self,
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
        """Open tasks within the radius, nearest first (ties by id), keyset-paginated.

        `skills` keeps tasks that require at least one of the given skills; `start`/`end` keep
        tasks whose window overlaps [start, end]; `now` drops tasks that have already ended.
        """
        return open_tasks(self._tasks, lat, lng, radius_km, categories, skills, start, end, first, after, now)

    # ----------------------------------------------------------------- accounting
    def volunteer_count(self) -> int:
        return self._vols.table.n_live

    def task_count(self, open_only: bool = True) -> int:
        return self._tasks.count(open_only)

    def memory_report(self) -> dict:
        """Bytes held, honestly: numpy nbytes (capacity included) plus container estimates."""
        volunteer = self._vols.nbytes()
        commitments = self._commitments.nbytes()
        history = self._history.nbytes()
        n = max(1, self.volunteer_count())
        return {
            "volunteers": self.volunteer_count(),
            "volunteer_bytes": volunteer,
            "bytes_per_volunteer": volunteer / n,
            "commitment_bytes": commitments,
            "history_bytes": history,
            "bytes_per_volunteer_with_engagement": (volunteer + commitments + history) / n,
            "task_bytes": self._tasks.nbytes(),
        }

    def bytes_per_volunteer(self) -> float:
        return self.memory_report()["bytes_per_volunteer"]
