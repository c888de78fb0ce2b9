"""Issue 9 section 1, the domain rules: action statuses and edits, the reporting line,
stakeholders who left, archived accounts, objective progress and the touchpoint history."""

from datetime import date, timedelta

import pytest

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.actions.models import ActionStatus
from sambot.plans import service as plans
from sambot.reports.monthly import compute_reports
from sambot.reports.period import Period
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import TouchpointKind
from sambot.validation import InvalidInput
from tests import factories

TODAY = factories.TODAY


@pytest.fixture
def workspace(session):
    return factories.workspace(session)


@pytest.fixture
def acme(session, workspace):
    return factories.account(session, workspace.id, "Acme", channel_id="CACME")


def new_action(session, acme, title="Send proposal", **data):
    return actions.create(
        session,
        workspace_id=acme.workspace_id,
        account_id=acme.id,
        created_by="U1",
        data={"title": title, "owner_id": "U1", **data},
    )


def person(session, acme, name, **data):
    return stakeholders.create(
        session, workspace_id=acme.workspace_id, account_id=acme.id, data={"name": name, **data}
    )


# Actions ------------------------------------------------------------------------------------


def test_blocked_needs_the_obstacle_and_keeps_it(session, acme):
    action = new_action(session, acme)
    with pytest.raises(InvalidInput) as raised:
        actions.change_status(session, action=action, changed_by="U2", status="blocked")
    assert raised.value.errors == {"obstacle": "Say what blocks this action."}
    assert action.status == ActionStatus.OPEN
    actions.change_status(
        session, action=action, changed_by="U2", status="blocked", obstacle="  Legal review  "
    )
    assert (action.status, action.obstacle, action.last_changed_by) == (
        ActionStatus.BLOCKED,
        "Legal review",
        "U2",
    )
    assert action.is_open, "a blocked action is still open work"
    # Blocked again: the obstacle is updated.
    actions.change_status(
        session, action=action, changed_by="U2", status="blocked", obstacle="Budget"
    )
    assert action.obstacle == "Budget"


def test_cancel_needs_a_reason_and_a_cancelled_action_only_reopens(session, acme):
    action = new_action(session, acme)
    with pytest.raises(InvalidInput) as raised:
        actions.change_status(session, action=action, changed_by="U2", status="cancelled")
    assert raised.value.errors == {"cancel_reason": "Say why it is cancelled."}
    actions.change_status(
        session, action=action, changed_by="U2", status="cancelled", reason="Client said no"
    )
    assert (action.status, action.cancel_reason, action.completed_at) == (
        ActionStatus.CANCELLED,
        "Client said no",
        None,
    )
    assert not action.is_open and action.days_late(TODAY + timedelta(days=400)) == 0
    for status in ("done", "in_progress", "blocked"):
        with pytest.raises(InvalidInput) as raised:
            actions.change_status(
                session, action=action, changed_by="U2", status=status, obstacle="x"
            )
        assert raised.value.errors == {"status": "This action is cancelled: reopen it first."}
    with pytest.raises(InvalidInput):
        actions.mark_done(session, action=action, changed_by="U2")
    actions.change_status(session, action=action, changed_by="U2", status="open")
    assert (action.status, action.cancel_reason) == (ActionStatus.OPEN, None)


def test_transitions_between_open_statuses(session, acme):
    action = new_action(session, acme)
    actions.change_status(session, action=action, changed_by="U2", status="in_progress")
    assert action.status == ActionStatus.IN_PROGRESS
    actions.mark_done(session, action=action, changed_by="U2")
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    with pytest.raises(InvalidInput):
        actions.change_status(session, action=action, changed_by="U2", status="in_progress")
    with pytest.raises(InvalidInput) as raised:
        actions.change_status(session, action=action, changed_by="U2", status="nonsense")
    assert raised.value.errors == {"status": "Choose a status."}
    actions.change_status(session, action=action, changed_by="U2", status="open")
    assert action.completed_at is None


def test_edit_replaces_the_form_and_names_what_changed(session, acme, workspace):
    objective = plans.create(
        session, workspace_id=workspace.id, account_id=acme.id, data={"title": "Grow"}
    )
    action = new_action(session, acme, detail="Old detail", due_date=TODAY + timedelta(days=5))
    changed = actions.edit(
        session,
        action=action,
        changed_by="U2",
        today=TODAY,
        data={
            "title": "Send the proposal",
            "owner_id": "U1",
            "due_date": (TODAY + timedelta(days=5)).isoformat(),
            "objective_id": str(objective.id),
            "detail": "",  # cleared
            "obstacle": "Pricing",
            "shared_with_client": True,
        },
    )
    assert changed == ["title", "detail", "obstacle", "objective_id", "shared_with_client"]
    assert (action.detail, action.objective_id, action.last_changed_by) == (
        None,
        objective.id,
        "U2",
    )


