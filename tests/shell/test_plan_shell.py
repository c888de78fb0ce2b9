"""The account plan in the local shell, and the demo's plan and dates."""

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from sambot import migrate
from sambot.accountplan.models import IndustryFactor, PlanSection, Section
from sambot.accounts.models import Account
from sambot.actions.models import OPEN_STATUSES, Action
from sambot.db import Database
from sambot.reports.monthly import compute_reports
from sambot.reports.period import Period
from sambot.shell.demo import load_demo
from tests.shell.test_shell import count, run_session, settings, steps  # noqa: F401


def test_plan_forms_work_in_the_shell(settings):  # noqa: F811
    script = [
        ":channel #initech",
        "/sam plan",
        ":press 4",  # Industry analysis: its list
        ":press 9",  # Add a factor
        "political",
        "up",
        "Subsidies",
        "",
        ":press 9",  # Add a factor again: the same one is refused under its field
        "political",
        "down",
        "",
        "",
        ":cancel",
        ":press 1",  # the overview's first Edit: the customer profile
        "Back-office software for banks",
        "",
        "Tender",
        "",
        "",
        "/sam plan export",
    ]
    code, transcript = run_session(settings, script)
    assert code == 0
    shown = steps(transcript)[1]
    output = dict(shown)
    assert "ACCOUNT PLAN · INITECH" in output["/sam plan"]
    assert "⚠️ never filled in" in output["/sam plan"]
    added = next(text for typed, text in shown if typed == ":press 9")
    assert "│ Factor: political" in added and "@dana added ↑ Political" in added
    assert "↑ Political · Up: helps the client · trend: Subsidies" in added
    assert "! Factor: The political factor is already in the analysis" in transcript
    profile = output[":press 1"]
    assert "│ What the client does (optional) [Software for banks' back offices.]:" in profile
    assert "What the client does: Back-office software for banks" in profile
    export = output["/sam plan export"]
    saved = settings.database_url.split(":///")[1].rsplit("/", 1)[0] + "/uploads"
    assert (
        f"📎 Account plan · Initech (Markdown): saved as {saved}/account-plan-initech.md" in export
    )
    assert "# Account plan: Initech" in Path(saved, "account-plan-initech.md").read_text()
    assert count(settings, IndustryFactor) == 1 + 4 + 2  # the demo's and the one added


def test_demo_fills_every_section_and_its_dates_agree(settings):  # noqa: F811
    today = date(2026, 12, 2)
    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        load_demo(database, today=today)
        with database.session() as session:
            accounts = {a.name: a for a in session.scalars(select(Account))}
            acme = accounts["Acme Corporation"]
            sections = set(
                session.scalars(
                    select(PlanSection.section).where(PlanSection.account_id == acme.id)
                )
            )
            assert sections == set(Section) - {Section.ACTIONS}  # actions are the action plan
            # Every row was made before it was due or happened, never "now".
            for action in session.scalars(select(Action)):
                assert action.created_at.date() < today
                if action.due_date:
                    assert action.created_at.date() < action.due_date
            [november] = compute_reports(
                session,
                workspace_id=acme.workspace_id,
                timezone="UTC",
                period=Period.parse("2026-11"),
                account_ids=[acme.id],
                today=today,
            )
            late_at_month_end = {
                a.title
                for a in session.scalars(
                    select(Action).where(
                        Action.account_id == acme.id,
                        Action.status.in_(OPEN_STATUSES),
                        Action.due_date < date(2026, 12, 1),
                    )
                )
            }
    finally:
        database.dispose()
    # What the nudges chase (due days ago) is what November's report calls overdue.
    assert late_at_month_end
    assert {a.title for a in november.overdue} == late_at_month_end
    assert "Share the delivery performance dashboard" in late_at_month_end
    assert november.completed and november.completed[0].title == "Send the Q3 quality report"
    # The demo shows a stale section: Acme's value proposition was last edited 100 days ago.
    assert [s.section for s in november.stale_sections] == [Section.VALUE]
    assert november.stale_sections[0].last_updated_on == today - timedelta(days=100)
