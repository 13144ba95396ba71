"""Organisations over GraphQL: the station hierarchy, agencies and volunteer teams."""
