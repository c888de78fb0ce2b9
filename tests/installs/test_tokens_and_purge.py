"""Tokens at rest (encrypted, keys rotated) and the purge of uninstalled workspaces."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from sambot.accounts.models import Account
from sambot.config import ConfigError, load_settings
from sambot.installs import commands
from sambot.installs.models import BOTS, INSTALLATIONS
from sambot.installs.store import InstallationStore, TokenCipher
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint, touchpoint_stakeholders
from sambot.workspaces.models import Workspace

TOKEN = "xoxb-1111111111111-2222222222222-abcdefghijklmnopqrstuvwx"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def save(store: InstallationStore, team_id: str = "T0001") -> None:
    store.save(
        Installation(app_id="A1", team_id=team_id, bot_token=TOKEN, bot_id="B1", user_id="U1")
    )


def raw_tokens(db) -> list[str]:
    with db.engine.connect() as connection:
        return [
            *connection.scalars(select(INSTALLATIONS.c.bot_token)),
            *connection.scalars(select(BOTS.c.bot_token)),
        ]


def test_tokens_are_encrypted_at_rest_and_read_back(db):
    store = InstallationStore("C1", db.engine, TokenCipher(OLD))
    save(store)
    stored = raw_tokens(db)
    assert len(stored) == 2 and all(TOKEN not in value for value in stored)
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == TOKEN
    assert store.find_installation(enterprise_id=None, team_id="T0001").bot_token == TOKEN


def test_without_a_key_tokens_are_stored_as_they_are(db):
    store = InstallationStore("C1", db.engine, TokenCipher(None))
    save(store)
    assert raw_tokens(db) == [TOKEN, TOKEN]


def test_a_new_key_first_reads_old_tokens_and_rotation_re_encrypts_them(db):
    save(InstallationStore("C1", db.engine, TokenCipher(OLD)))
    rotated = InstallationStore("C1", db.engine, TokenCipher(f"{NEW},{OLD}"))
    assert rotated.find_bot(enterprise_id=None, team_id="T0001").bot_token == TOKEN
    assert rotated.rotate_keys() == 2
    assert all(Fernet(NEW).decrypt(value.encode()).decode() == TOKEN for value in raw_tokens(db))
    only_new = InstallationStore("C1", db.engine, TokenCipher(NEW))
    assert only_new.find_bot(enterprise_id=None, team_id="T0001").bot_token == TOKEN


def test_a_token_no_key_opens_is_a_clear_error(db):
    save(InstallationStore("C1", db.engine, TokenCipher(OLD)))
    with pytest.raises(RuntimeError, match="cannot be decrypted"):
        InstallationStore("C1", db.engine, TokenCipher(NEW)).find_bot(
            enterprise_id=None, team_id="T0001"
        )
    with pytest.raises(RuntimeError, match="SAMBOT_ENCRYPTION_KEY is not set"):
        InstallationStore("C1", db.engine, TokenCipher(None)).find_bot(
            enterprise_id=None, team_id="T0001"
        )


def test_a_malformed_key_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="SAMBOT_ENCRYPTION_KEY"):
        load_settings(sambot_encryption_key="not-a-key")
    assert load_settings(sambot_encryption_key=f"{NEW}, {OLD}").sambot_encryption_key


# -- purge ---------------------------------------------------------------------------


def workspace_with_data(db, team_id: str, uninstalled_days_ago: int | None) -> int:
    uninstalled = (
        None
        if uninstalled_days_ago is None
        else datetime.now(UTC) - timedelta(days=uninstalled_days_ago)
    )
    with db.session() as s:
        workspace = Workspace(team_id=team_id, timezone="UTC", uninstalled_at=uninstalled)
        s.add(workspace)
        s.flush()
        account = Account(workspace_id=workspace.id, name="Acme", owner_id="U1")
        s.add(account)
        s.flush()
        person = Stakeholder(workspace_id=workspace.id, account_id=account.id, name="Pat")
        touchpoint = Touchpoint(
            workspace_id=workspace.id,
            account_id=account.id,
            kind="call",
            summary="Renewal",
            occurred_on=datetime(2026, 11, 20).date(),
            logged_by="U1",
            source="command",
        )
        touchpoint.stakeholders.append(person)
        s.add_all([person, touchpoint])
    InstallationStore("C1", db.engine, TokenCipher(None)).save(
        Installation(app_id="A1", team_id=team_id, bot_token=TOKEN, bot_id="B1", user_id="U1")
    )
    return workspace.id


def count(db, model, **where) -> int:
    with db.session() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model.c if hasattr(model, "c") else model, name) == value)
        return s.scalar(query)


def purge(db, **options) -> list[str]:
    out: list[str] = []
    settings = load_settings(database_url=db.url, sambot_retention_days=30)
    assert commands.workspace_purge(settings, out=out.append, **options) in (0, 1)
    return out


def test_purge_is_a_dry_run_first_then_deletes_past_retention_only(db):
    workspace_with_data(db, "TOLD", uninstalled_days_ago=40)
    workspace_with_data(db, "TNEW", uninstalled_days_ago=5)
    workspace_with_data(db, "TLIVE", uninstalled_days_ago=None)

    dry = purge(db)
    assert dry[0].startswith("Dry run")
    assert "Workspaces: TOLD" in dry
    report = "\n".join(dry)
    for table, rows in [
        ("accounts", 1),
        ("stakeholders", 1),
        ("touchpoint_stakeholders", 1),
        ("slack_bots", 1),
        ("slack_installations", 1),
        ("workspaces", 1),
    ]:
        assert any(line.split() == [table, str(rows)] for line in dry), report
    assert count(db, Workspace) == 3 and count(db, touchpoint_stakeholders) == 3

    done = purge(db, apply=True)
    assert done[0] == "Deleted:"
    with db.session() as s:
        assert sorted(s.scalars(select(Workspace.team_id))) == ["TLIVE", "TNEW"]
    assert count(db, Account) == 2 and count(db, touchpoint_stakeholders) == 2
    assert count(db, BOTS) == 2
    assert purge(db) == ["Nothing to purge."]


def test_purge_now_takes_a_workspace_before_its_retention_ends(db):
    workspace_with_data(db, "TNEW", uninstalled_days_ago=5)
    workspace_with_data(db, "TLIVE", uninstalled_days_ago=None)
    refused = purge(db, team="TNEW", apply=True)
    assert "add --now" in refused[0]
    assert count(db, Workspace) == 2
    purge(db, team="TNEW", now=True, apply=True)
    with db.session() as s:
        assert list(s.scalars(select(Workspace.team_id))) == ["TLIVE"]
    assert count(db, Account) == 1 and count(db, INSTALLATIONS) == 1


def test_workspace_list_shows_installed_and_uninstalled(db):
    workspace_with_data(db, "TOLD", uninstalled_days_ago=40)
    workspace_with_data(db, "TLIVE", uninstalled_days_ago=None)
    out: list[str] = []
    assert commands.workspace_list(load_settings(database_url=db.url), out=out.append) == 0
    assert out[0].startswith("TOLD") and "uninstalled" in out[0]
    assert out[1].startswith("TLIVE") and out[1].endswith("installed")


def test_sambot_workspace_purge_counts_every_table_as_a_command(db, tmp_path):
    import os
    import subprocess
    import sys

    workspace_with_data(db, "TOLD", uninstalled_days_ago=40)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAMBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "sambot", "workspace", "purge"],
        env={**keep, "DATABASE_URL": db.url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    for table in ("accounts", "stakeholders", "touchpoints", "touchpoint_stakeholders"):
        assert [table, "1"] in lines, done.stdout
    assert count(db, Account) == 1  # a dry run
