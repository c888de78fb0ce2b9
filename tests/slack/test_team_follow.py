"""The account team follows its channel: joins and leaves are offered to the owner, and
nothing changes on the team without the owner's click; `/sam team` shows the gaps."""

import json

from sqlalchemy import select

from sambot.accounts import service as accounts
from sambot.accounts.models import TeamMember, TeamRole
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, OWEN


def event(slack, **fields) -> None:
    assert slack.requests.event(fields).status_code == 200
    slack.in_flight.settle()


def team(db) -> dict[str, TeamRole]:
    with db.session() as session:
        return {m.user_id: m.role for m in session.scalars(select(TeamMember))}


def offer(slack, contains: str) -> dict:
    return slack.channel_message(f"D{DANA}", contains)


def test_someone_joining_the_channel_is_offered_to_the_owner(slack, db):
    seed.acme(db)
    event(slack, type="member_joined_channel", user=LEE, channel=ACME_CHANNEL)
    message = offer(slack, "joined <#CACME>")
    assert LEE not in team(db), "nothing changes before the owner's click"
    select_menu = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "team_offer_add"
    )
    sales = next(o for o in select_menu["options"] if o["text"]["text"] == "Sales")
    assert not [o for o in select_menu["options"] if o["text"]["text"] == "Account owner"]

    # Someone else than the owner cannot accept it.
    slack.requests.block_action(
        OWEN, "team_offer_add", message=message, channel_id=f"D{DANA}", selected=sales["value"]
    )
    slack.ephemeral(OWEN, "Only the account owner")
    assert LEE not in team(db)

    slack.requests.block_action(
        DANA, "team_offer_add", message=message, channel_id=f"D{DANA}", selected=sales["value"]
    )
    slack.wait("chat.update", lambda c: "added to the *Acme* team as *Sales*" in json.dumps(c.args))
    assert team(db)[LEE] == TeamRole.SALES


def test_a_team_member_leaving_is_offered_for_removal(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        workspace_id = session.get(accounts.Account, account_id).workspace_id
        accounts.set_team_member(
            session,
            workspace_id=workspace_id,
            account_id=account_id,
            data={"user_id": OWEN, "role": "technical"},
        )
    event(slack, type="member_left_channel", user=OWEN, channel=ACME_CHANNEL)
    message = offer(slack, "left <#CACME>")
    assert "as *Technical*" in message["blocks"][0]["text"]["text"]
    assert OWEN in team(db)
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "team_offer_remove"
    )
    slack.requests.block_action(
        DANA, "team_offer_remove", value=button["value"], message=message, channel_id=f"D{DANA}"
    )
    slack.wait("chat.update", lambda c: "removed from the *Acme* team" in json.dumps(c.args))
    assert OWEN not in team(db)


def test_not_now_changes_nothing(slack, db):
    seed.acme(db)
    event(slack, type="member_joined_channel", user=LEE, channel=ACME_CHANNEL)
    message = offer(slack, "joined <#CACME>")
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "team_offer_dismiss"
    )
    slack.requests.block_action(
        DANA, "team_offer_dismiss", value=button["value"], message=message, channel_id=f"D{DANA}"
    )
    slack.wait("chat.update", lambda c: "No change to the *Acme* team" in json.dumps(c.args))
    assert LEE not in team(db)


def test_no_offer_for_the_bot_a_member_or_another_channel(slack, db):
    seed.acme(db)
    event(slack, type="member_joined_channel", user=slack.standin.bot_user_id, channel=ACME_CHANNEL)
    event(slack, type="member_joined_channel", user=DANA, channel=ACME_CHANNEL)
    event(slack, type="member_joined_channel", user=LEE, channel=GENERAL)
    event(slack, type="member_left_channel", user=LEE, channel=ACME_CHANNEL)  # not on the team
    assert slack.standin.messages(f"D{DANA}") == []


def test_sam_team_shows_who_is_in_the_channel_and_not_on_the_team(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        workspace_id = session.get(accounts.Account, account_id).workspace_id
        accounts.set_team_member(
            session,
            workspace_id=workspace_id,
            account_id=account_id,
            data={"user_id": OWEN, "role": "technical"},
        )
    slack.standin.add_channel(ACME_CHANNEL, "acme", members=[DANA, LEE])
    slack.command("/sam", "team")
    answer = json.dumps(slack.ephemeral(DANA, "Account team of")["blocks"])
    assert "In <#CACME> but not on the team:* <@ULEE>" in answer
    assert "On the team but not in <#CACME>:* <@UOWEN>" in answer
