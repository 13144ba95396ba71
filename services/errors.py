"""Domain errors carry a stable UPPER_SNAKE code; the schema turns them into `UserError`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    def __init__(self, code: str, message: str, field: Sequence[str] | str | None = None,
                 more: list[Problem] | None = None) -> None:
        super().__init__(message)
        if isinstance(field, str):
            field = (field,)
        first = Problem(code, message, tuple(field) if field else None)
        self.problems: list[Problem] = [first, *(more or [])]

    @property
    def code(self) -> str:
        return self.problems[0].code

    def about(self, field: str) -> "DomainError":
        """The same problems, pointed at the input field the caller actually sent."""
        first, *rest = self.problems
        return DomainError(first.code, first.message, field,
                           [Problem(p.code, p.message, (field,)) for p in rest])


def invalid(message: str, *field: str) -> DomainError:
    return DomainError("INVALID_INPUT", message, field or None)


def not_found(what: str, *field: str) -> DomainError:
    return DomainError("NOT_FOUND", f"{what} not found", field or None)


def forbidden(message: str = "you are not allowed to do this", *field: str) -> DomainError:
    return DomainError("FORBIDDEN", message, field or None)


def unauthenticated() -> DomainError:
    return DomainError("UNAUTHENTICATED", "sign in first")


class Collector:
    """Gathers every validation problem of one input so the client sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, *field: str) -> None:
        self.problems.append(Problem(code, message, field or None))

    def check(self, ok: bool, message: str, *field: str, code: str = "INVALID_INPUT") -> bool:
        if not ok:
            self.add(code, message, *field)
        return ok

    def raise_if_any(self) -> None:
        if self.problems:
            first, *rest = self.problems
            raise DomainError(first.code, first.message, first.field, rest)

