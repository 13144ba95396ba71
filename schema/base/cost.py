"""The node limit: how many objects a query could return, counted before it runs (like GitHub's).

Every field with a `first` argument is a page of up to `first` objects (its default when not given),
once for each object of the pages around it: `openTasks(first: 100) { need { tasks(first: 100) } }`
could return 100 + 100 × 100 objects. A query over `Limits.max_nodes` fails with QUERY_TOO_COSTLY
before any resolver runs, rather than against the database's deadline half-way.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from schema.base.pagination import DEFAULT_FIRST
from services.errors import DomainError, ErrorCode


def node_limit(max_nodes: int) -> type[SchemaExtension]:
    class NodeLimit(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            ctx = self.execution_context
            document = ctx.graphql_document
            schema = ctx.schema._schema  # graphql-core's schema
            if document is not None:
                counter = _Counter(schema, document.definitions, ctx.variables or {})
                for op in document.definitions:
                    if isinstance(op, OperationDefinitionNode) and (
                        ctx.operation_name is None or (op.name and op.name.value == ctx.operation_name)
                    ):
                        root = schema.get_root_type(op.operation)
                        nodes = counter.count(op.selection_set, root, 1)
                        if nodes > max_nodes:
                            message = f"this query could return {nodes} objects; at most {max_nodes} are allowed"
                            raise GraphQLError(message, original_error=DomainError(ErrorCode.QUERY_TOO_COSTLY, message))
            yield

    return NodeLimit


class _Counter:
    def __init__(self, schema: GraphQLSchema, definitions: tuple, variables: dict) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = variables

    def count(self, selection_set: SelectionSetNode | None, parent: object, multiplier: int) -> int:
        """Objects the selection could return under `parent` (an object or interface type)."""
        if selection_set is None:
            return 0
        fields = getattr(parent, "fields", None) or {}
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                field = fields.get(sel.name.value)
                if field is None:
                    continue
                inner = multiplier
                if "first" in field.args:
                    inner = multiplier * self._first(sel, field.args["first"].default_value)
                    total += inner
                total += self.count(sel.selection_set, get_named_type(field.type), inner)
            elif isinstance(sel, InlineFragmentNode):
                typed = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                total += self.count(sel.selection_set, typed, multiplier)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments.get(sel.name.value)
                if fragment is not None:
                    typed = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.count(fragment.selection_set, typed, multiplier)
        return total

    def _first(self, node: FieldNode, default: object) -> int:
        for arg in node.arguments or ():
            if arg.name.value == "first":
                if isinstance(arg.value, IntValueNode):
                    return max(0, int(arg.value.value))
                if isinstance(arg.value, VariableNode):
                    value = self.variables.get(arg.value.name.value)
                    return value if isinstance(value, int) and value >= 0 else DEFAULT_FIRST
        return default if isinstance(default, int) else DEFAULT_FIRST
