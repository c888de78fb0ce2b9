"""The App Home tab, and Slack's event retries handled once."""

import json
import time

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


def test_a_retried_event_reaching_another_replica_is_handled_once(slack, db):
    """Slack's retry may go to another process behind the load balancer: the database,
    not one process's memory, remembers the event id."""
    from sambot.config import load_settings
    from sambot.localslack.requests import SlackRequests
    from sambot.slack.app import build_app
    from sambot.slack.client import build_web_client
    from sambot.slack.server import BackgroundServer
    from tests.slack.conftest import SIGNING_SECRET

    seed.acme(db)
    home_event(slack, event_id="EvOTHER")
    slack.wait("views.publish")
    settings = load_settings(
        slack_bot_token=slack.standin.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.standin.base_url,
        database_url=db.url,
    )
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    server = BackgroundServer(build_app(settings, db, client), SIGNING_SECRET).start()
    try:
        with SlackRequests(server.url, SIGNING_SECRET, slack.standin) as other:
            event = {"type": "app_home_opened", "user": DANA, "channel": "DUDANA", "tab": "home"}
            assert other.event(event, event_id="EvOTHER", retry_num=1).status_code == 200
            fresh = other.event(event, event_id="EvNEW")
            assert fresh.status_code == 200
            slack.standin.wait_for(
                "views.publish", lambda c: len(slack.standin.calls("views.publish")) == 2
            )
            while server.workload.ahead:
                time.sleep(0.01)
    finally:
        server.stop()
    assert len(slack.standin.calls("views.publish")) == 2  # the first and EvNEW only
