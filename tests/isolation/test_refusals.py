"""One example of each refusal the sweep checks in bulk: an id of the other workspace in a
button's value or a form's private_metadata is answered plainly and changes nothing."""

import json
from datetime import UTC, datetime

from sqlalchemy import select

from sambot.actions.models import Action, ActionStatus
from sambot.localslack.requests import values_for
from sambot.slack.ids import ActionButton, Callback
from sambot.slack.refs import AccountFormRef, ActionRef
from tests.isolation.conftest import ACME_CHANNEL, ALPHA, BRAVO, DANA
from tests.isolation.sweep import in_workspace, opened_modals
from tests.isolation.test_generated import offered, option, prepare


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


# The forms' choices of rows, by block id, and the kind of row each names.
ROW_CHOICES = {
    "account_id": "account",
    "objective_id": "objective",
    "stakeholder_ids": "stakeholder",
    "reports_to_id": "stakeholder",
}
NOT_ROWS = {"attitude"}  # a scale, -2 to 2


def test_every_forms_choices_refuse_the_other_workspaces_ids(pair, caplog):
    """Each choice of rows in the forms (an account, stakeholders, an objective, a manager)
    answered with a row of that kind of the other workspace, the rest filled in as a person
    would: refused under the form's field, nothing of the other's changed or shown."""
    prepare(pair)
    tried = []
    for team, tenant in pair.tenants.items():
        other = BRAVO if team == ALPHA else ALPHA
        for view in pair.forms[team]:
            inputs = [b for b in view["blocks"] if b.get("type") == "input"]
            for block in inputs:
                if not any(value.isdigit() for value in offered(block["element"])):
                    continue
                if block["block_id"] in NOT_ROWS:
                    continue
                assert block["block_id"] in ROW_CHOICES, f"a choice of rows not tried: {block}"
                forged = option(pair.ids[other][ROW_CHOICES[block["block_id"]]][0])
                multi = block["element"]["type"].startswith("multi_")
                answers = {b["block_id"]: filled_in(b) for b in inputs}
                answers[block["block_id"]] = [forged] if multi else forged
                before, mark = pair.snapshot(other), len(pair.standin.calls())
                response = tenant.requests.view_submission(
                    in_workspace(view, team),
                    values_for(view, {k: v for k, v in answers.items() if v is not None}),
                    DANA,
                )
                pair.settle()
                what = f"{team} {view['callback_id']}.{block['block_id']}"
                tried.append(what)
                assert response.status_code == 200, what
                errors = json.loads(response.text or "{}").get("errors", {})
                assert block["block_id"] in errors, (what, response.text)  # under its field
                assert pair.snapshot(other) == before, what
                assert pair.leaks(since=mark) == [], what
    assert len(tried) >= 8, tried
    assert pair.problems(caplog) == []


def filled_in(block: dict):
    """What a person would enter: the choice shown, some text where it is required, today
    (None: as shown)."""
    element = block["element"]
    if block.get("optional"):
        return None
    if element["type"] == "plain_text_input" and not element.get("initial_value"):
        return "Met the CFO about the renewal"
    if element["type"] == "datepicker" and not element.get("initial_date"):
        return datetime.now(UTC).date().isoformat()
    return None
