"""Where what the team logs is posted, how the user hears where it went, and Slack Connect.

The rules of sambot.slack.sharing, against the Slack stand-in.
"""

from datetime import UTC, date, datetime

import pytest

from sambot.accounts.models import Account
from sambot.actions import service as actions
from sambot.slack import sharing
from sambot.slack.sharing import Posted
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import Touchpoint
from tests import factories

TODAY = date(2026, 11, 28)
MESSAGE = ("Hello", [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}])


@pytest.fixture
def world(db, standin):
    standin.add_user("UDANA", "dana")
    standin.add_user("ULEE", "lee")
    standin.add_channel("CACME", "acme", members=["UDANA"])
    with db.session() as s:
        workspace = factories.workspace(s)
        account = factories.account(s, workspace.id, channel_id="CACME")
    return account


def texts(message: dict) -> str:
    return message["text"] + "".join(str(block) for block in message.get("blocks", []))


def test_a_post_goes_to_the_accounts_channel(client, standin, world):
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    [message] = standin.messages("CACME")
    assert posted == Posted("CACME", message["ts"], in_account_channel=True)
    assert message["text"] == "Hello" and message["blocks"] == MESSAGE[1]
    assert standin.calls("chat.postMessage")[0].args["unfurl_links"] in (False, "false", "0")


def test_a_public_channel_the_bot_left_is_joined_again(client, standin, world):
    standin.add_channel("CACME", "acme", bot_is_member=False)
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    assert [c.method for c in standin.calls()] == [
        "chat.postMessage",
        "conversations.join",
        "chat.postMessage",
    ]
    [message] = standin.messages("CACME")
    assert posted == Posted("CACME", message["ts"], True)
    assert message["text"] == "Hello" and message["blocks"] == MESSAGE[1]
    assert standin.messages("UDANA") == []


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ({"is_private": True, "bot_is_member": False}, "channel_not_found"),
        ({"is_archived": True}, "is_archived"),
    ],
)
def test_a_channel_the_bot_cannot_post_in_sends_it_to_the_creator(
    client, standin, world, channel, error, caplog
):
    standin.add_channel("CACME", "acme", **channel)
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    [message] = standin.messages("UDANA")
    assert posted.ts == message["ts"] and not posted.in_account_channel
    assert posted.channel_id not in ("CACME", None)
    note = f"_(I could not post in <#CACME>: `{error}`. Invite me there with `/invite @sambot`.)_"
    assert message["text"] == f"Hello\n{note}"
    assert f"could not post in CACME: {error}" in caplog.text
    assert message["blocks"] == [
        *MESSAGE[1],
        {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]},
    ]


def test_a_private_channel_the_bot_left_cannot_be_joined(client, standin, world):
    standin.add_channel("CACME", "acme", is_private=True, members=["UDANA"])
    standin.fail("chat.postMessage", "not_in_channel", when=lambda a: a["channel"] == "CACME")
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    assert not posted.in_account_channel
    assert "`not_in_channel`" in standin.messages("UDANA")[0]["text"]
    assert standin.messages("CACME") == []


@pytest.mark.parametrize("unusable", ["no channel", "channel gone"])
def test_without_a_usable_channel_the_creator_gets_it_with_a_way_to_link_one(
    client, standin, world, unusable
):
    if unusable == "no channel":
        world.channel_id = None
    else:
        world.channel_unavailable_at = datetime(2026, 11, 1, tzinfo=UTC)
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    [message] = standin.messages("UDANA")
    assert posted == Posted(posted.channel_id, message["ts"], False)
    note = "_Acme has no linked channel yet: link one with `/sam link Acme` in it._"
    assert message["text"] == "Hello"
    assert message["blocks"][-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": note}],
    }
    assert standin.messages("CACME") == []


