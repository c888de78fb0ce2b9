"""Block Kit limit checks, as Slack applies them to messages and views.

Pure functions: each returns a list of `"<path>: <reason>"` strings, empty when Slack
would accept the payload. Limits come from Slack's Block Kit reference
(https://api.slack.com/reference/block-kit).
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
# Undocumented combined cap on the text of all blocks of one message (approximate).
MESSAGE_BLOCKS_TEXT = 12_000
VIEW_BYTES = 250_000
ID_LENGTH = 255

# Errors with a Slack error code of their own, rather than `invalid_blocks`.
SIZE_CODES = ("msg_too_long", "msg_blocks_too_long", "view_too_large")

_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
}
_OPTION_LIMITS = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}


class _Checker:
    """Collects errors while walking one message or view."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_text = 0  # characters of text in all blocks, for msg_blocks_too_long

    def error(self, path: str, reason: str) -> None:
        self.errors.append(f"{path}: {reason}")

    def length(self, path: str, value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.error(path, f"must be at most {limit} characters (got {len(value)})")

    def count(self, path: str, items: Any, limit: int, what: str) -> None:
        if isinstance(items, list) and len(items) > limit:
            self.error(path, f"must have at most {limit} {what} (got {len(items)})")

    def text(self, path: str, obj: Any, limit: int, *, plain: bool = False) -> None:
        """A text object: {"type": "plain_text" | "mrkdwn", "text": ...}."""
        if not isinstance(obj, dict):
            self.error(path, "must be a text object")
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            self.error(f"{path}.type", f"must be {' or '.join(kinds)}")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.error(f"{path}.text", "must be a non-empty string")
            return
        self.block_text += len(text)
        self.length(f"{path}.text", text, limit)

    def blocks(self, path: str, blocks: Any, limit: int, *, inputs: bool) -> None:
        if not isinstance(blocks, list):
            self.error(path, "must be a list")
            return
        self.count(path, blocks, limit, "blocks")
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            at = f"{path}[{i}]"
            if not isinstance(block, dict):
                self.error(at, "must be an object")
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.length(f"{at}.block_id", block_id, ID_LENGTH)
                if block_id in seen:
                    self.error(f"{at}.block_id", f"duplicate block_id {block_id!r}")
                seen.add(block_id)
            if block.get("type") == "input" and not inputs:
                self.error(at, "input blocks are not allowed in messages")
            self.block(at, block)

    def block(self, path: str, block: dict[str, Any]) -> None:
        kind = block.get("type")
        if kind not in _BLOCK_TYPES:
            self.error(f"{path}.type", f"unknown block type {kind!r}")
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                self.error(path, "section needs text or fields")
            if "text" in block:
                self.text(f"{path}.text", block["text"], 3000)
            fields = block.get("fields", [])
            self.count(f"{path}.fields", fields, 10, "fields")
            for j, field in enumerate(fields if isinstance(fields, list) else []):
                self.text(f"{path}.fields[{j}]", field, 2000)
            if "accessory" in block:
                self.elements(f"{path}.accessory", [block["accessory"]], single=True)
        elif kind == "header":
            self.text(f"{path}.text", block.get("text"), 150, plain=True)
        elif kind == "actions":
            self.count(f"{path}.elements", block.get("elements"), 25, "elements")
            self.elements(f"{path}.elements", block.get("elements"))
        elif kind == "context":
            elements = block.get("elements")
            self.count(f"{path}.elements", elements, 10, "elements")
            for j, element in enumerate(elements if isinstance(elements, list) else []):
                if isinstance(element, dict) and element.get("type") != "image":
                    self.text(f"{path}.elements[{j}]", element, 3000)
        elif kind == "input":
            self.text(f"{path}.label", block.get("label"), 2000, plain=True)
            if "hint" in block:
                self.text(f"{path}.hint", block["hint"], 2000, plain=True)
            self.elements(f"{path}.element", [block.get("element")], single=True)

    def elements(self, path: str, elements: Any, *, single: bool = False) -> None:
        if not isinstance(elements, list):
            self.error(path, "must be a list")
            return
        action_ids: set[str] = set()
        for j, element in enumerate(elements):
            at = path if single else f"{path}[{j}]"
            if not isinstance(element, dict) or "type" not in element:
                self.error(at, "must be an element object with a type")
                continue
            action_id = element.get("action_id")
            if action_id is not None:
                self.length(f"{at}.action_id", action_id, ID_LENGTH)
                # Slack wants action_ids unique within their block.
                if action_id in action_ids:
                    self.error(f"{at}.action_id", f"duplicate action_id {action_id!r}")
                action_ids.add(action_id)
            self.element(at, element)

    def element(self, path: str, element: dict[str, Any]) -> None:
        kind = element["type"]
        if "placeholder" in element:
            self.text(f"{path}.placeholder", element["placeholder"], 150, plain=True)
        if kind == "button":
            self.text(f"{path}.text", element.get("text"), 75, plain=True)
            self.length(f"{path}.value", element.get("value"), 2000)
            self.length(f"{path}.url", element.get("url"), 3000)
        elif kind == "plain_text_input":
            for key in ("max_length", "min_length"):
                value = element.get(key)
                if isinstance(value, int) and value > 3000:
                    self.error(f"{path}.{key}", f"must be at most 3000 (got {value})")
        if "options" in element:
            self.options(path, element["options"], _OPTION_LIMITS.get(kind, 100))
        static = kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons")
        if static and not element.get("options") and not element.get("option_groups"):
            self.error(path, "needs at least one option (options or option_groups)")
        groups = element.get("option_groups")
        if isinstance(groups, list):
            self.count(f"{path}.option_groups", groups, 100, "option groups")
            for g, group in enumerate(groups):
                options = group.get("options") if isinstance(group, dict) else None
                self.options(f"{path}.option_groups[{g}]", options, 100)

    def options(self, path: str, options: Any, limit: int) -> None:
        if not isinstance(options, list):
            self.error(f"{path}.options", "must be a list")
            return
        self.count(f"{path}.options", options, limit, "options")
        for k, option in enumerate(options):
            at = f"{path}.options[{k}]"
            if not isinstance(option, dict):
                self.error(at, "must be an option object")
                continue
            self.text(f"{at}.text", option.get("text"), 75)
            self.length(f"{at}.value", option.get("value"), 150)
            if "description" in option:
                self.text(f"{at}.description", option["description"], 75)


def check_message(blocks: Any, text: Any) -> list[str]:
    """Problems Slack would reject a message for; `blocks` may be None."""
    checker = _Checker()
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        checker.error("text", f"msg_too_long ({len(text)} characters > {MESSAGE_TEXT})")
    if blocks is not None:
        checker.blocks("blocks", blocks, MESSAGE_BLOCKS, inputs=False)
        if checker.block_text > MESSAGE_BLOCKS_TEXT:
            checker.error(
                "blocks",
                f"msg_blocks_too_long ({checker.block_text} characters of block text"
                f" > {MESSAGE_BLOCKS_TEXT})",
            )
    return checker.errors


def check_view(view: Any) -> list[str]:
    """Problems Slack would reject a modal or Home tab view for."""
    checker = _Checker()
    if not isinstance(view, dict):
        return ["view: must be an object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.error("view.type", "must be modal or home")
    if kind == "modal":
        checker.text("view.title", view.get("title"), 24, plain=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(f"view.{key}", view[key], 24, plain=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.error("view.submit", "required when the view has input blocks")
    checker.length("view.callback_id", view.get("callback_id"), ID_LENGTH)
    checker.length("view.external_id", view.get("external_id"), ID_LENGTH)
    checker.length("view.private_metadata", view.get("private_metadata"), 3000)
    checker.blocks("view.blocks", view.get("blocks"), VIEW_BLOCKS, inputs=True)
    size = len(json.dumps(view).encode())
    if size > VIEW_BYTES:
        checker.error("view", f"view_too_large ({size} bytes > {VIEW_BYTES})")
    return checker.errors


def error_code(errors: list[str], default: str) -> str:
    """The `error` Slack answers for these problems: size caps have codes of their own."""
    reasons = [error.partition(": ")[2] for error in errors]
    if not reasons or any(not reason.startswith(SIZE_CODES) for reason in reasons):
        return default
    return reasons[0].split(" ", 1)[0]
