"""Block Kit and mrkdwn as readable terminal text.

Mentions and channel links are resolved to names, links read `text (url)`, and every
interactive element (button, select, overflow) is shown as a numbered choice; the number
comes from `number_element`, so the session can press it later.
"""

import re
from collections.abc import Callable
from typing import Any

# The emoji sambot uses, and a few common ones; others stay as `:name:`.
EMOJI = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "handshake": "🤝",
    "sparkles": "✨",
    "link": "🔗",
    "zzz": "💤",
    "x": "❌",
    "white_circle": "⚪",
    "red_circle": "🔴",
    "large_green_circle": "🟢",
    "thinking_face": "🤔",
    "speech_balloon": "💬",
    "pushpin": "📌",
    "memory": "📝",
    "dart": "🎯",
    "office": "🏢",
    "gem": "💎",
    "world_map": "🗺️",
    "crossed_swords": "⚔️",
    "wastebasket": "🗑️",
    "page_facing_up": "📄",
    "hourglass_flowing_sand": "⏳",
    "calendar": "📅",
    "bust_in_silhouette": "👤",
    "busts_in_silhouette": "👥",
    "bell": "🔔",
    "alarm_clock": "⏰",
    "wave": "👋",
    "rotating_light": "🚨",
    "tada": "🎉",
    "hourglass": "⌛",
    "chart_with_upwards_trend": "📈",
    "construction": "🚧",
    "heavy_multiplication_x": "✖️",
    "no_entry_sign": "🚫",
    "pencil2": "✏️",
    "arrow_forward": "▶️",
    "leftwards_arrow_with_hook": "↩️",
    "file_cabinet": "🗄️",
    "large_orange_circle": "🟠",
    "compass": "🧭",
    "bar_chart": "📊",
    "door": "🚪",
    "lock": "🔒",
    "arrow_up": "⬆️",
    "arrow_down": "⬇️",
}

_ANGLE = re.compile(r"<([^<>\n]+)>")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w])")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")

NumberElement = Callable[[dict[str, Any], str | None], int | str]  # a number, or a letter


class Style:
    """ANSI styling when the terminal shows it, plain text otherwise."""

    def __init__(self, color: bool):
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        if not (self.color and text):
            return text
        # A style inside this one ends with a reset: start this one again after it.
        text = text.replace("\033[0m", f"\033[0m\033[{code}m")
        return f"\033[{code}m{text}\033[0m"

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def label(self, text: str) -> str:
        return self._wrap("36", text)

    def error(self, text: str) -> str:
        return self._wrap("31", text)


