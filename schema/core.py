"""Conventions every type follows: global ids, `UserError` payloads, keyset connections."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError

from services.errors import DomainError

T = TypeVar("T")
MAX_FIRST = 100
DEFAULT_FIRST = 20


def encode_id(type_name: str, raw: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{raw}".encode()).decode().rstrip("="))


def decode_id(gid: str, *types: str, field: str = "id") -> tuple[str, str]:
    """Returns (type, raw id); foreign or malformed ids are `INVALID_ID`."""
    try:
        text = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
        type_name, raw = text.split(":", 1)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError("INVALID_ID", "is not a valid id", field) from None
    if len(gid) > 200 or not raw or (types and type_name not in types):
        expected = " or ".join(types) if types else "an object"
        raise DomainError("INVALID_ID", f"is not the id of {expected}", field)
    return type_name, raw


def decode_raw(gid: str | None, type_name: str, field: str) -> str | None:
    return None if gid is None else decode_id(gid, type_name, field=field)[1]


@strawberry.interface(description="An object with a global id.")
class Node:
    id: strawberry.ID


@strawberry.type(description="A mistake in the caller's input or rights; `code` is stable.")
class UserError:
    code: str
    message: str
    field: list[str] | None = None


def user_errors(exc: DomainError) -> list[UserError]:
    return [UserError(code=p.code, message=p.message, field=list(p.field) if p.field else None)
            for p in exc.problems]


def graphql_error(exc: DomainError) -> GraphQLError:
    """Queries have no payload: a user mistake is a GraphQL error whose extensions carry the code."""
    p = exc.problems[0]
    return GraphQLError(p.message, extensions={"code": exc.code, "field": list(p.field or ())})


def no_errors():
    """The `errors` field of a payload: empty unless the mutation failed."""
    return strawberry.field(default_factory=list)


P = TypeVar("P")


async def payload(cls: type[P], work: Callable[[], Awaitable[P]]) -> P:
    """Runs a mutation; a `DomainError` becomes `errors` on an otherwise empty payload."""
    try:
        return await work()
    except DomainError as exc:
        return cls(errors=user_errors(exc))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise DomainError("INVALID_INPUT", f"first must be 0 to {MAX_FIRST}", "first")
    return first


def encode_cursor(*values) -> str:
    return base64.urlsafe_b64encode("\x1f".join(map(str, values)).encode()).decode()


def decode_cursor(cursor: str, parts: int) -> list[str]:
    try:
        values = base64.urlsafe_b64decode(cursor.encode()).decode().split("\x1f")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = []
    if len(values) != parts or len(cursor) > 500:
        raise DomainError("INVALID_CURSOR", "is not a cursor from this list", "after")
    return values


def page_of_sorted_ids(ids: Sequence[str], first: int | None, after: str | None) -> tuple[list[str], bool]:
    """A keyset page of an id-sorted list: the cursor holds the last id seen, not an offset."""
    n = check_first(first)
    start = 0
    if after is not None:
        (last,) = decode_cursor(after, 1)
        start = bisect.bisect_right(ids, last)
    page = list(ids[start:start + n])
    return page, start + n < len(ids)


def connection(nodes: list, cursors: list[str], has_next: bool, total: int, had_after: bool) -> Connection:
    edges = [Edge(cursor=c, node=n) for c, n in zip(cursors, nodes)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, has_previous_page=had_after,
                           start_cursor=cursors[0] if cursors else None,
                           end_cursor=cursors[-1] if cursors else None),
        total_count=total,
    )
