"""Small text helpers for Slack's mrkdwn."""

import re
from datetime import date

from sambot.validation import storable

# Mentions of people and channels are kept as Slack wrote them, so they still render.
MENTION = re.compile(r"(<[@#][UWC][A-Z0-9]+(?:\|[^<>]*)?>)")


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control characters, keeping mentions."""
    parts = MENTION.split(text)
    return "".join(
        part if index % 2 else part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for index, part in enumerate(parts)
    )


def unescape(text: str) -> str:
    """Text as Slack sends it (commands, message text) back to what the person typed."""
    return storable(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def split_lines(lines: list[str], limit: int = 3000) -> list[str]:
    """Lines joined into texts of at most `limit` characters, cut only between lines."""
    texts, current = [], ""
    for line in lines:
        line = truncate(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def format_date(day: date) -> str:
    return f"{day:%a %d %b %Y}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"
