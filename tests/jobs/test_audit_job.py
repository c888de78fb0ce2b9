"""A job's writes are audited as the job's, by name: even those made on its posting threads."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from sambot.audit.models import AuditEvent
from sambot.cli import main
from tests.jobs.builders import TOKEN, make_account, make_action, make_workspace, run

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def audit_of(db, entity: str) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.operation == "updated")
                .order_by(AuditEvent.id)
            )
        )


def archived_acme(db, standin) -> int:
    workspace_id = make_workspace(db)
    account_id = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    make_action(
        db, workspace_id, account_id, "Send it", due=date(2026, 10, 20), created=AT, owner="U1"
    )
    standin.add_channel("CACME", "acme", is_archived=True)
    return account_id


def test_a_channel_found_archived_by_the_report_job_is_audited_as_that_job(db, standin, client):
    account_id = archived_acme(db, standin)
    summary = run("monthly-report", db, client, at=AT)
    assert summary.failed == [("Acme (<#CACME>)", "is_archived")]
    # Marked on the job's posting thread, in the job's name.
    [event] = audit_of(db, "account")
    assert (event.source, event.detail, event.actor) == ("job", "monthly-report", None)
    assert (event.account_id, event.entity_id, event.label) == (account_id, account_id, "Acme")
    [change] = event.changes
    assert change["field"] == "channel_unavailable_at" and change["old"] is None
    assert datetime.fromisoformat(change["new"]) > AT


def test_a_job_run_from_the_command_line_is_still_the_job(db, standin, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    monkeypatch.setenv("SAMBOT_POST_RATE", "0")
    archived_acme(db, standin)
    assert main(["jobs", "run", "monthly-report", "--at", "2026-11-02T09:00"]) != 0
    [event] = audit_of(db, "account")
    assert (event.source, event.detail) == ("job", "monthly-report")
    dumped = repr([(e.detail, e.changes) for e in audit_of(db, "account")])
    assert TOKEN not in dumped
