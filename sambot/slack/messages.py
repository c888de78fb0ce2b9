"""Message builders: each returns a Message (fallback text, blocks) for chat.postMessage or respond."""

from collections.abc import Mapping, Sequence
from datetime import date

from sambot.accounts.models import Account, TeamRole
from sambot.actions.models import Action, ActionLine
from sambot.relationships.coverage import Coverage
from sambot.slack import blocks as bk
from sambot.slack.action_blocks import action_blocks
from sambot.slack.blocks import Message
from sambot.slack.catalog import HELP
from sambot.slack.ids import Button
from sambot.slack.labels import (
    KIND_LABELS,
    ROLE_LABELS,
    SENTIMENT_EMOJI,
    TEAM_ROLE_LABELS,
    TIER_LABELS,
)
from sambot.slack.modals import option, options, pick
from sambot.slack.refs import PlanRef, StakeholderRef, TeamBlock, TeamMemberRef, TouchpointRef
from sambot.slack.relationship_render import coverage_line
from sambot.slack.text import escape, format_date, plural, split_lines, truncate
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint

MAX_LISTED = 40
# One section per stakeholder (with its Edit button), in a 50-block message.
MAX_STAKEHOLDERS = 45


def section(text: str, **kwargs) -> dict:
    return bk.section(truncate(text, 3000), **kwargs)


def sections(lines: list[str]) -> list[dict]:
    """Lines in as many sections as they need, never cut in the middle of a line."""
    return [section(text) for text in split_lines(lines)]


def notice(text: str) -> Message:
    return Message(text, [section(text)])


def help_message(intro: str | None = None) -> Message:
    lines = "\n".join(f"`{usage}`  {what}" for usage, what in HELP)
    blocks = [
        bk.header("sambot: your account plan, in Slack"),
        section(
            "Log what happened with the client and what must happen next, in seconds. "
            "Everything lands in the account's channel, and sambot keeps actions moving "
            "with overdue nudges and a monthly strategic-action report."
        ),
        section(lines),
        bk.context(
            "Message shortcuts (the ⋯ menu on any message): *Log as touchpoint*, *Create action*. "
            "sambot's *Home* tab: your overdue, today's and this week's actions, and your accounts. "
            "Touchpoint kinds: " + ", ".join(kind.value for kind in KIND_LABELS) + "."
        ),
    ]
    if intro:
        blocks.insert(0, section(intro))
    return Message((intro or "sambot help"), blocks)


def touchpoint_message(touchpoint: Touchpoint, account: Account) -> Message:
    names = ", ".join(escape(person.name) for person in touchpoint.stakeholders)
    kind = KIND_LABELS[touchpoint.kind]
    head = (
        f"{SENTIMENT_EMOJI[touchpoint.sentiment]} *{kind}* with *{escape(account.name)}*"
        f" on {format_date(touchpoint.occurred_on)}" + (f" · {names}" if names else "")
    )
    # Escaping can lengthen a 3000-character summary: it may take two sections.
    blocks = [section(head), *sections(escape(touchpoint.summary).split("\n"))]
    footer = f"Logged by <@{touchpoint.logged_by}>"
    if touchpoint.message_link:
        footer += f" · <{touchpoint.message_link}|original message>"
    blocks.append(bk.context(footer))
    text = f"{kind} with {account.name} logged by <@{touchpoint.logged_by}>: {truncate(touchpoint.summary, 200)}"
    return Message(text, blocks)


def action_message(action: Action, account: Account, today: date, *, note: str) -> Message:
    """An action's own message: its line, buttons while open, and who did what last."""
    blocks = action_blocks(
        action,
        today,
        heading=f"{escape(account.name)} · {note}",
        full=True,
        # A channel shared with the client never sees an obstacle or why it was cancelled.
        internal=not account.channel_shared_with_client,
    )
    return Message(f"Action for {account.name}: {action.title} (<@{action.owner_id}>)", blocks)


