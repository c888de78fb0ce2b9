"""Reads that forms repeat every time they open, kept in each process while the data
version stays the same.

A touchpoint form lists the accounts the user may see and the account's stakeholders: the
same few reads on every open, and a third of a served `/touchpoint`'s CPU
(bench/README.md). Every commit that writes accounts, team members or stakeholders raises
the data version in its own transaction (`sambot.db.raise_data_version_on_commit`). A
transaction reads that number once (a primary-key read); what was kept under another
number is dropped. So a change made in any process is seen by the next form opened in
every other.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Connection, select
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
    dropped beyond `most`. Values are shared between threads: keep them immutable.

    A value is read from a session, or from a bare connection (`Database.reading`), where
    a session is made only when a value must be read: a form that finds all it lists kept
    opens no session at all."""

    def __init__(self, most: int = 512):
        self.most = most
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._version: int | None = None

    def get(self, reader: Session | Connection, key: Hashable, read: Callable[[Session], T]) -> T:
        if isinstance(reader, Session):
            if reader.new or reader.dirty or reader.deleted:
                reader.flush()  # what it is about to write counts as written
            connection = reader.connection()
        else:
            connection = reader
        if connection.info.get(WROTE_KEPT):
            # This transaction changed what is kept: only it sees the change.
            with session_on(reader) as session:
                return read(session)
        version = _version_seen_by(connection)
        with self._lock:
            if version != self._version:
                self._kept.clear()
                self._version = version
            elif key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]  # type: ignore[return-value]
        with session_on(reader) as session:
            value = read(session)
        with self._lock:
            if version == self._version:
                self._kept[key] = value
                if len(self._kept) > self.most:
                    self._kept.popitem(last=False)
        return value


def _version_seen_by(connection: Connection) -> int:
    """The data version, read once per transaction: a session or a connection may outlive
    its commit."""
    transaction = connection.get_transaction()
    known = connection.info.get(_VERSION)
    if transaction is not None and known is not None and known[0]() is transaction:
        return known[1]
    # A primary-key read, on the connection: the ORM's execute costs twice the read itself.
    version = connection.execute(_READ_VERSION).scalar_one()
    connection.info[_VERSION] = (weakref.ref(connection.get_transaction()), version)
    return version


@contextmanager
def session_on(reader: Session | Connection) -> Iterator[Session]:
    """The session itself, or a short one on the bare connection, which joins the
    connection's transaction and leaves it as it was."""
    if isinstance(reader, Session):
        yield reader
        return
    with Session(bind=reader) as session:
        yield session
