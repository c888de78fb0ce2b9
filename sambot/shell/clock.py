"""The shell's clock: the app reads it as its `Sam.clock`, and jobs run at its time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Real time, moved by an offset with `:time`."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(self.zone) + self.offset

    @property
    def moved(self) -> bool:
        return self.offset != timedelta(0)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=self.zone)  # read in the workspace's time zone
        self.offset = instant - datetime.now(self.zone)

    def reset(self) -> None:
        self.offset = timedelta(0)