def action_list_message(actions: Sequence[ActionLine], today: date) -> Message:
    if not actions:
        return notice(":sparkles: You have no open actions. Create one with `/action`.")
    overdue = sum(1 for action in actions if action.days_late(today))
    heading = (
        f"*Your open actions* ({len(actions)}" + (f", {overdue} overdue" if overdue else "") + ")"
    )
    blocks: list = [section(heading)]
    # 48 blocks at most: two per action, plus the heading and an "and N more".
    shown = actions[:23]
    for action in shown:
        blocks += action_blocks(action, today)
    if len(actions) > len(shown):
        blocks.append(bk.context(f"…and {len(actions) - len(shown)} more."))
    return Message(f"Your open actions ({len(actions)})", blocks)


def account_summary_message(
    account: Account, *, open_count: int, overdue_count: int, last_touchpoint: Touchpoint | None
) -> Message:
    team = (
        ", ".join(f"<@{m.user_id}> ({TEAM_ROLE_LABELS[m.role]})" for m in account.team)
        or "nobody yet"
    )
    fields = [
        f"*Owner*\n<@{account.owner_id}>",
        f"*Tier*\n{TIER_LABELS[account.tier]}",
        f"*Open actions*\n{open_count}",
        f"*Overdue*\n{overdue_count}" + (" :warning:" if overdue_count else ""),
    ]
    if account.annual_revenue is not None:
        fields.append(f"*Revenue*\n{account.annual_revenue:,.0f} {account.currency}")
    if account.margin_percent is not None:
        fields.append(f"*Gross margin*\n{account.margin_percent}%")
    if account.potential_revenue is not None:
        fields.append(f"*Potential revenue*\n{account.potential_revenue:,.0f} {account.currency}")
    if account.industry:
        fields.append(f"*Industry*\n{escape(account.industry)}")
    if last_touchpoint:
        last = (
            f"{KIND_LABELS[last_touchpoint.kind]} on {format_date(last_touchpoint.occurred_on)}: "
            f"{escape(truncate(last_touchpoint.summary, 150))}"
        )
    else:
        last = "none yet. Log one with `/touchpoint`."
    heading = truncate(account.name + (" (archived)" if account.archived else ""), 150)
    blocks = [
        bk.header(heading),
        bk.section(fields=fields),
        section(f"*Team:* {team}"),
        section(f"*Last touchpoint:* {last}"),
        plan_button(account),
    ]
    return Message(f"{account.name}: {open_count} open actions, {overdue_count} overdue", blocks)


def plan_button(account: Account) -> dict:
    """Opens the account plan (`/sam plan`) from the account's summary."""
    value = PlanRef(account_id=account.id).encode()
    return bk.actions(bk.button("Plan", Button.PLAN_OPEN, value=value))


def accounts_message(
    accounts: Sequence[Account], total: int, *, coverage: Mapping[int, Coverage] | None = None
) -> Message:
    """The first accounts by name, and how many there are in all, each with its coverage."""
    if not accounts:
        return notice("No accounts yet. Create the first with `/sam account new`.")
    lines = []
    for account in accounts[:MAX_LISTED]:
        channel = f"<#{account.channel_id}>" if account.channel_id else "_no channel_"
        lines.append(
            f"• *{escape(account.name)}* · {TIER_LABELS[account.tier]} · <@{account.owner_id}> · {channel}"
            + _coverage_of(account, coverage)
        )
    if total > MAX_LISTED:
        lines.append(f"…and {total - MAX_LISTED} more.")
    return Message(
        f"{plural(total, 'account')}", [section(f"*Accounts* ({total})"), *sections(lines)]
    )


