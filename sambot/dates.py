"""Dates as people type them, read in their own time zone."""

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dateparser


def today_in(timezone: str | ZoneInfo, now: datetime | None = None) -> date:
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return (now or datetime.now(zone)).astimezone(zone).date()


# "5", "5th", "the 21st": a day of the month. dateparser reads "5th" as May and "12" as
# December, so these are read here.
_DAY_OF_MONTH = re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?")


def parse_date(text: str, *, today: date, past: bool = False) -> date | None:
    """ISO dates and the relative forms people type: "tomorrow", "next friday", "in 2 weeks",
    "the 5th". What could fall either way ("the 5th", "monday", "dec 5") is the next one, or
    with `past` the last one, today included."""
    text = text.strip().lower()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if day_of_month := _DAY_OF_MONTH.fullmatch(text):
        nearest = last_day_of_month if past else next_day_of_month
        return nearest(int(day_of_month.group(1)), today=today)
    if text.isdigit():  # "2027" alone is a year, not a day
        return None
    base = datetime(today.year, today.month, today.day, 12, 0)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past" if past else "future"},
    )
    return parsed.date() if parsed else None


def next_day_of_month(day: int, *, today: date) -> date | None:
    """The first date on or after today that falls on that day of a month (the 31st skips
    the shorter months); None for a day no month has."""
    return _nearest_day_of_month(day, today=today, months=1)


def last_day_of_month(day: int, *, today: date) -> date | None:
    """The latest date on or before today that falls on that day of a month."""
    return _nearest_day_of_month(day, today=today, months=-1)


def _nearest_day_of_month(day: int, *, today: date, months: int) -> date | None:
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    gone_by = day < today.day if months > 0 else day > today.day
    if gone_by:
        year, month = _month_after(year, month, months)
    while day > calendar.monthrange(year, month)[1]:
        year, month = _month_after(year, month, months)
    return date(year, month, day)


def _month_after(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1
