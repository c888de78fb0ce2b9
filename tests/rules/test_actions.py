"""An action's state changes, and the lists people ask for: the rules of sambot.actions.service."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sambot.actions import service as actions
from sambot.actions.models import OPEN_STATUSES, Action, ActionLine, ActionStatus
from sambot.plans.models import Horizon, Objective
from sambot.validation import InvalidInput, NotFound
from sambot.workspaces import service as workspaces
from tests import factories

TODAY = date(2026, 11, 28)


@pytest.fixture
def acme(session):
    workspace = factories.workspace(session)
    return factories.account(session, workspace.id)


def new(session, account, title="Renewal", **data):
    return actions.create(
        session,
        workspace_id=account.workspace_id,
        account_id=account.id,
        created_by="UDANA",
        data={"title": title, "owner_id": "ULEE", **data},
        today=TODAY,
    )


def objective(session, account, title="Grow"):
    row = Objective(
        workspace_id=account.workspace_id,
        account_id=account.id,
        title=title,
        horizon=Horizon.SHORT_TERM,
    )
    session.add(row)
    session.flush()
    return row


def test_a_new_action_is_open_and_remembers_who_made_it(session, acme):
    action = new(session, acme, due_date="2026-12-01", shared_with_client=True)
    assert action.status == ActionStatus.OPEN and action.completed_at is None
    assert (action.created_by, action.last_changed_by, action.owner_id) == ("UDANA",) * 2 + (
        "ULEE",
    )
    assert action.due_date == date(2026, 12, 1) and action.shared_with_client
    assert actions.get(session, workspace_id=acme.workspace_id, action_id=action.id) is action


def test_another_workspaces_action_is_not_found(session, acme):
    action = new(session, acme)
    with pytest.raises(NotFound) as caught:
        actions.get(session, workspace_id=acme.workspace_id + 1, action_id=action.id)
    assert str(caught.value) == "That action no longer exists."
    with pytest.raises(NotFound):
        actions.get(session, workspace_id=acme.workspace_id, action_id=action.id + 100)


def test_an_action_serves_only_its_own_accounts_objectives(session, acme):
    other = factories.account(session, acme.workspace_id, name="Globex")
    theirs, ours = objective(session, other), objective(session, acme)
    with pytest.raises(InvalidInput) as caught:
        new(session, acme, objective_id=theirs.id)
    assert caught.value.errors == {"objective_id": "Choose an objective of this account."}
    with pytest.raises(InvalidInput):
        new(session, acme, objective_id=ours.id + theirs.id + 1)  # no such objective
    action = new(session, acme, objective_id=ours.id)
    assert action.objective_id == ours.id

    with pytest.raises(InvalidInput) as caught:
        actions.update(session, action=action, changed_by="UDANA", data={"objective_id": theirs.id})
    assert caught.value.errors == {"objective_id": "Choose an objective of this account."}
    assert action.objective_id == ours.id
    other_of_ours = objective(session, acme, "Keep")
    actions.update(
        session, action=action, changed_by="UDANA", data={"objective_id": other_of_ours.id}
    )
    assert action.objective_id == other_of_ours.id
    actions.update(session, action=action, changed_by="UDANA", data={"objective_id": None})
    assert action.objective_id is None


def test_an_update_changes_only_the_fields_given(session, acme):
    action = new(session, acme, due_date="2026-12-01", detail="Call legal")
    actions.update(session, action=action, changed_by="UOWEN", data={"title": "Renewal v2"})
    assert action.title == "Renewal v2" and action.detail == "Call legal"
    assert action.due_date == date(2026, 12, 1) and action.status == ActionStatus.OPEN
    assert action.last_changed_by == "UOWEN"
    actions.update(session, action=action, changed_by="UDANA", data={"status": "blocked"})
    assert action.status == ActionStatus.BLOCKED and action.title == "Renewal v2"
    assert action.completed_at is None


def test_done_sets_the_completion_time_and_reopening_clears_it(session, acme):
    action = new(session, acme)
    before = datetime.now(UTC)
    actions.update(session, action=action, changed_by="ULEE", data={"status": "done"})
    assert action.status == ActionStatus.DONE
    assert before - timedelta(seconds=1) <= action.completed_at <= datetime.now(UTC)
    actions.update(session, action=action, changed_by="ULEE", data={"status": "in_progress"})
    assert action.status == ActionStatus.IN_PROGRESS and action.completed_at is None


def test_marking_done_twice_keeps_the_first_completion(session, acme):
    action = new(session, acme)
    actions.mark_done(session, action=action, changed_by="ULEE")
    first = action.completed_at
    assert action.status == ActionStatus.DONE and first is not None
    actions.mark_done(session, action=action, changed_by="UOWEN")
    assert action.completed_at == first and action.last_changed_by == "UOWEN"


def test_snooze_mutes_for_a_week_and_keeps_the_promise(session, acme):
    action = new(session, acme, due_date="2026-11-30")
    actions.snooze(session, action=action, changed_by="UOWEN", today=TODAY)
    assert action.snoozed_until == date(2026, 12, 5)
    assert action.due_date == date(2026, 11, 30) and action.last_changed_by == "UOWEN"


def test_a_new_due_date_ends_the_snooze_and_cannot_be_in_the_past(session, acme):
    action = new(session, acme, due_date="2026-11-30")
    actions.snooze(session, action=action, changed_by="ULEE", today=TODAY)
    with pytest.raises(InvalidInput) as caught:
        actions.change_due_date(
            session, action=action, changed_by="ULEE", due_date="2026-11-27", today=TODAY
        )
    assert set(caught.value.errors) == {"due_date"}
    assert action.snoozed_until == date(2026, 12, 5)
    actions.change_due_date(
        session, action=action, changed_by="UOWEN", due_date="2026-12-10", today=TODAY
    )
    assert action.due_date == date(2026, 12, 10) and action.snoozed_until is None
    assert action.last_changed_by == "UOWEN"


def test_reassign_changes_the_owner_only(session, acme):
    action = new(session, acme, due_date="2026-12-01")
    actions.reassign(session, action=action, changed_by="UDANA", owner_id="UOWEN")
    assert action.owner_id == "UOWEN" and action.last_changed_by == "UDANA"
    assert action.due_date == date(2026, 12, 1) and action.title == "Renewal"
    with pytest.raises(InvalidInput):
        actions.reassign(session, action=action, changed_by="UDANA", owner_id="")


def _portfolio(session, acme):
    """Open actions of ULEE in a scrambled order, plus some that no list shows."""
    made = {}
    for title, due in [
        ("next week", "2026-12-05"),
        ("undated", None),
        ("tomorrow", "2026-11-29"),
        ("today", "2026-11-28"),
    ]:
        made[title] = new(session, acme, title, due_date=due)
    # Past due dates cannot be entered; the actions became late as days went by.
    for title, due in [("late a week", date(2026, 11, 21)), ("late a month", date(2026, 10, 28))]:
        made[title] = new(session, acme, title)
        made[title].due_date = due
    done = new(session, acme, "done", due_date="2026-11-28")
    actions.mark_done(session, action=done, changed_by="ULEE")
    cancelled = new(session, acme, "cancelled")
    actions.update(session, action=cancelled, changed_by="ULEE", data={"status": "cancelled"})
    new(session, acme, "someone else's", owner_id="UOWEN", due_date="2026-11-28")
    session.flush()
    return made


ORDER = ["late a month", "late a week", "today", "tomorrow", "next week", "undated"]


def test_open_lists_put_the_overdue_first_then_by_due_date_undated_last(session, acme):
    _portfolio(session, acme)
    mine = actions.list_open_for_owner(
        session, workspace_id=acme.workspace_id, owner_id="ULEE", today=TODAY
    )
    assert [a.title for a in mine] == ORDER
    everyone = actions.list_open_for_account(session, account_id=acme.id, today=TODAY)
    assert [a.title for a in everyone] == [*ORDER[:3], "someone else's", *ORDER[3:]]


def test_the_overdue_first_order_itself_puts_overdue_then_dated_then_undated(session, acme):
    # The open lists' statements are built once, at import, so this calls the order's rule
    # as it runs: a change to it is seen here whenever it is made (tests/MUTATION.md).
    _portfolio(session, acme)
    ordered = session.scalars(
        select(Action)
        .where(Action.owner_id == "ULEE", Action.status.in_(OPEN_STATUSES))
        .order_by(*actions.overdue_first(TODAY))
    )
    assert [a.title for a in ordered] == ORDER


def test_open_lists_stop_at_their_limit_and_stay_in_their_workspace(session, acme):
    _portfolio(session, acme)
    assert [
        a.title
        for a in actions.list_open_for_owner(
            session, workspace_id=acme.workspace_id, owner_id="ULEE", today=TODAY, limit=2
        )
    ] == ORDER[:2]
    assert [
        a.title
        for a in actions.list_open_for_account(session, account_id=acme.id, today=TODAY, limit=2)
    ] == ORDER[:2]
    assert (
        actions.list_open_for_owner(
            session, workspace_id=acme.workspace_id + 1, owner_id="ULEE", today=TODAY
        )
        == []
    )
    assert actions.list_open_for_account(session, account_id=acme.id + 1, today=TODAY) == []


def test_a_listed_line_carries_the_action_as_saved_and_reads_as_the_action_does(session, acme):
    # The lists are read as plain rows, not ORM objects: each field is the saved value.
    action = new(session, acme, "Send the proposal", shared_with_client=True)
    action.due_date = date(2026, 11, 20)  # late by now
    session.flush()
    (line,) = actions.list_open_for_account(session, account_id=acme.id, today=TODAY)
    assert line == ActionLine(
        id=action.id,
        title="Send the proposal",
        owner_id="ULEE",
        due_date=date(2026, 11, 20),
        status=ActionStatus.OPEN,
        shared_with_client=True,
    )
    assert line.is_open and action.is_open
    assert line.days_late(TODAY) == action.days_late(TODAY) == 8


def test_an_open_list_shows_fifty_actions_at_most(session, acme):
    session.add_all(
        Action(
            workspace_id=acme.workspace_id,
            account_id=acme.id,
            title=f"Action {n}",
            owner_id="ULEE",
            created_by="ULEE",
        )
        for n in range(51)
    )
    session.flush()
    mine = actions.list_open_for_owner(
        session, workspace_id=acme.workspace_id, owner_id="ULEE", today=TODAY
    )
    assert len(mine) == 50
    assert len(actions.list_open_for_account(session, account_id=acme.id, today=TODAY)) == 50


def test_open_and_overdue_counts_leave_closed_actions_and_today_out(session, acme):
    _portfolio(session, acme)
    assert actions.open_and_overdue_counts(session, account_id=acme.id, today=TODAY) == (7, 2)
    assert actions.open_and_overdue_counts(session, account_id=acme.id + 1, today=TODAY) == (0, 0)


def test_where_an_actions_message_was_posted_is_remembered(session, acme):
    action = new(session, acme)
    actions.record_message(session, action_id=action.id, channel_id="CACME", message_ts="1.5")
    session.expire_all()
    stored = actions.get(session, workspace_id=acme.workspace_id, action_id=action.id)
    assert (stored.channel_id, stored.message_ts) == ("CACME", "1.5")


def test_open_counts_by_owner_count_open_actions_of_the_people_asked_in_the_workspace(
    session, acme
):
    for title, owner in (("A", "ULEE"), ("B", "ULEE"), ("C", "UOWEN"), ("D", "UZOE")):
        new(session, acme, title, owner_id=owner)
    actions.change_status(
        session, action=new(session, acme, "Done", owner_id="ULEE"), changed_by="U1", status="done"
    )
    in_progress = new(session, acme, "Going", owner_id="UOWEN")
    actions.change_status(session, action=in_progress, changed_by="U1", status="in_progress")
    other_workspace = workspaces.ensure(session, team_id="T0002", timezone="UTC")
    other = factories.account(session, other_workspace.id)
    new(session, other, "Elsewhere", owner_id="ULEE")
    counts = actions.open_counts_by_owner(
        session, workspace_id=acme.workspace_id, owner_ids=["ULEE", "UOWEN", "UNONE"]
    )
    assert counts == {"ULEE": 2, "UOWEN": 2, "UNONE": 0}
    assert actions.open_counts_by_owner(session, workspace_id=acme.workspace_id, owner_ids=[]) == {}
