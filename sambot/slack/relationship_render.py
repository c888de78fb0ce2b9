"""Relationships in Slack: coverage lines, the stakeholder map's text, the org chart's text,
the weekly cadence reminder, and the actions to review after a touchpoint."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sambot.actions.models import Action
from sambot.relationships.cadence import CadenceDigest, Touch
from sambot.relationships.coverage import Colour, Coverage
from sambot.relationships.stakeholder_map import (
    HIGH,
    QUADRANT_MEANING,
    OrgNode,
    by_quadrant,
    key_without_owner,
)
from sambot.slack import blocks as bk
from sambot.slack.action_blocks import action_blocks
from sambot.slack.blocks import Message
from sambot.slack.ids import RelationshipButton
from sambot.slack.labels import ROLE_LABELS
from sambot.slack.refs import CadenceRef
from sambot.slack.text import escape, format_date, plural, split_lines, truncate
from sambot.stakeholders.models import ATTITUDE_LABELS

COLOUR_EMOJI = {
    Colour.GREEN: ":large_green_circle:",
    Colour.AMBER: ":large_orange_circle:",
    Colour.RED: ":red_circle:",
}
PER_QUADRANT = 15
# The map's text goes with the image as its comment: kept well under a message's length.
MAP_TEXT_LIMIT = 3900
REMINDER_SHOWN = 20
RELATED_SHOWN = 15


# Coverage --------------------------------------------------------------------------------


def coverage_badge(coverage: Coverage) -> str:
    return f"{COLOUR_EMOJI[coverage.colour]} {coverage.colour.value}"


def coverage_line(coverage: Coverage | None) -> str | None:
    """The badge and the first failing reason, for a row in a list (the Home tab)."""
    if coverage is None:
        return None
    first = f": {coverage.reasons[0].problem}" if coverage.reasons else ""
    more = f" (+{len(coverage.reasons) - 1})" if len(coverage.reasons) > 1 else ""
    return f"{coverage_badge(coverage)}{first}{more}"


def coverage_text(coverage: Coverage) -> str:
    """The colour and each failing reason with its fix, as mrkdwn."""
    head = f"*Coverage:* {coverage_badge(coverage)}"
    if not coverage.reasons:
        return (
            head
            + " · sponsor, decision makers, champion, owners, cadences and executive pairs all in place"
        )
    return "\n".join([head, *(f"• {reason}" for reason in coverage.reasons)])


def with_coverage(message: Message, coverage: Coverage) -> Message:
    """A message with the coverage section appended (the account summary)."""
    text, blocks = message
    return Message(
        text, [*blocks, *(bk.section(t) for t in split_lines(coverage_text(coverage).split("\n")))]
    )


# The stakeholder map ---------------------------------------------------------------------


def _owner(person: Touch) -> str:
    return (
        f"owner <@{person.relationship_owner_id}>" if person.relationship_owner_id else "no owner"
    )


def person_line(person: Touch) -> str:
    title = f", {escape(person.title)}" if person.title else ""
    return (
        f"• *{escape(person.name)}*{title} · {ROLE_LABELS[person.role]} · power {person.power}, "
        f"interest {person.interest}, influence {person.influence} · "
        f"{ATTITUDE_LABELS[person.attitude]} · {_owner(person)}"
    )


def map_text(account_name: str, people: Sequence[Touch]) -> str:
    """The map as text, quadrant by quadrant, for search and screen readers."""
    lines = [
        f"*Stakeholder map of {escape(account_name)}*: {plural(len(people), 'stakeholder')} "
        f"by power and interest (high is {HIGH}-5); point size is influence, colour attitude."
    ]
    for name, members in by_quadrant(people).items():
        lines.append(f"\n*{name.value.capitalize()}* ({QUADRANT_MEANING[name]}): {len(members)}")
        lines += [person_line(person) for person in members[:PER_QUADRANT]]
        if len(members) > PER_QUADRANT:
            lines.append(f"…and {len(members) - PER_QUADRANT} more.")
    unowned = key_without_owner(people)
    if unowned:
        names = ", ".join(escape(person.name) for person in unowned)
        lines.append(
            f"\n:warning: *Key stakeholders with no relationship owner:* {names}. "
            "Give each an owner in their stakeholder form."
        )
    return truncate("\n".join(lines), MAP_TEXT_LIMIT)


def org_text(account_name: str, nodes: Sequence[OrgNode]) -> str:
    """The org chart as an indented list, each person with attitude and relationship owner."""
    children: dict[int | None, list[OrgNode]] = defaultdict(list)
    for node in nodes:
        children[node.manager_id].append(node)
    lines = [f"*Org chart of {escape(account_name)}* (from reports-to)"]

    def walk(node: OrgNode, depth: int) -> None:
        person = node.person
        title = f", {escape(person.title)}" if person.title else ""
        indent = "      " * depth + ("◦" if depth else "•")
        lines.append(
            f"{indent} *{escape(person.name)}*{title} · {ATTITUDE_LABELS[person.attitude]} · "
            f"{_owner(person)}"
        )
        for child in sorted(children.get(person.id, []), key=lambda n: n.x):
            walk(child, depth + 1)

    for root in sorted(children.get(None, []), key=lambda n: (n.depth, n.x)):
        walk(root, 0)
    if not nodes:
        lines.append("No stakeholders yet. Add one with `/sam stakeholder new`.")
    return truncate("\n".join(lines), MAP_TEXT_LIMIT)


# The weekly cadence reminder --------------------------------------------------------------


def _last_met(person: Touch, today: date) -> str:
    every = f"every {plural(person.cadence_days, 'day')}"
    if person.last_touch_on is None:
        return f"never met ({every})"
    days = person.days_since(today)
    return f"last met {format_date(person.last_touch_on)}, {plural(days, 'day')} ago ({every})"


def cadence_reminder(digest: CadenceDigest, today: date) -> Message:
    count = len(digest.overdue)
    blocks: list[dict] = [
        bk.section(
            f":handshake: *Time to get back in touch*: {plural(count, 'stakeholder')} "
            "you look after "
            + ("is" if count == 1 else "are")
            + " past their touch cadence. Log a touchpoint when you have met them, "
            "or snooze the reminder for two weeks."
        )
    ]
    for item in digest.overdue[:REMINDER_SHOWN]:
        person = item.touch
        title = f", {escape(person.title)}" if person.title else ""
        unowned = (
            "\n_Key stakeholder with no relationship owner: you own the account._"
            if item.unowned
            else ""
        )
        blocks.append(
            bk.section(
                truncate(
                    f"*{escape(person.name)}*{title} · *{escape(item.account_name)}* · "
                    f"{ROLE_LABELS[person.role]}, power {person.power}\n"
                    f"{_last_met(person, today)}{unowned}",
                    3000,
                ),
                block_id=f"cadence_person_{person.id}",
            )
        )
        value = CadenceRef(account_id=item.account_id, stakeholder_id=person.id).encode()
        blocks.append(
            bk.actions(
                bk.button(
                    "Log touchpoint",
                    RelationshipButton.LOG_TOUCHPOINT,
                    value=value,
                    style="primary",
                ),
                bk.button("Snooze two weeks", RelationshipButton.SNOOZE, value=value),
                block_id=f"cadence_buttons_{person.id}",
            )
        )
    hidden = count - REMINDER_SHOWN
    if hidden > 0:
        blocks.append(
            bk.context(
                f"…and {hidden} more. `/sam stakeholders` in each account's channel lists them all."
            )
        )
    names = ", ".join(item.touch.name for item in digest.overdue[:5])
    return Message(f"{plural(count, 'stakeholder')} past their touch cadence: {names}", blocks)


def snoozed_note(name: str, until: date) -> str:
    return f":zzz: Reminder about *{escape(name)}* snoozed until {format_date(until)}."


# After a touchpoint ------------------------------------------------------------------------


def related_actions_message(
    account_name: str, names: Sequence[str], actions: Sequence[Action], today: date
) -> Message:
    who = ", ".join(escape(name) for name in names) or "this account"
    blocks: list[dict] = [
        bk.section(
            f":mag: While it is fresh: *{escape(account_name)}*'s open actions that involve "
            f"{who} or their objectives. Still relevant?"
        )
    ]
    for action in actions[:RELATED_SHOWN]:
        blocks += action_blocks(action, today)
    if len(actions) > RELATED_SHOWN:
        blocks.append(bk.context(f"…and {len(actions) - RELATED_SHOWN} more: `/action list`."))
    return Message(f"{plural(len(actions), 'open action')} to review after this touchpoint", blocks)
