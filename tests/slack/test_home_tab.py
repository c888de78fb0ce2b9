"""The Home tab: counts at the top, due this week, accounts with their last touchpoint and
buttons, within Slack's limits with 200 actions, and refreshed for whoever a change touches."""

import json
from datetime import timedelta

from sqlalchemy import select

from sambot.accounts.models import Account, TeamMember
from sambot.actions.models import Action
from sambot.dates import today_in
from sambot.localslack.blockkit import VIEW_BLOCKS
from sambot.touchpoints.models import Source, Touchpoint, TouchpointKind
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE


def open_home(slack, user=DANA) -> dict:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    assert slack.requests.event(event).status_code == 200
    call = slack.wait("views.publish", lambda c: c.args["user_id"] == user and c.ok)
    return call.response["view"]


def add_actions(db, account_id: int, plan: dict[int, int]) -> None:
    """`plan`: days from Dana's today -> how many open actions of hers are due then."""
    today = today_in("Europe/Paris")
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        for offset, count in plan.items():
            for n in range(count):
                session.add(
                    Action(
                        workspace_id=workspace_id,
                        account_id=account_id,
                        title=f"Action {offset:+d} number {n} with a longish title to fill",
                        owner_id=DANA,
                        created_by=DANA,
                        due_date=today + timedelta(days=offset),
                    )
                )


def test_home_with_200_actions_stays_within_slacks_limits(slack, db):
    account_id = seed.acme(db)
    # 60 overdue, 20 due today, 40 this week, 80 later: 200 in all.
    add_actions(db, account_id, {-5: 30, -3: 30, 0: 20, 3: 20, 5: 20, 20: 80})
    home = open_home(slack)
    assert len(home["blocks"]) <= VIEW_BLOCKS
    assert len(json.dumps(home)) < 250_000
    text = json.dumps(home, ensure_ascii=False)
    assert "*60* overdue" in text and "*20* due today" in text and "*40* due this week" in text
    assert "200 open actions" in text
    assert "*Due this week* (40)" in text and "…and 32 more" in text
    assert slack.standin.violations == []


def test_home_with_200_actions_and_60_accounts_stays_within_slacks_limits(slack, db):
    account_id = seed.acme(db)
    add_actions(db, account_id, {-4: 50, 0: 50, 4: 50, 30: 50})
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        for n in range(59):
            other = Account(
                workspace_id=workspace_id,
                name=f"Account with a rather long name number {n:02d}",
                owner_id=LEE,
                channel_id=f"C{n:06d}",
            )
            session.add(other)
            session.flush()
            session.add(
                TeamMember(
                    workspace_id=workspace_id, account_id=other.id, user_id=DANA, role="sales"
                )
            )
    home = open_home(slack)
    assert len(home["blocks"]) <= VIEW_BLOCKS
    text = json.dumps(home, ensure_ascii=False)
    assert "*Your accounts* (60)" in text and "…and 20 more: `/sam accounts`" in text
    assert slack.standin.violations == []


def test_accounts_show_their_last_touchpoint_and_buttons(slack, db):
    account_id = seed.acme(db)
    touched = today_in("Europe/Paris") - timedelta(days=4)
    with db.session() as session:
        session.add(
            Touchpoint(
                workspace_id=session.get(Account, account_id).workspace_id,
                account_id=account_id,
                occurred_on=touched,
                kind=TouchpointKind.CALL,
                summary="Renewal",
                logged_by=DANA,
                source=Source.COMMAND,
            )
        )
    home = open_home(slack)
    text = json.dumps(home)
    assert "last touchpoint" in text and "(4 days ago)" in text
    buttons = {
        e["action_id"]: e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("home_")
    }
    assert set(buttons) == {"home_log_touchpoint", "home_create_action"}
    plan_button = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "plan_open"
    )
    slack.requests.block_action(
        DANA, "plan_open", value=plan_button["value"], view={**home, "id": "VHOME"}
    )
    plan = slack.wait("chat.postMessage", lambda c: c.args.get("channel") == DANA)
    assert "Account plan of Acme" in json.dumps(plan.args)
    slack.requests.block_action(DANA, "home_log_touchpoint", view=home)
    form = slack.opened_view("touchpoint")
    account_input = next(b for b in form["blocks"] if b.get("block_id") == "account_id")
    assert account_input["element"]["initial_option"]["value"] == str(account_id)
    slack.requests.block_action(DANA, "home_create_action", view=home)
    slack.opened_view("action")


