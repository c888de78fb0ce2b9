"""Dates as people type them, read in their own time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dateparser


def today_in(timezone: str | ZoneInfo, now: datetime | None = None) -> date:
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return (now or datetime.now(zone)).astimezone(zone).date()


def parse_date(text: str, *, today: date) -> date | None:
    """ISO dates and the relative forms people type: "tomorrow", "next friday", "in 2 weeks"."""
    text = text.strip().lower()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    base = datetime(today.year, today.month, today.day, 12, 0)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"},
    )
    return parsed.date() if parsed else None
