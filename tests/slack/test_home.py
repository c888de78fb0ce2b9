"""The App Home tab, and Slack's event retries handled once."""

import json

from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA


def home_event(slack, event_id="EvHOME1", **options):
    event = {"type": "app_home_opened", "user": DANA, "channel": "DUDANA", "tab": "home"}
    return slack.requests.event(event, event_id=event_id, **options)


def test_home_lists_my_accounts_and_open_actions_with_buttons(slack, db):
    seed.acme(db)
    slack.command("/action", "Prepare the QBR by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Prepare the QBR")
    assert home_event(slack).status_code == 200
    call = slack.wait("views.publish")
    assert call.args["user_id"] == DANA
    home = json.dumps(call.args["view"])
    assert "Your account plan" in home and "*Acme*" in home and "Prepare the QBR" in home
    assert "action_done" in home


def test_a_retried_event_is_handled_once(slack, db):
    seed.acme(db)
    home_event(slack, event_id="EvSAME")
    slack.wait("views.publish")
    assert home_event(slack, event_id="EvSAME", retry_num=1).status_code == 200
    slack.in_flight.settle()
    assert len(slack.standin.calls("views.publish")) == 1


def test_mark_done_from_home_refreshes_it(slack, db):
    seed.acme(db)
    slack.command("/action", "Home button test by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Home button test")
    home_event(slack)
    home = slack.wait("views.publish").response["view"]
    button = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_done"
    )
    slack.requests.block_action(DANA, "action_done", value=button["value"], view=home)
    slack.wait("views.publish", lambda c: "Home button test" not in json.dumps(c.args["view"]))
    slack.wait("chat.update", lambda c: "Marked done by <@UDANA>" in json.dumps(c.args))


def test_a_channel_shared_later_gets_the_client_version(slack, db):
    from sqlalchemy import select

    from sambot.accounts.models import Account

    seed.acme(db)
    slack.standin.add_channel(ACME_CHANNEL, "acme", is_ext_shared=True)
    slack.requests.event(
        {"type": "channel_shared", "channel": ACME_CHANNEL, "connected_team_id": "TCLIENT"}
    )
    slack.wait("conversations.info")
    with db.session() as session:
        assert session.scalar(select(Account.channel_shared_with_client)) is True
    slack.standin.add_channel(ACME_CHANNEL, "acme", is_ext_shared=False)
    slack.requests.event({"type": "channel_unshared", "channel": ACME_CHANNEL})
    slack.wait("conversations.info", lambda c: len(slack.standin.calls("conversations.info")) == 2)
    with db.session() as session:
        assert session.scalar(select(Account.channel_shared_with_client)) is False
