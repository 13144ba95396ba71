"""Errors the matching engine raises; services turn them into `NOT_FOUND` user errors."""


class MatchingError(Exception):
    """Base class of the engine's errors."""


class UnknownVolunteer(MatchingError, KeyError):
    """No active volunteer with this id is in the index."""


class UnknownTask(MatchingError, KeyError):
    """No task with this id is in the index."""
