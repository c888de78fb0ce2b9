"""Overdue-action nudges: which actions to nudge and for whom (`service`), and the Slack
messages (`render`)."""
