"""Issue 13, permissions, end to end: the workspace's edit policy (`/sam settings`) on every
kind of change, for the account owner, a team member, someone outside the team and a
workspace admin; refusals said to the user alone with nothing written; private accounts
hidden from people outside their team."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from sambot.accountplan.models import PlanSection
from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions.models import Action, ActionStatus
from sambot.audit.models import AuditEvent
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack.requests import values_for
from sambot.plans.models import Objective
from sambot.slack.client import build_web_client
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint
from sambot.workspaces.models import Workspace
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, OWEN

ADMIN = "UADMIN"
ACTORS = {"owner": DANA, "member": LEE, "outsider": OWEN, "admin": ADMIN}
ALLOWED = {
    "open": {"owner", "member", "outsider", "admin"},
    "team": {"owner", "member", "admin"},
    "owner": {"owner", "admin"},
}
EVERY_CASE = [(policy, actor) for policy in ALLOWED for actor in ACTORS]
# The writes tested for a few cases only, to keep the suite quick: each rule still refuses
# and allows at least once.
SOME_CASES = [
    ("team", "outsider"),
    ("team", "member"),
    ("owner", "member"),
    ("owner", "admin"),
    ("open", "outsider"),
]
WHO = {
    "team": "Only Acme's account team or a workspace admin",
    "owner": "Only Acme's owner or a workspace admin",
}


@pytest.fixture
def acme(slack, db):
    """Acme, owned by Dana with Lee on its team; Owen is outside it; the admin too."""
    slack.standin.add_user(ADMIN, "ada", real_name="Ada Admin", tz="UTC")
    slack.standin.make_admin(ADMIN)
    account_id = seed.acme(db)
    set_policy(db, "team")  # the default; the fixture `slack` opened the workspace
    with db.session() as session:
        accounts.set_team_member(
            session,
            workspace_id=session.get(Account, account_id).workspace_id,
            account_id=account_id,
            data={"user_id": LEE, "role": "sales"},
        )
    return account_id


def set_policy(db, policy: str) -> None:
    with db.session() as session:  # set-up: a statement, which the audit trail does not show
        session.execute(update(Workspace).values(edit_policy=policy))


def submit(slack, view, answers, user):
    response = slack.requests.view_submission(view, values_for(view, answers), user)
    assert response.status_code == 200
    return response.json() if response.content else {}


def element(message, action_id, block_id=None):
    return next(
        e
        for b in message["blocks"]
        if block_id is None or b.get("block_id") == block_id
        for e in [*(b.get("elements") or []), b.get("accessory") or {}]
        if e.get("action_id") == action_id
    )


def press(slack, message, action_id, *, user, block_id=None, selected=None, value=None):
    found = element(message, action_id, block_id)
    response = slack.requests.block_action(
        user,
        action_id,
        value=value or found.get("value"),
        block_id=block_id,
        message=message,
        channel_id=ACME_CHANNEL,
        selected=selected,
    )
    assert response.status_code == 200


def refused(slack, user: str, policy: str, what: str) -> None:
    """The user alone is told who may make the change, and no form was opened."""
    slack.ephemeral(user, f"{WHO.get(policy, WHO['team'])} can change {what}: ask <@{DANA}>.")
    assert not [call for call in slack.standin.calls("views.open") if call.ok]


def opened(slack, callback_id: str) -> dict:
    return slack.opened_view(callback_id)


def posted_action(slack, db, owner: str = DANA) -> dict:
    owner_mention = f"<@{owner}> " if owner != DANA else ""
    slack.command("/action", f"{owner_mention}Send proposal")
    return slack.channel_message(ACME_CHANNEL, "Send proposal")


def the_action(db) -> Action:
    with db.session() as session:
        action = session.scalar(select(Action))
        session.expunge(action)
        return action


# The policy on each kind of change ------------------------------------------------------------


@pytest.mark.parametrize(("policy", "actor"), EVERY_CASE)
def test_plan_section_edit(slack, db, acme, policy, actor):
    set_policy(db, policy)
    user = ACTORS[actor]
    slack.command("/sam", "plan profile", user=user)
    if actor not in ALLOWED[policy]:
        refused(slack, user, policy, "its plan")
        with db.session() as session:
            assert session.scalars(select(PlanSection)).all() == []
        return
    view = opened(slack, "plan_fields")
    assert submit(slack, view, {"business": "Makes chips"}, user) == {}
    with db.session() as session:
        assert session.scalar(select(PlanSection)).fields["business"] == "Makes chips"


@pytest.mark.parametrize(("policy", "actor"), EVERY_CASE)
def test_action_status_button(slack, db, acme, policy, actor):
    message = posted_action(slack, db)
    set_policy(db, policy)
    user = ACTORS[actor]
    menu = element(message, "action_more")
    [choice] = [o["value"] for o in menu["options"] if o["value"].endswith(":in_progress")]
    press(slack, message, "action_more", user=user, selected=choice)
    if actor not in ALLOWED[policy]:
        slack.ephemeral(user, f"{WHO[policy]} can change its actions: ask <@{DANA}>.")
        assert the_action(db).status == ActionStatus.OPEN
        return
    slack.wait("chat.update", lambda c: "set it in progress" in json.dumps(c.args))
    assert the_action(db).status == ActionStatus.IN_PROGRESS


@pytest.mark.parametrize(("policy", "actor"), EVERY_CASE)
def test_account_edit(slack, db, acme, policy, actor):
    set_policy(db, policy)
    user = ACTORS[actor]
    slack.command("/sam", "account edit", user=user)
    if actor not in ALLOWED[policy]:
        refused(slack, user, policy, "the account")
        return
    view = opened(slack, "account_edit")
    assert submit(slack, view, {"industry": "Rockets"}, user) == {}
    with db.session() as session:
        assert session.scalar(select(Account.industry)) == "Rockets"


@pytest.mark.parametrize(("policy", "actor"), SOME_CASES)
def test_stakeholder_edit(slack, db, acme, policy, actor):
    set_policy(db, policy)
    user = ACTORS[actor]
    slack.command("/sam", "stakeholders")
    listed = slack.ephemeral(DANA, "Stakeholders of Acme")
    with db.session() as session:
        walter_id = session.scalar(select(Stakeholder.id))
    press(slack, listed, "stakeholder_edit", user=user, block_id=f"stakeholder_{walter_id}")
    if actor not in ALLOWED[policy]:
        refused(slack, user, policy, "its stakeholders")
        return
    view = opened(slack, "stakeholder_edit")
    assert submit(slack, view, {"name": "Walter Big Boss"}, user) == {}
    with db.session() as session:
        assert session.scalar(select(Stakeholder.name)) == "Walter Big Boss"


@pytest.mark.parametrize(("policy", "actor"), SOME_CASES)
def test_action_edit(slack, db, acme, policy, actor):
    message = posted_action(slack, db)
    set_policy(db, policy)
    user = ACTORS[actor]
    press(slack, message, "action_edit", user=user)
    if actor not in ALLOWED[policy]:
        refused(slack, user, policy, "its actions")
        return
    view = opened(slack, "action_edit")
    assert submit(slack, view, {"title": "Send the proposal"}, user) == {}
    assert the_action(db).title == "Send the proposal"


@pytest.mark.parametrize(("policy", "actor"), SOME_CASES)
def test_objective_new(slack, db, acme, policy, actor):
    set_policy(db, policy)
    user = ACTORS[actor]
    slack.command("/sam", "objectives")
    listed = slack.ephemeral(DANA, "Objectives of Acme")
    press(slack, listed, "objective_new", user=user)
    if actor not in ALLOWED[policy]:
        refused(slack, user, policy, "its objectives")
        return
    view = opened(slack, "objective")
    assert submit(slack, view, {"title": "Win Europe"}, user) == {}
    with db.session() as session:
        assert session.scalar(select(Objective.title)) == "Win Europe"


# Checked again on submit, and on writes without a form ------------------------------------------


def test_a_form_opened_before_the_policy_changed_is_refused_on_submit_keeping_the_input(
    slack, db, acme
):
    message = posted_action(slack, db)
    press(slack, message, "action_edit", user=LEE)
    view = opened(slack, "action_edit")
    set_policy(db, "owner")
    answer = submit(slack, view, {"title": "Send the proposal"}, LEE)
    assert answer["response_action"] == "errors"
    [error] = answer["errors"].values()
    assert "Only Acme's owner or a workspace admin can change its actions" in error
    assert the_action(db).title == "Send proposal", "nothing is written"


def test_plan_submit_is_checked_too(slack, db, acme):
    slack.command("/sam", "plan profile", user=LEE)
    view = opened(slack, "plan_fields")
    set_policy(db, "owner")
    answer = submit(slack, view, {"business": "Makes chips"}, LEE)
    assert "Only Acme's owner" in json.dumps(answer["errors"])
    with db.session() as session:
        assert session.scalars(select(PlanSection)).all() == []


def test_quick_action_and_archive_are_refused_to_an_outsider(slack, db, acme):
    slack.command("/action", "Call Walter", user=OWEN)
    slack.ephemeral(OWEN, "Only Acme's account team or a workspace admin can change its actions")
    slack.command("/sam", "account archive", user=OWEN)
    slack.ephemeral(OWEN, "can change the account: ask <@UDANA>")
    with db.session() as session:
        assert session.scalars(select(Action)).all() == []
        assert session.scalar(select(Account.archived)) is False


def test_team_changes_follow_the_policy(slack, db, acme):
    slack.command("/sam", "team")
    listed = slack.ephemeral(DANA, "Acme")
    block = next(b for b in listed["blocks"] if "team_add_member" in json.dumps(b))
    response = slack.requests.block_action(
        OWEN,
        "team_add_member",
        block_id=block["block_id"],
        message=listed,
        channel_id=ACME_CHANNEL,
        selected=OWEN,
    )
    assert response.status_code == 200
    slack.ephemeral(OWEN, "can change its team")
    with db.session() as session:
        assert len(session.get(Account, acme).team) == 2, "Owen did not add himself"


def test_an_actions_owner_may_change_its_status_but_not_edit_it(slack, db, acme):
    message = posted_action(slack, db, owner=OWEN)
    set_policy(db, "owner")
    press(slack, message, "action_done", user=OWEN)
    slack.wait("chat.update", lambda c: "Marked done" in json.dumps(c.args))
    assert the_action(db).status == ActionStatus.DONE
    press(slack, message, "action_edit", user=OWEN)
    refused(slack, OWEN, "owner", "its actions")


def test_touchpoints_stay_open_to_everyone(slack, db, acme):
    set_policy(db, "owner")
    slack.command("/touchpoint", "call Talked renewal", user=OWEN)
    slack.channel_message(ACME_CHANNEL, "Talked renewal")


def test_an_outsiders_touchpoint_is_logged_but_not_its_follow_up_action(slack, db, acme):
    slack.command("/touchpoint", user=OWEN)
    view = opened(slack, "touchpoint")
    answers = {"kind": "call", "summary": "Talked renewal", "followup_title": "Send deck"}
    answer = submit(slack, view, answers, OWEN)
    assert answer["response_action"] == "errors"
    assert "can change its actions" in answer["errors"]["followup_title"]
    with db.session() as session:
        assert session.scalars(select(Action)).all() == [], "nothing half-applied"
        assert session.scalars(select(Touchpoint)).all() == []
    assert submit(slack, view, {"kind": "call", "summary": "Talked renewal"}, OWEN) == {}
    slack.channel_message(ACME_CHANNEL, "Talked renewal")


# /sam settings -------------------------------------------------------------------------------------


def stored_policy(db) -> str:
    with db.session() as session:
        return session.scalar(select(Workspace.edit_policy))


def test_settings_show_the_policy_and_only_admins_change_it(slack, db, acme):
    set_policy(db, "team")
    slack.command("/sam", "settings", user=OWEN)
    shown = slack.ephemeral(OWEN, "Who may change accounts")
    assert "Team only: the account team and workspace admins" in json.dumps(shown["blocks"])
    press(slack, shown, "settings_policy_open", user=OWEN)
    slack.ephemeral(OWEN, "Only workspace admins and owners can change sambot's settings")
    assert stored_policy(db) == "team"

    slack.command("/sam", "settings", user=ADMIN)
    shown = slack.ephemeral(ADMIN, "Who may change accounts")
    press(slack, shown, "settings_policy_owner", user=ADMIN)
    slack.ephemeral(ADMIN, "Owner only: the account owner and workspace admins")
    assert stored_policy(db) == "owner"

    slack.command("/sam", "settings open", user=ADMIN)
    slack.ephemeral(ADMIN, "Open: anyone in the workspace")
    assert stored_policy(db) == "open"
    slack.command("/sam", "settings team", user=DANA)
    slack.ephemeral(DANA, "Only workspace admins and owners")
    assert stored_policy(db) == "open", "the account owner is no admin"
    # Each change of policy is in the audit trail, with who made it; a refusal is not.
    with db.session() as session:
        changed = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "workspace settings")
        ).all()
    assert [(e.actor, e.operation, e.changes) for e in changed] == [
        (ADMIN, "updated", [{"field": "edit_policy", "old": "team", "new": "owner"}]),
        (ADMIN, "updated", [{"field": "edit_policy", "old": "owner", "new": "open"}]),
    ]


def test_a_new_workspace_is_team_only(slack, db):
    with db.session() as session:
        session.delete(session.scalar(select(Workspace)))
    slack.command("/sam", "settings", user=OWEN)
    shown = slack.ephemeral(OWEN, "Who may change accounts")
    assert "*Team only: the account team and workspace admins*" in json.dumps(shown["blocks"])
    assert stored_policy(db) == "team"


# Private accounts ----------------------------------------------------------------------------------


def make_private(slack, db, user=DANA):
    slack.command("/sam", "account private on", user=user)


def globex(db) -> None:
    with db.session() as session:
        accounts.create(
            session,
            workspace_id=session.scalar(select(Workspace.id)),
            data={"name": "Globex", "owner_id": OWEN},
        )


def answer_to(slack, user: str, text: str, marker: str) -> str:
    """What `/sam <text>` in #general answers the user, once it has arrived."""
    slack.standin.reset()
    slack.command("/sam", text, user=user, channel=GENERAL)
    return json.dumps(slack.ephemeral(user, marker))


