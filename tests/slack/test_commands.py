"""Every command and subcommand, as a user types it, over signed HTTP."""

import json
from datetime import timedelta

from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.dates import today_in
from sambot.touchpoints.models import Touchpoint
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE


def test_help_lists_every_command_with_an_example(slack):
    assert slack.command("/sam").status_code == 200
    text = json.dumps(slack.ephemeral(DANA, "sambot")["blocks"])
    for example in (
        "/touchpoint call Discussed the renewal timeline",
        "/action list",
        "/sam account new",
        "/sam link Acme",
        "/sam stakeholder new",
        "/sam team",
        "/sam report",
    ):
        assert example in text


def test_an_unknown_subcommand_suggests_the_closest_and_shows_help(slack):
    slack.command("/sam", "acounts")
    message = slack.ephemeral(DANA, "I don't know")
    assert "Did you mean `/sam accounts`?" in json.dumps(message["blocks"])
    assert "/touchpoint call" in json.dumps(message["blocks"])


def test_link_an_existing_account(slack, db):
    seed.acme(db, channel=None)
    slack.command("/sam", "link acme", channel=GENERAL)
    message = slack.channel_message(GENERAL, "linked this channel to *Acme*")
    assert message["text"] == (
        ":link: <@UDANA> linked this channel to *Acme*. "
        "Touchpoints, actions, nudges and reports for it now land here."
    )
    with db.session() as session:
        assert session.scalar(select(Account.channel_id)) == GENERAL


def test_link_an_unknown_account_offers_to_create_it(slack):
    slack.command("/sam", "link Globex", channel=GENERAL)
    offer = slack.ephemeral(DANA, "There is no account named *Globex*")
    button = offer["blocks"][0]["accessory"]
    assert button["text"]["text"] == "Create Globex"
    slack.requests.block_action(DANA, button["action_id"], message=offer, channel_id=GENERAL)
    view = slack.opened_view("account_new")
    name_block = next(b for b in view["blocks"] if b["block_id"] == "name")
    assert name_block["element"]["initial_value"] == "Globex"