class Renderer:
    """Turns messages and blocks into lines, resolving ids with the two lookups given."""

    def __init__(
        self,
        user_name: Callable[[str], str | None],
        channel_name: Callable[[str], str | None],
        style: Style | None = None,
    ):
        self.user_name = user_name
        self.channel_name = channel_name
        self.style = style or Style(color=False)

    # -- text ----------------------------------------------------------------------------

    def mrkdwn(self, text: str) -> str:
        # Code spans are shown as typed: Slack does not format inside them.
        parts = _CODE.split(text or "")
        return "".join(part if i % 2 else self._format(part) for i, part in enumerate(parts))

    def _format(self, text: str) -> str:
        text = _ANGLE.sub(self._control, text)
        text = _BOLD.sub(lambda match: self.style.bold(match.group(1)), text)
        text = _ITALIC.sub(lambda match: match.group(1), text)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return emoji(text)

    def _control(self, match: re.Match) -> str:
        """One `<...>` sequence: a mention, a channel, a special mention or a link."""
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (self.user_name(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (self.channel_name(target[1:]) or label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        if label and label != target:
            return f"{label} ({target})"
        return target

    def text_object(self, obj: dict[str, Any] | str | None) -> str:
        if obj is None:
            return ""
        if isinstance(obj, str):
            return obj
        if obj.get("type") == "mrkdwn":
            return self.mrkdwn(obj.get("text", ""))
        return emoji(obj.get("text", ""))

    # -- blocks --------------------------------------------------------------------------

    def message(self, message: dict[str, Any], number_element: NumberElement) -> list[str]:
        """The lines of a message: its blocks, or its text when it has none."""
        blocks = message.get("blocks") or []
        if blocks:
            return self.blocks(blocks, number_element)
        return self.mrkdwn(message.get("text") or "").split("\n")

    def blocks(self, blocks: list[dict[str, Any]], number_element: NumberElement) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            lines += self.block(block, number_element)
        return lines

    def block(self, block: dict[str, Any], number_element: NumberElement) -> list[str]:
        kind, block_id = block.get("type"), block.get("block_id")
        if kind == "header":
            return [self.style.bold(self.text_object(block.get("text")).upper())]
        if kind == "section":
            lines = self.text_object(block.get("text")).split("\n") if block.get("text") else []
            for field in block.get("fields") or []:
                lines.append(_field_line(self.text_object(field)))
            accessory = block.get("accessory")
            if accessory and _is_interactive(accessory):
                shown = self.element(accessory, number_element(accessory, block_id))
                # Beside a one-line text, as Slack shows it; under a longer one.
                if len(lines) == 1 and len(lines[0]) < 60:
                    lines[0] += "  " + shown
                else:
                    lines.append(shown)
            return lines
        if kind == "context":
            parts = [
                f"[image: {e.get('alt_text', '')}]"
                if e.get("type") == "image"
                else self.text_object(e)
                for e in block.get("elements") or []
            ]
            return [self.style.dim(line) for line in " · ".join(parts).split("\n")]
        if kind == "actions":
            elements = [e for e in block.get("elements") or [] if _is_interactive(e)]
            return ["  ".join(self.element(e, number_element(e, block_id)) for e in elements)]
        if kind == "divider":
            return [self.style.dim("─" * 40)]
        if kind == "image":
            return [f"[image: {block.get('alt_text', '')}]"]
        if kind == "rich_text":
            return _rich_text(block).split("\n")
        if kind == "input":
            return [f"{self.text_object(block.get('label'))}: (an input)"]
        return [self.style.dim(f"[{kind} block]")]

    def element(self, element: dict[str, Any], number: int | str) -> str:
        """An interactive element as a numbered choice: `[1] Mark done`, `[2] Role ▾ Sales`."""
        kind = element.get("type")
        if kind == "button":
            text = self.text_object(element.get("text"))
        elif kind == "overflow":
            text = "⋯ " + " / ".join(
                self.text_object(o.get("text")) for o in element.get("options") or []
            )
        else:
            chosen = element.get("initial_option") or {}
            shown = self.text_object(chosen.get("text")) if chosen else ""
            if not shown and element.get("initial_user"):
                shown = "@" + (self.user_name(element["initial_user"]) or element["initial_user"])
            shown = shown or self.text_object(element.get("placeholder")) or "choose"
            text = f"{shown} ▾"
        return self.style.bold(f"[{number}]") + f" {text}"


def emoji(text: str) -> str:
    return _EMOJI.sub(lambda match: EMOJI.get(match.group(1), match.group(0)), text)


def _is_interactive(element: dict[str, Any]) -> bool:
    return "action_id" in element or element.get("type") == "button"


def _field_line(text: str) -> str:
    """A field "*Owner*\\n@dana" reads "Owner: @dana"."""
    head, newline, rest = text.partition("\n")
    return f"{head}: {rest.replace(chr(10), ' ')}" if newline else text


def _rich_text(block: dict[str, Any]) -> str:
    def flatten(elements: list[dict[str, Any]]) -> str:
        out = []
        for element in elements:
            if element.get("type") in (
                "rich_text_section",
                "rich_text_preformatted",
                "rich_text_quote",
            ):
                out.append(flatten(element.get("elements") or []))
            elif element.get("type") == "rich_text_list":
                items = [flatten(item.get("elements") or []) for item in element["elements"]]
                out.append("\n".join(f"• {item}" for item in items))
            elif element.get("type") == "user":
                out.append(f"@{element.get('user_id')}")
            elif element.get("type") == "channel":
                out.append(f"#{element.get('channel_id')}")
            elif element.get("type") == "link":
                out.append(element.get("text") or element.get("url", ""))
            elif element.get("type") == "emoji":
                out.append(EMOJI.get(element.get("name", ""), f":{element.get('name')}:"))
            else:
                out.append(element.get("text", ""))
        return "".join(out)

    return flatten(block.get("elements") or [])
