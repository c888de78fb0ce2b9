"""One example of each refusal the sweep checks in bulk: an id of the other workspace in a
button's value or a form's private_metadata is answered plainly and changes nothing."""

import json

from sqlalchemy import select

from sambot.actions.models import Action, ActionStatus
from sambot.localslack.requests import values_for
from sambot.slack.ids import ActionButton, Callback
from sambot.slack.refs import AccountFormRef, ActionRef
from tests.isolation.conftest import ACME_CHANNEL, ALPHA, BRAVO, DANA
from tests.isolation.sweep import opened_modals


def open_action_of(pair, team: str) -> Action:
    with pair.database.session() as session:
        return session.scalars(
            select(Action)
            .where(
                Action.workspace_id == pair.tenants[team].workspace_id,
                Action.status == ActionStatus.OPEN,
            )
            .order_by(Action.id)
        ).first()


def test_mark_done_with_the_other_workspaces_action_is_refused(pair, caplog):
    theirs = open_action_of(pair, ALPHA)
    message = {"ts": "1700000000.000100", "text": "", "blocks": []}
    response = pair.tenants[BRAVO].requests.block_action(
        DANA,
        ActionButton.DONE,
        value=ActionRef(id=theirs.id).encode(),
        message=message,
        channel_id=ACME_CHANNEL,
    )
    assert response.status_code == 200
    answer = pair.standin.wait_for("response_url", lambda call: call.team_id == BRAVO)
    pair.settle()
    assert answer.args["text"] == ":warning: That action no longer exists."
    assert answer.args["response_type"] == "ephemeral"
    assert open_action_of(pair, ALPHA).status == ActionStatus.OPEN
    assert pair.standin.calls("chat.update") == []
    assert pair.problems(caplog) == []


def test_a_form_with_the_other_workspaces_account_in_its_metadata_is_refused(pair, caplog):
    bravo = pair.tenants[BRAVO]
    bravo.command("/sam", "account edit")
    pair.standin.wait_for("views.open", lambda call: call.team_id == BRAVO)
    pair.settle()
    [form] = [v for v in opened_modals(pair, BRAVO) if v["callback_id"] == Callback.ACCOUNT_EDIT]
    forged = {
        **form,
        "private_metadata": AccountFormRef(account_id=pair.tenants[ALPHA].account_id).encode(),
    }
    before = pair.snapshot(ALPHA)

    response = bravo.requests.view_submission(forged, values_for(forged, {"name": "Taken"}), DANA)

    assert response.status_code == 200
    answer = json.loads(response.text)
    assert answer["response_action"] == "errors"
    assert "That account does not exist." in json.dumps(answer["errors"])
    pair.settle()
    assert pair.snapshot(ALPHA) == before
    assert pair.problems(caplog) == []