def test_account_summary_in_a_linked_channel(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call Talked budget")
    slack.channel_message(ACME_CHANNEL, "Talked budget")
    slack.command("/sam", "account")
    summary = json.dumps(slack.ephemeral(DANA, "Open actions")["blocks"])
    assert "Acme" in summary and "<@UDANA>" in summary and "Talked budget" in summary


def test_account_summary_in_an_unlinked_channel_explains_what_to_do(slack):
    slack.command("/sam", "account", channel=GENERAL)
    assert "/sam link &lt;account name&gt;" in slack.ephemeral(DANA, "not linked")["text"]


def test_accounts_and_stakeholders_lists(slack, db):
    seed.acme(db)
    slack.command("/sam", "accounts")
    assert "*Acme*" in json.dumps(slack.ephemeral(DANA, "Accounts")["blocks"])
    slack.command("/sam", "stakeholders")
    listed = json.dumps(slack.ephemeral(DANA, "Stakeholders of")["blocks"])
    assert "Walter Boss" in listed and "Economic buyer" in listed and "power 5" in listed


def test_team_shows_members_and_changes_them_from_the_message(slack, db):
    seed.acme(db)
    slack.command("/sam", "team")
    team = slack.ephemeral(DANA, "Account team of Acme")
    add = next(b for b in team["blocks"] if b.get("block_id", "").startswith("team_add_"))
    slack.requests.block_action(
        DANA,
        "team_add_member",
        block_id=add["block_id"],
        message=team,
        channel_id=ACME_CHANNEL,
        selected=LEE,
    )
    updated = slack.ephemeral(DANA, "added <@ULEE>")
    lee_block = next(b for b in updated["blocks"] if b.get("block_id", "").endswith("_ULEE"))
    slack.requests.block_action(
        DANA,
        "team_member_role",
        block_id=lee_block["block_id"],
        message=updated,
        channel_id=ACME_CHANNEL,
        selected="technical",
    )
    slack.ephemeral(DANA, "changed the role of <@ULEE>")
    with db.session() as session:
        account = session.scalar(select(Account))
        assert {m.user_id: m.role.value for m in account.team} == {DANA: "owner", LEE: "technical"}


def test_quick_touchpoint_is_posted_and_confirmed_with_add_details(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call Discussed the renewal timeline")
    posted = slack.channel_message(ACME_CHANNEL, "Discussed the renewal timeline")
    assert "Logged by <@UDANA>" in json.dumps(posted["blocks"])
    confirmation = slack.ephemeral(DANA, "Add details")
    button = confirmation["blocks"][0]["accessory"]
    with db.session() as session:
        touchpoint = session.scalar(select(Touchpoint))
        assert (touchpoint.kind.value, touchpoint.source.value) == ("call", "command")
    assert button["value"] == str(touchpoint.id)


def test_quick_touchpoint_in_an_unlinked_channel_explains(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call Hello", channel=GENERAL)
    assert "/sam link" in slack.ephemeral(DANA, "not linked")["text"]
    with db.session() as session:
        assert session.scalar(select(Touchpoint)) is None


def test_quick_touchpoint_needs_a_kind(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "lunch with the CFO")
    assert "Kinds: meeting, call" in slack.ephemeral(DANA, "Start with the kind")["text"]


def test_quick_action_with_owner_and_relative_date(slack, db):
    seed.acme(db)
    slack.command("/action", "<@ULEE|lee> Send the revised proposal by in 2 weeks")
    posted = slack.channel_message(ACME_CHANNEL, "Send the revised proposal")
    buttons = [
        e.get("text", {}).get("text", e["type"])
        for b in posted["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == [
        "Mark done",
        "Snooze a week",
        "Change due date",
        "Reassign",
        "Edit",
        "overflow",
    ]
    with db.session() as session:
        action = session.scalar(select(Action))
        assert action.owner_id == LEE and action.created_by == DANA
        # "in 2 weeks" from today where Dana, who typed it, is.
        assert action.due_date == today_in("Europe/Paris") + timedelta(days=14)
        assert (action.channel_id, action.message_ts) == (ACME_CHANNEL, posted["ts"])


def test_quick_action_whose_by_is_not_a_date_keeps_it_in_the_title(slack, db):
    seed.acme(db)
    slack.command("/action", "Review contract by legal")
    note = slack.ephemeral(DANA, "couldn't read")["text"]
    assert "Created *Review contract by legal* with no due date" in note
    slack.channel_message(ACME_CHANNEL, "Review contract by legal")
    with db.session() as session:
        action = session.scalar(select(Action))
        assert (action.title, action.due_date) == ("Review contract by legal", None)


def test_quick_action_needs_a_title_and_knows_its_subcommands(slack, db):
    seed.acme(db)
    slack.command("/action", "<@ULEE|lee> by tomorrow")
    slack.ephemeral(DANA, "Give the action a title")
    slack.command("/action", "help")
    slack.ephemeral(DANA, "/action list")
    with db.session() as session:
        assert session.scalar(select(Action)) is None


def test_quick_action_in_the_past_is_refused(slack, db):
    seed.acme(db)
    slack.command("/action", "Call Bob by 2020-01-01")
    assert "Due date: The due date is in the past" in slack.ephemeral(DANA, "in the past")["text"]
    slack.command("/action", "x" * 250)
    assert "Title: Must be at most 200 characters." in slack.ephemeral(DANA, "Title:")["text"]


def test_quick_action_from_another_channel_gets_a_link(slack, db):
    seed.acme(db, channel=GENERAL)
    slack.command("/action", "Call Bob by tomorrow", channel=GENERAL)
    slack.channel_message(GENERAL, "Call Bob")
    # Run in the account channel itself: the post is the confirmation, nothing ephemeral.
    assert not [e for e in slack.standin.ephemerals(DANA) if "posted in" in (e.get("text") or "")]


def test_action_list_shows_overdue_first_with_buttons(slack, db):
    seed.acme(db)
    slack.command("/action", "Later thing by in 3 weeks")
    slack.command("/action", "Sooner thing by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Sooner thing")
    slack.command("/action", "list")
    listing = slack.ephemeral(DANA, "Your open actions")
    sections = [
        b["text"]["text"]
        for b in listing["blocks"]
        if b.get("block_id", "").startswith("action_") and b["type"] == "section"
    ]
    assert "Sooner thing" in sections[0] and "Later thing" in sections[1]
    assert sum(1 for b in listing["blocks"] if b["type"] == "actions") == 2


def test_command_text_is_unescaped_once(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call Pricing &amp; terms &lt;draft&gt;")
    posted = slack.channel_message(ACME_CHANNEL, "Pricing")
    assert "Pricing &amp; terms &lt;draft&gt;" in json.dumps(posted["blocks"])
    with db.session() as session:
        assert session.scalar(select(Touchpoint.summary)) == "Pricing & terms <draft>"


def test_linking_a_channel_shared_with_the_client_is_noted(slack, db):
    seed.acme(db, channel=None)
    slack.standin.add_channel("CSHARED", "acme-connect", is_ext_shared=True)
    slack.command("/sam", "link Acme", channel="CSHARED")
    message = slack.channel_message("CSHARED", "linked this channel")
    assert "client version" in message["text"]
    with db.session() as session:
        assert session.scalar(select(Account.channel_shared_with_client)) is True


def test_link_with_a_typo_suggests_the_account(slack, db):
    seed.acme(db, channel=None)
    slack.command("/sam", "link acm", channel=GENERAL)
    offer = slack.ephemeral(DANA, "There is no account named *acm*")
    assert "Did you mean `/sam link Acme`?" in offer["text"]


def test_relinking_a_channel_says_which_account_lost_it(slack, db):
    seed.acme(db, channel=GENERAL)
    with db.session() as session:
        from sambot.accounts import service as accounts

        accounts.create(session, workspace_id=1, data={"name": "Globex", "owner_id": DANA})
    slack.command("/sam", "link Globex", channel=GENERAL)
    message = slack.channel_message(GENERAL, "linked this channel to *Globex*")
    assert "(Acme is no longer linked here.)" in message["text"]


def test_shortcut_text_and_mentions_are_kept_as_written(slack, db):
    seed.acme(db)
    message = {
        "type": "message",
        "user": LEE,
        "ts": "1764000000.000200",
        "text": "Pricing &amp; terms with <@ULEE>",
    }
    slack.requests.message_shortcut("log_as_touchpoint", message, ACME_CHANNEL, DANA)
    view = slack.opened_view("touchpoint")
    summary = next(b for b in view["blocks"] if b.get("block_id") == "summary")
    assert summary["element"]["initial_value"] == "Pricing & terms with <@ULEE>"
    from sambot.localslack.requests import values_for

    slack.requests.view_submission(view, values_for(view, {"kind": "email"}), DANA)
    posted = slack.channel_message(ACME_CHANNEL, "Pricing")
    assert "Pricing &amp; terms with <@ULEE>" in json.dumps(posted["blocks"])


def test_a_long_stakeholder_list_is_split_between_lines(slack, db):
    from sambot.stakeholders import service as stakeholders

    seed.acme(db)
    with db.session() as session:
        for n in range(30):
            stakeholders.create(
                session,
                workspace_id=1,
                account_id=1,
                data={"name": f"Person {n:02d} " + "x" * 40, "title": "Senior Vice President " * 3},
            )
    slack.command("/sam", "stakeholders")
    listing = slack.ephemeral(DANA, "Stakeholders of")
    texts = [b["text"]["text"] for b in listing["blocks"] if b["type"] == "section"]
    assert len(texts) > 2 and all(len(t) <= 3000 for t in texts)
    assert sum(t.count("• *Person") for t in texts) == 30


def test_accounts_list_shows_the_first_and_counts_them_all(slack, db):
    from sambot.accounts import service as accounts
    from sambot.workspaces import service as workspaces

    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        for n in range(45):
            accounts.create(
                session,
                workspace_id=workspace.id,
                data={"name": f"Client {n:02d}", "owner_id": DANA},
            )
    slack.command("/sam", "accounts")
    listing = json.dumps(slack.ephemeral(DANA, "Accounts")["blocks"], ensure_ascii=False)
    assert "*Accounts* (45)" in listing and "…and 5 more." in listing
    assert "Client 39" in listing and "Client 40" not in listing


def test_a_nul_character_in_a_command_is_dropped_not_a_database_error(slack, db):
    """No keyboard types NUL and PostgreSQL refuses it in text: it is dropped where it comes in."""
    seed.acme(db)
    slack.command("/action", "Send the\x00 revised proposal by 2026-12-24")
    slack.channel_message(ACME_CHANNEL, "Send the revised proposal")
    slack.command("/sam", "changes Ac\x00me", channel=GENERAL)  # a name looked up
    slack.ephemeral(DANA, "Changes to Acme")
    with db.session() as session:
        assert session.scalar(select(Action.title)) == "Send the revised proposal"
