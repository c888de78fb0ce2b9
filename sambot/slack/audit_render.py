"""`/sam changes`: the audit trail, one line per change, readable by a person."""

import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sambot.accountplan.labels import (
    FACTOR_LABELS,
    FIELD_LABELS,
    IMPACT_LABELS,
    POSITION_LABELS,
    SECTION_TITLES,
    STAGE_LABELS,
)
from sambot.audit.context import Source
from sambot.audit.models import AuditEvent
from sambot.jobs.posting import JOB_LABELS
from sambot.slack import blocks as bk
from sambot.slack.action_blocks import STATUS_LABELS
from sambot.slack.blocks import Message
from sambot.slack.edit_modals import HORIZON_LABELS, OBJECTIVE_STATUS_LABELS
from sambot.slack.errors import field_label
from sambot.slack.ids import Button
from sambot.slack.labels import (
    KIND_LABELS,
    ROLE_LABELS,
    SENTIMENT_LABELS,
    TEAM_ROLE_LABELS,
    TIER_LABELS,
)
from sambot.slack.messages import notice, section
from sambot.slack.refs import ChangesPage
from sambot.slack.text import escape, plural, truncate
from sambot.stakeholders.models import ATTITUDE_LABELS

CHANGES_PAGE_SIZE = 10
MOST_FIELDS = 6  # a created record lists its first fields, then "and N more"

# Labels of stored enum values, by the field (and, where it differs, the entity).
VALUE_LABELS: dict[tuple[str | None, str], dict] = {
    (None, "tier"): TIER_LABELS,
    (None, "kind"): KIND_LABELS,
    (None, "sentiment"): SENTIMENT_LABELS,
    (None, "horizon"): HORIZON_LABELS,
    (None, "factor"): FACTOR_LABELS,
    (None, "impact"): IMPACT_LABELS,
    (None, "position"): POSITION_LABELS,
    (None, "stage"): STAGE_LABELS,
    (None, "section"): SECTION_TITLES,
    (None, "attitude"): ATTITUDE_LABELS,
    ("action", "status"): STATUS_LABELS,
    ("objective", "status"): OBJECTIVE_STATUS_LABELS,
    ("stakeholder", "role"): ROLE_LABELS,
    ("team member", "role"): TEAM_ROLE_LABELS,
}
# An entity whose label is one of its enum values: the field that value comes from.
LABEL_FIELDS = {"plan section": "section", "industry factor": "factor"}
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _labels(entity: str, field: str) -> dict | None:
    return VALUE_LABELS.get((entity, field)) or VALUE_LABELS.get((None, field))


def value_text(
    entity: str, field: str, value, zone: ZoneInfo, accounts: dict[int, str] | None = None
) -> str:
    """A stored value as a person reads it: a label, a mention, a date in their zone."""
    if value is None or value == "" or value == []:
        return "(none)"
    if field == "account_id":
        return "“" + escape((accounts or {}).get(value, f"account {value}")) + "”"
    labels = _labels(entity, field)
    if labels is not None and value in labels:
        return labels[value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(escape(truncate(str(item), 40)) for item in value)
    text = str(value)
    if USER_ID.match(text) and (field.endswith("_id") or field.endswith("_by") or "user" in field):
        return f"<@{text}>"
    if CHANNEL_ID.match(text) and field.startswith("channel"):
        return f"<#{text}>"
    if NUMBER.match(text):
        amount = float(text)
        return f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    if ISO_DATE.match(text):
        return f"{date.fromisoformat(text):%d %b %Y}"
    if ISO_TIME.match(text):
        return f"{datetime.fromisoformat(text).astimezone(zone):%d %b %Y %H:%M}"
    return "“" + escape(truncate(" ".join(text.split()), 60)) + "”"


def name_of_field(field: str) -> str:
    return FIELD_LABELS.get(field) or field_label(field)


def via_text(source: str, detail: str | None) -> str:
    """Where a change came from: the command typed, a form, a button, a job..."""
    words = field_label(detail or "").lower()
    match source:
        case Source.COMMAND:
            # As typed: mentions in it show as names.
            return escape(truncate(detail or "a command", 80))
        case Source.MODAL:
            return f"a form ({words})" if detail else "a form"
        case Source.BUTTON:
            return f"a button ({words})" if detail else "a button"
        case Source.SHORTCUT:
            return f"a shortcut ({words})" if detail else "a shortcut"
        case Source.EVENT:
            return f"a Slack event ({words})" if detail else "a Slack event"
        case Source.JOB:
            return f"the {JOB_LABELS.get(detail or '', detail or 'scheduled')} job"
        case Source.CLI:
            return f"the command line (`{escape(detail or 'sambot')}`)"
        case Source.IMPORT:
            return "an import" + (f" ({escape(detail)})" if detail else "")
    return "sambot itself"


def moved_accounts(events: Sequence[AuditEvent]) -> set[int]:
    """The accounts records were moved between, to name them."""
    return {
        value
        for event in events
        for change in event.changes or []
        if change["field"] == "account_id"
        for value in (change["old"], change["new"])
        if isinstance(value, int)
    }


def change_line(event: AuditEvent, zone: ZoneInfo, accounts: dict[int, str] | None = None) -> str:
    """'when, who, via what: entity, field old -> new' for one event."""
    when = f"{event.at.astimezone(zone):%d %b %Y %H:%M}"
    who = f"<@{event.actor}>" if event.actor else "sambot"
    what = event.entity
    if event.label and event.label.startswith("<@"):
        what += f" {event.label}"
    elif event.label:
        field = LABEL_FIELDS.get(event.entity, "")
        label = (_labels(event.entity, field) or {}).get(event.label, event.label)
        what += f" “{escape(truncate(label, 80))}”"
    changes = event.changes or []
    shown = changes[:MOST_FIELDS] if event.operation != "updated" else changes
    parts = []
    for change in shown:
        field, old, new = change["field"], change["old"], change["new"]
        name = name_of_field(field)
        if event.operation == "created":
            parts.append(f"{name} {value_text(event.entity, field, new, zone, accounts)}")
        elif event.operation == "deleted":
            parts.append(f"{name} was {value_text(event.entity, field, old, zone, accounts)}")
        else:
            parts.append(
                f"{name} {value_text(event.entity, field, old, zone, accounts)} → "
                f"{value_text(event.entity, field, new, zone, accounts)}"
            )
    if len(changes) > len(shown):
        parts.append(f"and {len(changes) - len(shown)} more")
    head = f"*{when}*, {who}, via {via_text(event.source, event.detail)}: {what}"
    if event.operation != "updated":
        head += f" {event.operation}"
    return head + (": " + "; ".join(parts) if parts else "")


def changes_message(
    events: Sequence[AuditEvent],
    *,
    total: int,
    page: ChangesPage,
    about: str,
    zone: ZoneInfo,
    accounts: dict[int, str] | None = None,
) -> Message:
    """One page of the trail, newest first, with Previous and Next; `accounts` names the
    accounts records moved between."""
    if not total:
        return notice(f"No changes to {about} recorded yet.")
    first = page.page * CHANGES_PAGE_SIZE + 1
    last = first + len(events) - 1
    blocks: list = [section(f"*Changes to {about}* · {first} to {last} of {total}, newest first")]
    blocks += [section(truncate(change_line(event, zone, accounts), 2900)) for event in events]
    blocks += bk.pager(
        page, last=last, total=total, action_id=Button.CHANGES_PAGE, block_id="changes_pages"
    )
    return Message(f"Changes to {about}: {plural(total, 'change')}", blocks)
