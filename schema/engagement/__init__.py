"""Engagement over GraphQL: applications, invitations, review, check-in/out, no-shows.

An accepted application is the assignment: `assignmentId` arguments take `Application` ids.
"""
