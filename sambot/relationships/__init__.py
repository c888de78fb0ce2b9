"""Relationships with the client's people: touch cadences, coverage, and the stakeholder map.

Nothing here knows Slack: the map is drawn to PNG bytes, coverage and cadences are
dataclasses; `sambot.slack.relationship_render` turns them into messages.
"""
