"""Nudges as Slack messages: each action with its buttons, within Slack's limits.

The actions beyond what fits with buttons are listed as plain lines, then "and N more".
"""

from datetime import date

from sambot.actions.models import Action
from sambot.nudges.service import ChannelNudge, OwnerDigest
from sambot.slack.action_blocks import action_blocks, action_line
from sambot.slack.blocks import Message
from sambot.slack.limits import check_limits
from sambot.slack.text import escape, plural, truncate

# How many actions get their buttons; lowered until the message fits.
BUTTON_LIMITS = (12, 8, 5, 3, 1)
OVERFLOW_TEXT = 1500
FALLBACK_TEXT = 300


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}}


def _overflow(actions: list[Action], today: date, more: str) -> list[dict]:
    """The actions left without buttons: as many lines as fit, then "and N more"."""
    if not actions:
        return []
    lines, used = [], 0
    for action in actions:
        line = action_line(action, today)
        if used + len(line) > OVERFLOW_TEXT:
            break
        lines.append(line)
        used += len(line) + 1
    rest = len(actions) - len(lines)
    if rest:
        lines.append(f"_…and {rest} more{more}._")
    return [_section("\n".join(lines))]


def _fit(build) -> list[dict]:
    for limit in BUTTON_LIMITS:
        blocks = build(limit)
        if not check_limits(blocks):
            return blocks
    raise ValueError(f"nudge does not fit Slack's limits: {check_limits(blocks)}")


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def render_channel_nudge(nudge: ChannelNudge, *, today: date, escalation_days: int) -> Message:
    """The account channel's message: its overdue actions, owners mentioned, escalations."""
    escalated_ids = {action.id for action in nudge.escalated}
    count = plural(len(nudge.actions), "overdue action")
    intro = (
        f":alarm_clock: *{count}* on *{escape(nudge.account_name)}*. "
        "Mark them done, snooze them a week, or set a new due date."
    )
    late = f"more than {plural(escalation_days, 'day')} late"
    escalation = (
        f":rotating_light: <@{nudge.account_owner_id}>, "
        f"{plural(len(nudge.escalated), 'action')} {late}: over to you as the account owner."
    )
    note = f":rotating_light: Escalated: {late}."

    def build(limit: int) -> list[dict]:
        blocks = [_section(intro)]
        if nudge.escalated:
            blocks.append(_section(escalation))
        for action in nudge.actions[:limit]:
            blocks += action_blocks(
                action, today, heading=note if action.id in escalated_ids else None
            )
        return blocks + _overflow(nudge.actions[limit:], today, " overdue")

    titles = ", ".join(
        f"{action.title} ({plural(action.days_late(today), 'day')} late)"
        for action in nudge.actions[:3]
    )
    text = truncate(f"{count} on {nudge.account_name}: {titles}", FALLBACK_TEXT)
    return Message(text=text, blocks=_fit(build))


def render_owner_digest(digest: OwnerDigest, *, today: date) -> Message:
    """The owner's direct message: overdue actions across accounts, then due today, tomorrow.

    Within each group the actions are grouped by account, under the account's name.
    """
    groups = [
        ("Overdue", digest.overdue),
        ("Due today", digest.due_today),
        ("Due tomorrow", digest.due_tomorrow),
    ]

    def build(limit: int) -> list[dict]:
        blocks = [_section(f":wave: <@{digest.owner_id}>, here is what needs you today.")]
        left = limit
        for title, items in groups:
            if not items:
                continue
            blocks.append(_section(f"*{title} ({len(items)})*"))
            items = sorted(items, key=lambda item: (item[0].lower(), item[1].due_date, item[1].id))
            shown, rest = items[:left], [action for _, action in items[left:]]
            account = None
            for account_name, action in shown:
                if account_name != account:
                    account = account_name
                    blocks.append(_context(f":office: *{escape(account_name)}*"))
                blocks += action_blocks(action, today)
            blocks += _overflow(rest, today, ": `/action list` shows them all")
            left -= len(shown)
        return blocks

    parts = [plural(len(items), "action") + " " + title.lower() for title, items in groups if items]
    text = truncate("Your actions: " + ", ".join(parts) + ".", FALLBACK_TEXT)
    return Message(text=text, blocks=_fit(build))
