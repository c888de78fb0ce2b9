"""The four buttons on every action message, and the message updating in place."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.dates import today_in
from sambot.localslack.requests import values_for
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE


def posted_action(slack, db, title="Send proposal"):
    seed.acme(db)
    slack.command("/action", f"{title} by in 3 days")
    return slack.channel_message(ACME_CHANNEL, title)


def press(slack, message, action_id, user=LEE, channel=ACME_CHANNEL):
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    response = slack.requests.block_action(
        user, action_id, value=button["value"], message=message, channel_id=channel
    )
    assert response.status_code == 200


def updated(slack, channel, ts, contains):
    call = slack.wait(
        "chat.update", lambda c: c.args["ts"] == ts and contains in json.dumps(c.args)
    )
    return call.args


def test_mark_done_updates_the_message_in_place(slack, db):
    message = posted_action(slack, db)
    press(slack, message, "action_done")
    update = updated(slack, ACME_CHANNEL, message["ts"], "Marked done by <@ULEE>")
    blocks = json.loads(update["blocks"]) if isinstance(update["blocks"], str) else update["blocks"]
    assert not [b for b in blocks if b["type"] == "actions"], "a done action keeps no buttons"
    with db.session() as session:
        action = session.scalar(select(Action))
        assert action.status.value == "done" and action.last_changed_by == LEE


def test_snooze_a_week(slack, db):
    message = posted_action(slack, db)
    with db.session() as session:
        due = session.scalar(select(Action.due_date))
    # A week from today where the person pressing is: Lee is in Honolulu.
    until = today_in("Pacific/Honolulu") + timedelta(days=7)
    press(slack, message, "action_snooze")
    updated(slack, ACME_CHANNEL, message["ts"], f"Snoozed until {until:%a %d %b} by <@ULEE>")
    with db.session() as session:
        action = session.scalar(select(Action))
        # Snoozing mutes the nudges; the due date stays.
        assert (action.snoozed_until, action.due_date) == (until, due)


def test_change_due_date_through_its_modal(slack, db):
    message = posted_action(slack, db)
    press(slack, message, "action_change_due")
    view = slack.opened_view("action_change_due")
    new_due = (date.today() + timedelta(days=20)).isoformat()
    answer = slack.requests.view_submission(view, values_for(view, {"due_date": "2020-01-01"}), LEE)
    assert answer.json()["errors"] == {
        "due_date": "The due date is in the past: pick today or a later day."
    }
    answer = slack.requests.view_submission(view, values_for(view, {"due_date": new_due}), LEE)
    assert answer.status_code == 200 and not answer.content
    updated(slack, ACME_CHANNEL, message["ts"], "Due date changed by <@ULEE>")
    with db.session() as session:
        assert session.scalar(select(Action.due_date)).isoformat() == new_due


def test_reassign_through_its_modal(slack, db):
    message = posted_action(slack, db)
    press(slack, message, "action_reassign")
    view = slack.opened_view("action_reassign")
    slack.requests.view_submission(view, values_for(view, {"owner_id": LEE}), DANA)
    updated(slack, ACME_CHANNEL, message["ts"], "Reassigned to <@ULEE> by <@UDANA>")
    with db.session() as session:
        assert session.scalar(select(Action.owner_id)) == LEE


def test_buttons_in_the_ephemeral_action_list(slack, db):
    posted_action(slack, db, "Listed action")
    slack.command("/action", "list")
    listing = slack.ephemeral(DANA, "Your open actions")
    press(slack, listing, "action_done", user=DANA)
    refreshed = slack.ephemeral(DANA, "Marked done by <@UDANA>")
    assert "Listed action" in json.dumps(refreshed["blocks"])
    # The action's own channel message shows the change too.
    own = slack.wait("chat.update", lambda c: "Marked done by <@UDANA>" in json.dumps(c.args))
    assert own.args["channel"] == ACME_CHANNEL


def test_the_list_redrawn_after_a_change_counts_every_open_action_as_the_list_did(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        session.add_all(
            Action(
                workspace_id=workspace_id,
                account_id=account_id,
                title=f"Step {n}",
                owner_id=DANA,
                created_by=DANA,
            )
            for n in range(60)
        )
    slack.command("/action", "list")
    listing = slack.ephemeral(DANA, "Your open actions (60)")
    assert "…and 37 more." in json.dumps(listing["blocks"], ensure_ascii=False)
    press(slack, listing, "action_done", user=DANA)
    refreshed = slack.ephemeral(DANA, "Marked done by <@UDANA>")
    shown = json.dumps(refreshed["blocks"], ensure_ascii=False)
    assert "*Your open actions* (59)" in shown
    assert "…and 36 more." in shown


def test_add_details_opens_the_touchpoint_prefilled_and_saves(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "meeting Met the CFO")
    confirmation = slack.ephemeral(DANA, "Add details")
    slack.requests.block_action(
        DANA, "touchpoint_add_details", message=confirmation, channel_id=ACME_CHANNEL
    )
    view = slack.opened_view("touchpoint")
    summary = next(b for b in view["blocks"] if b.get("block_id") == "summary")
    assert summary["element"]["initial_value"] == "Met the CFO"
    answer = slack.requests.view_submission(
        view,
        values_for(view, {"summary": "Met the CFO about budget", "sentiment": "positive"}),
        DANA,
    )
    assert answer.status_code == 200 and not answer.content
    from sambot.touchpoints.models import Touchpoint

    slack.channel_message(ACME_CHANNEL, "Met the CFO about budget")
    with db.session() as session:
        touchpoints = session.scalars(select(Touchpoint)).all()
        assert [(t.summary, t.sentiment.value) for t in touchpoints] == [
            ("Met the CFO about budget", "positive")
        ]


def long_nudge(slack, db) -> dict:
    """A posted nudge of five overdue actions, too long for a form's private_metadata."""
    from sqlalchemy import update

    from sambot.jobs.runner import JobOptions, run_job
    from sambot.slack.client import build_web_client

    seed.acme(db)
    for n in range(5):
        slack.command(
            "/action", f"Overdue number {n} with a long enough title to fill blocks by tomorrow"
        )
        slack.channel_message(ACME_CHANNEL, f"Overdue number {n}")
    with db.session() as session:
        session.execute(update(Action).values(due_date=date.today() - timedelta(days=3)))
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    run_job("nudges", db, client, options=JobOptions())
    nudge = slack.channel_message(ACME_CHANNEL, "overdue actions")
    assert len(json.dumps(nudge["blocks"])) > 2800, "the case where blocks exceed private_metadata"
    return nudge


def test_change_due_date_in_a_long_nudge_updates_that_nudge(slack, db):
    nudge = long_nudge(slack, db)
    press(slack, nudge, "action_change_due")
    view = slack.opened_view("action_change_due")
    new_due = (date.today() + timedelta(days=9)).isoformat()
    slack.requests.view_submission(view, values_for(view, {"due_date": new_due}), LEE)
    update_call = slack.wait(
        "chat.update",
        lambda c: (
            c.args["ts"] == nudge["ts"] and "Due date changed by <@ULEE>" in json.dumps(c.args)
        ),
    )
    assert "Overdue number 1" in json.dumps(update_call.args["blocks"]), "the other actions stay"
