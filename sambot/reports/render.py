"""The monthly report as a Slack message: Block Kit from Jinja2 templates, within Slack's limits.

The internal and the client version come from the same templates; the `client` flag
leaves the internal parts out. Lists are cut at a limit with "and N more"; the limit is
lowered until the message fits (Slack rejects a message over any of its limits).
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from sambot.reports.monthly import COVERAGE_GAP_DAYS, MonthlyReport
from sambot.slack.text import escape, format_date, plural, truncate
from sambot.stakeholders.models import ATTITUDE_LABELS

# Slack's limits for a message (see /work/shared/slack-platform.md).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
# The combined block text cap is undocumented (around 12k): keep a margin under it.
MAX_MESSAGE_BLOCK_TEXT = 11_000
LIST_LIMITS = (15, 10, 6, 3, 1)

# How enum values read in messages; anything else is its value with spaces for underscores.
LABELS = {"qbr": "QBR"}


@dataclass(frozen=True)
class RenderedMessage:
    """What chat.postMessage takes: the blocks and the plain-text fallback."""

    text: str
    blocks: list[dict[str, Any]]


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


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sambot.reports", "templates"),
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
    )
    env.globals["gap_days"] = COVERAGE_GAP_DAYS
    return env


def render_report(report: MonthlyReport, *, client: bool) -> RenderedMessage:
    """The report as Block Kit plus fallback text, always within Slack's limits."""
    env = environment()
    text = env.get_template("monthly_report.txt.j2").render(report=report, client=client)
    template = env.get_template("monthly_report.json.j2")
    for limit in LIST_LIMITS:
        blocks = json.loads(template.render(report=report, client=client, limit=limit))
        if not check_limits(blocks):
            return RenderedMessage(text=text, blocks=blocks)
    # Every line is clipped, so one item per list always fits; reaching this is a bug.
    raise ValueError(f"report does not fit Slack's limits: {check_limits(blocks)}")


def _texts(value: Any) -> list[str]:
    """Every text of a block, wherever it is nested (the combined cap counts them all)."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            return [value["text"]]
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def check_limits(blocks: list[dict[str, Any]]) -> list[str]:
    """The Slack message limits these blocks break; empty when Slack would take them."""
    problems = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (at most {MAX_BLOCKS})")
    for i, block in enumerate(blocks):
        text = (block.get("text") or {}).get("text", "")
        if block["type"] == "header" and len(text) > MAX_HEADER_TEXT:
            problems.append(f"block {i}: header of {len(text)} characters")
        if block["type"] == "section":
            if len(text) > MAX_SECTION_TEXT:
                problems.append(f"block {i}: section text of {len(text)} characters")
            fields = block.get("fields") or []
            if len(fields) > MAX_FIELDS:
                problems.append(f"block {i}: {len(fields)} fields")
            if any(len(f["text"]) > MAX_FIELD_TEXT for f in fields):
                problems.append(f"block {i}: a field over {MAX_FIELD_TEXT} characters")
        if block["type"] == "context" and len(block["elements"]) > MAX_CONTEXT_ELEMENTS:
            problems.append(f"block {i}: {len(block['elements'])} context elements")
    total = sum(len(text) for text in _texts(blocks))
    if total > MAX_MESSAGE_BLOCK_TEXT:
        problems.append(f"{total} characters of block text (at most {MAX_MESSAGE_BLOCK_TEXT})")
    return problems


_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")


def readable_text(message: RenderedMessage) -> str:
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
            lines.append("  ".join(f"[{e['text']['text']}]" for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
    text = "\n".join(lines) if lines else message.text
    text = _MENTION.sub(lambda m: m.group(3) or f"{m.group(1).replace('!', '@')}{m.group(2)}", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