def test_private_account_is_hidden_from_outsiders_lists_and_shown_to_its_team(slack, db, acme):
    globex(db)
    with db.session() as session:
        for account in session.scalars(select(Account)):
            account.annual_revenue, account.gross_margin = 1_000_000, 300_000
    make_private(slack, db)
    slack.channel_message(ACME_CHANNEL, "made *Acme* private")
    for user, sees in ((OWEN, False), (LEE, True), (DANA, True), (ADMIN, True)):
        listed = answer_to(slack, user, "accounts", "Globex")
        assert ("Acme" in listed) is sees, user
        roll_up = answer_to(slack, user, "programme", "Globex")
        assert ("Acme" in roll_up) is sees, user
        ranked = answer_to(slack, user, "portfolio", "Pareto selection")
        assert "Globex" in ranked
        assert ("Acme" in ranked) is sees, user


def test_private_account_s_changes_are_hidden_from_outsiders(slack, db, acme):
    globex(db)
    make_private(slack, db)
    slack.channel_message(ACME_CHANNEL, "made *Acme* private")
    for user, sees in ((OWEN, False), (LEE, True), (ADMIN, True)):
        every = answer_to(slack, user, "changes", "Changes to")
        assert "Globex" in every
        assert ("Acme" in every) is sees, user
        named = answer_to(slack, user, "changes acme", "cme")
        assert ("I know no account called `acme`" in named) is not sees, user
    slack.standin.reset()
    slack.command("/sam", "changes", user=OWEN, channel=ACME_CHANNEL)
    slack.ephemeral(OWEN, "Acme is private: only its account team and workspace admins see")


