"""`Authorization: Bearer <token>` → the viewer, for every route (GraphQL, CSV).

Never raises: a bad token, or a database that could not be asked about the token's account, is
returned as the problem, so a request with a token still gets its answer (coded errors, HTTP 200
on /graphql) rather than a failure before GraphQL starts.
"""

from __future__ import annotations

from bootstrap import Services
from services.auth import Viewer
from services.errors import DomainError, ErrorCode


async def authenticate(services: Services, authorization: str | None) -> tuple[Viewer | None, Exception | None]:
    """(viewer, None) for a good token, (None, None) without one, (None, the problem) otherwise.

    The problem is a `DomainError` for a bad token, or the driver's error when the account could not
    be read (`ErrorCodes` turns that into DATABASE_UNAVAILABLE). It is not an error yet: anonymous
    fields still answer, and fields that read the viewer raise it (`Context.optional_viewer`)."""
    if not authorization:
        return None, None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, DomainError(ErrorCode.INVALID_TOKEN, "use `Authorization: Bearer <token>`")
    try:
        return await services.accounts.viewer_for_token(token.strip()), None
    except Exception as exc:  # handed to the fields that read the viewer
        return None, exc
