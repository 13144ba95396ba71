"""`GET /exports/hours.csv?organisationId=|regionCode=|volunteerId=&groupBy=&from=&to=`.

The same tallies as `hourTallies`, under the same authorization, as UTF-8 CSV with a BOM (so Excel
reads the Chinese labels); problems are `{"errors": [...]}` JSON with the same codes: 400/401/403/404
for the caller's mistakes, 503 DATABASE_UNAVAILABLE (one log line, `Retry-After`) when the database
did not answer in time, 500 INTERNAL_ERROR with the request id for anything else.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Mapping
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from api.auth import authenticate
from api.deadline import request_deadline
from api.request_id import request_id_of
from api.runtime import Runtime
from bootstrap import Services
from schema.base.errors import database_unavailable, unavailable_reason, user_errors
from schema.hours.scope import parse_scope, tally_rows
from services.errors import DomainError, ErrorCode, invalid, unauthenticated
from services.hours.tallies import GROUPS, Tally

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 2
STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
}


def hours_csv(runtime: Runtime):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        services = runtime.services
        assert services is not None
        try:
            async with request_deadline(runtime.settings.request_db_seconds):  # the same deadline as /graphql
                rows = await _rows(services, request)
        except DomainError as exc:
            body = json.dumps({"errors": [e.__dict__ for e in user_errors(exc)]}, ensure_ascii=False)
            return Response(body, status_code=STATUS.get(exc.code, 400), media_type="application/json")
        except Exception as exc:
            rid = request_id_of(request.scope)
            if database_unavailable(exc) or isinstance(exc, TimeoutError):  # TimeoutError: the deadline's hard cut
                log.warning("database unavailable: %s %s", rid, unavailable_reason(exc))
                code, message, status = ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.DATABASE_UNAVAILABLE.when, 503
            else:
                log.exception("request %s: hours.csv failed", rid)
                code, message, status = ErrorCode.INTERNAL_ERROR, "internal error", 500
            body = json.dumps({"errors": [{"code": code.value, "message": message, "requestId": rid}]})
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
            return Response(body, status_code=status, headers=headers, media_type="application/json")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["key", "label", "minutes", "entries", "volunteers"])
        for t in rows:
            writer.writerow([t.key, t.label, t.minutes, t.entries, t.volunteers])
        return Response("\ufeff".encode() + out.getvalue().encode(), media_type="text/csv; charset=utf-8")

    return endpoint


async def _rows(services: Services, request: Request) -> list[Tally]:
    params = request.query_params
    viewer, problem = await authenticate(services, request.headers.get("authorization"))
    if problem is not None:
        raise problem
    if viewer is None:
        raise unauthenticated()
    scope = parse_scope(params.get("organisationId"), params.get("regionCode"), params.get("volunteerId"))
    group_by = params.get("groupBy", "")
    if group_by not in GROUPS:
        raise invalid(f"groupBy must be one of {', '.join(GROUPS)}", "groupBy")
    return await tally_rows(services.tallies, viewer, scope, group_by, _date(params, "from"), _date(params, "to"))


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("must be a date like 2024-03-01", name) from None
