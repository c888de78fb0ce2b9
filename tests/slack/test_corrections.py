"""Issue 9 section 1 end to end: every form that corrects what is stored, opened from its
button or command, submitted invalid then valid, and the messages it updates."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.localslack.requests import values_for
from sambot.plans.models import Objective
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint, TouchpointKind
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE

IN_5_DAYS = date.today() + timedelta(days=5)


def submit(slack, view, answers, user=LEE):
    response = slack.requests.view_submission(view, values_for(view, answers), user)
    assert response.status_code == 200
    return response.json() if response.content else {}


def blocks_of(args) -> list[dict]:
    blocks = args["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def element(message, action_id, block_id=None):
    return next(
        e
        for b in message["blocks"]
        if block_id is None or b.get("block_id") == block_id
        for e in [*(b.get("elements") or []), b.get("accessory") or {}]
        if e.get("action_id") == action_id
    )


def press(slack, message, action_id, *, user=LEE, block_id=None, selected=None):
    found = element(message, action_id, block_id)
    response = slack.requests.block_action(
        user,
        action_id,
        value=found.get("value"),
        block_id=block_id,
        message=message,
        channel_id=ACME_CHANNEL,
        selected=selected,
    )
    assert response.status_code == 200


def pick_status(slack, message, status, user=LEE):
    menu = element(message, "action_more")
    [choice] = [o["value"] for o in menu["options"] if o["value"].endswith(f":{status}")]
    press(slack, message, "action_more", user=user, selected=choice)


def own_message_update(slack, ts, contains):
    call = slack.wait(
        "chat.update", lambda c: c.args["ts"] == ts and contains in json.dumps(c.args)
    )
    return call.args


def posted_action(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 5 days")
    return slack.channel_message(ACME_CHANNEL, "Send proposal")


def the_action(db) -> Action:
    with db.session() as session:
        action = session.scalar(select(Action))
        session.expunge(action)
        return action


# Actions ------------------------------------------------------------------------------------


def test_edit_opens_prefilled_refuses_a_past_date_and_says_who_changed_what(slack, db):
    message = posted_action(slack, db)
    press(slack, message, "action_edit")
    view = slack.opened_view("action_edit")
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert initial["title"]["initial_value"] == "Send proposal"
    assert initial["owner_id"]["initial_user"] == DANA
    assert "objective_id" not in initial, "no objectives yet: no choice"
    answer = submit(slack, view, {"due_date": "2020-01-01", "detail": "The full proposal"})
    assert answer == {
        "response_action": "errors",
        "errors": {"due_date": "The due date is in the past: pick today or a later day."},
    }
    answer = submit(
        slack,
        view,
        {
            "title": "Send the proposal",
            "detail": "The full proposal",
            "obstacle": "Pricing not approved",
            "shared_with_client": ["yes"],
        },
    )
    assert answer == {}
    update = own_message_update(
        slack,
        message["ts"],
        "<@ULEE> changed the title, detail, obstacle, sharing with the client",
    )
    text = json.dumps(blocks_of(update))
    assert "The full proposal" in text and "Pricing not approved" in text
    action = the_action(db)
    assert (action.title, action.detail, action.shared_with_client, action.last_changed_by) == (
        "Send the proposal",
        "The full proposal",
        True,
        LEE,
    )


def test_edit_offers_the_accounts_objectives(slack, db):
    message = posted_action(slack, db)
    with db.session() as session:
        account = session.scalar(select(Account))
        session.add(
            Objective(workspace_id=account.workspace_id, account_id=account.id, title="Grow")
        )
    press(slack, message, "action_edit")
    view = slack.opened_view("action_edit")
    block = next(b for b in view["blocks"] if b["block_id"] == "objective_id")
    [choice] = block["element"]["options"]
    assert submit(slack, view, {"objective_id": choice["value"]}) == {}
    own_message_update(slack, message["ts"], "changed the objective")
    assert the_action(db).objective_id == int(choice["value"])


def test_in_progress_then_blocked_with_its_obstacle(slack, db):
    message = posted_action(slack, db)
    pick_status(slack, message, "in_progress")
    update = own_message_update(slack, message["ts"], "<@ULEE> set it in progress")
    assert "In progress" in json.dumps(blocks_of(update))
    assert the_action(db).status.value == "in_progress"

    pick_status(slack, message, "blocked")
    view = slack.opened_view("action_blocked")
    answer = submit(slack, view, {"obstacle": "   "})
    assert answer == {
        "response_action": "errors",
        "errors": {"obstacle": "Say what blocks this action."},
    }
    assert submit(slack, view, {"obstacle": "Waiting for legal"}) == {}
    update = own_message_update(slack, message["ts"], "<@ULEE> marked it blocked")
    text = json.dumps(blocks_of(update))
    assert "Waiting for legal" in text and "Blocked" in text
    action = the_action(db)
    assert (action.status.value, action.obstacle) == ("blocked", "Waiting for legal")


def test_cancel_asks_why_and_leaves_no_buttons(slack, db):
    message = posted_action(slack, db)
    pick_status(slack, message, "cancelled")
    view = slack.opened_view("action_cancel")
    answer = submit(slack, view, {"cancel_reason": ""})
    assert answer["errors"] == {"cancel_reason": "Say why it is cancelled."}
    assert the_action(db).status.value == "open"
    assert submit(slack, view, {"cancel_reason": "The client dropped it"}) == {}
    update = own_message_update(slack, message["ts"], "<@ULEE> cancelled it")
    blocks = blocks_of(update)
    assert "The client dropped it" in json.dumps(blocks)
    assert not [b for b in blocks if b["type"] == "actions"], "a cancelled action has no buttons"
    action = the_action(db)
    assert (action.status.value, action.cancel_reason, action.completed_at) == (
        "cancelled",
        "The client dropped it",
        None,
    )


# Stakeholders -------------------------------------------------------------------------------


def _people(db):
    account_id = seed.acme(db)
    with db.session() as session:
        walter = session.scalar(select(Stakeholder))
        anna = Stakeholder(
            workspace_id=walter.workspace_id,
            account_id=account_id,
            name="Anna Lead",
            reports_to_id=walter.id,
        )
        session.add(anna)
        session.flush()
        return walter.id, anna.id


def test_stakeholder_edit_refuses_a_loop_then_saves_and_redraws_the_list(slack, db):
    walter_id, anna_id = _people(db)
    slack.command("/sam", "stakeholders")
    listed = slack.ephemeral(DANA, "Stakeholders of Acme")
    press(slack, listed, "stakeholder_edit", user=DANA, block_id=f"stakeholder_{walter_id}")
    view = slack.opened_view("stakeholder_edit")
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert initial["name"]["initial_value"] == "Walter Boss"
    assert initial["power"]["initial_value"] == "5"
    answer = submit(slack, view, {"reports_to_id": str(anna_id), "power": "9"}, user=DANA)
    assert answer == {"response_action": "errors", "errors": {"power": "Must be at most 5."}}
    answer = submit(slack, view, {"reports_to_id": str(anna_id)}, user=DANA)
    assert answer["errors"] == {
        "reports_to_id": "Anna Lead already reports to this person, directly or through "
        "others: that would be a loop."
    }
    answer = submit(
        slack,
        view,
        {
            "title": "CFO",
            "email": "walter@acme.example",
            "attitude": "-1",
            "interest": "2",
            "cadence_days": "14",
        },
        user=DANA,
    )
    assert answer == {}
    redrawn = slack.ephemeral(DANA, "<@UDANA> updated *Walter Boss*")
    assert "Walter Boss*, CFO" in json.dumps(redrawn["blocks"])
    with db.session() as session:
        walter = session.get(Stakeholder, walter_id)
        assert (walter.title, walter.email, walter.attitude, walter.interest) == (
            "CFO",
            "walter@acme.example",
            -1,
            2,
        )
        assert walter.cadence_days == 14


def test_someone_who_left_is_out_of_the_list_and_kept_in_history(slack, db):
    walter_id, anna_id = _people(db)
    with db.session() as session:
        walter = session.get(Stakeholder, walter_id)
        session.add(
            Touchpoint(
                workspace_id=walter.workspace_id,
                account_id=walter.account_id,
                occurred_on=date.today() - timedelta(days=10),
                kind=TouchpointKind.CALL,
                summary="Budget call with Walter",
                logged_by=DANA,
                source="command",
                stakeholders=[walter],
            )
        )
    slack.command("/sam", "stakeholders")
    listed = slack.ephemeral(DANA, "Stakeholders of Acme")
    press(slack, listed, "stakeholder_edit", user=DANA, block_id=f"stakeholder_{walter_id}")
    view = slack.opened_view("stakeholder_edit")
    assert submit(slack, view, {"left_company": ["yes"]}, user=DANA) == {}
    redrawn = slack.ephemeral(DANA, "marked *Walter Boss* as having left the company")
    rows = [b for b in redrawn["blocks"] if b.get("block_id", "").startswith("stakeholder_")]
    assert [r["block_id"] for r in rows] == [f"stakeholder_{anna_id}"]
    # Out of the touchpoint form's choices, still in the history.
    slack.command("/touchpoint")
    form = slack.opened_view("touchpoint")
    people = next(b for b in form["blocks"] if b["block_id"] == "stakeholder_ids")
    assert [o["text"]["text"] for o in people["element"]["options"]] == ["Anna Lead"]
    slack.command("/sam", "history @walter")
    history = slack.ephemeral(DANA, "with Walter Boss (left the company)")
    assert "Budget call with Walter" in json.dumps(history["blocks"])


# The account --------------------------------------------------------------------------------


def test_account_edit_validates_then_the_summary_shows_potential_and_margin(slack, db):
    seed.acme(db)
    slack.command("/sam", "account edit")
    view = slack.opened_view("account_edit")
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert (initial["name"]["initial_value"], initial["currency"]["initial_value"]) == (
        "Acme",
        "USD",
    )
    money = {"annual_revenue": "1,000,000", "potential_revenue": "3,000,000", "currency": "eur"}
    answer = submit(slack, view, {**money, "gross_margin": "2,000,000"}, user=DANA)
    assert answer["errors"] == {"gross_margin": "Gross margin cannot exceed annual revenue."}
    answer = submit(
        slack, view, {**money, "gross_margin": "250000", "industry": "Rockets"}, user=DANA
    )
    assert answer == {}
    slack.ephemeral(DANA, "updated the account *Acme*")
    slack.command("/sam", "account")
    summary = json.dumps(slack.ephemeral(DANA, "open actions")["blocks"])
    assert "*Gross margin*\\n25.0%" in summary
    assert "*Potential revenue*\\n3,000,000 EUR" in summary and "Rockets" in summary


def test_archive_and_unarchive(slack, db):
    seed.acme(db)
    slack.command("/sam", "account archive")
    slack.channel_message(ACME_CHANNEL, "<@UDANA> archived *Acme*")
    with db.session() as session:
        assert session.scalar(select(Account.archived)) is True
    slack.command("/sam", "accounts")
    slack.ephemeral(DANA, "No accounts yet")
    slack.command("/sam", "account")
    slack.ephemeral(DANA, "not linked to an account")
    slack.command("/sam", "account unarchive")
    slack.channel_message(ACME_CHANNEL, "brought *Acme* back")
    with db.session() as session:
        assert session.scalar(select(Account.archived)) is False
    slack.command("/sam", "account unarchive")
    slack.ephemeral(DANA, "not archived")


# Objectives ---------------------------------------------------------------------------------


def test_objectives_new_edit_status_and_progress(slack, db):
    message = posted_action(slack, db)
    slack.command("/sam", "objectives")
    listed = slack.ephemeral(DANA, "Objectives of Acme* (0)")
    press(slack, listed, "objective_new", user=DANA)
    view = slack.opened_view("objective")
    answer = submit(slack, view, {"title": "x" * 201}, user=DANA)
    assert answer["errors"] == {"title": "Must be at most 200 characters."}
    assert submit(slack, view, {"title": "Win Europe", "horizon": "long_term"}, user=DANA) == {}
    listed = slack.ephemeral(DANA, "added the objective *Win Europe*")
    assert "0 / 0 actions done" in json.dumps(listed["blocks"])
    with db.session() as session:
        objective = session.scalar(select(Objective))
        assert objective.horizon.value == "long_term"
        session.get(Action, the_action(db).id).objective_id = objective.id

    press(slack, listed, "objective_edit", user=DANA, block_id=f"objective_{objective.id}")
    call = slack.wait("views.open", lambda c: "Edit objective" in json.dumps(c.args))
    view = slack.latest_view(call.response["view"]["id"])
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Win Europe"
    assert submit(slack, view, {"title": "Win Europe and Asia"}, user=DANA) == {}
    listed = slack.ephemeral(DANA, "updated the objective *Win Europe and Asia*")
    assert "0 / 1 actions done" in json.dumps(listed["blocks"])

    press(slack, message, "action_done")
    own_message_update(slack, message["ts"], "Marked done")
    slack.command("/sam", "objectives")
    listed = slack.ephemeral(DANA, "1 / 1 actions done")
    [status] = [
        o["value"]
        for o in element(listed, "objective_status")["options"]
        if o["value"].endswith(":achieved")
    ]
    press(slack, listed, "objective_status", user=DANA, selected=status)
    slack.ephemeral(DANA, "Achieved")
    with db.session() as session:
        assert session.scalar(select(Objective.status)).value == "achieved"
    # The action form now offers the objective.
    slack.command("/action")
    form = slack.opened_view("action")
    assert any(b.get("block_id") == "objective_id" for b in form["blocks"])


# History ------------------------------------------------------------------------------------


def test_history_pages_newest_first_and_filters(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        account = session.get(Account, account_id)
        for day in range(12):
            session.add(
                Touchpoint(
                    workspace_id=account.workspace_id,
                    account_id=account_id,
                    occurred_on=date.today() - timedelta(days=20 - day),
                    kind=TouchpointKind.MEETING if day % 3 else TouchpointKind.CALL,
                    summary=f"Touchpoint number {day:02d}",
                    logged_by=DANA,
                    source="command",
                )
            )
    slack.command("/sam", "history")
    first = slack.ephemeral(DANA, "1 to 10 of 12")
    text = json.dumps(first["blocks"])
    assert text.index("number 11") < text.index("number 10") and "number 01" not in text
    assert [e["text"]["text"] for e in first["blocks"][-1]["elements"]] == ["Next"]
    press(slack, first, "history_page_next", user=DANA)
    second = slack.ephemeral(DANA, "11 to 12 of 12")
    assert "number 00" in json.dumps(second["blocks"])
    assert [e["text"]["text"] for e in second["blocks"][-1]["elements"]] == ["Previous"]

    slack.command("/sam", "history call")
    calls = slack.ephemeral(DANA, "1 to 4 of 4")
    assert "number 09" in json.dumps(calls["blocks"]) and "number 10" not in json.dumps(
        calls["blocks"]
    )
    since = (date.today() - timedelta(days=9)).isoformat()
    slack.command("/sam", f"history since {since}")
    slack.ephemeral(DANA, "1 to 1 of 1")
    day = (date.today() - timedelta(days=10)).day  # "since the 23rd": the last one, not the next
    ordinal = "th" if day in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    slack.command("/sam", f"history since the {day}{ordinal}")
    slack.ephemeral(DANA, "1 to 2 of 2")
    slack.command("/sam", "history since the day after never")
    slack.ephemeral(DANA, "couldn't read `the day after never` as a date")
    slack.command("/sam", "history @nobody")
    slack.ephemeral(DANA, "No single stakeholder of this account is called `nobody`")


def test_someone_who_left_stays_on_the_touchpoints_they_were_at(slack, db):
    walter_id, _ = _people(db)
    slack.command("/touchpoint", "call Budget review")
    confirmation = slack.ephemeral(DANA, "Add details")
    slack.requests.block_action(
        DANA, "touchpoint_add_details", message=confirmation, channel_id=ACME_CHANNEL
    )
    view = slack.opened_view("touchpoint")
    assert submit(slack, view, {"stakeholder_ids": [str(walter_id)]}, user=DANA) == {}
    slack.wait("chat.update", lambda c: "Walter Boss" in json.dumps(c.args))
    with db.session() as session:
        session.get(Stakeholder, walter_id).left_on = date.today() - timedelta(days=3)
    slack.requests.block_action(
        DANA, "touchpoint_add_details", message=confirmation, channel_id=ACME_CHANNEL
    )
    call = slack.wait("views.open", lambda c: "initial_options" in json.dumps(c.args))
    view = slack.latest_view(call.response["view"]["id"])
    people = next(b for b in view["blocks"] if b["block_id"] == "stakeholder_ids")["element"]
    assert [o["value"] for o in people["initial_options"]] == [str(walter_id)]
    assert submit(slack, view, {"summary": "Budget review, details"}, user=DANA) == {}
    slack.wait("chat.update", lambda c: "Budget review, details" in json.dumps(c.args))
    with db.session() as session:
        touchpoint = session.scalar(select(Touchpoint))
        assert [p.id for p in touchpoint.stakeholders] == [walter_id]
