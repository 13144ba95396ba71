"""The GraphQL schema: thin types and resolvers over the domain services."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (AddValidationRules, MaskErrors, MaxAliasesLimiter, MaxTokensLimiter,
                                   ParserCache, QueryDepthLimiter, ValidationCache)

from strawberry.tools import merge_types

from api.settings import Settings
from schema.engagement import Mutation as EngagementMutation
from schema.engagement import Query as EngagementQuery
from schema.hours import HoursMutation, HoursQuery
from schema.matching import MatchingQuery
from schema.mutations import Mutation as CoreMutation
from schema.queries import Query as CoreQuery
from schema.types import Account, Need, Organisation, Task, Volunteer

# Each business area brings its own Query and Mutation classes.
QUERIES = (CoreQuery, MatchingQuery, EngagementQuery, HoursQuery)
MUTATIONS = (CoreMutation, EngagementMutation, HoursMutation)


def _mask(error: GraphQLError) -> bool:
    """Our own errors (codes in extensions) and GraphQL validation errors pass; anything else is masked."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are built once: the validation cache is keyed by the rule classes, and the
    # limiters make new classes each time they are constructed.
    limits = [*QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
              *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules]
    return strawberry.Schema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", MUTATIONS),
        types=[Account, Need, Organisation, Task, Volunteer],
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: MaskErrors(should_mask_error=_mask, error_message="internal error"),
            # Apps send the same few query texts over and over: parse and validate each once.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
        ],
    )
