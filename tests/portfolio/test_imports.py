"""Importing accounts from a CSV: good, bad and mixed rows, re-imports, dry runs,
all-or-nothing, snapshots. On SQLite and PostgreSQL."""

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.portfolio.imports import Directory, Unresolved, import_accounts, snapshots_of
from sambot.portfolio.models import AccountSnapshot
from sambot.portfolio.sheet import SheetError, read_sheet
from tests import factories

GOOD = """name,annual revenue,gross margin,potential revenue,currency,industry,tier,owner,channel
Acme,"1,000,000",400000,2000000,USD,Manufacturing,strategic,UDANA,CACME
Globex,800000,200000,,EUR,Energy,key,dana@example.com,#globex
Initech,300000,60000,,USD,,,ULEE,
"""


def directory() -> Directory:
    def user_by_email(email):
        if email == "dana@example.com":
            return "UDANA"
        raise Unresolved(f"No one has the email {email}.")

    def channel_by_name(name):
        if name == "globex":
            return "CGLOBEX"
        raise Unresolved(f"No channel named #{name}.")

    return Directory(user_by_email, channel_by_name)


def run(db, text, *, period="2026-11", **options):
    with db.session() as session:
        workspace = factories.workspace(session)
        return import_accounts(
            session,
            workspace_id=workspace.id,
            sheet=read_sheet(text.encode()),
            period=period,
            directory=directory(),
            **options,
        )


def stored(db) -> dict[str, Account]:
    with db.session() as session:
        rows = session.scalars(select(Account)).all()
        for account in rows:
            list(account.team)
        return {account.name: account for account in rows}


def test_good_rows_create_accounts(db):
    report = run(db, GOOD)
    assert (report.count("create"), report.bad_rows, report.written) == (3, [], True)
    accounts_by_name = stored(db)
    acme = accounts_by_name["Acme"]
    assert (acme.annual_revenue, acme.gross_margin, acme.potential_revenue) == (
        D(1_000_000),
        D(400_000),
        D(2_000_000),
    )
    assert (acme.tier, acme.owner_id, acme.channel_id, acme.industry) == (
        Tier.STRATEGIC,
        "UDANA",
        "CACME",
        "Manufacturing",
    )
    assert [(m.user_id, m.role) for m in acme.team] == [("UDANA", TeamRole.OWNER)]
    globex = accounts_by_name["Globex"]
    assert (globex.owner_id, globex.channel_id, globex.currency) == ("UDANA", "CGLOBEX", "EUR")
    # No tier given: a new account is "other" until the analysis says otherwise.
    assert accounts_by_name["Initech"].tier == Tier.OTHER


def test_bad_rows_are_reported_one_by_one_and_good_rows_still_go_in(db):
    text = """Name;Gross Margin;Annual Revenue;Tier;Owner;Region
Acme;100;1000;strategic;UDANA;West
Bad margin;2000;1000;;UDANA;
No owner;1;10;;;
Unknown email;1;10;;nobody@example.com;
Wrong tier;1;10;gold;UDANA;
Not a number;abc;10;;UDANA;
ACME;1;10;;UDANA;
;5;10;;UDANA;
"""
    report = run(db, text)
    assert report.unknown_columns == ["Region"]
    assert report.count("create") == 1
    errors = [(row.row, e.column, e.reason) for row in report.bad_rows for e in row.errors]
    assert errors == [
        (3, "Gross Margin", "Gross margin cannot exceed annual revenue."),
        (4, "Owner", "A new account needs an owner (a Slack user id or an email)."),
        (5, "Owner", "No one has the email nobody@example.com."),
        (6, "Tier", "Choose one of: 'strategic', 'key' or 'other'."),
        (7, "Gross Margin", "Input should be a valid decimal."),
        (8, "Name", "ACME is already on row 2; once per file."),
        (9, "Name", "An account needs a name."),
    ]
    assert list(stored(db)) == ["Acme"]


