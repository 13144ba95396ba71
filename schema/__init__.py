"""The GraphQL schema: thin types and resolvers over the domain services, one package per domain.

Domains depend downward only: organisations ← needs ← volunteers ← accounts ← engagement ← hours,
matching. The three upward references (Organisation.needs, Task.applications,
Volunteer.assignments) are lazy annotations plus the node registry (`schema/base/nodes.py`).
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, ParserCache
from strawberry.extensions import QueryDepthLimiter, ValidationCache
from strawberry.tools import merge_types

from config import Limits
from schema.accounts.mutations import AccountMutation
from schema.accounts.queries import AccountQuery
from schema.accounts.types import Account
from schema.base.errors import ErrorCodes, PayloadErrors
from schema.engagement.mutations import EngagementMutation
from schema.engagement.queries import EngagementQuery
from schema.engagement.types import Application
from schema.hours.mutations import HoursMutation
from schema.hours.queries import HoursQuery
from schema.hours.types import HourEntry
from schema.matching.queries import MatchingQuery
from schema.needs.mutations import NeedMutation
from schema.needs.types import Need, Task
from schema.node import NodeQuery
from schema.organisations.mutations import OrganisationMutation
from schema.organisations.queries import OrganisationQuery
from schema.organisations.types import Organisation
from schema.volunteers.mutations import VolunteerMutation
from schema.volunteers.types import Volunteer

QUERIES = (NodeQuery, AccountQuery, OrganisationQuery, MatchingQuery, EngagementQuery, HoursQuery)
MUTATIONS = (AccountMutation, VolunteerMutation, OrganisationMutation, NeedMutation, EngagementMutation, HoursMutation)
NODE_TYPES = (Account, Organisation, Need, Task, Volunteer, Application, HourEntry)


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:  # type: ignore[no-untyped-def]
        """Logging happens in `ErrorCodes`, once, with the request id; user mistakes are not logged."""


def build_schema(limits: Limits) -> strawberry.Schema:
    mutation = merge_types("Mutation", MUTATIONS)
    for field in mutation.__strawberry_definition__.fields:
        if not any(isinstance(e, PayloadErrors) for e in field.extensions):
            field.extensions.append(PayloadErrors())
    # The limit rules are built once: the validation cache is keyed by the rule classes, and the
    # limiters make new classes each time they are constructed.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return Schema(
        query=merge_types("Query", QUERIES),
        mutation=mutation,
        types=list(NODE_TYPES),
        extensions=[
            ErrorCodes,
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            # Apps send the same few query texts over and over: parse and validate each once.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
        ],
    )
