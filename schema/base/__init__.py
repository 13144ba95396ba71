"""Conventions every domain's types follow: global ids, connections, errors, the request context."""
