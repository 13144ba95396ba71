"""Volunteers over GraphQL: registration and profiles."""
