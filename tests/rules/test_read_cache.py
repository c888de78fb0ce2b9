"""What forms list is kept between requests only while the data version stays: every commit
that writes accounts, team members or stakeholders raises it, whichever way it writes."""

from datetime import date

import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, TeamMember, TeamRole
from sambot.db import DataVersion
from sambot.readcache import Choice, ReadCache, choices
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.workspaces import service as workspaces


def version(db) -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(DataVersion.version)).scalar_one()


def acme(db) -> tuple[int, int]:
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        account = accounts.create(
            session, workspace_id=workspace.id, data={"name": "Acme", "owner_id": "UDANA"}
        )
        return workspace.id, account.id


def test_a_commit_that_writes_what_forms_list_raises_the_version_once(db):
    before = version(db)
    workspace_id, account_id = acme(db)
    assert version(db) == before + 1  # the workspace is not kept; the account is
    with db.session() as session:
        stakeholders.create(
            session,
            workspace_id=workspace_id,
            account_id=account_id,
            data={"name": "Walter Boss", "role": "economic_buyer"},
        )
        session.add(
            TeamMember(
                workspace_id=workspace_id,
                account_id=account_id,
                user_id="ULEE",
                role=TeamRole.SALES,
            )
        )
    assert version(db) == before + 2  # two kept tables, one commit


def test_bulk_and_core_statements_raise_it_too(db):
    workspace_id, account_id = acme(db)
    before = version(db)
    with db.session() as session:  # an ORM bulk update, as the import's
        session.execute(update(Account).where(Account.id == account_id).values(name="Acme Ltd"))
    assert version(db) == before + 1
    with db.engine.begin() as connection:  # Core, under the ORM, as the import's inserts
        connection.execute(
            insert(Account.__table__).values(
                workspace_id=workspace_id, name="Beta", owner_id="UDANA", archived=False
            )
        )
    assert version(db) == before + 2
    with db.engine.begin() as connection:  # and plain SQL
        connection.execute(text("DELETE FROM accounts WHERE name = 'Beta'"))
    assert version(db) == before + 3


def test_a_rollback_or_other_tables_leave_it(db):
    workspace_id, account_id = acme(db)
    before = version(db)
    try:
        with db.session() as session:
            accounts.create(
                session, workspace_id=workspace_id, data={"name": "Gone", "owner_id": "UDANA"}
            )
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with db.session() as session:
        touchpoints.create(
            session,
            workspace_id=workspace_id,
            account_id=account_id,
            logged_by="UDANA",
            data={"kind": "call", "summary": "Renewal", "occurred_on": date(2026, 12, 1)},
        )
    assert version(db) == before


def test_kept_until_the_version_moves_then_read_again(db):
    workspace_id, account_id = acme(db)
    cache, reads = ReadCache(), []

    def names(session):
        reads.append(1)
        return choices(accounts.list_accounts(session, workspace_id=workspace_id))

    for _ in range(3):
        with db.session() as session:
            assert cache.get(session, "accounts", names) == (Choice(account_id, "Acme"),)
    assert len(reads) == 1
    with db.session() as session:  # another process renames it: only the database is shared
        session.get(Account, account_id).name = "Acme Ltd"
    with db.session() as session:
        assert cache.get(session, "accounts", names) == (Choice(account_id, "Acme Ltd"),)
    assert len(reads) == 2


def test_a_transaction_that_wrote_reads_its_own_change_not_the_kept_one(db):
    workspace_id, account_id = acme(db)
    cache = ReadCache()

    def read(session):
        return choices(accounts.list_accounts(session, workspace_id=workspace_id))

    with db.session() as session:
        cache.get(session, "accounts", read)
    with db.session() as session:
        session.get(Account, account_id).name = "Acme Ltd"
        session.flush()
        assert cache.get(session, "accounts", read)[0].name == "Acme Ltd"


def test_only_the_most_recently_used_are_kept(db):
    acme(db)
    cache, reads = ReadCache(most=2), []
    with db.session() as session:
        for key in ("a", "b", "a", "c", "a", "b"):
            cache.get(session, key, lambda _session, k=key: reads.append(k) or k)
    # "b" was dropped when "c" came ("a" had been used since), so it is read again.
    assert reads == ["a", "b", "c", "b"]


