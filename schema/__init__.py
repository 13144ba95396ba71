"""The GraphQL schema: thin types and resolvers over the domain services."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from api.settings import Settings
from schema.mutations import Mutation
from schema.queries import Query
from schema.types import Account, Need, Organisation, Task, Volunteer


def _mask(error: GraphQLError) -> bool:
    """Our own errors (codes in extensions) and GraphQL validation errors pass; anything else is masked."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Account, Need, Organisation, Task, Volunteer],
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: MaskErrors(should_mask_error=_mask, error_message="internal error"),
        ],
    )
