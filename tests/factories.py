"""Small builders for domain rows, through the real services."""

from datetime import date

from sambot.accounts import service as accounts
from sambot.workspaces import service as workspaces

TEAM_ID = "T0001"


def workspace(session, timezone: str = "UTC"):
    return workspaces.ensure(session, team_id=TEAM_ID, timezone=timezone, name="Test")


def account(session, workspace_id: int, name: str = "Acme", **fields):
    data = {"name": name, "owner_id": "UOWNER", **fields}
    return accounts.create(session, workspace_id=workspace_id, data=data)


TODAY = date(2026, 11, 28)
