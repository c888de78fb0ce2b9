"""The plain-dict Block Kit, checked against slack_sdk's models: what slack_sdk accepts and
serialises back the same is what Slack documents."""

from datetime import date

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.actions.models import Action, ActionStatus
from sambot.slack import messages, modals
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import Sentiment, Touchpoint, TouchpointKind

TODAY = date(2026, 12, 1)


def acme() -> Account:
    account = Account(id=1, name="Acme & <Co>", owner_id="UDANA", tier=Tier.STRATEGIC)
    account.currency, account.annual_revenue = "USD", 1_000_000
    account.team = [
        TeamMember(user_id="UDANA", role=TeamRole.OWNER),
        TeamMember(user_id="ULEE", role=TeamRole.OTHER),
    ]
    return account


def action(**fields) -> Action:
    return Action(id=7, title="Send *the* deck", owner_id="ULEE", due_date=TODAY, **fields)


def stakeholders() -> list[Stakeholder]:
    return [
        Stakeholder(id=n, name=f"Person {n}", role=StakeholderRole.OTHER, power=3)
        for n in range(1, 4)
    ]


VIEWS = {
    "account": lambda: modals.account_modal(owner_id="UDANA", channel_id="CACME", name="Acme"),
    "stakeholder": lambda: modals.stakeholder_modal(
        accounts=[acme()], account_id=1, managers=stakeholders(), user_id="UDANA"
    ),
    "touchpoint": lambda: modals.touchpoint_modal(
        accounts=[acme()],
        account_id=1,
        stakeholders=stakeholders(),
        user_id="UDANA",
        today=TODAY,
        metadata='{"channel":"CACME"}',
        prefill={"stakeholder_ids": [2], "touchpoint_id": 4},
    ),
    "action": lambda: modals.action_modal(
        accounts=[acme()], account_id=1, objectives=[], user_id="UDANA", title="x"
    ),
    "change due": lambda: modals.change_due_modal(
        action(status=ActionStatus.OPEN), today=TODAY, metadata="{}"
    ),
    "reassign": lambda: modals.reassign_modal(action(status=ActionStatus.OPEN), metadata="{}"),
    "info": lambda: modals.info_modal("Help", "Some *text*"),
}


@pytest.mark.parametrize("name", VIEWS)
def test_each_modal_is_a_view_slack_sdk_accepts_as_is(name):
    view = VIEWS[name]()
    parsed = View(**view)
    parsed.validate_json()  # Slack's limits, as slack_sdk knows them
    assert parsed.to_dict() == view


def touchpoint() -> Touchpoint:
    return Touchpoint(
        id=4,
        kind=TouchpointKind.CALL,
        sentiment=Sentiment.POSITIVE,
        summary="Talked <pricing>",
        occurred_on=TODAY,
        logged_by="UDANA",
        stakeholders=[],
    )


MESSAGES = {
    "help": lambda: messages.help_message("Hello"),
    "action": lambda: messages.action_message(
        action(status=ActionStatus.OPEN), acme(), TODAY, note="Created"
    ),
    "action list": lambda: messages.action_list_message([action(status=ActionStatus.OPEN)], TODAY),
    "summary": lambda: messages.account_summary_message(
        acme(), open_count=2, overdue_count=1, last_touchpoint=touchpoint()
    ),
    "team": lambda: messages.team_message(acme()),
    "offer": lambda: messages.offer_account_creation("Acme", ["Acme Inc"]),
    "touchpoint": lambda: messages.touchpoint_message(touchpoint(), acme()),
    "logged": lambda: messages.touchpoint_logged(touchpoint(), acme(), posted_in=None, link=None),
}


@pytest.mark.parametrize("name", MESSAGES)
def test_each_message_is_blocks_slack_sdk_accepts_as_is(name):
    _text, blocks = MESSAGES[name]()
    for block in blocks:
        parsed = Block.parse(block)
        parsed.validate_json()
        assert parsed.to_dict() == block