def test_edit_keeps_a_past_due_date_but_refuses_a_new_one(session, acme):
    action = new_action(session, acme, due_date=TODAY - timedelta(days=3))
    data = {"title": "Send proposal", "owner_id": "U1", "due_date": TODAY - timedelta(days=3)}
    assert actions.edit(session, action=action, changed_by="U2", today=TODAY, data=data) == []
    with pytest.raises(InvalidInput) as raised:
        actions.edit(
            session,
            action=action,
            changed_by="U2",
            today=TODAY,
            data={**data, "due_date": TODAY - timedelta(days=1)},
        )
    assert list(raised.value.errors) == ["due_date"]


def test_edit_checks_the_objective_and_the_obstacle_of_a_blocked_action(session, acme, workspace):
    other = factories.account(session, workspace.id, "Globex")
    foreign = plans.create(
        session, workspace_id=workspace.id, account_id=other.id, data={"title": "Theirs"}
    )
    action = new_action(session, acme)
    base = {"title": "Send proposal", "owner_id": "U1"}
    with pytest.raises(InvalidInput) as raised:
        actions.edit(
            session, action=action, changed_by="U2", data={**base, "objective_id": foreign.id}
        )
    assert raised.value.errors == {"objective_id": "Choose an objective of this account."}
    actions.change_status(session, action=action, changed_by="U2", status="blocked", obstacle="x")
    with pytest.raises(InvalidInput) as raised:
        actions.edit(session, action=action, changed_by="U2", data={**base, "obstacle": " "})
    assert raised.value.errors == {"obstacle": "A blocked action says what blocks it."}


# Stakeholders -------------------------------------------------------------------------------


def test_the_reporting_line_cannot_loop(session, acme, workspace):
    ceo = person(session, acme, "Ceo")
    cto = person(session, acme, "Cto", reports_to_id=ceo.id)
    dev = person(session, acme, "Dev", reports_to_id=cto.id)
    with pytest.raises(InvalidInput) as raised:
        stakeholders.update(
            session,
            workspace_id=workspace.id,
            stakeholder_id=ceo.id,
            data={"reports_to_id": dev.id},
        )
    assert raised.value.errors == {
        "reports_to_id": "Dev already reports to this person, directly or through others: "
        "that would be a loop."
    }
    with pytest.raises(InvalidInput) as raised:
        stakeholders.update(
            session,
            workspace_id=workspace.id,
            stakeholder_id=ceo.id,
            data={"reports_to_id": ceo.id},
        )
    assert list(raised.value.errors) == ["reports_to_id"]
    assert ceo.reports_to_id is None
    # Moving someone elsewhere in the line is fine.
    stakeholders.update(
        session, workspace_id=workspace.id, stakeholder_id=dev.id, data={"reports_to_id": ceo.id}
    )
    assert dev.reports_to_id == ceo.id


def test_an_edit_clears_optional_fields_and_keeps_required_ones(session, acme, workspace):
    walter = person(session, acme, "Walter", title="CFO", email="w@acme.com", power=5)
    stakeholders.update(
        session,
        workspace_id=workspace.id,
        stakeholder_id=walter.id,
        data={"name": None, "title": "", "email": None, "power": "4", "role": "champion"},
    )
    assert (walter.name, walter.title, walter.email, walter.power, walter.role.value) == (
        "Walter",
        None,
        None,
        4,
        "champion",
    )


def test_someone_who_left_is_out_of_lists_but_found_for_history(session, acme):
    walter = person(session, acme, "Walter Boss")
    person(session, acme, "Anna")
    stakeholders.set_left(session, stakeholder=walter, left=True, today=TODAY)
    assert walter.left_on == TODAY
    assert [p.name for p in stakeholders.list_for_account(session, account_id=acme.id)] == ["Anna"]
    everyone = stakeholders.list_for_account(session, account_id=acme.id, include_left=True)
    assert {p.name for p in everyone} == {"Walter Boss", "Anna"}
    assert stakeholders.find_by_name(session, account_id=acme.id, name="walter").id == walter.id
    assert stakeholders.find_by_name(session, account_id=acme.id, name="a") is None  # ambiguous
    stakeholders.set_left(session, stakeholder=walter, left=False, today=TODAY)
    assert walter.left_on is None


