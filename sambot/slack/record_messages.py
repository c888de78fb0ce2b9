"""Messages for `/sam objectives` and `/sam history`."""

from collections.abc import Sequence

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.plans.models import Objective
from sambot.slack import blocks as bk
from sambot.slack.action_blocks import STATUS_LABELS
from sambot.slack.blocks import Message
from sambot.slack.edit_modals import HORIZON_LABELS, OBJECTIVE_STATUS_LABELS
from sambot.slack.ids import Button
from sambot.slack.labels import KIND_LABELS, SENTIMENT_EMOJI
from sambot.slack.messages import notice, section
from sambot.slack.modals import option, pick
from sambot.slack.refs import AccountRef, HistoryPage, ObjectiveRef, ObjectiveStatusChoice
from sambot.slack.text import escape, format_date, plural, truncate
from sambot.touchpoints.models import Touchpoint

MAX_OBJECTIVES = 20  # two blocks each, in a 50-block message
HISTORY_PAGE_SIZE = 10


def _action_line(action: Action) -> str:
    due = f" · due {format_date(action.due_date)}" if action.due_date else ""
    return (
        f"    ◦ {escape(truncate(action.title, 120))} · <@{action.owner_id}>"
        f" · {STATUS_LABELS[action.status]}{due}"
    )


def objectives_message(
    account: Account,
    objectives: Sequence[Objective],
    *,
    progress: dict[int, tuple[int, int]],
    actions: dict[int, list[Action]],
) -> Message:
    """Each objective with its progress (done / total actions), its first actions, an Edit
    button and a status menu; a New button on top."""
    new = bk.button(
        "New objective",
        Button.OBJECTIVE_NEW,
        value=AccountRef(id=account.id).encode(),
        style="primary",
    )
    intro = f"*Objectives of {escape(account.name)}* ({len(objectives)})"
    if not objectives:
        intro += "\nNo objective yet: what should this account plan achieve?"
    blocks: list = [section(intro, accessory=new)]
    for objective in objectives[:MAX_OBJECTIVES]:
        done, total = progress.get(objective.id, (0, 0))
        target = f" · target {format_date(objective.target_date)}" if objective.target_date else ""
        lines = [
            f"*{escape(objective.title)}* · {HORIZON_LABELS[objective.horizon]}{target}"
            f" · {done} / {total} actions done",
            *(_action_line(action) for action in actions.get(objective.id, [])),
        ]
        if total > len(actions.get(objective.id, [])):
            lines.append(f"    ◦ _…{plural(total, 'action')} in all_")
        edit = bk.button(
            "Edit", Button.OBJECTIVE_EDIT, value=ObjectiveRef(id=objective.id).encode()
        )
        blocks.append(
            section("\n".join(lines), accessory=edit, block_id=f"objective_{objective.id}")
        )
        choices = [
            option(label, ObjectiveStatusChoice(id=objective.id, status=status.value).encode())
            for status, label in OBJECTIVE_STATUS_LABELS.items()
        ]
        current = ObjectiveStatusChoice(id=objective.id, status=objective.status.value).encode()
        blocks.append(
            bk.actions(
                bk.static_select(
                    Button.OBJECTIVE_STATUS, choices, initial_option=pick(choices, current)
                ),
                block_id=f"objective_status_{objective.id}",
            )
        )
    if len(objectives) > MAX_OBJECTIVES:
        blocks.append(bk.context(f"…and {len(objectives) - MAX_OBJECTIVES} more objectives."))
    blocks.append(
        bk.context("Link an action to an objective in the action's form (`/action`, or *Edit*).")
    )
    return Message(f"Objectives of {account.name} ({len(objectives)})", blocks)


def history_message(
    account: Account,
    touchpoints: Sequence[Touchpoint],
    *,
    total: int,
    page: HistoryPage,
    about: str,
) -> Message:
    """One page of touchpoints, newest first, with Previous and Next."""
    if not total:
        return notice(
            f"No touchpoints with *{escape(account.name)}*{about} yet. Log one with `/touchpoint`."
        )
    first = page.page * HISTORY_PAGE_SIZE + 1
    last = first + len(touchpoints) - 1
    blocks: list = [
        section(
            f"*History of {escape(account.name)}*{about} · {first} to {last} of {total}, newest first"
        )
    ]
    for touchpoint in touchpoints:
        names = ", ".join(escape(person.name) for person in touchpoint.stakeholders)
        head = (
            f"{SENTIMENT_EMOJI[touchpoint.sentiment]} *{KIND_LABELS[touchpoint.kind]}* on "
            f"{format_date(touchpoint.occurred_on)}" + (f" · {names}" if names else "")
        )
        summary = escape(truncate(" ".join(touchpoint.summary.split()), 400))
        blocks.append(section(f"{head}\n{summary}\n_Logged by <@{touchpoint.logged_by}>_"))
    blocks += bk.pager(
        page, last=last, total=total, action_id=Button.HISTORY_PAGE, block_id="history_pages"
    )
    return Message(f"History of {account.name}: {plural(total, 'touchpoint')}", blocks)