def test_private_account_is_not_offered_in_an_outsiders_forms(slack, db, acme):
    globex(db)
    make_private(slack, db)
    slack.channel_message(ACME_CHANNEL, "made *Acme* private")
    for user, sees in ((OWEN, False), (LEE, True)):
        slack.standin.reset()
        slack.command("/action", "", user=user, channel=GENERAL)
        view = opened(slack, "action")
        chooser = next(b for b in view["blocks"] if b.get("block_id") == "account_id")
        names = [o["text"]["text"] for o in chooser["element"]["options"]]
        assert ("Acme" in names) is sees, (user, names)
        assert "Globex" in names


def test_private_account_is_not_on_an_outsiders_home(slack, db, acme):
    globex(db)
    make_private(slack, db)
    slack.channel_message(ACME_CHANNEL, "made *Acme* private")
    for user, sees in ((OWEN, False), (LEE, True)):
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        assert slack.requests.event(event).status_code == 200
        call = slack.wait("views.publish", lambda c, u=user: c.args["user_id"] == u and c.ok)
        assert ("Acme" in json.dumps(call.response["view"])) is sees, user


def test_private_account_is_its_teams_even_with_an_open_policy(slack, db, acme):
    set_policy(db, "open")
    make_private(slack, db, user=OWEN)
    slack.ephemeral(OWEN, "Only Acme's account team or a workspace admin can change who sees")
    make_private(slack, db, user=LEE)
    slack.channel_message(ACME_CHANNEL, "made *Acme* private")
    slack.command("/sam", "account edit", user=OWEN)
    slack.ephemeral(OWEN, "Only Acme's account team or a workspace admin can change the account")
    slack.command("/sam", "account private off", user=ADMIN)
    slack.channel_message(ACME_CHANNEL, "made *Acme* visible to everyone again")
    with db.session() as session:
        assert session.scalar(select(Account.private)) is False


def test_the_monthly_roll_up_post_leaves_private_accounts_out(slack, db, acme):
    globex(db)
    with db.session() as session:
        session.scalar(select(Account).where(Account.name == "Acme")).private = True
    slack.command("/sam", "programme channel", channel=GENERAL)
    slack.channel_message(GENERAL, "chose this channel for the programme roll-up")
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    [summary] = run_job(
        "programme", db, client, at=datetime(2027, 1, 4, 9, tzinfo=UTC), options=JobOptions()
    )
    assert summary.posted == [f"programme (<#{GENERAL}>)"]
    post = json.dumps(slack.channel_message(GENERAL, "Strategic accounts programme"))
    assert "Globex" in post and "Acme" not in post
