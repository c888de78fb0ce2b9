"""`sambot jobs list`, `sambot jobs run` and the jobs' settings."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from sambot.cli import main
from sambot.config import ConfigError, load_settings
from tests.jobs.builders import TOKEN, make_account, make_action, make_workspace


@pytest.fixture
def environment(monkeypatch, tmp_path, db, standin):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    monkeypatch.setenv("SAMBOT_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("SAMBOT_POST_RATE", "0")
    workspace_id = make_workspace(db)
    account = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    make_action(
        db,
        workspace_id,
        account,
        "Send the proposal",
        due=date(2026, 10, 20),
        created=datetime(2026, 10, 1, tzinfo=UTC),
    )


def test_jobs_list_shows_each_schedule_and_next_run(environment, capsys):
    with time_machine.travel(datetime(2026, 11, 28, 12, tzinfo=UTC), tick=False):
        assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "JOB",
        "SCHEDULE",
        "(Europe/Paris)",
        "NEXT",
        "RUN",
        "LAST",
        "SCHEDULED",
        "RUN",
    ]
    assert "monthly-report  0 9 1W * *" in lines[1] and "Tue 2026-12-01 09:00 CET" in lines[1]
    assert "nudges" in lines[2] and "Mon 2026-11-30 09:00 CET" in lines[2]
    assert lines[1].endswith("never")


def test_jobs_run_dry_run_prints_and_posts_nothing(environment, standin, capsys):
    code = main(["jobs", "run", "monthly-report", "--at", "2026-11-02T09:00", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "would post to Acme (<#CACME>)" in out
    assert "Monthly report · Acme · October 2026" in out and "Send the proposal" in out
    assert "monthly-report T0001 2026-10: 1 would post" in out
    assert standin.calls() == []


def test_jobs_run_posts_and_prints_its_summary(environment, standin, capsys):
    assert main(["jobs", "run", "nudges", "--at", "2026-11-10T09:00"]) == 0
    out = capsys.readouterr().out
    assert "nudges T0001 2026-11-10: 2 posted, 0 skipped, 0 failed" in out
    assert len(standin.messages("CACME")) == 1 and len(standin.messages("U1")) == 1


def test_jobs_run_exits_non_zero_when_a_post_failed(environment, standin, capsys):
    standin.fail("chat.postMessage", "is_archived", when=lambda args: args["channel"] == "CACME")
    assert main(["jobs", "run", "nudges", "--at", "2026-11-10T09:00"]) == 1
    assert "failed: Acme (<#CACME>): is_archived" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--at", "next tuesday"], "--at 'next tuesday': expected an ISO date-time"),
        (["--account", "Acmee"], "no account named 'Acmee'. Did you mean: Acme?"),
    ],
)
def test_jobs_run_explains_a_wrong_argument(environment, capsys, argv, message):
    assert main(["jobs", "run", "nudges", *argv]) == 2
    assert message in capsys.readouterr().err


def test_job_settings_defaults_and_errors(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.sambot_report_schedule == "0 9 1W * *"
    assert settings.sambot_nudge_schedule == "0 9 * * mon-fri"
    assert settings.sambot_escalation_days == 14 and settings.sambot_post_rate == 1.0
    wrong = {
        "SAMBOT_REPORT_SCHEDULE": "every month",
        "SAMBOT_NUDGE_SCHEDULE": "0 25 * * *",
        "SAMBOT_ESCALATION_DAYS": "0",
        "SAMBOT_POST_RATE": "-1",
    }
    for variable, value in wrong.items():
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError) as raised:
            load_settings()
        message = str(raised.value)
        assert message.startswith(f"{variable}: ") and "\n" not in message
        monkeypatch.delenv(variable)


def test_jobs_run_checkpoints_reminds_once_and_closes(environment, standin, db, capsys):
    """`sambot jobs run checkpoints`: the reminder goes to whoever has not answered, once;
    on the closing day the results go to the account's channel."""
    from sqlalchemy import select

    from sambot.accounts.models import Account
    from sambot.checkpoints import service as checkpoints

    with db.session() as session:
        account = session.scalar(select(Account))
        checkpoints.start(
            session,
            workspace_id=account.workspace_id,
            account=account,
            started_by="UOWNER",
            today=date(2026, 11, 2),  # a Monday: reminder Wednesday, closing next Monday
        )
    assert main(["jobs", "run", "checkpoints", "--at", "2026-11-03T09:00"]) == 0
    assert "0 posted" in capsys.readouterr().out
    assert main(["jobs", "run", "checkpoints", "--at", "2026-11-04T09:00"]) == 0
    assert "checkpoints T0001 2026-11-04: 1 posted" in capsys.readouterr().out
    assert "Reminder" in standin.messages("DUOWNER")[-1]["text"]
    assert main(["jobs", "run", "checkpoints", "--at", "2026-11-05T09:00"]) == 0
    assert "0 posted" in capsys.readouterr().out
    assert main(["jobs", "run", "checkpoints", "--at", "2026-11-09T09:00"]) == 0
    assert "checkpoints T0001 2026-11-09: 1 posted" in capsys.readouterr().out
    assert "0 of 1 person answered" in str(standin.messages("CACME")[-1]["blocks"])


def test_jobs_run_dry_run_prints_a_nudge_and_its_menu(environment, capsys):
    code = main(["jobs", "run", "nudges", "--at", "2026-11-02T09:00", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Send the proposal" in out
    assert "[Mark done]" in out and "[⋯]" in out  # the status menu has no text of its own
