"""Domain errors: every code a client can receive, in one enumeration, each with when it happens.

Services raise `DomainError(ErrorCode.X, message, field)`; the schema turns it into payload
`errors` on mutations and into a GraphQL error with `extensions.code` everywhere else
(`schema/base/errors.py`). `docs/errors.md` lists the same codes; a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum, auto


class ErrorCode(StrEnum):
    """A stable UPPER_SNAKE code; the second element is the line `docs/errors.md` shows."""

    when: str

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list) -> str:
        return name

    def __new__(cls, value: str, when: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.when = when
        return member

    # The request itself
    DATABASE_UNAVAILABLE = auto(), "the database did not answer in time; retry shortly"
    GRAPHQL_PARSE_FAILED = auto(), "the query text is not valid GraphQL"
    GRAPHQL_VALIDATION_FAILED = (
        auto(),
        "the query asks for fields or arguments the schema does not have, or passes the depth, alias or token limits",
    )
    INTERNAL_ERROR = (
        auto(),
        "something unexpected failed on the server; the error carries a `requestId` that the server log also shows",
    )
    QUERY_TOO_COSTLY = (
        auto(),
        "the query could return more objects than one request may (its pages' `first` multiplied down the nesting); "
        "ask for smaller pages or fewer nested lists",
    )
    # Signing in
    UNAUTHENTICATED = auto(), "the operation needs a signed-in account and the request carries no token"
    INVALID_TOKEN = auto(), "the bearer token is malformed, forged, or its account no longer exists"
    TOKEN_EXPIRED = auto(), "the bearer token is past its expiry; sign in again"
    INVALID_CREDENTIALS = auto(), "`login` with an unknown email or a wrong password"
    ACCOUNT_DISABLED = auto(), "`login` to an account an administrator disabled"
    FORBIDDEN = auto(), "the signed-in account may not do this (e.g. a coordinator acting for another organisation)"
    # Values
    INVALID_INPUT = auto(), "a value is missing, malformed or outside its allowed range (the message says which)"
    INVALID_ID = auto(), "an id is not a global id, or is the id of another type than the argument takes"
    INVALID_CURSOR = auto(), "an `after` cursor does not come from the list being paged"
    TOO_LONG = auto(), "a text is longer than its limit"
    TOO_MANY = auto(), "a list has more items than its limit"
    WEAK_PASSWORD = auto(), "a password shorter than 8 or longer than 128 characters"
    INVALID_COORDINATES = auto(), "a latitude outside -90..90 or a longitude outside -180..180"
    INVALID_RADIUS = auto(), "a radius that is not above 0 km and at most 200 km"
    INVALID_REGION = (
        auto(),
        (
            "a region code that is not a 6-, 9- or 12-digit administrative division code, does not suit the "
            "organisation's tier, or lies outside its parent's region"
        ),
    )
    UNKNOWN_SKILL = auto(), "a skill code that is not in the catalogue"
    UNKNOWN_CREDENTIAL = auto(), "a credential kind that is not in the catalogue"
    UNKNOWN_LANGUAGE = auto(), "a language or dialect code that is not in the catalogue"
    INVALID_TIME_RANGE = (
        auto(),
        "a time window that ends before it starts, lasts too long, starts in the past, or lies outside 2000–2100",
    )
    INVALID_RANGE = auto(), "a tally range that does not cover whole months or spans more than 120 months"
    INVALID_DURATION = auto(), "recorded minutes that are not above 0 or exceed the activity's length or 24 hours"
    INVALID_SLOTS = auto(), "a task with fewer than 1 or more than 100 slots"
    INVALID_SCHEDULE = auto(), "a need with both or neither of tasks and a recurrence, or a recurrence with no task"
    INVALID_PARENT = auto(), "an organisation placed under a parent of the wrong tier (or a city centre with one)"
    IDEMPOTENCY_CONFLICT = auto(), "a request with the same idempotency key is still being processed"
    # Things that exist, or not
    NOT_FOUND = auto(), "the object an id names does not exist (or is not visible to the caller)"
    EMAIL_TAKEN = auto(), "an account with this email already exists"
    DEMO_ALREADY_LOADED = auto(), "`load-demo` into a database that already holds the demo data"
    CONFLICT = auto(), "another request wrote the same thing at the same moment; retry"
    CONCURRENT_CHANGE = auto(), "the application changed between reading and writing it; reload and retry"
    # Needs and tasks
    NEED_CANCELLED = auto(), "changing or cancelling a need that is already cancelled"
    TASK_NOT_OPEN = auto(), "the task is cancelled, has started or ended, or its need is closed"
    TASK_FULL = auto(), "every slot of the task is taken"
    TASK_CANCELLED = auto(), "recording hours on a cancelled task"
    TASK_NOT_ENDED = auto(), "marking a no-show before the task has ended"
    # Engagement
    ALREADY_APPLIED = auto(), "the volunteer already has a live application or assignment for the task"
    SCHEDULE_CONFLICT = auto(), "the volunteer is booked on another task that overlaps this one"
    INVALID_TRANSITION = auto(), "the application's status does not allow this step (e.g. accepting a withdrawn one)"
    NOT_ASSIGNED = auto(), "checking in on an application that is not accepted"
    ALREADY_CHECKED_IN = auto(), "checking in twice, or withdrawing or marking a no-show after a check-in"
    NOT_CHECKED_IN = auto(), "checking out without a check-in"
    ALREADY_CHECKED_OUT = auto(), "checking in or out after checking out"
    # Hours
    ALREADY_RECORDED = auto(), "hours for this activity and volunteer are already recorded"
    ALREADY_DECIDED = auto(), "verifying or rejecting an entry that is no longer PENDING"
    NOT_VERIFIED = auto(), "correcting an entry that is not VERIFIED"
    NO_CHANGE = auto(), "a correction to the total the activity already has"
    NEGATIVE_TOTAL = auto(), "a correction that would take the activity's minutes below zero"


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | str | None = None,
        more: list[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        if not isinstance(code, ErrorCode):
            raise TypeError(f"{code!r} is not an ErrorCode")
        if isinstance(field, str):
            field = (field,)
        first = Problem(code, message, tuple(field) if field else None)
        self.problems: list[Problem] = [first, *(more or [])]

    @property
    def code(self) -> ErrorCode:
        return self.problems[0].code

    def about(self, *field: str) -> DomainError:
        """The same problems, pointed at the input field (path) the caller actually sent."""
        first, *rest = self.problems
        return DomainError(first.code, first.message, field, [Problem(p.code, p.message, field) for p in rest])


def invalid(message: str, *field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field or None)


def not_found(what: str, *field: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what} not found", field or None)


def forbidden(message: str = "you are not allowed to do this", *field: str) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, field or None)


def unauthenticated() -> DomainError:
    """The one way to say "sign in first"."""
    return DomainError(ErrorCode.UNAUTHENTICATED, "sign in first")


class Collector:
    """Gathers every validation problem of one input so the client sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: ErrorCode, message: str, *field: str) -> None:
        self.problems.append(Problem(code, message, field or None))

    def check(self, ok: bool, message: str, *field: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> bool:
        if not ok:
            self.add(code, message, *field)
        return ok

    def raise_if_any(self) -> None:
        if self.problems:
            first, *rest = self.problems
            raise DomainError(first.code, first.message, first.field, rest)
