"""Needs and their tasks over GraphQL."""
