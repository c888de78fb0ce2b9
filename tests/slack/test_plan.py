"""The account plan end to end: `/sam plan`, every section's form opened, filled and
submitted valid and invalid, entries added, edited and removed, the overview within
Slack's limits whatever the plan holds, stale sections, and the Plan buttons."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from sambot.accountplan.models import Competitor, ExpansionArea, IndustryFactor, PlanSection
from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.localslack.requests import values_for
from sambot.plans.models import Objective
from sambot.slack.limits import check_limits
from sambot.stakeholders import service as stakeholders
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE


def submit(slack, view, answers, user=DANA):
    response = slack.requests.view_submission(view, values_for(view, answers), user)
    assert response.status_code == 200
    return response.json() if response.content else {}


def element(message, action_id):
    for block in message.get("blocks") or []:
        for candidate in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if candidate.get("action_id") == action_id:
                return candidate
    raise AssertionError(f"no {action_id} in {json.dumps(message)[:500]}")


def press(slack, message, action_id, *, user=DANA, channel=ACME_CHANNEL, selected=None):
    button = element(message, action_id)
    response = slack.requests.block_action(
        user,
        action_id,
        value=button.get("value"),
        message=message,
        channel_id=channel,
        selected=selected,
    )
    assert response.status_code == 200


def overview(slack, user=DANA):
    slack.command("/sam", "plan", user=user)
    return slack.ephemeral(user, "Account plan of Acme")


def section_rows(session, model):
    return session.scalars(select(model).order_by(model.id)).all()


def test_plan_overview_shows_every_section_with_its_button(slack, db):
    seed.acme(db)
    message = overview(slack)
    text = json.dumps(message["blocks"])
    for title in (
        "Customer profile and needs",
        "Value proposition",
        "Customer strategy map",
        "Industry analysis",
        "Competitive assessment",
        "Relationship history and expansion",
        "Objectives and actions",
    ):
        assert title in text
    for section in ("profile", "value", "strategy", "industry", "competition", "relationship"):
        assert element(message, f"plan_edit_{section}")["text"]["text"] == "Edit"
    assert element(message, "plan_edit_actions")["text"]["text"] == "Open"
    assert element(message, "plan_post_to_channel")
    assert text.count("never filled in") == 7  # an empty plan asks to be filled
    assert check_limits(message["blocks"]) == []


@pytest.mark.parametrize(
    ("section", "answers", "stored"),
    [
        (
            "profile",
            {"business": "Makes chips", "needs": "Supply security", "budget_timing": "Q4"},
            {"business": "Makes chips", "needs": "Supply security", "budget_timing": "Q4"},
        ),
        (
            "value",
            {"unique_value": "Second source in Europe", "proof_points": "99% on time"},
            {"unique_value": "Second source in Europe", "proof_points": "99% on time"},
        ),
        (
            "strategy",
            {"client_objectives": "Double EV revenue", "culture": "Engineering-led"},
            {"client_objectives": "Double EV revenue", "culture": "Engineering-led"},
        ),
    ],
)
def test_field_section_forms_valid_and_invalid(slack, db, section, answers, stored):
    seed.acme(db)
    message = overview(slack)
    press(slack, message, f"plan_edit_{section}")
    view = slack.opened_view("plan_fields")
    first = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) <= 8

    answer = submit(slack, view, {**answers, first: "x" * 1001})
    assert answer == {
        "response_action": "errors",
        "errors": {first: "Must be at most 1000 characters."},
    }
    with db.session() as session:
        assert section_rows(session, PlanSection) == []

    assert submit(slack, view, answers) == {}
    redrawn = slack.ephemeral(DANA, f"<@{DANA}> updated the")
    assert redrawn["ts"] == message["ts"], "the overview is redrawn in place"
    with db.session() as session:
        [row] = section_rows(session, PlanSection)
        assert (row.section.value, row.fields, row.updated_by) == (section, stored, DANA)

    # Opened again, the form shows what is stored.
    press(slack, slack.ephemeral(DANA, "Account plan of Acme"), f"plan_edit_{section}")
    again = slack.wait(
        "views.open", lambda c: c.ok and c.response["view"]["id"] != view["id"]
    ).response["view"]
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in again["blocks"]
        if b["type"] == "input"
    }
    assert {k: v for k, v in initial.items() if v} == stored


def open_items(slack, section):
    message = overview(slack)
    press(slack, message, f"plan_edit_{section}")
    return slack.ephemeral(DANA, "plan_item_add")


def test_industry_factors_added_edited_and_removed_one_at_a_time(slack, db):
    seed.acme(db)
    listing = open_items(slack, "industry")
    press(slack, listing, "plan_item_add")
    view = slack.opened_view("plan_item")
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Factor", "Impact on the client", "Trend", "Note"]
    factors = {o["value"] for o in view["blocks"][1]["element"]["options"]}
    assert factors == {
        "political",
        "economic",
        "social",
        "technological",
        "legal",
        "environmental",
        "market_conditions",
        "supply_and_demand",
    }
    # The impact is required.
    answer = submit(slack, view, {"factor": "political", "trend": "Subsidies"})
    assert answer == {"response_action": "errors", "errors": {"impact": "This field is required."}}
    assert submit(slack, view, {"factor": "political", "impact": "up", "trend": "Subsidies"}) == {}
    listing = slack.ephemeral(DANA, "<@UDANA> added")
    assert "Political" in json.dumps(listing["blocks"])

    # A second political factor is refused under the factor's field.
    press(slack, listing, "plan_item_add")
    second = slack.wait(
        "views.open", lambda c: c.ok and c.response["view"]["id"] != view["id"]
    ).response["view"]
    answer = submit(slack, second, {"factor": "political", "impact": "down"})
    assert answer["errors"] == {
        "factor": "The political factor is already in the analysis: edit it instead."
    }

    with db.session() as session:
        [factor] = section_rows(session, IndustryFactor)
    menu = element(listing, "plan_item_menu")
    edit, remove = (option["value"] for option in menu["options"])
    press(slack, listing, "plan_item_menu", selected=edit)
    editing = slack.wait(
        "views.open",
        lambda c: c.ok and c.response["view"]["id"] not in (view["id"], second["id"]),
    ).response["view"]
    trend = next(b for b in editing["blocks"] if b.get("block_id") == "trend")
    assert trend["element"]["initial_value"] == "Subsidies"
    assert (
        submit(slack, editing, {"factor": "political", "impact": "down", "note": "Tariffs"}) == {}
    )
    slack.ephemeral(DANA, "<@UDANA> changed")
    with db.session() as session:
        [changed] = section_rows(session, IndustryFactor)
        assert (changed.id, changed.impact.value, changed.note) == (factor.id, "down", "Tariffs")

    listing = slack.ephemeral(DANA, "<@UDANA> changed")
    press(slack, listing, "plan_item_menu", selected=remove)
    slack.ephemeral(DANA, "removed")
    with db.session() as session:
        assert section_rows(session, IndustryFactor) == []
        [row] = section_rows(session, PlanSection)
        assert (row.section.value, row.updated_by) == ("industry", DANA)


def test_competitor_form_valid_and_invalid(slack, db):
    seed.acme(db)
    listing = open_items(slack, "competition")
    press(slack, listing, "plan_item_add")
    view = slack.opened_view("plan_item")
    answers = {
        "position": "behind",
        "strengths": "Incumbent since 2019",
        "weaknesses": "Slow to qualify parts",
        "differentiators": "Qualification in 6 weeks",
    }
    answer = submit(slack, view, answers)
    assert answer == {"response_action": "errors", "errors": {"name": "This field is required."}}
    assert submit(slack, view, {**answers, "name": "Vandelay"}) == {}
    slack.ephemeral(DANA, "<@UDANA> added *Vandelay*")
    with db.session() as session:
        [rival] = section_rows(session, Competitor)
        assert (rival.name, rival.position.value, rival.updated_by) == ("Vandelay", "behind", DANA)
        assert rival.differentiators == "Qualification in 6 weeks"


def test_expansion_area_form_valid_and_invalid(slack, db):
    seed.acme(db)
    listing = open_items(slack, "relationship")
    assert "Timeline" in json.dumps(listing["blocks"])
    press(slack, listing, "plan_item_add")
    view = slack.opened_view("plan_item")
    answers = {"area": "Automotive line", "stage": "qualified", "next_step": "Roadmap session"}
    answer = submit(slack, view, {**answers, "estimated_value": "lots"})
    assert answer == {
        "response_action": "errors",
        "errors": {"estimated_value": "Enter an amount, such as 250,000."},
    }
    assert submit(slack, view, {**answers, "estimated_value": "1,500,000"}) == {}
    listing = slack.ephemeral(DANA, "<@UDANA> added *Automotive line*")
    assert "1,500,000 USD" in json.dumps(listing["blocks"])
    with db.session() as session:
        [area] = section_rows(session, ExpansionArea)
        assert (area.area, area.estimated_value, area.stage.value) == (
            "Automotive line",
            1500000,
            "qualified",
        )


def test_the_plan_fits_slacks_limits_whatever_it_holds(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        account = session.get(Account, account_id)
        for i in range(60):
            session.add(
                Competitor(
                    workspace_id=account.workspace_id,
                    account_id=account_id,
                    name=f"Rival {i:02d} " + "n" * 80,
                    strengths="s" * 1000,
                    weaknesses="w" * 1000,
                    differentiators="d" * 1000,
                    updated_by=DANA,
                )
            )
        session.add(
            PlanSection(
                workspace_id=account.workspace_id,
                account_id=account_id,
                section="profile",
                fields={name: "<b>" * 333 for name in ("business", "needs", "buying_process")},
                updated_by=DANA,
            )
        )
    message = overview(slack)
    assert check_limits(message["blocks"]) == []
    assert "and 57 more" in json.dumps(message["blocks"])

    press(slack, message, "plan_edit_competition")
    listing = slack.ephemeral(DANA, "Competitive assessment of Acme")
    assert check_limits(listing["blocks"]) == []
    first_page = json.dumps(listing["blocks"])
    assert "Rival 00" in first_page and "Rival 59" not in first_page
    more = element(listing, "plan_more")
    assert "more" in more["text"]["text"]
    # "Next" pages through every competitor, each page within the limits.
    pages = 1
    while "Rival 59" not in json.dumps(listing["blocks"]):
        press(slack, listing, "plan_more")
        pages += 1
        assert pages < 30
        listing = _latest_listing(slack)
        assert check_limits(listing["blocks"]) == []
    assert pages > 1


def _latest_listing(slack):
    slack.in_flight.settle()
    return next(
        e
        for e in reversed(slack.standin.ephemerals(DANA))
        if "Competitive assessment" in json.dumps(e.get("blocks") or [])
    )


def test_sections_not_updated_in_90_days_are_flagged(slack, db):
    account_id = seed.acme(db)
    long_ago = datetime.now(UTC) - timedelta(days=95)
    recently = datetime.now(UTC) - timedelta(days=10)
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        for section, when in (("profile", long_ago), ("value", recently)):
            session.add(
                PlanSection(
                    workspace_id=workspace_id,
                    account_id=account_id,
                    section=section,
                    fields={"business" if section == "profile" else "unique_value": "x"},
                    updated_by=LEE,
                    updated_at=when,
                )
            )
    blocks = overview(slack)["blocks"]
    profile = next(b for b in blocks if "Customer profile" in b.get("text", {}).get("text", ""))
    value = next(b for b in blocks if "Value proposition" in b.get("text", {}).get("text", ""))
    assert "not updated in 90 days" in profile["text"]["text"]
    assert f"<@{LEE}>" in profile["text"]["text"]
    assert ":warning:" not in value["text"]["text"]


def test_post_to_channel_and_the_client_channel_keeps_the_plan_private(slack, db):
    account_id = seed.acme(db)
    message = overview(slack)
    press(slack, message, "plan_post_to_channel")
    posted = slack.channel_message(ACME_CHANNEL, "Account plan of Acme")
    assert "Posted by" in json.dumps(posted["blocks"])
    assert not any(
        e.get("action_id") == "plan_post_to_channel"
        for b in posted["blocks"]
        for e in b.get("elements") or []
    )
    with db.session() as session:
        session.execute(
            update(Account).where(Account.id == account_id).values(channel_shared_with_client=True)
        )
    shared = overview(slack)
    assert "the plan is internal" in json.dumps(shared["blocks"])
    with pytest.raises(AssertionError):
        element(shared, "plan_post_to_channel")
    # An old "Post to channel" pressed after the channel was shared posts nothing.
    before = len(slack.standin.messages(ACME_CHANNEL))
    press(slack, message, "plan_post_to_channel")
    slack.ephemeral(DANA, "the plan stays internal")
    assert len(slack.standin.messages(ACME_CHANNEL)) == before


def test_account_summary_and_home_open_the_plan(slack, db):
    seed.acme(db)
    slack.command("/sam", "account")
    summary = slack.ephemeral(DANA, "Last touchpoint")
    press(slack, summary, "plan_open")
    slack.ephemeral(DANA, "Account plan of Acme")

    event = {"type": "app_home_opened", "user": DANA, "channel": "DUDANA", "tab": "home"}
    slack.requests.event(event)
    home = slack.wait("views.publish").args["view"]
    home = json.loads(home) if isinstance(home, str) else home
    button = element(home, "plan_open")
    response = slack.requests.block_action(
        DANA, "plan_open", value=button["value"], view={**home, "id": "VHOME"}
    )
    assert response.status_code == 200
    dm = slack.wait("chat.postMessage", lambda c: c.args.get("channel") == DANA)
    assert "Account plan of Acme" in json.dumps(dm.args)


def test_a_stale_report_button_opens_the_section(slack, db):
    account_id = seed.acme(db)
    seed.october_activity(db, account_id)
    with db.session() as session:
        session.add(
            Competitor(
                workspace_id=session.get(Account, account_id).workspace_id,
                account_id=account_id,
                name="Vandelay Industries",
                updated_by=DANA,
            )
        )
    slack.command("/sam", f"report {seed.OCTOBER}")
    report = slack.ephemeral(DANA, "Monthly report")
    text = json.dumps(report["blocks"])
    assert "Account plan sections not updated in 90 days" in text
    press(slack, report, "plan_edit_profile")
    view = slack.opened_view("plan_fields")
    assert submit(slack, view, {"business": "Chips"}) == {}
    slack.ephemeral(DANA, "updated the customer profile")

    slack.command("/sam", f"report client {seed.OCTOBER}")
    client = slack.ephemeral(DANA, "Monthly update")
    assert "plan_edit" not in json.dumps(client["blocks"])
    assert "Account plan sections" not in json.dumps(client["blocks"])
    # Competitors are internal: no report shows them.
    assert "Vandelay" not in json.dumps(client) and "Vandelay" not in json.dumps(report)


def test_sam_plan_with_a_section_word_and_a_wrong_word(slack, db):
    seed.acme(db)
    slack.command("/sam", "plan competitors")
    slack.ephemeral(DANA, "Competitive assessment of Acme")
    slack.command("/sam", "plan nonsense")
    slack.ephemeral(DANA, "takes nothing, or one of")
    slack.command("/sam", "plan", channel=GENERAL)
    slack.ephemeral(DANA, "not linked to an account")


def test_plan_export_uploads_markdown_and_html_to_the_channel(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        account = session.get(Account, account_id)
        stakeholders.create(
            session,
            workspace_id=account.workspace_id,
            account_id=account_id,
            data={"name": "<script>alert(1)</script>"},
        )
    slack.command("/sam", "plan export")
    slack.channel_message(ACME_CHANNEL, "exported by <@UDANA>")
    uploads = {u["filename"]: u for u in slack.standin.uploads()}
    assert set(uploads) == {"account-plan-acme.md", "account-plan-acme.html"}
    assert {u["channel"] for u in uploads.values()} == {ACME_CHANNEL}
    page = uploads["account-plan-acme.html"]["content"].decode()
    markdown = uploads["account-plan-acme.md"]["content"].decode()
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    for title in ("Industry analysis", "Competitive assessment", "Stakeholders"):
        assert title in page and title in markdown


def test_plan_export_in_a_client_channel_goes_to_the_user_alone(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        session.execute(
            update(Account).where(Account.id == account_id).values(channel_shared_with_client=True)
        )
    slack.command("/sam", "plan export")
    slack.ephemeral(DANA, "direct messages: this channel is shared with the client")
    uploads = slack.standin.uploads()
    assert len(uploads) == 2
    assert all(u["channel"] != ACME_CHANNEL for u in uploads)
    assert slack.standin.messages(ACME_CHANNEL) == []


def test_objectives_and_actions_page_within_the_limits(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        for i in range(25):
            goal = Objective(
                workspace_id=workspace_id, account_id=account_id, title=f"Goal {i:02d}"
            )
            session.add(goal)
            session.flush()
            for j in range(10):
                session.add(
                    Action(
                        workspace_id=workspace_id,
                        account_id=account_id,
                        objective_id=goal.id,
                        title=f"Step {j} " + "t" * 190,
                        owner_id=DANA,
                        created_by=DANA,
                    )
                )
    slack.command("/sam", "plan objectives")
    listing = slack.ephemeral(DANA, "Objectives and actions of Acme")
    seen = set()
    for _ in range(25):
        assert check_limits(listing["blocks"]) == []
        text = json.dumps(listing["blocks"])
        seen |= {i for i in range(25) if f"Goal {i:02d}" in text}
        assert "0/10 done" in text and "and 2 more open" in text
        if "plan_more" not in text:
            break
        press(slack, listing, "plan_more")
        slack.in_flight.settle()
        listing = next(
            e
            for e in reversed(slack.standin.ephemerals(DANA))
            if "Objectives and actions of Acme" in e["text"]
        )
    assert seen == set(range(25))


def test_a_form_whose_message_cannot_be_redrawn_still_confirms(slack, db):
    seed.acme(db)
    message = overview(slack)
    button = element(message, "plan_edit_value")
    slack.requests.block_action(
        DANA,
        "plan_edit_value",
        value=button["value"],
        message=message,
        channel_id=ACME_CHANNEL,
        response_url=False,  # as from a message whose response_url is spent
    )
    view = slack.opened_view("plan_fields")
    assert submit(slack, view, {"unique_value": "Second source"}) == {}
    call = slack.wait(
        "chat.postEphemeral", lambda c: "updated the value proposition" in c.args["text"]
    )
    assert call.args["channel"] == ACME_CHANNEL and call.args["user"] == DANA
    assert "*Acme*" in call.args["text"]
