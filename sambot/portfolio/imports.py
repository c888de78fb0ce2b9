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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.accounts.schemas import AccountCreate
from sambot.audit import context as audit_context
from sambot.audit import recorder as audit
from sambot.db import utcnow
from sambot.portfolio.models import AccountSnapshot
from sambot.portfolio.sheet import COLUMNS, Sheet
from sambot.validation import DomainError, InvalidInput, validate

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


def _stored(account) -> dict:
    return {"name": account.name, **{name: getattr(account, name) for name in FIELDS}}


def _stored_accounts(db: Session, workspace_id: int) -> list:
    """The workspace's accounts as plain rows: id, name and the fields an import writes
    (ORM objects for 10,000 accounts would cost more than the whole import)."""
    columns = [getattr(Account, name) for name in ("id", "name", *FIELDS)]
    return list(db.execute(select(*columns).where(Account.workspace_id == workspace_id)))


class _Planner:
    """Plans the rows of one sheet against the stored accounts, with lookups cached."""

    def __init__(
        self,
        sheet: Sheet,
        existing: list,
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
    existing = _stored_accounts(db, workspace_id)
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
    was = audit_context.current()
    try:
        # Audited as an import, by whoever runs it (from the CLI or Slack: the detail says).
        with audit_context.acting(audit_context.Source.IMPORT, was.actor, was.detail):
            _write(
                db,
                workspace_id=workspace_id,
                period=period,
                planned=planned,
                by_name=planner.by_name,
            )
    except IntegrityError:
        # Another import or edit created a name or linked a channel since the plan was made.
        raise DomainError(
            "Another change to these accounts happened while importing; nothing was "
            "written. Run the import again."
        ) from None
    report.written = True
    return report


def _write(
    db: Session,
    *,
    workspace_id: int,
    period: str,
    planned: list[tuple[RowResult, dict]],
    by_name: dict,
) -> None:
    """Bulk statements, not the ORM's unit of work: 10,000 rows in a few statements."""
    now = utcnow()
    creates = [fields for result, fields in planned if result.outcome == "create"]
    updates = [(by_name[r.name.lower()], r) for r, _ in planned if r.outcome == "update"]
    # Channels change hands within the import: unlink the moving ones first, so the
    # unique (workspace, channel) index never sees two links at once.
    moving = [
        {"id": row.id, "channel_id": None}
        for row, result in updates
        if any(change.field == "channel_id" for change in result.changes)
    ]
    if moving:
        db.execute(update(Account), moving)
    changed = []
    owners = []
    for row, result in updates:
        values = {"id": row.id, "updated_at": now}
        for change in result.changes:
            if change.field == "owner_id":
                owners.append((row.id, change.new))
                continue
            values[change.field] = change.new
            if change.field == "channel_id":
                values.update(channel_unavailable_at=None, channel_shared_with_client=False)
        changed.append(values)
    for chunk in _chunks(changed):
        db.execute(update(Account), chunk)
    ids = {row.name.lower(): row.id for row in by_name.values()}
    # Core statements: the ORM's bulk insert sends one INSERT per row to return the ids.
    connection = db.connection()
    accounts_table, members_table = Account.__table__, TeamMember.__table__
    for chunk in _chunks(creates):
        rows = [
            {
                **fields,
                "workspace_id": workspace_id,
                "channel_unavailable_at": None,
                "channel_shared_with_client": False,
                "archived": False,
                "created_at": now,
                "updated_at": now,
            }
            for fields in chunk
        ]
        connection.execute(accounts_table.insert(), rows)
        # The new ids, read back by name (faster than RETURNING in parameter order).
        names = [fields["name"] for fields in chunk]
        ids.update(
            (name.lower(), account_id)
            for account_id, name in connection.execute(
                select(accounts_table.c.id, accounts_table.c.name).where(
                    accounts_table.c.workspace_id == workspace_id,
                    accounts_table.c.name.in_(names),
                )
            )
        )
        connection.execute(
            members_table.insert(),
            [
                {
                    "workspace_id": workspace_id,
                    "account_id": ids[fields["name"].lower()],
                    "user_id": fields["owner_id"],
                    "role": TeamRole.OWNER,
                }
                for fields in chunk
            ],
        )
    for account_id, owner in owners:
        accounts.set_team_member(
            db,
            workspace_id=workspace_id,
            account_id=account_id,
            data={"user_id": owner, "role": TeamRole.OWNER},
        )
    # The bulk statements skip the unit of work: their audit events are written here.
    audit.record_many(
        db,
        [
            {
                "workspace_id": workspace_id,
                "account_id": ids[result.name.lower()],
                "entity": "account",
                "entity_id": ids[result.name.lower()],
                "label": fields["name"] if result.outcome == "create" else result.name,
                "operation": audit.CREATED if result.outcome == "create" else audit.UPDATED,
                "changes": ([("name", None, fields["name"])] if result.outcome == "create" else [])
                + [
                    (change.field, change.old, change.new)
                    for change in result.changes
                    # A new owner of an existing account goes through the ORM (audited there).
                    if result.outcome == "create" or change.field != "owner_id"
                ],
            }
            for result, fields in planned
            if result.outcome in ("create", "update")
        ],
    )
    figures = {
        ids[fields["name"].lower()]: {k: fields[k] for k in SNAPSHOT_FIELDS}
        for _, fields in planned
    }
    record_snapshots(db, workspace_id=workspace_id, period=period, figures=figures)
    db.flush()  # the ORM's changes (owners), audited while the import's context is set
    db.expire_all()  # the ORM's copies of what the bulk statements changed


SNAPSHOT_FIELDS = ("annual_revenue", "gross_margin", "potential_revenue", "currency")


def _chunks(rows: list, size: int = 2000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def record_snapshots(
    db: Session, *, workspace_id: int, period: str, figures: dict[int, dict]
) -> None:
    """Each account's figures (account id -> figures) as its snapshot for `period`,
    replacing that period's."""
    known: dict[int, tuple] = {}
    ids = list(figures)
    for chunk in _chunks(ids):
        columns = [AccountSnapshot.id, AccountSnapshot.account_id] + [
            getattr(AccountSnapshot, name) for name in SNAPSHOT_FIELDS
        ]
        for row in db.execute(
            select(*columns).where(
                AccountSnapshot.period == period, AccountSnapshot.account_id.in_(chunk)
            )
        ):
            known[row.account_id] = row
    now = utcnow()
    new, changed = [], []
    for account_id, values in figures.items():
        row = known.get(account_id)
        if row is None:
            new.append(
                {
                    "workspace_id": workspace_id,
                    "account_id": account_id,
                    "period": period,
                    "recorded_at": now,
                    **values,
                }
            )
        elif any(getattr(row, name) != value for name, value in values.items()):
            changed.append({"id": row.id, "recorded_at": now, **values})
    for chunk in _chunks(new):
        db.connection().execute(AccountSnapshot.__table__.insert(), chunk)
    for chunk in _chunks(changed):
        db.execute(update(AccountSnapshot), chunk)


def snapshots_of(db: Session, *, account_id: int) -> list[AccountSnapshot]:
    """An account's snapshots, oldest period first."""
    return list(
        db.scalars(
            select(AccountSnapshot)
            .where(AccountSnapshot.account_id == account_id)
            .order_by(AccountSnapshot.period)
        )
    )


@dataclass(frozen=True)
class SnapshotChange:
    """How an account's figures moved between its last two snapshots."""

    revenue: Decimal | None
    margin: Decimal | None


def changes_since_last_snapshot(
    db: Session, *, account_ids: Sequence[int]
) -> dict[int, SnapshotChange]:
    """Each account's latest snapshot against the one before it, in one query; accounts
    with fewer than two snapshots are left out."""
    if not account_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=AccountSnapshot.account_id, order_by=AccountSnapshot.period.desc())
        .label("rank")
    )
    latest = (
        select(
            AccountSnapshot.account_id,
            AccountSnapshot.annual_revenue,
            AccountSnapshot.gross_margin,
            rank,
        )
        .where(AccountSnapshot.account_id.in_(account_ids))
        .subquery()
    )
    pairs: dict[int, list] = {}
    for account_id, revenue, margin, _rank in db.execute(
        select(latest).where(latest.c.rank <= 2).order_by(latest.c.account_id, latest.c.rank)
    ):
        pairs.setdefault(account_id, []).append((revenue, margin))

    def moved(now: Decimal | None, before: Decimal | None) -> Decimal | None:
        return None if now is None or before is None else now - before

    return {
        account_id: SnapshotChange(moved(now[0], before[0]), moved(now[1], before[1]))
        for account_id, (now, before) in ((a, p) for a, p in pairs.items() if len(p) == 2)
    }


def describe(value: object) -> str:
    """A value as a change list shows it: amounts with thousands separators."""
    if value is None:
        return "(blank)"
    if isinstance(value, Decimal):
        return f"{value:,.2f}".removesuffix(".00")
    return str(value)
