"""Relay connections with keyset cursors: a cursor holds the last key seen, never an offset."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from services.errors import DomainError, ErrorCode

T = TypeVar("T")
MAX_FIRST = 100
DEFAULT_FIRST = 20
MAX_CURSOR_LENGTH = 500


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether a page follows this one (ask with `after: endCursor`).")
    has_previous_page: bool = strawberry.field(description="Whether this page was asked for with an `after` cursor.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge; null on an empty page.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge; pass it as `after` for the next page. Null on an empty page."
    )


@strawberry.type(description="One item of a connection, with the cursor that pages after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to get the items after this one.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection): at most 100 items per page, keyset-paged.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in the list's order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="How many items the whole list has (all pages).")


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise DomainError(ErrorCode.INVALID_INPUT, f"first must be 0 to {MAX_FIRST}", "first")
    return first


def encode_cursor(*values: object) -> str:
    return base64.urlsafe_b64encode("\x1f".join(map(str, values)).encode()).decode()


def decode_cursor(cursor: str, parts: int) -> list[str]:
    try:
        values = base64.urlsafe_b64decode(cursor.encode()).decode().split("\x1f")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = []
    if len(values) != parts or len(cursor) > MAX_CURSOR_LENGTH:
        raise DomainError(ErrorCode.INVALID_CURSOR, "is not a cursor from this list", "after")
    return values


def after_key(after: str | None) -> str | None:
    """The one key inside a single-key cursor."""
    return None if after is None else decode_cursor(after, 1)[0]


def page_of_sorted_ids(ids: Sequence[str], first: int | None, after: str | None) -> tuple[list[str], bool]:
    """A keyset page of an id-sorted list."""
    n = check_first(first)
    start = 0
    last = after_key(after)
    if last is not None:
        start = bisect.bisect_right(ids, last)
    return list(ids[start : start + n]), start + n < len(ids)


def page_of_list(ids: Sequence[str], first: int | None, after: str | None) -> tuple[list[str], bool]:
    """A page of a list in a fixed order that is not sorted by id (the cursor must be in the list)."""
    n = check_first(first)
    start = 0
    last = after_key(after)
    if last is not None:
        if last not in ids:
            raise DomainError(ErrorCode.INVALID_CURSOR, "is not a cursor from this list", "after")
        start = list(ids).index(last) + 1
    return list(ids[start : start + n]), start + n < len(ids)


def connection(
    of: Callable[[dict], Any], docs: list[dict], has_next: bool, total: int, after: str | None, cursor_key: str = "_id"
) -> Connection:
    """A page of documents: each node is `of(doc)`, each cursor the document's `cursor_key`."""
    nodes = [of(d) for d in docs]
    cursors = [encode_cursor(d[cursor_key]) for d in docs]
    edges = [Edge(cursor=c, node=n) for c, n in zip(cursors, nodes)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=total,
    )
