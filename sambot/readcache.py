"""Reads that forms repeat every time they open, kept in each process while the data
version stays the same.

A touchpoint form lists the accounts the user may see and the account's stakeholders: the
same few reads on every open, and a third of a served `/touchpoint`'s CPU
(bench/README.md). Every commit that writes accounts, team members or stakeholders raises
the data version in its own transaction (`sambot.db.raise_data_version_on_commit`). A
session reads that number once (a primary-key read); what was kept under another number is
dropped. So a change made in any process is seen by the next form opened in every other.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.db import WROTE_KEPT, DataVersion

T = TypeVar("T")

_VERSION = "sambot_data_version"
_READ_VERSION = select(DataVersion.version).where(DataVersion.id == 1)


class Named(Protocol):
    id: int
    name: str


@dataclass(frozen=True)
class Choice:
    """An account or a stakeholder as a form offers it: what stays fixed between reads."""

    id: int
    name: str


def choices(rows: Iterable[Named]) -> tuple[Choice, ...]:
    return tuple(Choice(row.id, row.name) for row in rows)


class ReadCache:
    """Values kept under the data version they were read at, the least recently used
    dropped beyond `most`. Values are shared between threads: keep them immutable."""

    def __init__(self, most: int = 512):
        self.most = most
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._version: int | None = None

    def get(self, session: Session, key: Hashable, read: Callable[[], T]) -> T:
        if session.new or session.dirty or session.deleted:
            session.flush()  # what it is about to write counts as written
        connection = session.connection()
        if connection.info.get(WROTE_KEPT):
            return read()  # this transaction changed what is kept: only it sees the change
        # Read once per transaction: a session may outlive its commit.
        transaction = session.get_transaction()
        known = session.info.get(_VERSION)
        if known is not None and known[0] is transaction:
            version = known[1]
        else:
            # On the session's connection: the ORM's execute costs twice the read itself.
            version = connection.execute(_READ_VERSION).scalar_one()
            session.info[_VERSION] = (transaction, version)
        with self._lock:
            if version != self._version:
                self._kept.clear()
                self._version = version
            elif key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]  # type: ignore[return-value]
        value = read()
        with self._lock:
            if version == self._version:
                self._kept[key] = value
                if len(self._kept) > self.most:
                    self._kept.popitem(last=False)
        return value
