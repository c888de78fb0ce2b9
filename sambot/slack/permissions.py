"""The edit policy and private accounts, applied to a Slack user: one helper for every listener.

The database answers first (is the user on the account's team?); only when that is not
enough is the user's admin status asked of Slack (users.info, cached like time zones).
"""

from collections.abc import Collection

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from sambot.accounts.models import Account
from sambot.accounts.permissions import (
    NotAllowed,
    Viewer,
    hides_accounts_from,
    may_change,
    may_see,
    policy_named,
    who_may_change,
)
from sambot.slack.context import Interaction
from sambot.slack.text import escape
from sambot.workspaces import service as workspaces

SETTINGS_REFUSED = "Only workspace admins and owners can change sambot's settings: ask one of them."


def require_change(
    interaction: Interaction,
    session: Session,
    account: Account,
    what: str,
    *,
    also: Collection[str] = (),
    team_only: bool = False,
) -> None:
    """Refuse (NotAllowed, shown to the user alone) unless the user may change the account.

    `what` names the change for the refusal ("its actions"); `also` names people allowed
    whatever the policy (an action's owner, for its status). `team_only`: the team and
    admins only, even when the policy is open (who may see the account is theirs to say).
    """
    policy = policy_named(workspaces.edit_policy(session, workspace_id=account.workspace_id))
    team = {member.user_id for member in account.team}

    def allowed(is_admin: bool) -> bool:
        return may_change(
            policy,
            user_id=interaction.user_id,
            owner_id=account.owner_id,
            team=team,
            is_admin=is_admin,
            private=account.private or team_only,
            also=also,
        )

    if allowed(is_admin=False) or allowed(is_admin=interaction.is_admin):
        return
    who = who_may_change(policy, escape(account.name))
    raise NotAllowed(f"Only {who} can change {what}: ask <@{account.owner_id}>.")


def require_admin(interaction: Interaction) -> None:
    if not interaction.is_admin:
        raise NotAllowed(SETTINGS_REFUSED)


def viewer(interaction: Interaction, reader: Session | Connection) -> Viewer:
    """The user as a viewer of account lists. Slack is asked whether they are an admin only
    when a private account would otherwise be hidden from them."""
    user_id, workspace_id = interaction.user_id, interaction.workspace.id
    hidden = interaction.sam.reads.get(
        reader,
        ("hides accounts from", workspace_id, user_id),
        lambda session: hides_accounts_from(session, workspace_id=workspace_id, user_id=user_id),
    )
    return Viewer(user_id, is_admin=hidden and interaction.is_admin)


def can_see(interaction: Interaction, account: Account) -> bool:
    """May the user see the account (a private one: its team and admins)?"""
    team = {member.user_id for member in account.team}
    user_id = interaction.user_id
    if may_see(private=account.private, user_id=user_id, team=team, is_admin=False):
        return True
    return may_see(private=True, user_id=user_id, team=team, is_admin=interaction.is_admin)
