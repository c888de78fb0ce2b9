from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.workspaces.models import Workspace


def get_by_team(db: Session, *, team_id: str) -> Workspace | None:
    return db.scalar(select(Workspace).where(Workspace.team_id == team_id))


def ensure(
    db: Session,
    *,
    team_id: str,
    timezone: str,
    name: str = "",
    enterprise_id: str | None = None,
) -> Workspace:
    """The workspace for a Slack team, created on first sight; its time zone kept as configured."""
    workspace = get_by_team(db, team_id=team_id)
    if workspace is not None and workspace.timezone != timezone:
        workspace.timezone = timezone
    if workspace is not None and enterprise_id and workspace.enterprise_id != enterprise_id:
        workspace.enterprise_id = enterprise_id
    if workspace is None:
        workspace = Workspace(
            team_id=team_id, name=name, timezone=timezone, enterprise_id=enterprise_id
        )
        db.add(workspace)
        db.flush()
    return workspace


def set_edit_policy(db: Session, *, workspace_id: int, policy: str) -> Workspace:
    """Who may change accounts here: "open", "team" or "owner" (sambot.accounts.permissions)."""
    workspace = db.get(Workspace, workspace_id)
    workspace.edit_policy = policy
    db.flush()
    return workspace


def edit_policy(db: Session, *, workspace_id: int) -> str:
    """Read fresh each time: another process may have changed it."""
    return db.scalar(select(Workspace.edit_policy).where(Workspace.id == workspace_id))
