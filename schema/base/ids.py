"""Opaque global ids: `base64url("<Type>:<raw id>")`, so any object can be fetched by `node(id:)`."""

from __future__ import annotations

import base64
import binascii

import strawberry

from services.errors import DomainError, ErrorCode

MAX_ID_LENGTH = 200


def encode_id(type_name: str, raw: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{raw}".encode()).decode().rstrip("="))


def decode_id(gid: str, *types: str, field: str | tuple[str, ...] = "id") -> tuple[str, str]:
    """Returns (type, raw id); foreign or malformed ids are `INVALID_ID`."""
    try:
        if len(gid) > MAX_ID_LENGTH:
            raise ValueError(gid)
        text = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
        type_name, raw = text.split(":", 1)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError(ErrorCode.INVALID_ID, "is not a valid id", field) from None
    if not raw or (types and type_name not in types):
        expected = " or ".join(types) if types else "an object"
        raise DomainError(ErrorCode.INVALID_ID, f"is not the id of {expected}", field)
    return type_name, raw


def raw_id(gid: str, type_name: str, field: str) -> str:
    """The raw id inside a global id of `type_name`."""
    return decode_id(gid, type_name, field=field)[1]


def optional_raw_id(gid: str | None, type_name: str, field: str) -> str | None:
    return None if gid is None else raw_id(gid, type_name, field)


def raw_ids(gids: list[strawberry.ID], type_name: str, field: str) -> list[str]:
    """Raw ids of a list argument; a bad one is reported at its index (`[field, "3"]`)."""
    return [decode_id(g, type_name, field=(field, str(i)))[1] for i, g in enumerate(gids)]