def test_a_transaction_with_a_failed_statement_commits_as_its_database_says(db):
    """PostgreSQL takes no statement after a failed one and rolls the transaction back at
    its COMMIT: the version stays, and raising it must not fail the commit. SQLite keeps
    what came before the failure, and the version moves with it."""
    workspace_id, _ = acme(db)
    before = version(db)
    with db.session() as session:
        accounts.create(
            session, workspace_id=workspace_id, data={"name": "Beta", "owner_id": "UDANA"}
        )
        with pytest.raises(IntegrityError):
            session.execute(
                text(
                    "INSERT INTO accounts (workspace_id, name, owner_id, tier, currency, "
                    "archived) VALUES (:w, 'ACME', 'U1', 'key', 'USD', false)"
                ),
                {"w": workspace_id},
            )
    with db.session() as session:
        kept = session.scalar(select(Account.id).where(Account.name == "Beta"))
    if db.is_postgresql:
        assert (kept, version(db)) == (None, before)
    else:
        assert kept is not None and version(db) == before + 1


def test_what_counts_as_a_write_to_a_kept_table():
    from sambot.db import writes_kept_tables

    for statement in (
        "INSERT INTO accounts (name) VALUES (?)",
        'UPDATE "stakeholders" SET name = ?',
        "DELETE FROM team_members WHERE id = ?",
        "INSERT OR IGNORE INTO accounts (name) VALUES (?)",
        "UPDATE public.accounts SET name = ?",
        "WITH moved AS (SELECT 1) UPDATE accounts SET channel_id = NULL",
        "UPDATE actions SET status = ? WHERE account_id IN (SELECT id FROM accounts)",
    ):
        assert writes_kept_tables(statement), statement
    for statement in (
        "SELECT * FROM accounts",
        "WITH recent AS (SELECT * FROM accounts) SELECT * FROM recent",
        "INSERT INTO touchpoints (account_id) VALUES (?)",
        "UPDATE account_snapshots SET revenue = ?",
        "INSERT INTO audit_events (detail) VALUES (?)",
    ):
        assert not writes_kept_tables(statement), statement


def test_a_session_s_pending_change_and_a_new_transaction_are_seen(db):
    workspace_id, account_id = acme(db)
    cache = ReadCache()

    def read(session):
        return choices(accounts.list_accounts(session, workspace_id=workspace_id))

    session = db.sessions()
    try:
        assert cache.get(session, "accounts", read)[0].name == "Acme"
        session.get(Account, account_id).name = "Acme Ltd"  # not flushed yet
        assert cache.get(session, "accounts", read)[0].name == "Acme Ltd"
        session.commit()
        # The same session, a new transaction: the version is read again, and has moved.
        assert cache.get(session, "accounts", read)[0].name == "Acme Ltd"
    finally:
        session.close()


def test_a_migration_raises_the_version(db):
    from sambot import migrate

    before = version(db)
    migrate.upgrade(db.url)
    assert version(db) == before + 1


def test_on_a_bare_connection_a_session_is_made_only_to_read_what_is_not_kept(db, monkeypatch):
    from sambot import readcache

    workspace_id, account_id = acme(db)
    cache, sessions = ReadCache(), []
    real_session_on = readcache.session_on

    def counted(reader):
        sessions.append(1)
        return real_session_on(reader)

    monkeypatch.setattr(readcache, "session_on", counted)

    def read(session):
        return choices(accounts.list_accounts(session, workspace_id=workspace_id))

    for _ in range(3):
        with db.reading() as connection:
            assert cache.get(connection, "accounts", read) == (Choice(account_id, "Acme"),)
    assert len(sessions) == 1  # the first read; the other two found it kept
    with db.session() as session:  # another process renames it
        session.get(Account, account_id).name = "Acme Ltd"
    with db.reading() as connection:
        assert cache.get(connection, "accounts", read)[0].name == "Acme Ltd"
        assert cache.get(connection, "other", lambda _session: "x") == "x"
    assert len(sessions) == 3


def test_a_bare_connection_reads_the_version_once_per_transaction(db):
    workspace_id, account_id = acme(db)
    cache, statements = ReadCache(), []

    def read(session):
        return choices(accounts.list_accounts(session, workspace_id=workspace_id))

    with db.reading() as connection:
        cache.get(connection, "accounts", read)
        event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
        for key in ("accounts", "accounts", "more"):
            cache.get(connection, key, read)
        reads_of_the_version = [s for s in statements if "data_version" in s]
        assert len(reads_of_the_version) == 0  # read once, at the first get
        connection.commit()  # a new transaction: the version may have moved
        with db.session() as session:
            session.get(Account, account_id).name = "Acme Ltd"
        assert cache.get(connection, "accounts", read)[0].name == "Acme Ltd"
        assert len([s for s in statements if "data_version" in s]) == 1