def test_home_refreshes_for_whoever_a_change_touches(slack, db):
    seed.acme(db)
    # An action assigned to Lee: his Home tab is published with it.
    slack.command("/action", "<@ULEE|lee> Draft the QBR deck by in 5 days")
    slack.wait(
        "views.publish",
        lambda c: c.args["user_id"] == LEE and "Draft the QBR" in json.dumps(c.args),
    )
    message = slack.channel_message(ACME_CHANNEL, "Draft the QBR deck")
    # Marked done from the channel by Dana: Lee's Home tab loses it.
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_done"
    )
    slack.requests.block_action(
        DANA, "action_done", value=button["value"], message=message, channel_id=ACME_CHANNEL
    )
    slack.wait(
        "views.publish",
        lambda c: c.args["user_id"] == LEE and "Draft the QBR" not in json.dumps(c.args["view"]),
    )
    with db.session() as session:
        assert session.scalar(select(Action.status)).value == "done"


def test_a_new_due_date_refreshes_the_owners_home(slack, db):
    seed.acme(db)
    slack.command("/action", "Call the CFO by in 10 days")
    message = slack.channel_message(ACME_CHANNEL, "Call the CFO")
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_change_due"
    )
    slack.requests.block_action(
        DANA, "action_change_due", value=button["value"], message=message, channel_id=ACME_CHANNEL
    )
    form = slack.opened_view("action_change_due")
    from sambot.localslack.requests import values_for

    soon = today_in("Europe/Paris") + timedelta(days=3)
    slack.requests.view_submission(form, values_for(form, {"due_date": soon.isoformat()}), DANA)
    call = slack.wait(
        "views.publish",
        lambda c: c.args["user_id"] == DANA and "Due this week" in json.dumps(c.args["view"]),
    )
    assert "Call the CFO" in json.dumps(call.args["view"])


def _on_acme_team(db, account_id: int, user: str) -> None:
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        session.add(
            TeamMember(workspace_id=workspace_id, account_id=account_id, user_id=user, role="sales")
        )


def test_a_quick_touchpoint_refreshes_the_teams_homes(slack, db):
    account_id = seed.acme(db)
    _on_acme_team(db, account_id, LEE)
    assert "no touchpoint yet" in json.dumps(open_home(slack, LEE))
    slack.command("/touchpoint", "call Discussed the renewal timeline")
    # Dana logged it; Lee, on the team, sees the account's new last touchpoint.
    call = slack.wait(
        "views.publish",
        lambda c: c.args["user_id"] == LEE and "last touchpoint" in json.dumps(c.args["view"]),
    )
    assert "no touchpoint yet" not in json.dumps(call.args["view"])


def test_a_touchpoint_from_the_form_refreshes_the_teams_homes(slack, db):
    from sambot.localslack.requests import values_for

    account_id = seed.acme(db)
    _on_acme_team(db, account_id, LEE)
    message = {"type": "message", "user": LEE, "ts": "1764000000.000100", "text": "Budget ok"}
    slack.requests.message_shortcut("log_as_touchpoint", message, ACME_CHANNEL, LEE)
    form = slack.opened_view("touchpoint")
    met = today_in("Europe/Paris") - timedelta(days=5)
    answers = {"kind": "email", "occurred_on": met.isoformat()}
    slack.requests.view_submission(form, values_for(form, answers), LEE)
    # Lee logged it; Dana, the owner, sees it on her Home tab.
    slack.wait(
        "views.publish",
        lambda c: c.args["user_id"] == DANA and "(5 days ago)" in json.dumps(c.args["view"]),
    )


def test_a_teams_homes_are_refreshed_with_the_accounts_read_once(slack, db):
    """The last touchpoint and coverage are the account's, the same for everyone on its team:
    a larger team costs one read of each newcomer's actions, not the whole Home tab again."""
    from sqlalchemy import event

    account_id = seed.acme(db)
    _on_acme_team(db, account_id, LEE)
    statements = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)

    def reads_of_a_quick_touchpoint(summary: str) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            slack.command("/touchpoint", f"call {summary}")
            slack.in_flight.settle()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    with_two = reads_of_a_quick_touchpoint("Discussed the renewal")
    newcomers = [f"UNEW{n}" for n in range(5)]
    for user in newcomers:
        slack.standin.add_user(user, user.lower(), tz="Europe/Paris")
        _on_acme_team(db, account_id, user)
    with_seven = reads_of_a_quick_touchpoint("Discussed the budget")
    published = {c.args["user_id"] for c in slack.standin.calls("views.publish")}
    assert set(newcomers) <= published
    assert with_seven - with_two <= len(newcomers), (with_two, with_seven)
