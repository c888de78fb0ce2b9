"""Importing accounts from a portfolio CSV: plan every row, then write the good ones.

- Accounts are matched by name, whatever its case: a re-import updates them, never
  duplicates them. A name twice in one file is an error on its second row.
- A blank cell (or a missing column) keeps what is stored; an import never erases a value.
- A new account with no tier is `other`: the Pareto analysis then says which to make
  strategic. With no owner, the person importing owns it (when there is one).
- Each row is checked whole before anything is written, so a row goes in entirely or not
  at all; bad rows are reported (row, column, reason) and the good ones still go in,
  unless `all_or_nothing`. `dry_run` plans and writes nothing.
- Every good row also records the account's figures as its snapshot for the period.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.accounts.schemas import AccountCreate
from sambot.portfolio.models import AccountSnapshot
from sambot.portfolio.sheet import COLUMNS, Sheet
from sambot.validation import InvalidInput, validate

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The account fields an import writes, in the order changes are listed.
FIELDS = (
    "annual_revenue",
    "gross_margin",
    "potential_revenue",
    "currency",
    "industry",
    "tier",
    "owner_id",
    "channel_id",
)
# A schema field -> the column it comes from.
COLUMN_OF = {"owner_id": "owner", "channel_id": "channel"}


class Unresolved(Exception):
    """An owner email or channel name that could not be resolved; the message says why."""


@dataclass
class Directory:
    """Finds Slack ids for the emails and #names a file gives; each raises Unresolved."""

    user_by_email: Callable[[str], str]
    channel_by_name: Callable[[str], str]


def _offline(what: str, prefix: str):
    def refuse(value: str) -> str:
        raise Unresolved(
            f"Without a Slack connection, give the {what} id instead of {prefix}{value}."
        )

    return refuse


OFFLINE = Directory(_offline("Slack user", ""), _offline("channel", "#"))


@dataclass(frozen=True)
class RowError:
    column: str
    reason: str


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


@dataclass
class RowResult:
    row: int
    name: str
    outcome: Literal["create", "update", "unchanged", "error"]
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    period: str
    dry_run: bool
    all_or_nothing: bool
    unknown_columns: list[str]
    rows: list[RowResult]
    written: bool = False  # False for a dry run, or all-or-nothing with bad rows

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def bad_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == "error"]


def _cell_errors(exc: InvalidInput, sheet: Sheet) -> list[RowError]:
    errors = []
    for name, reason in exc.errors.items():
        column = COLUMN_OF.get(name, name)
        errors.append(RowError(sheet.headers.get(column, COLUMNS.get(column, column)), reason))
    return errors


def _stored(account: Account) -> dict:
    return {"name": account.name, **{name: getattr(account, name) for name in FIELDS}}


class _Planner:
    """Plans the rows of one sheet against the stored accounts, with lookups cached."""

    def __init__(
        self,
        sheet: Sheet,
        existing: list[Account],
        directory: Directory,
        default_owner: str | None,
    ):
        self.sheet = sheet
        self.directory = directory
        self.default_owner = default_owner
        self.by_name = {account.name.lower(): account for account in existing}
        # Channel -> the lowercased name of the account it is (or will be) linked to.
        self.channels = {a.channel_id: a.name.lower() for a in existing if a.channel_id}
        self.rows_of_name: dict[str, int] = {}
        self.display = {key: account.name for key, account in self.by_name.items()}
        self._emails: dict[str, str | Unresolved] = {}
        self._channel_names: dict[str, str | Unresolved] = {}

    def _cached(self, cache: dict, key: str, lookup: Callable[[str], str]) -> str:
        if key not in cache:
            try:
                cache[key] = lookup(key)
            except Unresolved as exc:
                cache[key] = exc
        found = cache[key]
        if isinstance(found, Unresolved):
            raise found
        return found

    def _owner(self, text: str) -> str:
        if USER_ID.match(text):
            return text
        if "@" in text and " " not in text:
            return self._cached(self._emails, text.lower(), self.directory.user_by_email)
        raise Unresolved("Give a Slack user id (U…) or the person's email.")

    def _channel(self, text: str) -> str:
        if CHANNEL_ID.match(text):
            return text
        if text.startswith("#") and len(text) > 1:
            return self._cached(
                self._channel_names, text[1:].lower(), self.directory.channel_by_name
            )
        raise Unresolved("Give a channel id (C…) or its name as #name.")

    def plan(self, number: int, cells: dict[str, str]) -> tuple[RowResult, dict | None]:
        """The row's result, and the account's fields after the import (None: an error)."""
        name = " ".join(cells.get("name", "").split())
        result = RowResult(number, name, "error")
        column = self.sheet.headers.get
        if not name:
            result.errors.append(RowError(column("name"), "An account needs a name."))
            return result, None
        key = name.lower()
        if key in self.rows_of_name:
            first = self.rows_of_name[key]
            result.errors.append(
                RowError(column("name"), f"{name} is already on row {first}; once per file.")
            )
            return result, None
        self.rows_of_name[key] = number
        self.display.setdefault(key, name)
        existing = self.by_name.get(key)
        given = {k: v for k, v in cells.items() if k in COLUMNS and k != "name"}
        for text_field, resolve, target in (
            ("owner", self._owner, "owner_id"),
            ("channel", self._channel, "channel_id"),
        ):
            if text_field in given:
                try:
                    given[target] = resolve(given.pop(text_field))
                except Unresolved as exc:
                    result.errors.append(RowError(column(text_field), str(exc)))
        if "tier" in given:
            given["tier"] = given["tier"].lower()
        if existing is None:
            given.setdefault("tier", Tier.OTHER)
            if "owner" not in cells and self.default_owner:
                given["owner_id"] = self.default_owner
            elif "owner" not in cells:
                result.errors.append(
                    RowError(
                        column("owner", COLUMNS["owner"]),
                        "A new account needs an owner (a Slack user id or an email).",
                    )
                )
            merged = {"name": name, **given}
        else:
            merged = {**_stored(existing), **given}
        try:
            fields = validate(AccountCreate, merged).model_dump()
        except InvalidInput as exc:
            # A cell already refused (an unknown email) is not reported twice.
            refused = {error.column for error in result.errors}
            result.errors.extend(
                e for e in _cell_errors(exc, self.sheet) if e.column not in refused
            )
        if result.errors:
            return result, None
        channel = fields["channel_id"]
        if channel and self.channels.get(channel, key) != key:
            holder = self.display[self.channels[channel]]
            result.errors.append(
                RowError(column("channel"), f"That channel is already linked to {holder}.")
            )
            return result, None
        if channel:
            if existing is not None and existing.channel_id and existing.channel_id != channel:
                self.channels.pop(existing.channel_id, None)
            self.channels[channel] = key
        if existing is None:
            result.outcome = "create"
            result.changes = [Change(f, None, fields[f]) for f in FIELDS if fields[f] is not None]
        else:
            result.name = existing.name
            stored = _stored(existing)
            result.changes = [
                Change(f, stored[f], fields[f]) for f in FIELDS if stored[f] != fields[f]
            ]
            result.outcome = "update" if result.changes else "unchanged"
        return result, fields