def test_the_importer_owns_new_accounts_with_no_owner_column(db):
    report = run(db, "name,gross margin\nSolo,5\n", default_owner="UOWEN")
    assert report.count("create") == 1
    assert stored(db)["Solo"].owner_id == "UOWEN"


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(db):
    text = GOOD + "Broken,10,20,,USD,,,UDANA,\n"
    report = run(db, text, all_or_nothing=True)
    assert len(report.bad_rows) == 1 and not report.written
    assert stored(db) == {}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AccountSnapshot)) == 0
    assert run(db, GOOD, all_or_nothing=True).written


def test_a_re_import_updates_the_same_accounts_never_duplicates(db):
    run(db, GOOD)
    again = """NAME,gross margin,tier,industry
acme,450000,,
GLOBEX,,strategic,
Initech,60000,,
Newco,5,,
"""
    report = run(db, again, default_owner="UOWEN", period="2026-12")
    outcomes = {
        row.name: (row.outcome, [(c.field, c.old, c.new) for c in row.changes])
        for row in report.rows
    }
    assert outcomes["Acme"] == ("update", [("gross_margin", D(400_000), D(450_000))])
    assert outcomes["Globex"] == ("update", [("tier", Tier.KEY, Tier.STRATEGIC)])
    assert outcomes["Initech"] == ("unchanged", [])
    assert outcomes["Newco"][0] == "create"
    accounts_by_name = stored(db)
    assert sorted(accounts_by_name) == ["Acme", "Globex", "Initech", "Newco"]
    # Blank cells keep what was stored.
    assert accounts_by_name["Acme"].industry == "Manufacturing"
    assert accounts_by_name["Acme"].annual_revenue == D(1_000_000)


def test_a_re_import_hands_ownership_over(db):
    run(db, GOOD)
    run(db, "name,owner\nAcme,ULEE\n")
    acme = stored(db)["Acme"]
    assert acme.owner_id == "ULEE"
    assert {(m.user_id, m.role) for m in acme.team} == {
        ("ULEE", TeamRole.OWNER),
        ("UDANA", TeamRole.SALES),
    }


def test_a_dry_run_shows_what_would_change_and_writes_nothing(db):
    run(db, GOOD)
    report = run(
        db, "name,gross margin,currency\nAcme,1,usd\nZeta,5,EUR\n", dry_run=True, default_owner="U1"
    )
    assert not report.written
    acme, zeta = report.rows
    assert (acme.outcome, [(c.field, c.old, c.new) for c in acme.changes]) == (
        "update",
        [("gross_margin", D(400_000), D(1))],
    )
    assert zeta.outcome == "create"
    assert stored(db)["Acme"].gross_margin == D(400_000)
    assert "Zeta" not in stored(db)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AccountSnapshot)) == 3


def test_channels_stay_linked_to_one_account(db):
    run(db, GOOD)
    report = run(db, "name,channel\nInitech,CACME\nNewco,CNEW\nOther,CNEW\n", default_owner="U1")
    errors = [(row.row, e.column, e.reason) for row in report.bad_rows for e in row.errors]
    assert errors == [
        (2, "channel", "That channel is already linked to Acme."),
        (4, "channel", "That channel is already linked to Newco."),
    ]
    assert stored(db)["Newco"].channel_id == "CNEW"


def test_a_channel_moves_when_its_account_leaves_it_earlier_in_the_file(db):
    run(db, GOOD)
    run(db, "name,channel\nAcme,CACME2\nInitech,CACME\n")
    accounts_by_name = stored(db)
    assert accounts_by_name["Acme"].channel_id == "CACME2"
    assert accounts_by_name["Initech"].channel_id == "CACME"


def test_each_import_records_a_snapshot_per_account_and_period(db):
    run(db, GOOD, period="2026-10")
    run(db, "name,gross margin\nAcme,410000\n", period="2026-11")
    run(db, "name,gross margin\nAcme,420000\n", period="2026-11")  # the month's figure again
    with db.session() as session:
        acme = accounts.find_by_name(
            session, workspace_id=factories.workspace(session).id, name="acme"
        )
        history = [
            (s.period, s.gross_margin, s.annual_revenue, s.currency)
            for s in snapshots_of(session, account_id=acme.id)
        ]
        total = session.scalar(select(func.count()).select_from(AccountSnapshot))
    assert history == [
        ("2026-10", D(400_000), D(1_000_000), "USD"),
        ("2026-11", D(420_000), D(1_000_000), "USD"),
    ]
    assert total == 4


