"""The monthly report as a Slack message: Block Kit from Jinja2 templates, within Slack's limits.

The internal and the client version come from the same templates; the `client` flag
leaves the internal parts out. Lists are cut at a limit with "and N more"; the limit is
lowered until the message fits (Slack rejects a message over any of its limits).
"""

import json
import re
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from sambot.accountplan.labels import SECTION_TITLES
from sambot.reports.monthly import MonthlyReport, StaleSection
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.checkpoint_render import trend_line
from sambot.slack.limits import check_limits
from sambot.slack.plan_render import edit_action_id
from sambot.slack.refs import PlanRef
from sambot.slack.relationship_render import coverage_text
from sambot.slack.text import escape, format_date, plural, truncate
from sambot.stakeholders.models import ATTITUDE_LABELS

LIST_LIMITS = (15, 10, 6, 3, 1)

# How enum values read in messages; anything else is its value with spaces for underscores.
LABELS = {"qbr": "QBR"}


def label(value: Any) -> str:
    raw = value.value if isinstance(value, Enum) else str(value)
    return LABELS.get(raw, raw.replace("_", " "))


def title_label(value: Any) -> str:
    text = label(value)
    return text[:1].upper() + text[1:]


def _signed(change: int) -> str:
    if change == 0:
        return "no change"
    return f"+{change}" if change > 0 else f"-{-change}"


def _plan_button(stale: StaleSection, account_id: int) -> dict:
    """ "Update …" under the report: opens that section of the account plan."""
    title = SECTION_TITLES[stale.section]
    value = PlanRef(account_id=account_id, section=stale.section).encode()
    return bk.button(
        truncate(f"Update {title[:1].lower()}{title[1:]}", 75),
        edit_action_id(stale.section),
        value=value,
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sambot.slack", "templates"),
        autoescape=False,  # the output is JSON; strings are made safe by tojson
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(
        mrkdwn=escape,
        day=format_date,
        month_name=lambda day: f"{day:%B}",
        clip=truncate,
        plural=plural,
        label=label,
        title_label=title_label,
        signed=_signed,
        oneline=lambda text: " ".join(str(text).split()),
        yesterday=lambda day: day - timedelta(days=1),
        attitude=lambda value: ATTITUDE_LABELS[value],
        section_title=lambda section: SECTION_TITLES[section],
        plan_button=_plan_button,
        checkpoint_trend=trend_line,
    )
    env.filters["coverage"] = coverage_text
    return env


def render_report(report: MonthlyReport, *, client: bool) -> Message:
    """The report as Block Kit plus fallback text, always within Slack's limits."""
    env = environment()
    text = env.get_template("monthly_report.txt.j2").render(report=report, client=client)
    template = env.get_template("monthly_report.json.j2")
    for limit in LIST_LIMITS:
        blocks = json.loads(template.render(report=report, client=client, limit=limit))
        if not check_limits(blocks):
            return Message(text=text, blocks=blocks)
    # Every line is clipped, so one item per list always fits; reaching this is a bug.
    raise ValueError(f"report does not fit Slack's limits: {check_limits(blocks)}")


_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")


def _label(element: dict) -> str:
    """A button's text; a menu (overflow, select) has none: its placeholder, or "⋯"."""
    text = element.get("text") or element.get("placeholder") or {}
    return text.get("text", "⋯")


def readable_text(message: Message) -> str:
    """The message as a person reads it, for `--dry-run` and logs (not for Slack)."""
    lines: list[str] = []
    for block in message.blocks:
        kind = block["type"]
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(block["text"]["text"])
            lines += [field["text"] for field in block.get("fields", [])]
        elif kind == "context":
            lines.append(" ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "actions":
            lines.append("  ".join(f"[{_label(e)}]" for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
    text = "\n".join(lines) if lines else message.text
    text = _MENTION.sub(lambda m: m.group(3) or f"{m.group(1).replace('!', '@')}{m.group(2)}", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
