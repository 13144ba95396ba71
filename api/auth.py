"""`Authorization: Bearer <token>` → the viewer, for every route (GraphQL, CSV)."""

from __future__ import annotations

from bootstrap import Services
from services.auth import Viewer
from services.errors import DomainError, ErrorCode


async def authenticate(services: Services, authorization: str | None) -> tuple[Viewer | None, DomainError | None]:
    """(viewer, None) for a good token, (None, None) without one, (None, the problem) for a bad one.

    A bad token is not an error yet: anonymous fields still answer, and fields that need the
    viewer raise the problem (`Context.optional_viewer`)."""
    if not authorization:
        return None, None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, DomainError(ErrorCode.INVALID_TOKEN, "use `Authorization: Bearer <token>`")
    try:
        return await services.accounts.viewer_for_token(token.strip()), None
    except DomainError as exc:
        return None, exc
