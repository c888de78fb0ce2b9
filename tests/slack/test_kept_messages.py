"""A long message's blocks wait in the database, so any app process can redraw it."""

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from sambot.config import load_settings
from sambot.localslack.requests import SlackRequests, values_for
from sambot.slack.app import build_app
from sambot.slack.client import build_web_client
from sambot.slack.kept_messages import KeptMessage
from sambot.slack.server import BackgroundServer
from tests.slack.conftest import LEE, SIGNING_SECRET
from tests.slack.test_buttons import long_nudge, press


def kept(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(KeptMessage))


def test_a_form_opened_on_one_process_redraws_the_long_message_from_another(slack, db):
    nudge = long_nudge(slack, db)
    press(slack, nudge, "action_change_due")
    view = slack.opened_view("action_change_due")
    assert kept(db) == 1
    # The submission reaches another app process on the same database.
    settings = load_settings(
        slack_bot_token=slack.standin.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.standin.base_url,
        database_url=db.url,
        sambot_timezone="UTC",
    )
    other = build_app(
        settings, db, build_web_client(slack.standin.bot_token, slack.standin.base_url)
    )
    server = BackgroundServer(other, SIGNING_SECRET).start()
    try:
        with SlackRequests(server.url, SIGNING_SECRET, slack.standin) as requests:
            new_due = (date.today() + timedelta(days=9)).isoformat()
            requests.view_submission(view, values_for(view, {"due_date": new_due}), LEE)
            update = slack.standin.wait_for(
                "chat.update",
                lambda c: c.args["ts"] == nudge["ts"] and "Due date changed" in json.dumps(c.args),
            )
    finally:
        server.stop()
    assert "Overdue number 1" in json.dumps(update.args["blocks"]), "the other actions stay"
    assert kept(db) == 0, "taken once"


def test_a_refused_submission_keeps_the_blocks_for_the_retry(slack, db):
    nudge = long_nudge(slack, db)
    press(slack, nudge, "action_change_due")
    view = slack.opened_view("action_change_due")
    past = (date.today() - timedelta(days=3)).isoformat()  # past in every time zone
    answer = slack.requests.view_submission(view, values_for(view, {"due_date": past}), LEE).json()
    assert answer["response_action"] == "errors"
    assert kept(db) == 1
