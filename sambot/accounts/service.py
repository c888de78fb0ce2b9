"""Accounts and their teams: plain keyword-only functions over a session."""

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sambot.accounts.models import Account, TeamMember, TeamRole
from sambot.accounts.permissions import Viewer, visible_to
from sambot.accounts.schemas import AccountCreate, AccountUpdate, TeamMemberSet
from sambot.validation import InvalidInput, NotFound, validate


def get(db: Session, *, workspace_id: int, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None or account.workspace_id != workspace_id:
        raise NotFound("That account does not exist.")
    return account


def find_by_name(db: Session, *, workspace_id: int, name: str) -> Account | None:
    return db.scalar(
        select(Account).where(
            Account.workspace_id == workspace_id, func.lower(Account.name) == name.strip().lower()
        )
    )


def get_by_channel(
    db: Session, *, workspace_id: int, channel_id: str, include_archived: bool = False
) -> Account | None:
    query = select(Account).where(
        Account.workspace_id == workspace_id, Account.channel_id == channel_id
    )
    if not include_archived:
        query = query.where(Account.archived.is_(False))
    return db.scalar(query)


def list_accounts(
    db: Session,
    *,
    workspace_id: int,
    include_archived: bool = False,
    limit: int | None = None,
    viewer: Viewer | None = None,
) -> list[Account]:
    """The workspace's accounts; with a viewer, only those they may see (private ones)."""
    query = select(Account).where(Account.workspace_id == workspace_id, visible_to(viewer))
    if not include_archived:
        query = query.where(Account.archived.is_(False))
    return list(db.scalars(query.order_by(func.lower(Account.name)).limit(limit)))


def accounts_of_member(db: Session, *, workspace_id: int, user_id: str) -> list[Account]:
    """The accounts whose team the user is on."""
    return list(
        db.scalars(
            select(Account)
            .join(TeamMember, TeamMember.account_id == Account.id)
            .where(
                Account.workspace_id == workspace_id,
                Account.archived.is_(False),
                TeamMember.user_id == user_id,
            )
            .order_by(func.lower(Account.name))
        )
    )


def count_accounts(db: Session, *, workspace_id: int, viewer: Viewer | None = None) -> int:
    return db.scalar(
        select(func.count())
        .select_from(Account)
        .where(
            Account.workspace_id == workspace_id,
            Account.archived.is_(False),
            visible_to(viewer),
        )
    )


def closest_names(
    db: Session, *, workspace_id: int, name: str, limit: int = 3, viewer: Viewer | None = None
) -> list[str]:
    every = list_accounts(db, workspace_id=workspace_id, viewer=viewer)
    names = [account.name for account in every]
    by_lower = {candidate.lower(): candidate for candidate in names}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.5)
    return [by_lower[match] for match in matches]


def _check_unique(
    db: Session,
    *,
    workspace_id: int,
    name: str | None,
    channel_id: str | None,
    account_id: int | None = None,
) -> None:
    errors = {}
    if name is not None:
        same_name = find_by_name(db, workspace_id=workspace_id, name=name)
        if same_name is not None and same_name.id != account_id:
            errors["name"] = f"An account named {same_name.name} already exists."
    if channel_id is not None:
        linked = db.scalar(
            select(Account).where(
                Account.workspace_id == workspace_id, Account.channel_id == channel_id
            )
        )
        if linked is not None and linked.id != account_id:
            errors["channel_id"] = f"That channel is already linked to {linked.name}."
    if errors:
        raise InvalidInput(errors)


def _flush_unique(db: Session, **unique) -> None:
    """Flush; when a concurrent write won the race past `_check_unique`, name its field.

    The unique indexes decide; the winner is committed by the time the database refuses,
    so a fresh session's check finds it and explains which field clashed.
    """
    try:
        db.flush()
    except IntegrityError:
        with Session(db.get_bind()) as fresh:
            _check_unique(fresh, **unique)
        raise


def create(db: Session, *, workspace_id: int, data: Mapping[str, Any] | AccountCreate) -> Account:
    fields = validate(AccountCreate, data if isinstance(data, Mapping) else data.model_dump())
    unique = {"workspace_id": workspace_id, "name": fields.name, "channel_id": fields.channel_id}
    _check_unique(db, **unique)
    account = Account(workspace_id=workspace_id, **fields.model_dump())
    account.team.append(
        TeamMember(workspace_id=workspace_id, user_id=fields.owner_id, role=TeamRole.OWNER)
    )
    db.add(account)
    _flush_unique(db, **unique)
    return account


