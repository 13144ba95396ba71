"""Engagement: applications, invitations, review, slots and time claims, check-in/out, no-shows."""
