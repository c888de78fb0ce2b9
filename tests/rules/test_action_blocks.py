"""How an action reads in Slack: lateness, its due date, its state and its status menu
(sambot.actions.models.days_late and sambot.slack.action_blocks)."""

from datetime import date, timedelta

import pytest

from sambot.actions.models import Action, ActionStatus, days_late
from sambot.slack.action_blocks import action_line, status_menu

TODAY = date(2026, 12, 2)  # a Wednesday


def action(status=ActionStatus.OPEN, due_in: int | None = 0, **fields) -> Action:
    due_date = None if due_in is None else TODAY + timedelta(days=due_in)
    return Action(
        id=7,
        title="Send the proposal",
        owner_id="UDANA",
        status=status,
        due_date=due_date,
        shared_with_client=False,
        **fields,
    )


@pytest.mark.parametrize(
    "status", [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED]
)
def test_an_open_action_is_late_by_the_days_past_its_due_date(status):
    assert days_late(TODAY - timedelta(days=3), status, TODAY) == 3
    assert days_late(TODAY, status, TODAY) == 0
    assert days_late(None, status, TODAY) == 0


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.CANCELLED])
def test_a_closed_action_is_never_late(status):
    assert days_late(TODAY - timedelta(days=30), status, TODAY) == 0
    assert "late" not in action_line(action(status, due_in=-30), TODAY)


def test_the_line_says_how_late_in_days_one_or_many():
    assert "· *3 days late* (due Sun 29 Nov 2026)" in action_line(action(due_in=-3), TODAY)
    assert "· *1 day late* (due Tue 01 Dec 2026)" in action_line(action(due_in=-1), TODAY)


def test_due_today_is_said_so_while_open_and_as_a_date_once_closed():
    assert action_line(action(due_in=0), TODAY).endswith("· due *today*")
    done_today = action_line(action(ActionStatus.DONE, due_in=0), TODAY)
    assert "due Wed 02 Dec 2026" in done_today and "today" not in done_today
    assert action_line(action(due_in=None), TODAY).endswith("· no due date")


def test_the_line_shows_the_state_and_its_mark_except_for_a_plain_open_action():
    assert action_line(action(due_in=None), TODAY) == (
        ":pushpin: *Send the proposal* · <@UDANA> · no due date"
    )
    blocked = action_line(action(ActionStatus.BLOCKED, due_in=None), TODAY)
    assert blocked.startswith(":construction: *Send") and blocked.endswith(" · Blocked")
    done = action_line(action(ActionStatus.DONE, due_in=None), TODAY)
    assert done.startswith(":white_check_mark: ") and done.endswith(" · Done")


def test_the_status_menu_offers_every_other_status_and_blocked_again():
    def offered(status):
        return [option["value"] for option in status_menu(action(status))["options"]]

    assert offered(ActionStatus.OPEN) == ["7:in_progress", "7:blocked", "7:cancelled"]
    assert offered(ActionStatus.BLOCKED) == ["7:open", "7:in_progress", "7:blocked", "7:cancelled"]