def import_accounts(
    db: Session,
    *,
    workspace_id: int,
    sheet: Sheet,
    period: str,
    directory: Directory = OFFLINE,
    default_owner: str | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
) -> ImportReport:
    """Plan every row of `sheet`, then write the good ones (see the module docstring)."""
    if not PERIOD.match(period):
        raise InvalidInput({"period": "Give the period as YYYY-MM."})
    existing = list(db.scalars(select(Account).where(Account.workspace_id == workspace_id)))
    planner = _Planner(sheet, existing, directory, default_owner)
    report = ImportReport(period, dry_run, all_or_nothing, sheet.unknown_columns, [])
    planned: list[tuple[RowResult, dict]] = []
    for number, cells in sheet.rows:
        result, fields = planner.plan(number, cells)
        report.rows.append(result)
        if fields is not None:
            planned.append((result, fields))
    if dry_run or (all_or_nothing and report.bad_rows):
        return report
    _write(db, workspace_id=workspace_id, period=period, planned=planned, by_name=planner.by_name)
    report.written = True
    return report


def _write(
    db: Session,
    *,
    workspace_id: int,
    period: str,
    planned: list[tuple[RowResult, dict]],
    by_name: dict[str, Account],
) -> None:
    imported: list[Account] = []
    # Channels change hands in one flush; unlink first so no moment has two links.
    for result, _ in planned:
        moved = any(change.field == "channel_id" for change in result.changes)
        if result.outcome == "update" and moved:
            by_name[result.name.lower()].channel_id = None
    db.flush()
    for result, fields in planned:
        account = by_name.get(result.name.lower())
        if account is None:
            account = Account(workspace_id=workspace_id, **fields)
            account.team.append(
                TeamMember(
                    workspace_id=workspace_id, user_id=fields["owner_id"], role=TeamRole.OWNER
                )
            )
            db.add(account)
        elif result.outcome == "update":
            for change in result.changes:
                if change.field == "owner_id":
                    continue
                setattr(account, change.field, change.new)
                if change.field == "channel_id":
                    account.channel_unavailable_at = None
                    account.channel_shared_with_client = False
        imported.append(account)
    db.flush()
    for result, _ in planned:
        owner = next((c.new for c in result.changes if c.field == "owner_id"), None)
        if result.outcome == "update" and owner is not None:
            account = by_name[result.name.lower()]
            accounts.set_team_member(
                db,
                workspace_id=workspace_id,
                account_id=account.id,
                data={"user_id": owner, "role": TeamRole.OWNER},
            )
    record_snapshots(db, workspace_id=workspace_id, period=period, of=imported)


def record_snapshots(
    db: Session, *, workspace_id: int, period: str, of: list[Account]
) -> list[AccountSnapshot]:
    """Each account's figures as its snapshot for `period`, replacing that period's."""
    ids = [account.id for account in of]
    known: dict[int, AccountSnapshot] = {}
    for chunk in range(0, len(ids), 5000):  # stay under the databases' parameter limits
        known.update(
            (snapshot.account_id, snapshot)
            for snapshot in db.scalars(
                select(AccountSnapshot).where(
                    AccountSnapshot.period == period,
                    AccountSnapshot.account_id.in_(ids[chunk : chunk + 5000]),
                )
            )
        )
    snapshots = []
    for account in of:
        snapshot = known.get(account.id)
        if snapshot is None:
            snapshot = AccountSnapshot(
                workspace_id=workspace_id, account_id=account.id, period=period
            )
            db.add(snapshot)
        snapshot.annual_revenue = account.annual_revenue
        snapshot.gross_margin = account.gross_margin
        snapshot.potential_revenue = account.potential_revenue
        snapshot.currency = account.currency
        snapshots.append(snapshot)
    db.flush()
    return snapshots


def snapshots_of(db: Session, *, account_id: int) -> list[AccountSnapshot]:
    """An account's snapshots, oldest period first."""
    return list(
        db.scalars(
            select(AccountSnapshot)
            .where(AccountSnapshot.account_id == account_id)
            .order_by(AccountSnapshot.period)
        )
    )


def describe(value: object) -> str:
    """A value as a change list shows it: amounts with thousands separators."""
    if value is None:
        return "(blank)"
    if isinstance(value, Decimal):
        return f"{value:,.2f}".removesuffix(".00")
    return str(value)
