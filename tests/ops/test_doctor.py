"""`sambot doctor` against the Slack stand-in: what is wrong, and what to do about it."""

import pytest

from sambot.config import load_settings
from sambot.db import Database
from sambot.localslack.server import SlackStandIn
from sambot.ops.doctor import diagnose, report
from sambot.slack.client import build_web_client
from sambot.slack.manifest import BOT_SCOPES
from tests.jobs.builders import make_account, make_workspace

TOKEN = "xoxb-doctor"


@pytest.fixture
def standin():
    with SlackStandIn(bot_token=TOKEN) as server:
        yield server


def settings_for(db, standin, **overrides):
    return load_settings(
        **{
            "slack_bot_token": TOKEN,
            "slack_signing_secret": "secret-for-the-doctor",
            "slack_api_url": standin.base_url,
            "database_url": db.url,
            **overrides,
        }
    )


def run_doctor(db, standin, client=None, **overrides) -> tuple[int, list[str]]:
    lines: list[str] = []
    client = client or build_web_client(TOKEN, standin.base_url, max_retries=0)
    code = report(diagnose(settings_for(db, standin, **overrides), db, client), lines.append)
    return code, lines


def test_a_healthy_installation_is_all_good(db, standin):
    standin.scopes = list(BOT_SCOPES)
    workspace_id = make_workspace(db)
    make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    code, lines = run_doctor(db, standin)
    assert code == 0, lines
    assert lines == [
        "ok  configuration: complete (HTTP)",
        "ok  database: reachable, schema up to date",
        "ok  token: the bot sambot in Local Slack",
        f"ok  scopes: all {len(BOT_SCOPES)} the manifest asks for",
        "ok  channels: all 1 linked channels have the bot",
        "all good",
    ]


def test_each_problem_is_named_with_its_fix(db, standin):
    standin.scopes = [s for s in BOT_SCOPES if s != "im:history"]
    workspace_id = make_workspace(db)
    make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    make_account(db, workspace_id, "Globex", channel="CGONE")
    make_account(db, workspace_id, "Initech", channel="COLD", standin=standin)
    standin.add_channel("COLD", "initech", is_archived=True)
    make_account(db, workspace_id, "Umbrella", channel="CLEFT", standin=standin)
    standin.add_channel("CLEFT", "umbrella", bot_is_member=False)
    code, lines = run_doctor(db, standin)
    assert code == 1
    text = "\n".join(lines)
    assert "FIX scopes: missing im:history\n    -> update the app from `sambot manifest`" in text
    assert "FIX channel of Globex (<#CGONE>): channel_not_found" in text
    assert "`/sam link Globex` there" in text
    assert "FIX channel of Initech (#initech): archived" in text
    assert "FIX channel of Umbrella (#umbrella): the bot is not a member" in text
    assert "`/invite @sambot` in #umbrella" in text
    assert lines[-1] == "4 to fix"


def test_a_refused_token_and_a_database_behind_are_told(db, standin, tmp_path):
    behind = Database(f"sqlite:///{tmp_path / 'behind.db'}")
    try:
        bad = build_web_client("xoxb-revoked", standin.base_url, max_retries=0)
        lines: list[str] = []
        code = report(diagnose(settings_for(db, standin), behind, bad), lines.append)
    finally:
        behind.dispose()
    assert code == 1
    assert lines[1].startswith("FIX database: database at revision None")
    assert "    -> check DATABASE_URL, then `sambot db upgrade`" in lines
    assert "FIX token: Slack refused it (invalid_auth)" in lines


def test_the_command_prints_the_findings_and_exits_1_when_something_is_to_fix(
    db, standin, tmp_path
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    workspace_id = make_workspace(db)
    make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "secret-for-the-doctor",
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": db.url,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "sambot", "doctor"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # The stand-in tells no scopes unless asked: that is the one thing to fix.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FIX scopes: Slack did not say which scopes the token has" in done.stdout
    assert done.stdout.splitlines()[-1] == "1 to fix"


def test_an_oauth_install_checks_each_installed_workspace_with_its_own_token(db, standin):
    """No SLACK_BOT_TOKEN: each installed workspace's token, scopes and channels on their own;
    an uninstalled workspace is not checked."""
    from datetime import UTC, datetime

    from slack_sdk.oauth.installation_store import Installation

    from sambot.accounts.models import Account
    from sambot.installs.clients import WorkspaceClients
    from sambot.installs.store import InstallationStore, TokenCipher
    from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
    from sambot.workspaces.models import Workspace

    standin.scopes = list(BOT_SCOPES)
    store = InstallationStore(CLIENT_ID, db.engine, TokenCipher(None))
    tokens = {}
    for team_id, channel, account in (
        ("T0101", "CACME", "Acme"),
        ("T0102", "CGONE", "Globex"),
        ("T0103", "CINIT", "Initech"),
        ("T0104", "CUMBR", "Umbrella"),
    ):
        tokens[team_id] = standin.installs.add_team(team_id, f"Team {team_id}")
        store.save(
            Installation(
                app_id="A1",
                team_id=team_id,
                bot_token=tokens[team_id],
                bot_id="B1",
                bot_user_id="UBOT",
                user_id="UINSTALLER",
            )
        )
        with db.session() as s:
            uninstalled = datetime.now(UTC) if team_id == "T0104" else None
            workspace = Workspace(team_id=team_id, timezone="UTC", uninstalled_at=uninstalled)
            s.add(workspace)
            s.flush()
            s.add(
                Account(workspace_id=workspace.id, name=account, channel_id=channel, owner_id="U1")
            )
    standin.add_channel("CACME", "acme")
    standin.add_channel("CINIT", "initech")
    standin.installs.revoke("T0103")
    settings = settings_for(
        db,
        standin,
        slack_bot_token=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )
    installs = WorkspaceClients(store, standin.base_url, max_retries=0)
    lines: list[str] = []
    code = report(diagnose(settings, db, None, installs=installs), lines.append)
    assert code == 1
    assert lines[0] == "ok  configuration: complete (OAuth install, HTTP)"
    assert "ok  token of T0101: the bot sambot in Team T0101" in lines
    assert "ok  channels: all 1 linked channels have the bot" in lines  # T0101's own only
    assert "ok  token of T0102: the bot sambot in Team T0102" in lines
    assert "FIX channel of Globex (<#CGONE>): channel_not_found" in lines
    assert "FIX token of T0103: Slack refused it (token_revoked)" in lines
    assert "    -> install sambot in T0103 again (/slack/install)" in lines
    assert not any("T0104" in line or "Umbrella" in line for line in lines)
    assert lines[-1] == "2 to fix"


def test_an_oauth_install_with_no_workspace_yet_says_where_to_install(db, standin):
    from sambot.installs.clients import WorkspaceClients
    from sambot.installs.store import InstallationStore, TokenCipher
    from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET

    settings = settings_for(
        db,
        standin,
        slack_bot_token=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )
    store = InstallationStore(CLIENT_ID, db.engine, TokenCipher(None))
    installs = WorkspaceClients(store, standin.base_url, max_retries=0)
    lines: list[str] = []
    assert report(diagnose(settings, db, None, installs=installs), lines.append) == 1
    assert "FIX installs: no workspace has installed sambot yet" in lines
    assert any("/slack/install" in line for line in lines)
