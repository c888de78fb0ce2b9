"""Block Kit for one action: its line of text, its buttons and its status menu."""

from datetime import date

from sambot.actions.models import OPEN_STATUSES, Action, ActionLine, ActionStatus, days_late
from sambot.slack import blocks as bk
from sambot.slack.ids import ActionButton
from sambot.slack.refs import ActionRef, ActionStatusChoice
from sambot.slack.text import escape, format_date, truncate

STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.BLOCKED: "Blocked",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled",
}


MARKS = {
    ActionStatus.DONE: ":white_check_mark:",
    ActionStatus.CANCELLED: ":heavy_multiplication_x:",
    ActionStatus.BLOCKED: ":construction:",
}


def due_text(due_date: date | None, status: ActionStatus, today: date) -> str:
    if due_date is None:
        return "no due date"
    late = days_late(due_date, status, today)
    if late:
        return f"*{late} day{'s' if late != 1 else ''} late* (due {format_date(due_date)})"
    if due_date == today and status in OPEN_STATUSES:
        return "due *today*"
    return f"due {format_date(due_date)}"


def action_line(action: Action | ActionLine, today: date) -> str:
    """One mrkdwn line: title, owner, due date, state."""
    # Each attribute read once: an ORM attribute costs a lookup, and a long list reads many.
    status = action.status
    mark = MARKS.get(status, ":pushpin:")
    shared = " :handshake: shared with client" if action.shared_with_client else ""
    state = "" if status == ActionStatus.OPEN else f" · {STATUS_LABELS[status]}"
    return (
        f"{mark} *{escape(action.title)}* · <@{action.owner_id}> · "
        f"{due_text(action.due_date, status, today)}{state}{shared}"
    )


# The status menu: what an open action can move to besides done (domain TRANSITIONS).
STATUS_CHOICES = (
    (ActionStatus.OPEN, "Back to open"),
    (ActionStatus.IN_PROGRESS, "In progress"),
    (ActionStatus.BLOCKED, "Blocked…"),
    (ActionStatus.CANCELLED, "Cancel…"),
)


def status_menu(action: Action | ActionLine) -> dict:
    action_id, current = action.id, action.status
    choices = [
        bk.option(label, ActionStatusChoice(id=action_id, status=status.value).encode())
        for status, label in STATUS_CHOICES
        # Blocked again is offered: it updates the obstacle.
        if status != current or status == ActionStatus.BLOCKED
    ]
    return bk.element("overflow", ActionButton.MORE, options=choices)


def action_buttons(action: Action | ActionLine) -> dict:
    action_id = action.id
    value = ActionRef(id=action_id).encode()
    return bk.actions(
        bk.button("Mark done", ActionButton.DONE, value=value, style="primary"),
        bk.button("Snooze a week", ActionButton.SNOOZE, value=value),
        bk.button("Change due date", ActionButton.CHANGE_DUE, value=value),
        bk.button("Reassign", ActionButton.REASSIGN, value=value),
        bk.button("Edit", ActionButton.EDIT, value=value),
        status_menu(action),
        block_id=f"action_buttons_{action_id}",
    )


def action_details(action: Action, *, internal: bool = True) -> str | None:
    """The detail, and (for the team only) the obstacle and why it was cancelled."""
    lines = []
    if action.detail:
        lines.append(escape(truncate(action.detail, 1200)))
    if internal and action.obstacle and action.status != ActionStatus.DONE:
        lines.append(f":construction: *Obstacle:* {escape(truncate(action.obstacle, 800))}")
    if internal and action.cancel_reason and action.status == ActionStatus.CANCELLED:
        lines.append(f":no_entry_sign: *Cancelled:* {escape(truncate(action.cancel_reason, 800))}")
    return "\n".join(lines) or None


def action_blocks(
    action: Action | ActionLine,
    today: date,
    *,
    heading: str | None = None,
    full: bool = False,
    internal: bool = True,
) -> list[dict]:
    """The section for an action, its buttons while it is open, and an optional context line.

    In `full` (the action's own message, an `Action`) its detail and obstacle come under its
    line.
    """
    blocks = [bk.section(action_line(action, today), block_id=f"action_{action.id}")]
    details = action_details(action, internal=internal) if full else None
    if details:
        blocks.append(bk.section(details, block_id=f"action_detail_{action.id}"))
    if action.is_open:
        blocks.append(action_buttons(action))
    if heading:
        blocks.append(bk.context(heading, block_id=f"action_note_{action.id}"))
    return blocks


def action_block_ids(action_id: int) -> set[str]:
    return {
        f"action_{action_id}",
        f"action_detail_{action_id}",
        f"action_buttons_{action_id}",
        f"action_note_{action_id}",
    }
