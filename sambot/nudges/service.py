"""Which actions to nudge, and for whom.

An action is nudged while it is open and due (overdue in the account channel; overdue,
due today or tomorrow in its owner's digest), unless it is snoozed or was already nudged
today. Everything is read in batches: one query per batch of accounts or owners.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from sambot.accounts.models import Account
from sambot.actions.models import OPEN_STATUSES, Action

DEFAULT_ESCALATION_DAYS = 14
_UPDATE_CHUNK = 5000


@dataclass
class ChannelNudge:
    """One account's overdue actions, for its channel; the most late first."""

    account_id: int
    account_name: str
    channel_id: str
    account_owner_id: str
    actions: list[Action]
    # More than the escalation threshold late: the account owner is mentioned too.
    escalated: list[Action] = field(default_factory=list)


@dataclass
class OwnerDigest:
    """Everything one person should act on today, across accounts: (account name, action)."""

    owner_id: str
    overdue: list[tuple[str, Action]] = field(default_factory=list)
    due_today: list[tuple[str, Action]] = field(default_factory=list)
    due_tomorrow: list[tuple[str, Action]] = field(default_factory=list)

    @property
    def actions(self) -> list[Action]:
        return [action for _, action in self.overdue + self.due_today + self.due_tomorrow]


def _nudgeable(today: date, *, once_a_day: bool = True):
    conditions = [
        Action.status.in_(OPEN_STATUSES),
        Action.due_date.is_not(None),
        # Snoozing mutes nudges until the snooze ends; the due date stays.
        or_(Action.snoozed_until.is_(None), Action.snoozed_until <= today),
    ]
    if once_a_day:
        # At most one channel nudge a day. An owner's digest needs no such mark: its
        # delivery record (one per person and day) already allows one.
        conditions.append(or_(Action.last_nudged_on.is_(None), Action.last_nudged_on < today))
    return and_(*conditions)


def _seen_in_channel():
    """A channel shared with the client sees only the actions shared with the client."""
    return or_(Account.channel_shared_with_client.is_(False), Action.shared_with_client.is_(True))


def _live_account():
    return Account.archived.is_(False)


def _postable_account():
    return and_(
        _live_account(), Account.channel_id.is_not(None), Account.channel_unavailable_at.is_(None)
    )


def accounts_to_nudge(
    db: Session, *, workspace_id: int, today: date, account_id: int | None = None
) -> list[int]:
    """Accounts with a usable channel and something overdue to nudge, by id."""
    query = (
        select(Action.account_id)
        .join(Account, Account.id == Action.account_id)
        .where(
            Action.workspace_id == workspace_id,
            _postable_account(),
            _nudgeable(today),
            _seen_in_channel(),
            Action.due_date < today,
        )
        .distinct()
        .order_by(Action.account_id)
    )
    if account_id is not None:
        query = query.where(Action.account_id == account_id)
    return list(db.scalars(query))


def channel_nudges(
    db: Session,
    *,
    workspace_id: int,
    account_ids: Sequence[int],
    today: date,
    escalation_days: int = DEFAULT_ESCALATION_DAYS,
) -> list[ChannelNudge]:
    """The channel nudges of a batch of accounts, in two queries."""
    if not account_ids:
        return []
    accounts = db.execute(
        select(Account.id, Account.name, Account.channel_id, Account.owner_id).where(
            Account.workspace_id == workspace_id, Account.id.in_(account_ids), _postable_account()
        )
    ).all()
    overdue = db.scalars(
        select(Action)
        .join(Account, Account.id == Action.account_id)
        .where(
            Action.account_id.in_(account_ids),
            _nudgeable(today),
            _seen_in_channel(),
            Action.due_date < today,
        )
        .order_by(Action.account_id, Action.due_date, Action.id)
    )
    by_account: dict[int, list[Action]] = defaultdict(list)
    for action in overdue:
        by_account[action.account_id].append(action)
    nudges = []
    for account in sorted(accounts, key=lambda row: row.id):
        actions = by_account.get(account.id)
        if not actions:
            continue  # a channel with nothing overdue gets nothing
        nudges.append(
            ChannelNudge(
                account_id=account.id,
                account_name=account.name,
                channel_id=account.channel_id,
                account_owner_id=account.owner_id,
                actions=actions,
                escalated=[a for a in actions if a.days_late(today) > escalation_days],
            )
        )
    return nudges


def owners_to_nudge(db: Session, *, workspace_id: int, today: date) -> list[str]:
    """People with something overdue, due today or due tomorrow."""
    return list(
        db.scalars(
            select(Action.owner_id)
            .join(Account, Account.id == Action.account_id)
            .where(
                Action.workspace_id == workspace_id,
                _live_account(),
                _nudgeable(today, once_a_day=False),
                Action.due_date <= today + timedelta(days=1),
            )
            .distinct()
            .order_by(Action.owner_id)
        )
    )


def owner_digests(
    db: Session, *, workspace_id: int, owner_ids: Sequence[str], today: date
) -> list[OwnerDigest]:
    """The digests of a batch of owners, in one query."""
    if not owner_ids:
        return []
    tomorrow = today + timedelta(days=1)
    rows = db.execute(
        select(Action, Account.name)
        .join(Account, Account.id == Action.account_id)
        .where(
            Action.workspace_id == workspace_id,
            Action.owner_id.in_(owner_ids),
            _live_account(),
            _nudgeable(today, once_a_day=False),
            Action.due_date <= tomorrow,
        )
        .order_by(Action.owner_id, Action.due_date, Account.name, Action.id)
    ).all()
    digests: dict[str, OwnerDigest] = {}
    for action, account_name in rows:
        digest = digests.setdefault(action.owner_id, OwnerDigest(action.owner_id))
        if action.due_date < today:
            digest.overdue.append((account_name, action))
        elif action.due_date == today:
            digest.due_today.append((account_name, action))
        else:
            digest.due_tomorrow.append((account_name, action))
    return [digests[owner] for owner in owner_ids if owner in digests]


def mark_nudged(db: Session, *, action_ids: Iterable[int], today: date) -> None:
    ids = sorted(set(action_ids))
    for start in range(0, len(ids), _UPDATE_CHUNK):
        db.execute(
            update(Action)
            .where(Action.id.in_(ids[start : start + _UPDATE_CHUNK]))
            # A nudge is not a change to the action: updated_at keeps its value.
            .values(last_nudged_on=today, updated_at=Action.updated_at)
            .execution_options(synchronize_session=False)
        )
