"""Calendar months as reporting periods, bounded in the workspace's time zone."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

_KEY = re.compile(r"^(\d{4})-(\d{2})$")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) a local day starts; the UTC offset may differ between two days."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; everything stored is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, order=True)
class Period:
    """One calendar month; its key is "YYYY-MM"."""

    year: int
    month: int

    @classmethod
    def parse(cls, key: str) -> "Period":
        match = _KEY.match(key.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"{key!r} is not a month: use YYYY-MM, such as 2026-10.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> "Period":
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day after the month (bounds are half-open: start <= day < end)."""
        return self.next.start

    @property
    def previous(self) -> "Period":
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    @property
    def next(self) -> "Period":
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    @property
    def label(self) -> str:
        return f"{self.start:%B %Y}"

    def __str__(self) -> str:
        return self.key
