"""The matching engine: pure Python + numpy, no I/O. Fed documents, answers with ranked ids."""

from .errors import MatchingError, UnknownTask, UnknownVolunteer
from .index import MatchingIndex
from .results import OpenTaskHit, OpenTasksPage, TaskMatch, VolunteerMatch
from .scoring import DEFAULT_WEIGHTS, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "MatchingError",
    "MatchingIndex",
    "OpenTaskHit",
    "OpenTasksPage",
    "TaskMatch",
    "UnknownTask",
    "UnknownVolunteer",
    "VolunteerMatch",
    "Weights",
]
