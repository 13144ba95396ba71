"""Every element of the GraphQL schema is described: the schema is the documentation client developers read.

Types, fields, arguments, input fields and enum values all need a non-empty description. Introspection
types and the built-in scalars are graphql-core's and are skipped; any custom scalar is ours and is checked.
No database is needed: the schema is only built, never executed.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    introspection_types,
    specified_scalar_types,
)

from config import Limits
from schema import build_schema


def _described(description: str | None) -> bool:
    return bool(description and description.strip())


def _ours(named: GraphQLNamedType) -> bool:
    return named.name not in introspection_types and named.name not in specified_scalar_types


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) of every element without a description."""
    missing: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if not _ours(named):
            continue
        if not _described(named.description):
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not _described(field.description):
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not _described(arg.description):
                        missing.append(f"{name}.{field_name}({arg_name}:)")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not _described(input_field.description):
                    missing.append(f"{name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not _described(value.description):
                    missing.append(f"{name}.{value_name}")
        else:
            assert isinstance(named, GraphQLScalarType | GraphQLUnionType), f"unexpected kind of type: {named!r}"
    return missing


@pytest.fixture(scope="module")
def graphql_schema() -> GraphQLSchema:
    return build_schema(Limits())._schema


def test_every_schema_element_has_a_description(graphql_schema: GraphQLSchema) -> None:
    missing = undescribed(graphql_schema)
    assert not missing, f"{len(missing)} schema elements have no description:\n" + "\n".join(missing)


def test_the_walk_covers_the_whole_schema(graphql_schema: GraphQLSchema) -> None:
    """Guards the test itself: the root types and a generic connection are among the types walked."""
    ours = {name for name, named in graphql_schema.type_map.items() if _ours(named)}
    assert {"Query", "Mutation", "Node", "PageInfo"} <= ours
    assert any(name.endswith("Connection") and name != "Connection" for name in ours)
    assert any(isinstance(graphql_schema.type_map[name], GraphQLEnumType) for name in ours)
    assert any(isinstance(graphql_schema.type_map[name], GraphQLInputObjectType) for name in ours)


def test_the_walk_reports_what_lacks_a_description() -> None:
    """The check itself finds each kind of element that lacks a description."""
    from graphql import build_schema as build_sdl

    sdl = '''
    """Root."""
    type Query {
      a(x: Int): E
      """B."""
      b(
        """Y."""
        y: I
      ): Int
    }
    enum E { ONE """Two.""" TWO }
    """I."""
    input I { f: Int }
    scalar S
    '''
    found = undescribed(build_sdl(sdl))
    assert found == ["E", "E.ONE", "I.f", "Query.a", "Query.a(x:)", "S"], found
