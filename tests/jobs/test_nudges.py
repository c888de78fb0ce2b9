"""Overdue nudges: one message per account channel, one digest per owner, once a day."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sambot.actions.models import Action, ActionStatus
from sambot.slack.ids import ActionButton
from tests.jobs.builders import make_account, make_action, make_workspace, message_text, run

TODAY = date(2026, 11, 10)  # a Tuesday
AT = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)  # 09:00 in Paris
CREATED = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def actions(db, standin):
    workspace_id = make_workspace(db)
    acme = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    globex = make_account(db, workspace_id, "Globex", channel="CGLOBEX", standin=standin)
    initech = make_account(db, workspace_id, "Initech", channel=None, standin=standin)
    for user in ("U1", "U2"):
        standin.add_user(user, user.lower())

    def action(name, account=acme, owner="U1", days=0, **fields):
        return make_action(
            db,
            workspace_id,
            account,
            name,
            owner=owner,
            due=TODAY + timedelta(days=days),
            created=CREATED,
            **fields,
        )

    return {
        "late3": action("Late 3", days=-3),
        "late20": action("Late 20", owner="U2", days=-20),
        "late14": action("Late 14", owner="U2", days=-14),
        "snoozed": action("Snoozed", days=-9, snoozed_until=TODAY + timedelta(days=2)),
        "snooze_ends": action("Snooze ends", days=-8, snoozed_until=TODAY),
        "today": action("Due today"),
        "tomorrow": action("Due tomorrow", days=1),
        "later": action("Due later", days=2),
        "done": action(
            "Done",
            days=-9,
            status=ActionStatus.DONE,
            completed=datetime(2026, 11, 9, tzinfo=UTC),
        ),
        "nudged": action("Nudged today", days=-7, last_nudged_on=TODAY),
        "future": action("Globex future", account=globex, days=20),
        "initech": action("Initech late", account=initech, days=-5),
    }


def action_ids(message: dict) -> list[int]:
    """The actions a message has buttons for, in order."""
    return [
        int(element["value"])
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ActionButton.DONE
    ]


def test_one_message_per_account_channel_and_one_digest_per_owner(db, standin, client, actions):
    with time_machine.travel(AT, tick=False):
        summary = run("nudges", db, client)
    assert summary.period_key == "2026-11-10" and summary.ok

    [channel] = standin.messages("CACME")
    ids = actions
    assert action_ids(channel) == [ids["late20"], ids["late14"], ids["snooze_ends"], ids["late3"]]
    text = message_text(channel)
    assert "4 overdue actions* on *Acme*" in text
    assert "<@U2> · *20 days late*" in text and "<@U1> · *3 days late*" in text
    # Escalation: more than 14 days late mentions the account owner, once.
    assert "<@UOWNER>, 1 action more than 14 days late: over to you" in text
    escalated = [i for i, b in enumerate(channel["blocks"]) if b["type"] == "context"]
    assert len(escalated) == 1
    assert channel["blocks"][escalated[0]]["block_id"] == f"action_note_{ids['late20']}"
    buttons = [
        e["text"]["text"]
        for b in channel["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]
    assert buttons[:5] == ["Mark done", "Snooze a week", "Change due date", "Reassign", "Edit"]

    assert standin.messages("CGLOBEX") == []  # nothing overdue, nothing posted

    [digest] = standin.messages("U1")
    # The owner's digest is once a day by its own delivery record, so it still lists an
    # action a channel nudge already showed today (e.g. an earlier `--account` run).
    assert action_ids(digest) == [
        ids["snooze_ends"],  # Acme's, then Initech's, most late first
        ids["nudged"],
        ids["late3"],
        ids["initech"],
        ids["today"],
        ids["tomorrow"],
    ]
    digest_text = message_text(digest)
    assert "*Overdue (4)*" in digest_text and "*Due today (1)*" in digest_text
    assert "*Due tomorrow (1)*" in digest_text and ":office: *Initech*" in digest_text
    [other] = standin.messages("U2")
    assert action_ids(other) == [ids["late20"], ids["late14"]]
    assert standin.messages("UOWNER") == []
    assert len(summary.posted) == 3

    with db.session() as s:
        nudged = set(s.scalars(select(Action.id).where(Action.last_nudged_on == TODAY)))
    # Marked: what the channel nudges showed (the digests have their delivery records).
    expected = {"late3", "late20", "late14", "snooze_ends"}
    assert nudged == {ids[name] for name in expected} | {ids["nudged"]}


def test_nudged_at_most_once_a_day(db, standin, client, actions):
    run("nudges", db, client, at=AT)
    calls = len(standin.calls("chat.postMessage"))
    again = run("nudges", db, client, at=AT + timedelta(hours=6))
    assert again.posted == [] and len(standin.calls("chat.postMessage")) == calls

    # The next day they are nudged again, the snoozed one still left out.
    run("nudges", db, client, at=AT + timedelta(days=1))
    channel = standin.messages("CACME")[-1]
    assert actions["snoozed"] not in action_ids(channel)
    assert actions["today"] in action_ids(channel)  # due yesterday: overdue now
    # The day the snooze ends, it is back.
    run("nudges", db, client, at=AT + timedelta(days=2))
    assert actions["snoozed"] in action_ids(standin.messages("CACME")[-1])


def test_escalation_threshold_is_configurable(db, standin, client, actions):
    run("nudges", db, client, at=AT, escalation_days=5)
    text = message_text(standin.messages("CACME")[0])
    assert "<@UOWNER>, 3 actions more than 5 days late" in text


def test_only_one_account_with_the_account_option(db, standin, client, actions):
    summary = run("nudges", db, client, at=AT, account="ACME", post_threads=2)
    assert summary.posted == ["Acme (<#CACME>)"]
    assert standin.messages("U1") == []  # no partial digests


def test_a_long_list_of_overdue_actions_fits_in_one_message(db, standin, client):
    workspace_id = make_workspace(db)
    account = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    for n in range(70):
        make_action(
            db,
            workspace_id,
            account,
            f"Overdue {n} " + "x" * 180,
            due=TODAY - timedelta(days=20 + n),
            created=CREATED,
        )
    summary = run("nudges", db, client, at=AT)
    assert summary.ok and standin.violations == []
    [channel] = standin.messages("CACME")
    assert len(channel["blocks"]) <= 50
    assert "more overdue._" in message_text(channel)
    [digest] = standin.messages("U1")
    assert len(digest["blocks"]) <= 50
    assert "more: `/action list` shows them all" in message_text(digest)


def test_a_channel_shared_with_the_client_is_nudged_only_about_shared_actions(db, standin, client):
    from sambot.accounts.models import Account

    workspace_id = make_workspace(db)
    shared = make_account(db, workspace_id, "Shared", channel="CSHARED", standin=standin)
    standin.add_user("U1", "u1")
    internal = make_action(
        db, workspace_id, shared, "Internal only", due=TODAY - timedelta(days=2), created=CREATED
    )
    visible = make_action(
        db,
        workspace_id,
        shared,
        "With the client",
        due=TODAY - timedelta(days=2),
        created=CREATED,
        shared_with_client=True,
    )
    with db.session() as s:
        s.get(Account, shared).channel_shared_with_client = True
    run("nudges", db, client, at=AT)
    [channel] = standin.messages("CSHARED")
    assert action_ids(channel) == [visible]
    [digest] = standin.messages("U1")  # the owner's own DM still lists both
    assert set(action_ids(digest)) == {internal, visible}
