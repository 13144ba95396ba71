"""Accounts over GraphQL: sign-in, the viewer, committee accounts."""
