"""Plain result types returned by the engine's queries."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TaskMatch:
    task_id: str
    score: float
    distance_km: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VolunteerMatch:
    volunteer_id: str
    score: float
    distance_km: float
    matched_skills: list[str] = field(default_factory=list)
    missing_skills: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OpenTaskHit:
    task_id: str
    distance_km: float


@dataclass(frozen=True)
class OpenTasksPage:
    """One page of `open_tasks`; `end_cursor` is the `after` that fetches the next page."""

    items: list[OpenTaskHit]
    total_count: int
    has_next_page: bool
    end_cursor: tuple[float, str] | None
