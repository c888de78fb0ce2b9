"""Buttons and forms whose references are forged or stale: a clear message, never a traceback."""

import json
import logging

import pytest

from sambot.localslack.requests import values_for
from sambot.slack.refs import ActionFormRef, ActionRef
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA

OUT_OF_DATE = "out of date"


@pytest.fixture
def posted(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 3 days")
    return slack.channel_message(ACME_CHANNEL, "Send proposal")


def no_tracebacks(caplog):
    return [r.getMessage() for r in caplog.records if r.exc_info] == []


@pytest.mark.parametrize("value", ["abc", "0", "", "1; DROP TABLE actions", "99999"])
def test_a_forged_button_value_is_refused_plainly(slack, posted, caplog, value):
    caplog.set_level(logging.WARNING)
    response = slack.requests.block_action(
        DANA, "action_done", value=value, message=posted, channel_id=ACME_CHANNEL
    )
    assert response.status_code == 200
    expected = "no longer exists" if value == "99999" else OUT_OF_DATE
    slack.ephemeral(DANA, expected)
    assert no_tracebacks(caplog)
    assert not slack.standin.calls("chat.update"), "nothing was changed"


def test_a_forged_team_block_is_refused_plainly(slack, db, caplog):
    seed.acme(db)
    slack.command("/sam", "team")
    team = slack.ephemeral(DANA, "Account team of Acme")
    slack.requests.block_action(
        DANA,
        "team_member_role",
        block_id="member_abc_ULEE",
        message=team,
        channel_id=ACME_CHANNEL,
        selected="technical",
    )
    slack.ephemeral(DANA, OUT_OF_DATE)
    assert no_tracebacks(caplog)


def test_a_forged_form_reference_keeps_the_form_open_with_the_message(slack, posted, caplog):
    value = next(
        e["value"]
        for b in posted["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_change_due"
    )
    assert ActionRef.decode(value).id > 0
    slack.requests.block_action(
        DANA, "action_change_due", value=value, message=posted, channel_id=ACME_CHANNEL
    )
    view = slack.opened_view("action_change_due")
    assert ActionFormRef.decode(view["private_metadata"]).action_id == ActionRef.decode(value).id
    forged = {**view, "private_metadata": json.dumps({"action_id": "1 OR 1=1"})}
    response = slack.requests.view_submission(forged, values_for(view, {}), DANA)
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert OUT_OF_DATE in json.dumps(answer["errors"])
    assert no_tracebacks(caplog)
