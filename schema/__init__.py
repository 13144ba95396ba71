"""The GraphQL schema: thin types and resolvers over the domain services, one package per domain.

Domains depend downward only: organisations ← needs ← volunteers ← accounts ← engagement ← hours,
matching. The three upward references (Organisation.needs, Task.applications,
Volunteer.assignments) are lazy annotations plus the node registry (`schema/base/nodes.py`).
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from config import Limits
from schema.accounts.mutations import AccountMutation
from schema.accounts.queries import AccountQuery
from schema.accounts.types import Account
from schema.base.cost import node_limit
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

QUERY_DESCRIPTION = (
    "Everything a client reads: any object by global id, the signed-in account, organisations (社工站 and others), "
    "open and recommended tasks, applications and hours (时长). Send the token as `Authorization: Bearer <token>`; "
    "fields that need a signed-in caller fail with UNAUTHENTICATED without one, and objects or private fields the "
    "caller may not see come back null."
)
MUTATION_DESCRIPTION = (
    "Everything a client changes. Each mutation takes one `input` and returns a payload whose `errors` list says "
    "what kept it from happening (the payload's other fields are then null or empty); top-level GraphQL errors are "
    "kept for malformed requests and internal faults. A mutation with an `idempotencyKey` may be retried safely."
)


def _root(name: str, types: tuple[type, ...], description: str) -> type:
    """A root type merged from the domains' parts (merge_types takes no description, so it is set after)."""
    root = merge_types(name, types)
    root.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return root


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:  # type: ignore[no-untyped-def]
        """Logging happens in `ErrorCodes`, once, with the request id; user mistakes are not logged."""


def build_schema(limits: Limits) -> strawberry.Schema:
    mutation = _root("Mutation", MUTATIONS, MUTATION_DESCRIPTION)
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
        query=_root("Query", QUERIES, QUERY_DESCRIPTION),
        mutation=mutation,
        types=list(NODE_TYPES),
        extensions=[
            ErrorCodes,
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            node_limit(limits.max_nodes),
            # Apps send the same few query texts over and over: parse and validate each once.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
        ],
    )
