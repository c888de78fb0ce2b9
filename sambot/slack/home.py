"""The App Home tab: what is late and due, then the person's accounts with their buttons.

Slack takes 100 blocks in a Home tab (and about 250 kB). Actions take two blocks each
(their line and their buttons), accounts two (their line and three buttons), so each
group shows its first few and says how many more there are; 200 actions or 50 accounts
still fit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sambot.accounts.models import Account
from sambot.actions.models import ActionLine
from sambot.slack import blocks as bk
from sambot.slack.action_blocks import action_blocks
from sambot.slack.ids import Button, HomeButton
from sambot.slack.refs import AccountRef, PlanRef
from sambot.slack.text import escape, format_date, plural, split_lines, truncate

MAX_VIEW_BLOCKS = 100
# Actions shown with their buttons, per group, and accounts shown with theirs.
SHOWN = {"overdue": 10, "today": 8, "week": 8, "later": 4}
ACCOUNTS_WITH_BUTTONS = 8
ACCOUNTS_LISTED = 40


@dataclass(frozen=True)
class HomeAccount:
    account: Account
    last_touchpoint: date | None
    coverage: str | None = None  # the badge and its first reason (relationships/coverage)


def group_actions(actions: Sequence[ActionLine], today: date) -> dict[str, list[ActionLine]]:
    """Overdue, due today, due in the next seven days, and the rest (later or undated)."""
    week_end = today + timedelta(days=7)
    groups: dict[str, list[ActionLine]] = {"overdue": [], "today": [], "week": [], "later": []}
    for action in actions:
        due = action.due_date
        if due is not None and due < today:
            groups["overdue"].append(action)
        elif due == today:
            groups["today"].append(action)
        elif due is not None and due <= week_end:
            groups["week"].append(action)
        else:
            groups["later"].append(action)
    return groups


TITLES = {
    "overdue": ":red_circle: *Overdue*",
    "today": ":large_orange_circle: *Due today*",
    "week": ":calendar: *Due this week*",
    "later": ":hourglass_flowing_sand: *Later, or no due date*",
}


def _account_line(item: HomeAccount, today: date) -> str:
    account = item.account
    parts = [f"*{escape(truncate(account.name, 100))}*"]
    if account.channel_id:
        parts.append(f"<#{account.channel_id}>")
    if item.last_touchpoint is None:
        parts.append("no touchpoint yet")
    else:
        days = (today - item.last_touchpoint).days
        parts.append(f"last touchpoint {format_date(item.last_touchpoint)} ({days} days ago)")
    if item.coverage is not None:
        parts.append(f"coverage {item.coverage}")
    return " · ".join(parts)


def _account_buttons(account: Account) -> dict:
    value = AccountRef(id=account.id).encode()
    plan = PlanRef(account_id=account.id).encode()
    return bk.actions(
        bk.button("Log a touchpoint", HomeButton.LOG_TOUCHPOINT, value=value),
        bk.button("Create an action", HomeButton.CREATE_ACTION, value=value),
        # The plan comes as a direct message: the Home tab has no conversation to answer in.
        bk.button("Open the plan", Button.PLAN_OPEN, value=plan),
        block_id=f"home_account_{account.id}",
    )


def home_view(
    actions: Sequence[ActionLine], accounts: Sequence[HomeAccount], today: date, total_open: int
) -> dict:
    groups = group_actions(actions, today)
    overdue, due_today, week = (len(groups[k]) for k in ("overdue", "today", "week"))
    blocks: list[dict] = [
        bk.header("Your account plan"),
        bk.section(
            f":red_circle: *{overdue}* overdue   :large_orange_circle: *{due_today}* due today   "
            f":calendar: *{week}* due this week   ·   {plural(total_open, 'open action')}"
        ),
    ]
    if not actions:
        blocks.append(bk.section(":sparkles: You have no open actions."))
    for key, items in groups.items():
        if not items:
            continue
        blocks.append(bk.section(f"{TITLES[key]} ({len(items)})"))
        for action in items[: SHOWN[key]]:
            blocks += action_blocks(action, today)
        if len(items) > SHOWN[key]:
            blocks.append(bk.context(f"…and {len(items) - SHOWN[key]} more: `/action list`."))
    blocks.append({"type": "divider"})
    if accounts:
        blocks.append(bk.section(f"*Your accounts* ({len(accounts)})"))
        for item in accounts[:ACCOUNTS_WITH_BUTTONS]:
            blocks.append(bk.section(_account_line(item, today)))
            blocks.append(_account_buttons(item.account))
        rest = accounts[ACCOUNTS_WITH_BUTTONS:ACCOUNTS_LISTED]
        if rest:
            lines = [f"• {_account_line(item, today)}" for item in rest]
            blocks += [bk.section(text) for text in split_lines(lines)]
        if len(accounts) > ACCOUNTS_LISTED:
            blocks.append(
                bk.context(f"…and {len(accounts) - ACCOUNTS_LISTED} more: `/sam accounts`.")
            )
    else:
        blocks.append(
            bk.section(
                "You are on no account team yet. `/sam team` in an account's channel adds people."
            )
        )
    blocks.append(bk.context("Type `/sam help` for every command."))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
