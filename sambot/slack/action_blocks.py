"""Block Kit for one action: its line of text and its four buttons."""

from datetime import date

from sambot.actions.models import Action, ActionStatus
from sambot.slack import blocks as bk
from sambot.slack.ids import ActionButton
from sambot.slack.refs import ActionRef
from sambot.slack.text import escape, format_date

STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.BLOCKED: "Blocked",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled",
}


def due_text(action: Action, today: date) -> str:
    if action.due_date is None:
        return "no due date"
    late = action.days_late(today)
    if late:
        return f"*{late} day{'s' if late != 1 else ''} late* (due {format_date(action.due_date)})"
    if action.due_date == today and action.is_open:
        return "due *today*"
    return f"due {format_date(action.due_date)}"


def action_line(action: Action, today: date) -> str:
    """One mrkdwn line: title, owner, due date, state."""
    mark = ":white_check_mark:" if action.status == ActionStatus.DONE else ":pushpin:"
    shared = " :handshake: shared with client" if action.shared_with_client else ""
    state = "" if action.status == ActionStatus.OPEN else f" · {STATUS_LABELS[action.status]}"
    return (
        f"{mark} *{escape(action.title)}* · <@{action.owner_id}> · {due_text(action, today)}"
        f"{state}{shared}"
    )


def action_buttons(action: Action) -> dict:
    value = ActionRef(id=action.id).encode()
    return bk.actions(
        bk.button("Mark done", ActionButton.DONE, value=value, style="primary"),
        bk.button("Snooze a week", ActionButton.SNOOZE, value=value),
        bk.button("Change due date", ActionButton.CHANGE_DUE, value=value),
        bk.button("Reassign", ActionButton.REASSIGN, value=value),
        block_id=f"action_buttons_{action.id}",
    )


def action_blocks(action: Action, today: date, *, heading: str | None = None) -> list[dict]:
    """The section for an action, its buttons while it is open, and an optional context line."""
    blocks = [bk.section(action_line(action, today), block_id=f"action_{action.id}")]
    if action.is_open:
        blocks.append(action_buttons(action))
    if heading:
        blocks.append(bk.context(heading, block_id=f"action_note_{action.id}"))
    return blocks


def action_block_ids(action_id: int) -> set[str]:
    return {f"action_{action_id}", f"action_buttons_{action_id}", f"action_note_{action_id}"}
