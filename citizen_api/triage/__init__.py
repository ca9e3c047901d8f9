"""Clerk triage: the queue, the internal view of a ticket, the workflow, the summary."""
