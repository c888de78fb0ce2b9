"""Reads grow with batches, not with accounts: no query per account."""

from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from sambot.stakeholders.models import Stakeholder
from tests.jobs.builders import make_account, make_action, make_workspace, run

AT_REPORT = datetime(2026, 11, 2, 8, tzinfo=UTC)
AT_NUDGES = datetime(2026, 11, 10, 8, tzinfo=UTC)


@contextmanager
def statements(db):
    """Statements sent to the database during the block, by their first word."""
    counts = Counter()

    def count(_conn, _cursor, statement, _params, _context, _executemany):
        counts[statement.split(None, 1)[0].upper()] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def accounts(db, standin, workspace_id, first: int, last: int) -> None:
    for n in range(first, last + 1):
        account = make_account(
            db, workspace_id, f"Account {n}", channel=f"C{n}", owner="UOWNER", standin=standin
        )
        make_action(
            db,
            workspace_id,
            account,
            f"Action {n}",
            due=date(2026, 10, 25),
            created=datetime(2026, 10, 1, tzinfo=UTC),
        )


def reads(kind: str, db, client, at, batch_size: int) -> tuple[int, int]:
    """(SELECT statements, posts made) for one run of a job."""
    with statements(db) as counts:
        summary = run(kind, db, client, at=at, batch_size=batch_size)
    return counts["SELECT"], len(summary.posted)


def test_report_and_nudge_reads_grow_with_batches_not_accounts(db, standin, client):
    workspace_id = make_workspace(db)
    standin.add_user("U1", "u1")  # owns every action
    accounts(db, standin, workspace_id, 1, 4)
    few = reads("monthly-report", db, client, AT_REPORT, batch_size=100)
    few_nudges = reads("nudges", db, client, AT_NUDGES, batch_size=100)
    accounts(db, standin, workspace_id, 5, 20)
    many = reads("monthly-report", db, client, datetime(2026, 12, 1, 8, tzinfo=UTC), 100)
    many_nudges = reads("nudges", db, client, datetime(2026, 11, 11, 8, tzinfo=UTC), 100)
    assert (few[1], many[1]) == (4, 20)
    assert many[0] == few[0]  # five times the accounts, the same reads
    assert (few_nudges[1], many_nudges[1]) == (5, 21)  # the channels and the owner's digest
    assert many_nudges[0] == few_nudges[0]

    # Ten batches instead of one: fourteen more report reads per extra batch (seven for
    # the report, two for coverage, four for the plan sections' last updates, one for the
    # alignment checkpoints).
    batched = reads("monthly-report", db, client, datetime(2027, 1, 4, 8, tzinfo=UTC), 2)
    assert batched[0] == many[0] + 9 * 14


def test_cadence_reads_grow_with_batches_not_accounts(db, standin, client):
    workspace_id = make_workspace(db)
    for n in range(1, 21):
        account = make_account(db, workspace_id, f"Account {n}", channel=None, owner=f"U{n}")
        standin.add_user(f"U{n}", f"u{n}")
        with db.session() as s:
            s.add(Stakeholder(workspace_id=workspace_id, account_id=account, name="Key", power=5))
        if n == 4:
            few = reads("cadence", db, client, AT_NUDGES, batch_size=100)
    many = reads("cadence", db, client, AT_NUDGES + timedelta(days=7), batch_size=100)
    assert (few[1], many[1]) == (4, 20)
    assert many[0] == few[0]
    # Ten batches instead of one: one more read per extra batch.
    batched = reads("cadence", db, client, AT_NUDGES + timedelta(days=14), batch_size=2)
    assert batched == (many[0] + 9, 20)
