"""Who may change an account, and who may see a private one.

The workspace's edit policy decides who may change an account's plan, stakeholders,
objectives, actions and the account itself; workspace admins always may. Logging a
touchpoint is open to everyone and is not decided here. Jobs, the CLI and imports are the
system, not a person, and are not subject to the policy.
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, exists, or_, select, true

from sambot.accounts.models import Account, TeamMember
from sambot.validation import DomainError


class EditPolicy(StrEnum):
    OPEN = "open"  # anyone in the workspace
    TEAM = "team"  # the account team (owner and members), and admins
    OWNER = "owner"  # the account owner, and admins


DEFAULT_POLICY = EditPolicy.TEAM

POLICY_LABELS = {
    EditPolicy.OPEN: "Open: anyone in the workspace",
    EditPolicy.TEAM: "Team only: the account team and workspace admins",
    EditPolicy.OWNER: "Owner only: the account owner and workspace admins",
}


def policy_named(word: str | None) -> EditPolicy:
    """The policy a stored or typed word names; an unknown one reads as the default."""
    try:
        return EditPolicy((word or "").strip().lower())
    except ValueError:
        return DEFAULT_POLICY


def may_change(
    policy: EditPolicy,
    *,
    user_id: str,
    owner_id: str,
    team: Collection[str],
    is_admin: bool,
    private: bool = False,
    also: Collection[str] = (),
) -> bool:
    """May the user change the account (owned by `owner_id`, with `team` on it)?

    `also` names people allowed whatever the policy (an action's own owner, for its status).
    A private account is its team's alone, even when the policy is open.
    """
    if is_admin or user_id in also:
        return True
    if policy == EditPolicy.OPEN and not private:
        return True
    if policy == EditPolicy.OWNER:
        return user_id == owner_id
    return user_id == owner_id or user_id in team


def may_see(*, private: bool, user_id: str, team: Collection[str], is_admin: bool) -> bool:
    """A private account is seen by its team and admins only; the others by everyone."""
    return not private or is_admin or user_id in team


def who_may_change(policy: EditPolicy, account_name: str) -> str:
    """Who the policy lets change the account, for a refusal: "Acme's account team or ..."."""
    if policy == EditPolicy.OWNER:
        return f"{account_name}'s owner or a workspace admin"
    return f"{account_name}'s account team or a workspace admin"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a list of accounts. `user_id` None: nobody in particular (a post
    in a shared channel), who sees public accounts only."""

    user_id: str | None
    is_admin: bool = False


def visible_to(viewer: Viewer | None) -> ColumnElement[bool]:
    """A filter on accounts: those the viewer may see. None is the system: every account."""
    if viewer is None or viewer.is_admin:
        return true()
    if viewer.user_id is None:
        return Account.private.is_(False)
    on_team = exists().where(
        TeamMember.account_id == Account.id, TeamMember.user_id == viewer.user_id
    )
    return or_(Account.private.is_(False), on_team)


def hides_accounts_from(db, *, workspace_id: int, user_id: str) -> bool:
    """Are there private accounts the user is not on the team of? Only then does it matter
    whether they are an admin (a Slack lookup)."""
    return bool(
        db.scalar(
            select(
                exists().where(
                    Account.workspace_id == workspace_id,
                    ~visible_to(Viewer(user_id)),
                )
            )
        )
    )


class NotAllowed(DomainError):
    """A change the edit policy refuses; its message says who may make it."""