def test_a_row_is_never_half_written(db):
    """A row whose owner is unknown keeps its other, valid cells out too."""
    run(db, GOOD)
    report = run(db, "name,gross margin,owner\nAcme,1,nobody@example.com\n")
    assert len(report.bad_rows) == 1
    acme = stored(db)["Acme"]
    assert (acme.gross_margin, acme.owner_id) == (D(400_000), "UDANA")


def test_files_that_cannot_be_read():
    with pytest.raises(SheetError, match="no name column"):
        read_sheet(b"revenue,margin\n1,2\n")
    with pytest.raises(SheetError, match="empty"):
        read_sheet(b"")
    with pytest.raises(SheetError, match="binary"):
        read_sheet(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(SheetError, match="Two columns"):
        read_sheet(b"name,margin,gross margin\n")
    # A spreadsheet's byte-order mark and Windows-1252 both read.
    assert read_sheet("\ufeffName\nCafé\n".encode()).rows == [(2, {"name": "Café"})]
    assert read_sheet("Name\nCafé\n".encode("cp1252")).rows == [(2, {"name": "Café"})]


def test_the_period_must_be_a_month(db):
    from sambot.validation import InvalidInput

    with pytest.raises(InvalidInput):
        run(db, GOOD, period="2026-13")
    assert stored(db) == {}


def test_an_owner_lookup_is_made_once_per_email(db):
    seen = []

    def user_by_email(email):
        seen.append(email)
        return "UDANA"

    rows = "".join(f"Account {i},dana@example.com\n" for i in range(50))
    with db.session() as session:
        workspace = factories.workspace(session)
        report = import_accounts(
            session,
            workspace_id=workspace.id,
            sheet=read_sheet(("name,owner\n" + rows).encode()),
            period="2026-11",
            directory=Directory(user_by_email, lambda name: "C1"),
        )
    assert report.count("create") == 50
    assert seen == ["dana@example.com"]
    members = stored(db)
    assert {a.owner_id for a in members.values()} == {"UDANA"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(TeamMember)) == 50


def test_a_concurrent_change_leaves_the_import_unwritten(db, monkeypatch):
    """Another import created a name after this one read the accounts: the unique index
    refuses, and the import says so, writing nothing."""
    from sambot.portfolio import imports
    from sambot.validation import DomainError

    run(db, GOOD)
    monkeypatch.setattr(imports, "_stored_accounts", lambda db, workspace_id: [])
    with pytest.raises(DomainError, match="Another change"):
        run(db, "name,owner,gross margin\nAcme,UDANA,1\nFresh,UDANA,2\n")
    assert sorted(stored(db)) == ["Acme", "Globex", "Initech"]
    assert stored(db)["Acme"].gross_margin == D(400_000)


def test_ten_thousand_rows_in_a_few_statements(db):
    """The write is in bulk: the statements do not grow with the rows (the timings are in
    bench/README.md; the bound here only catches a fall back to a row at a time)."""
    import time

    from sqlalchemy import event

    lines = ["name,annual revenue,gross margin,currency,tier,owner,channel"]
    for n in range(10_000):
        channel = f"CX{n:05d}" if n % 5 == 0 else ""
        lines.append(
            f"Account {n:05d},{n + 1000},{n},{'EUR' if n % 3 else 'USD'},key,UDANA,{channel}"
        )
    text = "\n".join(lines)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        started = time.monotonic()
        report = run(db, text)
        elapsed = time.monotonic() - started
        assert report.count("create") == 10_000 and report.written
        assert len(statements) < 40
        statements.clear()
        again = run(db, text.replace(",key,", ",other,"), period="2026-12")
        assert again.count("update") == 10_000
        assert len(statements) < 40
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert elapsed < 60
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AccountSnapshot)) == 20_000
        assert session.scalar(select(func.count()).select_from(TeamMember)) == 10_000
