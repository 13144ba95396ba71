"""The `Node` interface, and the registry that turns documents and global ids into node objects.

Each domain's node type registers itself with `@node_type`. `node(id:)` finds the type by the name
inside the id and asks its `load` classmethod, which applies that type's visibility rule. Types of
a lower domain that point at a higher one (Task.applications, Volunteer.assignments,
Organisation.needs) build the higher type's objects through `wrap`, so no domain imports a domain
above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import strawberry

from schema.base.context import Context
from schema.base.ids import encode_id


@strawberry.interface(description="An object with a global id: fetch any of them again with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id; stable for the object's lifetime.")

    @classmethod
    def of(cls, doc: dict | None) -> Any:
        """The node of a document (None for none): its id names the type, `raw` keeps the document.
        Types that copy fields out of the document (Task) override it."""
        return cls(id=encode_id(cls.__name__, doc["_id"]), raw=doc) if doc else None


class NodeType(Protocol):
    @classmethod
    def of(cls, doc: dict | None) -> Any: ...

    @classmethod
    async def load(cls, ctx: Context, raw_id: str) -> Any:
        """The node, or None when it does not exist or the caller may not see it."""
        ...


_TYPES: dict[str, NodeType] = {}
N = TypeVar("N")


def node_type(cls: N) -> N:
    """Registers a strawberry Node type under its class name (which is its GraphQL name)."""
    _TYPES[cls.__name__] = cls  # type: ignore[attr-defined]
    return cls


def registered(type_name: str) -> NodeType | None:
    return _TYPES.get(type_name)


def wrap(type_name: str) -> Callable[[dict | None], Any]:
    """`Type.of` of a registered type, looked up when called (the type may live in a higher domain)."""

    def of(doc: dict | None) -> Any:
        return _TYPES[type_name].of(doc)

    return of
