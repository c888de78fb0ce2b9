"""Accounts and people for end-to-end tests, written through the domain services."""

from sambot.accounts import service as accounts
from sambot.stakeholders import service as stakeholders
from sambot.workspaces import service as workspaces
from tests.slack.conftest import ACME_CHANNEL, DANA


def acme(db, *, channel: str | None = ACME_CHANNEL, owner: str = DANA):
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        account = accounts.create(
            session,
            workspace_id=workspace.id,
            data={"name": "Acme", "owner_id": owner, "channel_id": channel},
        )
        stakeholders.create(
            session,
            workspace_id=workspace.id,
            account_id=account.id,
            data={"name": "Walter Boss", "role": "economic_buyer", "power": 5},
        )
        return account.id
