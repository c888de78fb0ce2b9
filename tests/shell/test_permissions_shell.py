"""Permissions in the local shell: @dana is the workspace admin, the others are not; @zoe,
created here, is on no account's team."""

from sqlalchemy import select

from sambot.db import Database
from sambot.workspaces.models import Workspace
from tests.shell.test_shell import run_session, steps
from tests.shell.test_shell import settings as settings


def stored_policy(settings) -> str:
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            return session.scalar(select(Workspace.edit_policy))
    finally:
        database.dispose()


def test_only_the_admin_changes_settings_and_the_policy_refuses_an_outsider(settings):
    script = [
        ":user @zoe",
        "/sam settings open",
        "/sam account edit",
        ":user @dana",
        "/sam settings owner",
        ":quit",
    ]
    code, transcript = run_session(settings, script)
    assert code == 0
    _, shown = steps(transcript)
    said = dict(shown)
    assert (
        "Only workspace admins and owners can change sambot's settings"
        in said["/sam settings open"]
    )
    assert "account team or a workspace admin can change the account" in said["/sam account edit"]
    assert "Owner only: the account owner and workspace admins" in said["/sam settings owner"]
    assert stored_policy(settings) == "owner"
