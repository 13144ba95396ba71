"""Matching over GraphQL: open tasks near a point, tasks for a volunteer, volunteers for a task."""
