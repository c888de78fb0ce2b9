"""Slack's limits for a message, in one place, and the check every posted message passes.

A message over any of them is rejected by Slack (`invalid_blocks`, `msg_too_long`), so
the renderers cut their lists until `check_limits` finds nothing.
"""

from typing import Any

# Slack's limits for a message (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
# The combined block text cap is undocumented (around 12k): keep a margin under it.
MAX_MESSAGE_BLOCK_TEXT = 11_000


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