def test_a_shared_action_remembers_its_message(db, client, standin, world):
    with db.session() as s:
        action = actions.create(
            s,
            workspace_id=world.workspace_id,
            account_id=world.id,
            created_by="UDANA",
            data={"title": "Renewal plan", "owner_id": "ULEE"},
        )
    posted = sharing.share_action(
        client,
        db,
        action=action,
        account=world,
        today=TODAY,
        note="added by Dana",
        creator_id="UDANA",
    )
    [message] = standin.messages("CACME")
    assert posted == Posted("CACME", message["ts"], True)
    assert "Renewal plan" in texts(message) and "Acme · added by Dana" in texts(message)
    with db.session() as s:
        stored = actions.get(s, workspace_id=world.workspace_id, action_id=action.id)
        assert (stored.channel_id, stored.message_ts) == ("CACME", message["ts"])


def _touchpoint(db, account) -> Touchpoint:
    with db.session() as s:
        touchpoint = touchpoints.create(
            s,
            workspace_id=account.workspace_id,
            account_id=account.id,
            logged_by="UDANA",
            data={"occurred_on": TODAY, "kind": "call", "summary": "Budget call"},
        )
        s.flush()
        s.refresh(touchpoint, ["stakeholders"])
        return touchpoint


def _stored_touchpoint(db, touchpoint_id) -> Touchpoint:
    with db.session() as s:
        touchpoint = s.get(Touchpoint, touchpoint_id)
        s.refresh(touchpoint, ["stakeholders"])
        return touchpoint


def test_a_touchpoint_is_posted_once_then_updated_in_place(db, client, standin, world):
    touchpoint = _touchpoint(db, world)
    first = sharing.share_touchpoint(
        client, db, touchpoint=touchpoint, account=world, creator_id="UDANA"
    )
    [message] = standin.messages("CACME")
    assert first == Posted("CACME", message["ts"], True) and "Budget call" in texts(message)
    touchpoint = _stored_touchpoint(db, touchpoint.id)
    assert (touchpoint.channel_id, touchpoint.message_ts) == ("CACME", message["ts"])

    touchpoint.summary = "Budget call, signed"
    again = sharing.share_touchpoint(
        client, db, touchpoint=touchpoint, account=world, creator_id="UDANA"
    )
    assert again == first
    [message] = standin.messages("CACME")
    assert "Budget call, signed" in str(message["blocks"]) and "signed" in message["text"]
    [update] = standin.calls("chat.update")
    assert update.args["channel"] == "CACME" and update.args["ts"] == first.ts


def test_a_touchpoint_posted_to_its_creator_stays_outside_the_channel(db, client, standin, world):
    world.channel_id = None
    touchpoint = _touchpoint(db, world)
    first = sharing.share_touchpoint(
        client, db, touchpoint=touchpoint, account=world, creator_id="UDANA"
    )
    assert not first.in_account_channel
    world.channel_id = "CACME"
    again = sharing.share_touchpoint(
        client,
        db,
        touchpoint=_stored_touchpoint(db, touchpoint.id),
        account=world,
        creator_id="UDANA",
    )
    assert again == first and len(standin.messages("UDANA")) == 1


def test_a_touchpoint_whose_message_is_gone_is_posted_anew(db, client, standin, world, caplog):
    touchpoint = _touchpoint(db, world)
    sharing.share_touchpoint(client, db, touchpoint=touchpoint, account=world, creator_id="UDANA")
    touchpoint = _stored_touchpoint(db, touchpoint.id)
    standin.fail("chat.update", "message_not_found")
    again = sharing.share_touchpoint(
        client, db, touchpoint=touchpoint, account=world, creator_id="UDANA"
    )
    messages = standin.messages("CACME")
    assert len(messages) == 2 and again == Posted("CACME", messages[1]["ts"], True)
    assert _stored_touchpoint(db, touchpoint.id).message_ts == messages[1]["ts"]
    # The operator sees why.
    assert f"could not update touchpoint {touchpoint.id}: message_not_found" in caplog.text


def test_a_permalink_or_none(client, standin, world):
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    link = sharing.permalink(client, posted)
    assert link and posted.ts.replace(".", "") in link
    assert sharing.permalink(client, Posted("CNOWHERE", "1.2", True)) is None