def test_a_key_stakeholder_who_left_is_no_coverage_gap(session, acme, workspace):
    walter = person(session, acme, "Walter", power=5)
    person(session, acme, "Anna", power=4)
    stakeholders.set_left(session, stakeholder=walter, left=True, today=TODAY)
    [report] = compute_reports(
        session,
        workspace_id=workspace.id,
        timezone="UTC",
        # This month up to today: the stakeholders were created today.
        period=Period(date.today().year, date.today().month),
        account_ids=[acme.id],
        today=date.today(),
    )
    assert [gap.name for gap in report.coverage_gaps] == ["Anna"]


# Accounts -----------------------------------------------------------------------------------


def test_an_archived_account_is_out_of_lists_and_its_channel(session, acme, workspace):
    accounts.set_archived(session, workspace_id=workspace.id, account_id=acme.id, archived=True)
    assert accounts.list_accounts(session, workspace_id=workspace.id) == []
    assert accounts.count_accounts(session, workspace_id=workspace.id) == 0
    assert accounts.get_by_channel(session, workspace_id=workspace.id, channel_id="CACME") is None
    found = accounts.get_by_channel(
        session, workspace_id=workspace.id, channel_id="CACME", include_archived=True
    )
    assert found.id == acme.id
    accounts.set_archived(session, workspace_id=workspace.id, account_id=acme.id, archived=False)
    assert [a.name for a in accounts.list_accounts(session, workspace_id=workspace.id)] == ["Acme"]


def test_account_edit_keeps_required_fields_left_empty(session, acme, workspace):
    accounts.update(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        data={
            "name": "Acme Corp",
            "currency": None,
            "tier": None,
            "annual_revenue": "1,000",
            "gross_margin": "250",
            "potential_revenue": "5000",
            "industry": "",
        },
    )
    assert (acme.name, acme.currency, acme.tier.value, acme.industry) == (
        "Acme Corp",
        "USD",
        "strategic",
        None,
    )
    assert acme.margin_percent == 25 and acme.potential_revenue == 5000


# Objectives and history ---------------------------------------------------------------------


def test_objective_progress_leaves_cancelled_actions_out(session, acme, workspace):
    grow = plans.create(session, workspace_id=workspace.id, account_id=acme.id, data={"title": "G"})
    done = new_action(session, acme, "Done one", objective_id=grow.id)
    actions.mark_done(session, action=done, changed_by="U1")
    new_action(session, acme, "Open one", objective_id=grow.id)
    dropped = new_action(session, acme, "Dropped one", objective_id=grow.id)
    actions.change_status(
        session, action=dropped, changed_by="U1", status="cancelled", reason="No budget"
    )
    assert plans.progress(session, account_id=acme.id) == {grow.id: (1, 2)}
    listed = plans.actions_by_objective(session, account_id=acme.id)[grow.id]
    assert [a.title for a in listed] == ["Open one", "Done one"]
    plans.set_status(session, workspace_id=workspace.id, objective_id=grow.id, status="at_risk")
    assert grow.status.value == "at_risk"
    with pytest.raises(InvalidInput):
        plans.set_status(session, workspace_id=workspace.id, objective_id=grow.id, status="meh")


def test_history_filters_and_pages_newest_first(session, acme, workspace):
    walter = person(session, acme, "Walter")
    for day in range(1, 13):
        touchpoints.create(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            logged_by="U1",
            data={
                "occurred_on": date(2026, 10, day),
                "kind": "call" if day % 2 else "meeting",
                "summary": f"Day {day}",
                "stakeholder_ids": [walter.id] if day > 9 else [],
            },
        )
    page, total = touchpoints.history(session, account_id=acme.id, limit=5)
    assert total == 12 and [t.summary for t in page] == [f"Day {d}" for d in (12, 11, 10, 9, 8)]
    page, total = touchpoints.history(session, account_id=acme.id, offset=10, limit=5)
    assert [t.summary for t in page] == ["Day 2", "Day 1"]
    page, total = touchpoints.history(session, account_id=acme.id, stakeholder_id=walter.id)
    assert total == 3 and [t.summary for t in page] == ["Day 12", "Day 11", "Day 10"]
    page, total = touchpoints.history(
        session, account_id=acme.id, kind=TouchpointKind.CALL, since=date(2026, 10, 6)
    )
    assert [t.summary for t in page] == ["Day 11", "Day 9", "Day 7"] and total == 3