def stakeholders_message(account: Account, stakeholders: Sequence[Stakeholder]) -> Message:
    """Each stakeholder on a line with an Edit button (role, scales, reports-to, left)."""
    if not stakeholders:
        return notice(
            f"No stakeholders for *{escape(account.name)}* yet. Add one with `/sam stakeholder new`."
        )
    by_id = {person.id: person for person in stakeholders}
    blocks = [section(f"*Stakeholders of {escape(account.name)}* ({len(stakeholders)})")]
    for person in stakeholders[:MAX_STAKEHOLDERS]:
        title = f", {escape(person.title)}" if person.title else ""
        owner = (
            f" · owner <@{person.relationship_owner_id}>" if person.relationship_owner_id else ""
        )
        manager = by_id.get(person.reports_to_id)
        reports = f" · reports to {escape(manager.name)}" if manager else ""
        line = (
            f"• *{escape(person.name)}*{title} · {ROLE_LABELS[person.role]} · "
            f"power {person.power}, influence {person.influence}, interest {person.interest} · "
            f"{person.attitude_label} ({person.attitude:+d}){owner}{reports}"
        )
        edit = bk.button(
            "Edit", Button.STAKEHOLDER_EDIT, value=StakeholderRef(id=person.id).encode()
        )
        blocks.append(section(line, accessory=edit, block_id=f"stakeholder_{person.id}"))
    footer = "People who left the company are kept in the history: `/sam history @name`."
    if len(stakeholders) > MAX_STAKEHOLDERS:
        footer = f"…and {len(stakeholders) - MAX_STAKEHOLDERS} more. " + footer
    blocks.append(bk.context(footer))
    return Message(f"Stakeholders of {account.name}", blocks)


def team_message(account: Account, *, note: str | None = None) -> Message:
    """The team, each member with a role menu and a remove option, and a picker to add someone."""
    role_choices = options(list(TEAM_ROLE_LABELS.items()))
    blocks: list = [section(f"*Account team of {escape(account.name)}*")]
    for member in account.team[:20]:
        accessory = bk.static_select(
            Button.TEAM_ROLE, role_choices, initial_option=pick(role_choices, member.role)
        )
        blocks.append(
            section(
                f"<@{member.user_id}>",
                block_id=TeamBlock(
                    kind="member", account_id=account.id, user_id=member.user_id
                ).encode(),
                accessory=accessory,
            )
        )
        if member.role != TeamRole.OWNER:
            remove = option(
                "Remove from the team",
                TeamMemberRef(account_id=account.id, user_id=member.user_id).encode(),
            )
            tools = TeamBlock(kind="tools", account_id=account.id, user_id=member.user_id)
            blocks.append(
                bk.actions(
                    bk.element("overflow", Button.TEAM_REMOVE, options=[remove]),
                    block_id=tools.encode(),
                )
            )
    blocks.append(
        bk.actions(
            bk.element("users_select", Button.TEAM_ADD, placeholder="Add someone to the team"),
            block_id=TeamBlock(kind="add", account_id=account.id).encode(),
        )
    )
    hidden = len(account.team) - 20
    if hidden > 0:
        blocks.append(bk.context(f"…and {hidden} more members."))
    blocks.append(bk.context(note or "Change a role with its menu; new members join as *Other*."))
    return Message(f"Account team of {account.name}", blocks)


def offer_account_creation(name: str, close_names: Sequence[str] = ()) -> Message:
    text = f"There is no account named *{escape(name)}*."
    if close_names:
        did_you_mean = " or ".join(f"`/sam link {escape(close)}`" for close in close_names)
        text += f" Did you mean {did_you_mean}?"
    text += " Or create it and link this channel:"
    button = bk.button(
        truncate(f"Create {name}", 75),
        Button.CREATE_LINKED_ACCOUNT,
        value=truncate(name, 100),
        style="primary",
    )
    return Message(text, [section(text, accessory=button)])


def shared_confirmation(what: str, where: str, link: str | None) -> Message:
    text = (
        f":white_check_mark: {what} posted in {where}" + (f" · <{link}|view>" if link else "") + "."
    )
    return notice(text)


def touchpoint_logged(
    touchpoint: Touchpoint, account: Account, *, posted_in: str | None, link: str | None
) -> Message:
    """The ephemeral answer to `/touchpoint <kind> <summary>`, with a way to add the rest."""
    text = f":white_check_mark: {KIND_LABELS[touchpoint.kind]} with *{escape(account.name)}* logged"
    if posted_in:
        text += f" and posted in {posted_in}" + (f" · <{link}|view>" if link else "")
    text += ". Add who was there, the sentiment or a follow-up:"
    button = bk.button(
        "Add details", Button.ADD_DETAILS, value=TouchpointRef(id=touchpoint.id).encode()
    )
    return Message("Touchpoint logged", [section(text, accessory=button)])


def _coverage_of(account: Account, coverage: Mapping[int, Coverage] | None) -> str:
    found = coverage_line((coverage or {}).get(account.id))
    return f" · coverage {found}" if found else ""
