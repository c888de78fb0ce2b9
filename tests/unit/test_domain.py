"""Domain services on a real database: validation by field, and constraints in the schema."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sambot.accounts import service as accounts
from sambot.accounts.models import TeamRole
from sambot.actions import service as actions
from sambot.actions.models import ActionStatus
from sambot.deliveries.models import Delivery
from sambot.plans import service as plans
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.validation import InvalidInput
from tests import factories

TODAY = factories.TODAY


@pytest.fixture
def workspace(session):
    return factories.workspace(session)


@pytest.fixture
def acme(session, workspace):
    return factories.account(session, workspace.id, "Acme", channel_id="CACME")


def test_account_names_are_unique_whatever_their_case(session, workspace, acme):
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, workspace.id, "  ACME ")
    assert raised.value.errors == {"name": "An account named Acme already exists."}
    assert accounts.find_by_name(session, workspace_id=workspace.id, name="acme").id == acme.id


def test_the_database_enforces_unique_names_too(session, workspace, acme):
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO accounts (workspace_id, name, owner_id, tier, currency, archived) "
                "VALUES (:w, 'aCmE', 'U1', 'key', 'USD', false)"
            ),
            {"w": workspace.id},
        )


def test_one_account_per_channel(session, workspace, acme):
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, workspace.id, "Globex", channel_id="CACME")
    assert raised.value.errors == {"channel_id": "That channel is already linked to Acme."}


def test_linking_a_channel_moves_it_from_its_previous_account(session, workspace, acme):
    globex = factories.account(session, workspace.id, "Globex")
    accounts.link_channel(
        session, workspace_id=workspace.id, account_id=globex.id, channel_id="CACME"
    )
    assert globex.channel_id == "CACME"
    assert acme.channel_id is None
    assert accounts.get_by_channel(session, workspace_id=workspace.id, channel_id="CACME") is globex


def test_margin_percent_is_derived_and_bounded(session, workspace):
    account = factories.account(
        session, workspace.id, "Initech", annual_revenue="1,000,000", gross_margin="250000"
    )
    assert account.annual_revenue == Decimal("1000000")
    assert account.margin_percent == Decimal("25.0")
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, workspace.id, "Hooli", annual_revenue="10", gross_margin="20")
    assert raised.value.errors == {"gross_margin": "Gross margin cannot exceed annual revenue."}


def test_account_field_errors_name_each_field(session, workspace):
    with pytest.raises(InvalidInput) as raised:
        accounts.create(
            session,
            workspace_id=workspace.id,
            data={"name": "", "owner_id": "U1", "tier": "platinum", "annual_revenue": "-5"},
        )
    assert set(raised.value.errors) == {"name", "tier", "annual_revenue"}
    assert raised.value.errors["annual_revenue"] == "Must be at least 0."


def test_the_owner_is_on_the_team_and_ownership_can_be_handed_over(session, workspace, acme):
    assert [(m.user_id, m.role) for m in acme.team] == [("UOWNER", TeamRole.OWNER)]
    accounts.set_team_member(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        data={"user_id": "USE", "role": "technical"},
    )
    accounts.set_team_member(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        data={"user_id": "USE", "role": "owner"},
    )
    roles = {m.user_id: m.role for m in acme.team}
    assert roles == {"UOWNER": TeamRole.SALES, "USE": TeamRole.OWNER}
    assert acme.owner_id == "USE"
    with pytest.raises(InvalidInput):
        accounts.remove_team_member(
            session, workspace_id=workspace.id, account_id=acme.id, user_id="USE"
        )


def test_stakeholder_scores_are_checked_by_field_and_by_the_database(session, workspace, acme):
    with pytest.raises(InvalidInput) as raised:
        stakeholders.create(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            data={"name": "Dana", "power": 7, "attitude": -3, "email": "nope"},
        )
    assert raised.value.errors == {
        "power": "Must be at most 5.",
        "attitude": "Must be at least -2.",
        "email": "Enter an email address like name@company.com.",
    }
    dana = stakeholders.create(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        data={"name": "Dana", "role": "economic_buyer", "power": 5, "attitude": 2},
    )
    assert dana.is_key and dana.attitude_label == "champion"
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("UPDATE stakeholders SET power = 6 WHERE id = :id"), {"id": dana.id})


def test_a_touchpoint_keeps_its_stakeholders_and_limits_its_summary(session, workspace, acme):
    dana = stakeholders.create(
        session, workspace_id=workspace.id, account_id=acme.id, data={"name": "Dana"}
    )
    touchpoint = touchpoints.create(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        logged_by="U1",
        today=TODAY,
        data={
            "occurred_on": TODAY,
            "kind": "call",
            "summary": "Renewal",
            "stakeholder_ids": [dana.id],
        },
    )
    assert [s.name for s in touchpoint.stakeholders] == ["Dana"]
    assert touchpoints.last_for_account(session, account_id=acme.id).id == touchpoint.id

    with pytest.raises(InvalidInput) as raised:
        touchpoints.create(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            logged_by="U1",
            today=TODAY,
            data={"occurred_on": TODAY + timedelta(days=1), "kind": "call", "summary": "x" * 3001},
        )
    assert set(raised.value.errors) == {"occurred_on", "summary"}
    assert raised.value.errors["summary"] == "Must be at most 3000 characters."


def test_a_touchpoint_cannot_name_another_accounts_stakeholder(session, workspace, acme):
    globex = factories.account(session, workspace.id, "Globex")
    stranger = stakeholders.create(
        session, workspace_id=workspace.id, account_id=globex.id, data={"name": "Eve"}
    )
    with pytest.raises(InvalidInput) as raised:
        touchpoints.create(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            logged_by="U1",
            today=TODAY,
            data={
                "occurred_on": TODAY,
                "kind": "qbr",
                "summary": "x",
                "stakeholder_ids": [stranger.id],
            },
        )
    assert "stakeholder_ids" in raised.value.errors


def new_action(session, workspace, account, **data):
    return actions.create(
        session,
        workspace_id=workspace.id,
        account_id=account.id,
        created_by="U1",
        today=TODAY,
        data={"title": "Send proposal", "owner_id": "U1", **data},
    )


def test_a_new_action_cannot_be_due_in_the_past(session, workspace, acme):
    with pytest.raises(InvalidInput) as raised:
        new_action(session, workspace, acme, due_date=TODAY - timedelta(days=1))
    assert raised.value.errors == {
        "due_date": "The due date is in the past: pick today or a later day."
    }


def test_action_lifecycle(session, workspace, acme):
    action = new_action(session, workspace, acme, due_date=TODAY)
    actions.snooze(session, action=action, changed_by="U2", today=TODAY)
    assert action.snoozed_until == TODAY + timedelta(days=7)
    actions.reassign(session, action=action, changed_by="U2", owner_id="U3")
    assert action.owner_id == "U3" and action.last_changed_by == "U2"
    actions.mark_done(session, action=action, changed_by="U3")
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    assert not action.is_open


def test_done_and_completed_at_agree_in_the_database(session, workspace, acme):
    action = new_action(session, workspace, acme)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text("UPDATE actions SET status = 'done' WHERE id = :id"), {"id": action.id}
        )


def test_open_actions_list_overdue_first(session, workspace, acme):
    later = new_action(session, workspace, acme, title="Later", due_date=TODAY + timedelta(days=9))
    undated = new_action(session, workspace, acme, title="Undated")
    late = new_action(session, workspace, acme, title="Late", due_date=TODAY)
    soon = new_action(session, workspace, acme, title="Soon", due_date=TODAY + timedelta(days=1))
    done = new_action(session, workspace, acme, title="Done", due_date=TODAY)
    actions.mark_done(session, action=done, changed_by="U1")

    tomorrow = TODAY + timedelta(days=1)
    listed = actions.list_open_for_owner(
        session, workspace_id=workspace.id, owner_id="U1", today=tomorrow
    )
    assert [a.title for a in listed] == [late.title, soon.title, later.title, undated.title]
    assert actions.open_and_overdue_counts(session, account_id=acme.id, today=tomorrow) == (4, 1)
    assert late.days_late(tomorrow) == 1 and soon.days_late(tomorrow) == 0


def test_an_action_objective_must_be_of_the_same_account(session, workspace, acme):
    globex = factories.account(session, workspace.id, "Globex")
    objective = plans.create(
        session, workspace_id=workspace.id, account_id=globex.id, data={"title": "Grow"}
    )
    with pytest.raises(InvalidInput) as raised:
        new_action(session, workspace, acme, objective_id=objective.id)
    assert "objective_id" in raised.value.errors


def test_a_delivery_is_recorded_once_per_job_account_and_period(session, workspace, acme):
    session.add(
        Delivery(
            workspace_id=workspace.id,
            job_kind="monthly-report",
            account_id=acme.id,
            period_key="2026-10",
        )
    )
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            Delivery(
                workspace_id=workspace.id,
                job_kind="monthly-report",
                account_id=acme.id,
                period_key="2026-10",
            )
        )
        session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Delivery(workspace_id=workspace.id, job_kind="nudges", period_key="2026-10-01"))
        session.flush()


def test_relative_dates_are_read_from_the_users_today():
    from sambot.dates import parse_date

    saturday = date(2026, 11, 28)
    assert parse_date("tomorrow", today=saturday) == date(2026, 11, 29)
    assert parse_date("next friday", today=saturday) == date(2026, 12, 4)
    assert parse_date("in 2 weeks", today=saturday) == date(2026, 12, 12)
    assert parse_date("2026-12-24", today=saturday) == date(2026, 12, 24)
    assert parse_date("someday soon-ish", today=saturday) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", date(2026, 12, 5)),
        ("the 5th", date(2026, 12, 5)),
        ("28th", date(2026, 11, 28)),  # today
        ("1st", date(2026, 12, 1)),
        ("27", date(2026, 12, 27)),
        ("31st", date(2026, 12, 31)),
        ("0", None),
        ("32nd", None),
        ("2027", None),
    ],
)
def test_a_day_of_the_month_alone_is_the_next_such_day(text, expected):
    from sambot.dates import parse_date

    saturday = date(2026, 11, 28)
    assert parse_date(text, today=saturday) == expected


def test_the_31st_skips_the_months_without_one():
    from sambot.dates import next_day_of_month

    assert next_day_of_month(31, today=date(2027, 1, 31)) == date(2027, 1, 31)
    assert next_day_of_month(31, today=date(2027, 2, 1)) == date(2027, 3, 31)
    assert next_day_of_month(30, today=date(2027, 1, 31)) == date(2027, 3, 30)
    assert next_day_of_month(29, today=date(2027, 12, 30)) == date(2028, 1, 29)


def test_in_the_past_a_day_of_the_month_is_the_last_such_day():
    from sambot.dates import last_day_of_month, parse_date

    saturday = date(2026, 11, 28)
    assert parse_date("the 5th", today=saturday, past=True) == date(2026, 11, 5)
    assert parse_date("28", today=saturday, past=True) == saturday
    assert parse_date("30th", today=saturday, past=True) == date(2026, 10, 30)
    assert last_day_of_month(31, today=date(2027, 3, 30)) == date(2027, 1, 31)
    assert last_day_of_month(15, today=date(2027, 1, 3)) == date(2026, 12, 15)


def test_in_the_past_a_weekday_or_a_day_of_a_month_is_the_last_one():
    from sambot.dates import parse_date

    thursday = date(2026, 12, 3)
    assert parse_date("monday", today=thursday, past=True) == date(2026, 11, 30)
    assert parse_date("dec 5", today=thursday, past=True) == date(2025, 12, 5)
    assert parse_date("dec 5", today=thursday) == date(2026, 12, 5)
    assert parse_date("3 months ago", today=thursday, past=True) == date(2026, 9, 3)