def update(db: Session, *, workspace_id: int, account_id: int, data: Mapping[str, Any]) -> Account:
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    fields = validate(AccountUpdate, data).model_dump(exclude_unset=True)
    unique = {
        "workspace_id": workspace_id,
        "name": fields.get("name"),
        "channel_id": fields.get("channel_id"),
        "account_id": account.id,
    }
    _check_unique(db, **unique)
    new_owner_id = fields.pop("owner_id", None)
    for key, value in fields.items():
        if value is None and key in ("name", "tier", "currency"):
            continue  # required: left empty in a form, it keeps its value
        setattr(account, key, value)
    if new_owner_id is not None and new_owner_id != account.owner_id:
        set_team_member(
            db,
            workspace_id=workspace_id,
            account_id=account.id,
            data={"user_id": new_owner_id, "role": TeamRole.OWNER},
        )
    if "channel_id" in fields:
        # A new channel: usable again, and not known to be shared until Slack says so.
        account.channel_unavailable_at = None
        account.channel_shared_with_client = False
    _flush_unique(db, **unique)
    return account


def set_archived(db: Session, *, workspace_id: int, account_id: int, archived: bool) -> Account:
    """Archive (or bring back) an account: archived, it is out of lists and gets no
    scheduled posts; its history is kept, and unarchiving brings it all back."""
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    account.archived = archived
    db.flush()
    return account


def set_private(db: Session, *, workspace_id: int, account_id: int, private: bool) -> Account:
    """Make the account private (seen by its team and admins only), or public again."""
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    account.private = private
    db.flush()
    return account


def link_channel(db: Session, *, workspace_id: int, account_id: int, channel_id: str) -> Account:
    """Link a channel to an account; the channel's previous account, if any, is unlinked."""
    previous = get_by_channel(db, workspace_id=workspace_id, channel_id=channel_id)
    if previous is not None and previous.id != account_id:
        previous.channel_id = None
        db.flush()
    return update(
        db, workspace_id=workspace_id, account_id=account_id, data={"channel_id": channel_id}
    )


def set_channel_shared_with_client(
    db: Session, *, workspace_id: int, account_id: int, shared: bool
) -> Account:
    """Record whether the account's channel is shared with the client (Slack Connect)."""
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    account.channel_shared_with_client = shared
    db.flush()
    return account


def channel_back(db: Session, *, workspace_id: int, channel_id: str) -> Account | None:
    """The bot is back in the account's channel (invited, or the channel unarchived)."""
    account = db.scalar(
        select(Account).where(
            Account.workspace_id == workspace_id, Account.channel_id == channel_id
        )
    )
    if account is not None:
        account.channel_unavailable_at = None
        db.flush()
    return account


def set_team_member(
    db: Session, *, workspace_id: int, account_id: int, data: Mapping[str, Any]
) -> TeamMember:
    """Add someone to the account team, or change their role if they are on it."""
    fields = validate(TeamMemberSet, data)
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    member = next((m for m in account.team if m.user_id == fields.user_id), None)
    if member is None:
        member = TeamMember(workspace_id=workspace_id, user_id=fields.user_id, role=fields.role)
        account.team.append(member)
    else:
        member.role = fields.role
    if fields.role == TeamRole.OWNER and account.owner_id != fields.user_id:
        _hand_over_ownership(account, fields.user_id)
    db.flush()
    return member


def _hand_over_ownership(account: Account, new_owner_id: str) -> None:
    for member in account.team:
        if member.role == TeamRole.OWNER and member.user_id != new_owner_id:
            member.role = TeamRole.SALES
    account.owner_id = new_owner_id


def remove_team_member(db: Session, *, workspace_id: int, account_id: int, user_id: str) -> None:
    account = get(db, workspace_id=workspace_id, account_id=account_id)
    if user_id == account.owner_id:
        raise InvalidInput(
            {"user_id": "The account owner stays on the team; hand over ownership first."}
        )
    account.team[:] = [member for member in account.team if member.user_id != user_id]
    db.flush()


def accounts_of_members(
    db: Session, *, workspace_id: int, user_ids: Sequence[str]
) -> dict[str, list[Account]]:
    """The accounts whose team each user is on (`accounts_of_member` for several, at once)."""
    on_team: dict[str, list[Account]] = {user_id: [] for user_id in user_ids}
    if not on_team:
        return on_team
    rows = db.execute(
        select(TeamMember.user_id, Account)
        .join(TeamMember, TeamMember.account_id == Account.id)
        .where(
            Account.workspace_id == workspace_id,
            Account.archived.is_(False),
            TeamMember.user_id.in_(on_team),
        )
        .order_by(func.lower(Account.name))
    )
    for user_id, account in rows:
        on_team[user_id].append(account)
    return on_team
