"""One error path: domain errors become payload `errors` on mutations and coded GraphQL errors elsewhere.

- `PayloadErrors`, a field extension that `build_schema` puts on every mutation: a `DomainError`
  raised anywhere under the mutation's resolver becomes `errors: [UserError!]!` on its payload,
  whose other fields stay null.
- `ErrorCodes`, a schema extension: every other error gets `extensions.code`. A `DomainError` in
  any field, at any depth, keeps its code, message and `field`; the query text gets
  GRAPHQL_PARSE_FAILED (syntax) or GRAPHQL_VALIDATION_FAILED (validation, depth, alias and token
  limits), and variable values GraphQL cannot coerce (a string for an Int, NaN, an unknown enum)
  INVALID_INPUT; a database that did not answer (unreachable, frozen, restarting, or past the
  request's deadline: `database_unavailable`) gives DATABASE_UNAVAILABLE and one log line per
  request without a traceback; anything else unexpected is logged with the request id and reaches
  the client only as "internal error" with that id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from pymongo.errors import ConnectionFailure, PyMongoError
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types.field import StrawberryField

from services.errors import DomainError, ErrorCode

log = logging.getLogger("schema.errors")
INTERNAL_MESSAGE = "internal error"


def database_unavailable(exc: BaseException) -> bool:
    """The driver could not get an answer: unreachable, timed out, restarting, or the request's deadline passed.

    ConnectionFailure covers AutoReconnect (NotPrimary included), NetworkTimeout, ServerSelectionTimeoutError
    and WaitQueueTimeoutError; `timeout` is true for ExecutionTimeout and other server-side time limits
    (code 50, MaxTimeMSExpired) and for write-concern timeouts."""
    return isinstance(exc, ConnectionFailure) or (isinstance(exc, PyMongoError) and exc.timeout)


DEADLINE_PASSED = "the request's deadline passed"


def unavailable_reason(exc: BaseException) -> str:
    """A short cause for the one log line (the driver's messages carry the whole topology); a `TimeoutError`
    is the request deadline's hard cut (api/deadline.py)."""
    if isinstance(exc, TimeoutError):
        return DEADLINE_PASSED
    return f"{type(exc).__name__}: {str(exc).split(', Timeout:')[0][:120]}"


@strawberry.type(description="A mistake in the caller's input or rights. `code` is stable; see docs/errors.md.")
class UserError:
    code: str = strawberry.field(description="Stable UPPER_SNAKE code, e.g. `TASK_FULL` (docs/errors.md lists all).")
    message: str = strawberry.field(description="What went wrong, for people (English).")
    field: list[str] | None = strawberry.field(
        default=None, description='Path of the input field at fault, e.g. `["tasks", "0", "endsAt"]`.'
    )


def user_errors(exc: DomainError) -> list[UserError]:
    return [
        UserError(code=p.code.value, message=p.message, field=list(p.field) if p.field else None) for p in exc.problems
    ]


def no_errors() -> Any:
    """The `errors` field of a payload: empty unless the mutation failed."""
    return strawberry.field(
        default_factory=list, description="What kept the mutation from happening; empty when it succeeded."
    )


class PayloadErrors(FieldExtension):
    """On a mutation field: a `DomainError` becomes `errors` on an otherwise empty payload."""

    def apply(self, field: StrawberryField) -> None:
        self.field = field

    async def resolve_async(self, next_, source, info, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return await next_(source, info, **kwargs)
        except DomainError as exc:
            payload_type = self.field.type
            return payload_type(errors=user_errors(exc))  # type: ignore[operator]


def _coded(error: GraphQLError, message: str, extensions: dict) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    """Gives every error of a result its `extensions.code` (see the module docstring)."""

    # The errors validation found; request-level errors raised after it are about variable values.
    _validation_errors: list[GraphQLError] | None = None
    # The first database failure of the request, logged once however many fields it failed.
    _unavailable: BaseException | None = None

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # A parse hook (the parser cache, the token limit) raised it: Strawberry turns it into the
            # result outside this hook, so it is coded on its way out.
            raise self._code(error) from None
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._code(e) for e in result.errors]
        if self._unavailable is not None:
            log.warning("database unavailable: %s %s", self._request_id(), unavailable_reason(self._unavailable))

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = list(self.execution_context.pre_execution_errors or [])

    def _request_id(self) -> str | None:
        return getattr(self.execution_context.context, "request_id", None)

    def _code(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and database_unavailable(original):
            self._unavailable = self._unavailable or original
            code = ErrorCode.DATABASE_UNAVAILABLE
            return _coded(error, code.when, {"code": code.value, "requestId": self._request_id()})
        if isinstance(original, DomainError):
            first = original.problems[0]
            extensions: dict = {"code": first.code.value, "field": list(first.field or ())}
            if len(original.problems) > 1:
                extensions["problems"] = [
                    {"code": p.code.value, "message": p.message, "field": list(p.field or ())}
                    for p in original.problems
                ]
            return _coded(error, first.message, extensions)
        if error.path is None:
            # The request itself: its text, its limits, its variables. The message names the mistake.
            if isinstance(error, GraphQLSyntaxError):
                too_long = error.message.startswith("Syntax Error: Document contains more than")
                code = ErrorCode.GRAPHQL_VALIDATION_FAILED if too_long else ErrorCode.GRAPHQL_PARSE_FAILED
            elif self._validation_errors is None or any(error is e for e in self._validation_errors):
                code = ErrorCode.GRAPHQL_VALIDATION_FAILED
            else:
                code = ErrorCode.INVALID_INPUT  # the document is valid: a variable's value is not
            return _coded(error, error.message, {"code": code.value})
        request_id = self._request_id()
        log.error("request %s: %s at %s", request_id, error.message, error.path, exc_info=original or error)
        return _coded(error, INTERNAL_MESSAGE, {"code": ErrorCode.INTERNAL_ERROR.value, "requestId": request_id})
