"""`GET /exports/hours.csv?organisationId=|regionCode=|volunteerId=&groupBy=&from=&to=`.

The same tallies as `hourTallies`, under the same authorization, as UTF-8 CSV with a BOM (so Excel
reads the Chinese labels); problems are `{"errors": [...]}` JSON with the same codes.
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
from api.request_id import request_id_of
from api.runtime import Runtime
from schema.base.errors import user_errors
from schema.hours.scope import parse_scope, tally_rows
from services.errors import DomainError, ErrorCode, invalid, unauthenticated
from services.hours.tallies import GROUPS

log = logging.getLogger(__name__)
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
        params = request.query_params
        try:
            viewer, problem = await authenticate(services, request.headers.get("authorization"))
            if problem is not None:
                raise problem
            if viewer is None:
                raise unauthenticated()
            scope = parse_scope(params.get("organisationId"), params.get("regionCode"), params.get("volunteerId"))
            group_by = params.get("groupBy", "")
            if group_by not in GROUPS:
                raise invalid(f"groupBy must be one of {', '.join(GROUPS)}", "groupBy")
            rows = await tally_rows(
                services.tallies, viewer, scope, group_by, _date(params, "from"), _date(params, "to")
            )
        except DomainError as exc:
            body = json.dumps({"errors": [e.__dict__ for e in user_errors(exc)]}, ensure_ascii=False)
            return Response(body, status_code=STATUS.get(exc.code, 400), media_type="application/json")
        except Exception:
            rid = request_id_of(request.scope)
            log.exception("request %s: hours.csv failed", rid)
            body = json.dumps(
                {"errors": [{"code": ErrorCode.INTERNAL_ERROR.value, "message": "internal error", "requestId": rid}]}
            )
            return Response(body, status_code=500, media_type="application/json")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["key", "label", "minutes", "entries", "volunteers"])
        for t in rows:
            writer.writerow([t.key, t.label, t.minutes, t.entries, t.volunteers])
        return Response("\ufeff".encode() + out.getvalue().encode(), media_type="text/csv; charset=utf-8")

    return endpoint


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("must be a date like 2024-03-01", name) from None
