"""Each modal opened, filled and submitted, valid and invalid, as Slack would send it."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.localslack.requests import values_for
from sambot.localslack.server import PERMALINK_BASE
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, PRIVATE


def submit(slack, view, answers, user=DANA):
    response = slack.requests.view_submission(view, values_for(view, answers), user)
    assert response.status_code == 200
    return response.json() if response.content else {}


def test_account_modal_creates_the_account_and_announces_it(slack, db):
    slack.command("/sam", "account new", channel=GENERAL)
    view = slack.opened_view("account_new")
    answer = submit(
        slack,
        view,
        {
            "name": "Globex",
            "owner_id": DANA,
            "tier": "key",
            "annual_revenue": "2,000,000",
            "gross_margin": "500000",
            "channel_id": GENERAL,
        },
    )
    assert answer == {}
    slack.channel_message(GENERAL, "created the account *Globex*")
    with db.session() as session:
        account = session.scalar(select(Account))
        assert (account.name, account.tier.value, account.channel_id) == ("Globex", "key", GENERAL)
        assert account.margin_percent == 25


def test_account_modal_errors_stay_under_their_fields(slack, db):
    seed.acme(db)
    slack.command("/sam", "account new", channel=GENERAL)
    view = slack.opened_view("account_new")
    answers = {"name": "ACME", "owner_id": DANA, "tier": "key", "annual_revenue": "10"}
    # The form's own checks come first; the name is checked against the others once they pass.
    answer = submit(slack, view, {**answers, "gross_margin": "20"})
    assert answer == {
        "response_action": "errors",
        "errors": {"gross_margin": "Gross margin cannot exceed annual revenue."},
    }
    answer = submit(slack, view, {**answers, "gross_margin": "5"})
    assert answer == {
        "response_action": "errors",
        "errors": {"name": "An account named Acme already exists."},
    }
    with db.session() as session:
        assert session.scalars(select(Account.name)).all() == ["Acme"]


def test_stakeholder_modal_valid_and_power_out_of_range(slack, db):
    seed.acme(db)
    slack.command("/sam", "stakeholder new")
    view = slack.opened_view("stakeholder_new")
    account_block = next(b for b in view["blocks"] if b["block_id"] == "account_id")
    assert account_block["element"]["initial_option"]["text"]["text"] == "Acme"
    answers = {
        "name": "Dana Client",
        "title": "CFO",
        "role": "decision_maker",
        "power": "9",
        "influence": "4",
        "interest": "0",
        "attitude": "1",
    }
    answer = submit(slack, view, answers)
    assert answer == {
        "response_action": "errors",
        "errors": {"power": "Must be at most 5.", "interest": "Must be at least 1."},
    }
    answer = submit(slack, view, {**answers, "power": "4", "interest": "3"})
    assert answer == {}
    slack.ephemeral(DANA, "added *Dana Client*")
    with db.session() as session:
        person = session.scalar(select(Stakeholder).where(Stakeholder.name == "Dana Client"))
        assert (person.power, person.influence, person.attitude, person.relationship_owner_id) == (
            4,
            4,
            1,
            DANA,
        )


def test_touchpoint_modal_defaults_to_the_users_today(slack, db, time_machine):
    seed.acme(db)
    # 23:30 UTC: already tomorrow in Paris (Dana), still today in Honolulu (Lee).
    time_machine.move_to("2026-11-28T23:30:00+00:00", tick=True)
    slack.command("/touchpoint", user=DANA)
    view = slack.opened_view("touchpoint")
    date_block = next(b for b in view["blocks"] if b["block_id"] == "occurred_on")
    assert date_block["element"]["initial_date"] == "2026-11-29"
    slack.command("/touchpoint", user=LEE)
    view = slack.wait("views.open", lambda c: "ULEE" in json.dumps(c.args.get("view")))
    lee_view = slack.latest_view(view.response["view"]["id"])
    date_block = next(b for b in lee_view["blocks"] if b["block_id"] == "occurred_on")
    assert date_block["element"]["initial_date"] == "2026-11-28"


def test_touchpoint_modal_with_stakeholders_and_follow_up(slack, db):
    seed.acme(db)
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    people = next(b for b in view["blocks"] if b["block_id"] == "stakeholder_ids")
    walter = people["element"]["options"][0]["value"]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    answer = submit(
        slack,
        view,
        {
            "kind": "qbr",
            "sentiment": "positive",
            "summary": "QBR went well",
            "stakeholder_ids": [walter],
            "followup_title": "Send QBR deck",
            "followup_owner_id": LEE,
            "followup_due_date": tomorrow,
        },
    )
    assert answer == {}
    posted = slack.channel_message(ACME_CHANNEL, "QBR went well")
    assert "Walter Boss" in json.dumps(posted["blocks"])
    slack.channel_message(ACME_CHANNEL, "Send QBR deck")
    with db.session() as session:
        touchpoint = session.scalar(select(Touchpoint))
        assert [p.name for p in touchpoint.stakeholders] == ["Walter Boss"]
        assert touchpoint.source.value == "modal"
        action = session.scalar(select(Action))
        assert (action.owner_id, action.due_date.isoformat()) == (LEE, tomorrow)


def test_touchpoint_modal_errors_keep_the_input(slack, db):
    seed.acme(db)
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    answer = submit(
        slack,
        view,
        {
            "kind": "call",
            "sentiment": "neutral",
            "summary": "x" * 3001,
            "followup_title": "Late thing",
            "followup_due_date": "2020-01-01",
        },
    )
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "summary": "Must be at most 3000 characters.",
        "followup_due_date": "The due date is in the past: pick today or a later day.",
    }
    with db.session() as session:
        assert session.scalar(select(Touchpoint)) is None
        assert session.scalar(select(Action)) is None


def test_touchpoint_modal_without_an_account(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", channel=GENERAL)
    view = slack.opened_view("touchpoint")
    answer = submit(slack, view, {"kind": "call", "summary": "Hello"})
    assert answer == {"response_action": "errors", "errors": {"account_id": "Choose an account."}}
    with db.session() as session:
        assert session.scalar(select(Touchpoint)) is None


def test_changing_the_account_refreshes_its_stakeholders(slack, db):
    seed.acme(db, channel=None)
    slack.command("/touchpoint", channel=GENERAL)
    view = slack.opened_view("touchpoint")
    assert not any(b["block_id"] == "stakeholder_ids" for b in view["blocks"] if "block_id" in b)
    account_id = next(b for b in view["blocks"] if b.get("block_id") == "account_id")["element"][
        "options"
    ][0]["value"]
    slack.requests.block_action(
        DANA, "value", block_id="account_id", view=view, selected=account_id
    )
    slack.wait("views.update")
    updated = slack.latest_view(view["id"])
    people = next(b for b in updated["blocks"] if b.get("block_id") == "stakeholder_ids")
    assert people["element"]["options"][0]["text"]["text"] == "Walter Boss"


def test_adding_a_stakeholder_without_leaving_the_touchpoint(slack, db):
    seed.acme(db)
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    slack.requests.block_action(DANA, "touchpoint_add_stakeholder", view=view)
    pushed = slack.wait("views.push").response["view"]
    assert pushed["callback_id"] == "stakeholder_new_pushed"
    assert (
        submit(
            slack,
            pushed,
            {
                "name": "New Person",
                "role": "champion",
                "power": "3",
                "influence": "3",
                "interest": "3",
                "attitude": "2",
            },
        )
        == {}
    )
    slack.wait("views.update")
    parent = slack.latest_view(view["id"])
    people = next(b for b in parent["blocks"] if b.get("block_id") == "stakeholder_ids")
    assert [o["text"]["text"] for o in people["element"]["initial_options"]] == ["New Person"]


def test_action_modal_creates_with_every_field(slack, db):
    seed.acme(db)
    slack.command("/action", channel=GENERAL)
    view = slack.opened_view("action")
    owner = next(b for b in view["blocks"] if b["block_id"] == "owner_id")
    assert owner["element"]["initial_user"] == DANA
    account_id = next(b for b in view["blocks"] if b["block_id"] == "account_id")["element"][
        "options"
    ][0]["value"]
    due = (date.today() + timedelta(days=5)).isoformat()
    answer = submit(
        slack,
        view,
        {
            "account_id": account_id,
            "title": "Map the buying centre",
            "owner_id": LEE,
            "due_date": due,
            "obstacle": "No org chart",
            "shared_with_client": ["yes"],
        },
    )
    assert answer == {}
    posted = slack.channel_message(ACME_CHANNEL, "Map the buying centre")
    # From #general the user also gets a confirmation with a link to the channel post.
    confirmation = slack.ephemeral(DANA, "posted in <#CACME>")
    link = f"{PERMALINK_BASE}/{ACME_CHANNEL}/p{posted['ts'].replace('.', '')}"
    assert confirmation["text"] == f":white_check_mark: Action posted in <#CACME> · <{link}|view>."
    with db.session() as session:
        action = session.scalar(select(Action))
        assert (action.obstacle, action.shared_with_client) == ("No org chart", True)


def test_action_modal_refuses_a_past_due_date_and_an_unknown_account(slack, db):
    seed.acme(db)
    slack.command("/action")
    view = slack.opened_view("action")
    answer = submit(slack, view, {"title": "Old", "owner_id": DANA, "due_date": "2020-01-01"})
    assert answer["errors"] == {
        "due_date": "The due date is in the past: pick today or a later day."
    }
    answer = submit(slack, view, {"title": "", "owner_id": DANA})
    assert answer["errors"] == {"title": "This field is required."}
    # An account deleted meanwhile: the modal still offers it, the domain refuses it.
    with db.session() as session:
        session.delete(session.scalar(select(Account)))
    answer = submit(slack, view, {"title": "Ghost", "owner_id": DANA})
    assert answer["errors"] == {"account_id": "That account no longer exists."}


def test_account_with_no_channel_posts_to_the_creator_by_dm(slack, db):
    seed.acme(db, channel=None)
    slack.command("/action", channel=GENERAL)
    view = slack.opened_view("action")
    account_id = next(b for b in view["blocks"] if b["block_id"] == "account_id")["element"][
        "options"
    ][0]["value"]
    submit(slack, view, {"account_id": account_id, "title": "Lonely action", "owner_id": DANA})
    call = slack.wait("chat.postMessage", lambda c: "Lonely action" in (c.args.get("text") or ""))
    assert call.args["channel"] == DANA
    assert "no linked channel" in json.dumps(call.args["blocks"])


def test_add_details_updates_the_channel_post_in_place(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call First version")
    first = slack.channel_message(ACME_CHANNEL, "First version")
    confirmation = slack.ephemeral(DANA, "Add details")
    slack.requests.block_action(
        DANA, "touchpoint_add_details", message=confirmation, channel_id=ACME_CHANNEL
    )
    view = slack.opened_view("touchpoint")
    assert any(b.get("block_id") == "followup_title" for b in view["blocks"])
    submit(slack, view, {"summary": "Second version"})
    slack.wait("chat.update", lambda c: c.args["ts"] == first["ts"])
    texts = [m["text"] for m in slack.standin.messages(ACME_CHANNEL)]
    assert len(texts) == 1 and "Second version" in texts[0]


def test_a_follow_up_with_a_date_but_no_title_is_refused(slack, db):
    seed.acme(db)
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    due = (date.today() + timedelta(days=3)).isoformat()
    answer = submit(slack, view, {"kind": "call", "summary": "Ok", "followup_due_date": due})
    assert answer["errors"] == {"followup_title": "This field is required."}


def test_the_channels_account_is_offered_even_past_a_hundred(slack, db):
    from sambot.accounts import service as accounts
    from sambot.workspaces import service as workspaces

    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        for n in range(120):
            accounts.create(
                session,
                workspace_id=workspace.id,
                data={
                    "name": f"Account {n:03d}",
                    "owner_id": DANA,
                    "channel_id": ACME_CHANNEL if n == 110 else None,
                },
            )
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    select = next(b for b in view["blocks"] if b.get("block_id") == "account_id")["element"]
    assert len(select["options"]) == 100
    assert select["initial_option"]["text"]["text"] == "Account 110"


def test_no_account_yet_explains_instead_of_opening_an_empty_form(slack):
    slack.command("/touchpoint")
    slack.ephemeral(DANA, "Create an account first")
    assert slack.standin.calls("views.open") == []


def test_a_confirmation_reaches_a_channel_the_bot_is_not_in(slack, db):
    seed.acme(db)
    slack.standin.add_channel(PRIVATE, "secret-deal", is_private=True, bot_is_member=False)
    slack.command("/action", channel=PRIVATE)
    view = slack.opened_view("action")
    account_id = next(b for b in view["blocks"] if b["block_id"] == "account_id")["element"][
        "options"
    ][0]["value"]
    submit(slack, view, {"account_id": account_id, "title": "From a private channel"})
    confirmation = slack.ephemeral(DANA, "posted in <#CACME>")
    assert confirmation["source"] == "response_url"


def test_a_nul_character_in_a_form_is_dropped_not_a_database_error(slack, db):
    slack.command("/sam", "account new", channel=GENERAL)
    view = slack.opened_view("account_new")
    answer = submit(slack, view, {"name": "Glo\x00bex", "owner_id": DANA, "tier": "key"})
    assert answer == {}
    slack.channel_message(GENERAL, "created the account *Globex*")
    with db.session() as session:
        assert session.scalar(select(Account.name)) == "Globex"