def test_where_names_the_channel_or_the_direct_messages():
    assert sharing.where(Posted("CACME", "1", True)) == "<#CACME>"
    assert sharing.where(Posted("DUDANA", "1", False)) == "your direct messages"


def _confirm(client, posted, **options):
    sharing.confirm(client, posted, what="Action", user_id="UDANA", **options)


def test_no_confirmation_where_the_post_itself_is_seen(client, standin, world):
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    calls = len(standin.calls())
    _confirm(client, posted, origin_channel="CACME")
    dm = Posted("DUDANA", "1.1", False)
    _confirm(client, dm, origin_channel=None)
    assert len(standin.calls()) == calls and standin.ephemerals() == []


def test_elsewhere_the_user_is_told_where_it_went(client, standin, world):
    standin.add_channel("CGENERAL", "general", members=["UDANA"])
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    _confirm(client, posted, origin_channel="CGENERAL")
    [ephemeral] = standin.ephemerals("UDANA")
    assert ephemeral["channel"] == "CGENERAL"
    link = sharing.permalink(client, posted)
    assert ephemeral["text"] == f":white_check_mark: Action posted in <#CACME> · <{link}|view>."
    assert ephemeral["blocks"][0]["text"]["text"] == ephemeral["text"]


def test_a_dm_post_is_confirmed_in_the_channel_the_user_was_in(client, standin, world):
    standin.add_channel("CGENERAL", "general", members=["UDANA"])
    world.channel_id = None
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    _confirm(client, posted, origin_channel="CGENERAL")
    [ephemeral] = standin.ephemerals("UDANA")
    assert ephemeral["text"].startswith(":white_check_mark: Action posted in your direct messages")


def test_where_the_bot_cannot_show_an_ephemeral_it_writes_to_the_user(client, standin, world):
    standin.add_channel("CSECRET", "secret", is_private=True, bot_is_member=False)
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    _confirm(client, posted, origin_channel="CSECRET")
    assert standin.ephemerals() == []
    [message] = standin.messages("UDANA")
    assert message["text"].startswith(":white_check_mark: Action posted in <#CACME>")
    assert message["blocks"][0]["text"]["text"] == message["text"]


def test_a_respond_function_or_a_response_url_carries_the_confirmation(client, standin, world):
    posted = sharing.post_to_account(client, world, MESSAGE, creator_id="UDANA")
    said = []
    _confirm(client, posted, origin_channel="CGENERAL", respond=lambda **kw: said.append(kw))
    [kwargs] = said
    assert kwargs["response_type"] == "ephemeral" and kwargs["replace_original"] is False
    assert kwargs["text"].startswith(":white_check_mark: Action posted in <#CACME>")
    assert kwargs["blocks"][0]["text"]["text"] == kwargs["text"]
    assert standin.ephemerals() == []

    # A modal has no channel of its own: the command's response_url still reaches the user.
    url = standin.new_response_url("CDM", "UDANA")
    _confirm(client, posted, origin_channel=None, response_url=url)
    [ephemeral] = standin.ephemerals("UDANA")
    assert ephemeral["source"] == "response_url"
    assert ephemeral["text"].startswith(":white_check_mark: Action posted in <#CACME>")


def test_slack_connect_channels_are_noted_on_the_account(db, client, standin, world, caplog):
    standin.add_channel("CSHARED", "acme-ext", is_ext_shared=True)
    assert sharing.channel_shared_with_client(client, "CSHARED") is True
    assert sharing.channel_shared_with_client(client, "CACME") is False
    assert sharing.channel_shared_with_client(client, "CUNKNOWN") is False
    assert "conversations.info failed for CUNKNOWN: channel_not_found" in caplog.text

    def shared_flag() -> bool:
        with db.session() as s:
            return s.get(Account, world.id).channel_shared_with_client

    note = {"workspace_id": world.workspace_id, "account_id": world.id}
    assert sharing.note_client_channel(client, db, channel_id="CACME", **note) is False
    assert shared_flag() is False
    assert sharing.note_client_channel(client, db, channel_id="CSHARED", **note) is True
    assert shared_flag() is True
