"""What `sambot workspace list|purge|new-key|rotate-key` do."""

from collections.abc import Callable

from sambot.config import Settings
from sambot.db import Database
from sambot.installs import service

Echo = Callable[[str], None]


def workspace_list(settings: Settings, *, out: Echo = print) -> int:
    from sqlalchemy import select

    from sambot.workspaces.models import Workspace

    database = Database(settings.database_url)
    try:
        with database.session() as db:
            rows = db.scalars(select(Workspace).order_by(Workspace.id)).all()
    finally:
        database.dispose()
    for w in rows:
        state = f"uninstalled {w.uninstalled_at:%Y-%m-%d}" if w.uninstalled_at else "installed"
        org = f" (org {w.enterprise_id})" if w.enterprise_id else ""
        out(f"{w.team_id}  {w.name or '-'}{org}  {state}")
    if not rows:
        out("No workspace yet.")
    return 0


def workspace_purge(
    settings: Settings,
    *,
    team: str | None = None,
    now: bool = False,
    apply: bool = False,
    out: Echo = print,
) -> int:
    """A dry run unless `apply`: what would be deleted, per table."""
    database = Database(settings.database_url)
    try:
        chosen = service.purgeable(
            database, retention_days=settings.sambot_retention_days, team_id=team, at_once=now
        )
        if team and not chosen:
            out(
                f"No workspace {team} to purge: it is unknown, or still installed and not past "
                f"its {settings.sambot_retention_days} days (add --now to purge it at once)."
            )
            return 1
        result = service.purge(database, chosen, dry_run=not apply)
    finally:
        database.dispose()
    if not apply and chosen:
        out("Dry run: nothing deleted. These rows would be (again with --apply to delete):")
    elif chosen:
        out("Deleted:")
    for line in result.lines():
        out(line)
    return 0


def new_key(out: Echo = print) -> int:
    from cryptography.fernet import Fernet

    out(Fernet.generate_key().decode())
    return 0


def rotate_key(settings: Settings, *, out: Echo = print) -> int:
    from sambot.slack.install import installation_store

    if not settings.sambot_encryption_key:
        out("sambot: SAMBOT_ENCRYPTION_KEY is not set: nothing to encrypt with")
        return 2
    database = Database(settings.database_url)
    try:
        rows = installation_store(settings, database).rotate_keys()
    finally:
        database.dispose()
    out(f"{rows} installation rows encrypted with the first key.")
    return 0
