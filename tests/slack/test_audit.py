"""The audit trail through signed requests: each source recorded with who and what changed,
`/sam changes` paged and filtered, and never a token in it."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.audit import context as audit_context
from sambot.audit.models import AuditEvent
from sambot.localslack.requests import values_for
from sambot.stakeholders.models import Stakeholder
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, OWEN, SIGNING_SECRET


def events(db, **where) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(session.scalars(query))


def fields(event: AuditEvent) -> dict:
    return {c["field"]: (c["old"], c["new"]) for c in event.changes}


def wait_for_events(slack, db, count: int, **where) -> list[AuditEvent]:
    slack.in_flight.settle()
    found = events(db, **where)
    assert len(found) == count, [(e.entity, e.operation, e.source, e.changes) for e in found]
    return found


def posted_action(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by 2026-12-24")
    return slack.channel_message(ACME_CHANNEL, "Send proposal")


def press(slack, message, action_id, user=LEE):
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    response = slack.requests.block_action(
        user, action_id, value=button["value"], message=message, channel_id=ACME_CHANNEL
    )
    assert response.status_code == 200


def test_a_command_records_who_created_what_from_which_command(slack, db):
    posted_action(slack, db)
    [created] = wait_for_events(slack, db, 1, entity="action")
    assert (created.operation, created.source, created.actor) == ("created", "command", DANA)
    assert created.detail == "/action Send proposal by 2026-12-24"
    assert created.label == "Send proposal"
    with db.session() as session:
        action = session.scalar(select(Action))
        assert (created.entity_id, created.account_id) == (action.id, action.account_id)
    changed = fields(created)
    assert changed["title"] == (None, "Send proposal")
    assert changed["due_date"] == (None, "2026-12-24")
    assert changed["status"] == (None, "open")
    assert "updated_at" not in changed and "created_at" not in changed
    # The seed wrote the account and its stakeholder outside any request: sambot itself.
    [account] = events(db, entity="account")
    assert (account.source, account.actor, account.operation) == ("system", None, "created")


def test_a_button_records_the_old_and_new_status(slack, db):
    message = posted_action(slack, db)
    wait_for_events(slack, db, 1, entity="action")
    press(slack, message, "action_done")
    [done] = wait_for_events(slack, db, 1, entity="action", operation="updated")
    assert (done.source, done.actor, done.detail) == ("button", LEE, "action_done")
    changed = fields(done)
    assert changed.pop("status") == ("open", "done")
    old, new = changed.pop("completed_at")
    assert old is None and datetime.fromisoformat(new).year >= 2026
    assert changed == {}, "last_changed_by and updated_at are bookkeeping, not changes"


def test_a_modal_records_each_field_and_a_correction_its_old_value(slack, db):
    slack.command("/sam", "account new", channel=GENERAL)
    view = slack.opened_view("account_new")
    answers = {
        "name": "Globex",
        "owner_id": DANA,
        "tier": "key",
        "annual_revenue": "2,000,000",
        "channel_id": GENERAL,
    }
    response = slack.requests.view_submission(view, values_for(view, answers), DANA)
    assert response.status_code == 200
    slack.channel_message(GENERAL, "created the account *Globex*")
    [created] = wait_for_events(slack, db, 1, entity="account")
    assert (created.source, created.actor, created.detail) == ("modal", DANA, "account_new")
    changed = fields(created)
    assert changed["name"] == (None, "Globex")
    assert changed["tier"] == (None, "key")
    assert changed["channel_id"] == (None, GENERAL)
    assert changed["owner_id"] == (None, DANA)
    assert float(changed["annual_revenue"][1]) == 2_000_000
    [member] = events(db, entity="team member")
    assert fields(member)["role"] == (None, "owner") and member.actor == DANA

    # The same account edited in its form: only what changed, old -> new.
    slack.command("/sam", "account edit", channel=GENERAL)
    view = slack.opened_view("account_edit")
    response = slack.requests.view_submission(
        view, values_for(view, {"tier": "strategic", "industry": "Chemicals"}), LEE
    )
    assert response.status_code == 200
    [edited] = wait_for_events(slack, db, 1, entity="account", operation="updated")
    assert (edited.source, edited.actor, edited.detail) == ("modal", LEE, "account_edit")
    assert fields(edited) == {"tier": ("key", "strategic"), "industry": (None, "Chemicals")}


def test_a_rolled_back_change_leaves_no_audit_row(db):
    seed.acme(db)
    before = len(events(db))
    with (
        pytest.raises(RuntimeError),
        audit_context.acting(audit_context.Source.COMMAND, DANA, "/sam test"),
        db.session() as session,
    ):
        person = session.scalar(select(Stakeholder))
        person.title = "CFO"
        session.flush()
        # Written in the same transaction as the change: visible here...
        assert session.scalar(select(AuditEvent).where(AuditEvent.actor == DANA))
        raise RuntimeError("something failed after the write")
    # ...and gone with it.
    assert len(events(db)) == before
    with db.session() as session:
        assert session.scalar(select(Stakeholder.title)) is None


def many_changes(db, count: int) -> int:
    """`count` renames of Acme's stakeholder by Dana, from a command: `count` events."""
    account_id = seed.acme(db)
    for n in range(count):
        # Who acts is set around the session: its commit flushes the change.
        with audit_context.acting("command", DANA, "/sam stakeholder"), db.session() as session:
            session.scalar(select(Stakeholder)).title = f"Title {n + 1}"
    return account_id


def test_sam_changes_pages_newest_first_with_readable_lines(slack, db):
    many_changes(db, 12)
    slack.command("/sam", "changes", user=DANA)  # in Acme's channel: Acme's changes
    first = slack.ephemeral(DANA, "Changes to")
    text = json.dumps(first["blocks"], ensure_ascii=False)
    # 12 renames, and the account, its owner on the team and its stakeholder created.
    assert "1 to 10 of 15, newest first" in text
    assert "→ “Title 12”" in text and "→ “Title 3”" in text and "→ “Title 2”" not in text
    lines = [b["text"]["text"] for b in first["blocks"][1:] if b["type"] == "section"]
    latest = events(db, entity="stakeholder")[-1]
    paris = latest.at.astimezone(ZoneInfo("Europe/Paris"))
    assert lines[0] == (
        f"*{paris:%d %b %Y %H:%M}*, <@{DANA}>, via /sam stakeholder: "
        "stakeholder “Walter Boss”: Title “Title 11” → “Title 12”"
    )
    buttons = [
        e["action_id"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["changes_page_next"]

    response = slack.requests.block_action(
        DANA, "changes_page_next", message=first, channel_id=ACME_CHANNEL
    )
    assert response.status_code == 200
    second = slack.ephemeral(DANA, "11 to 15 of 15")
    text = json.dumps(second["blocks"], ensure_ascii=False)
    assert "→ “Title 2”" in text and "Title (none) → “Title 1”" in text
    assert "→ “Title 3”" not in text
    # The account's creation: its labels, not the stored values.
    assert "account “Acme” created" in text and "Tier Strategic" in text
    assert "Role Economic buyer" in text or "economic_buyer" not in text
    buttons = [
        e["action_id"] for b in second["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["changes_page_previous"]


def test_sam_changes_filters_by_account_and_date_and_shows_the_reader_s_time(slack, db):
    acme_id = many_changes(db, 1)
    with audit_context.acting("command", LEE, "/sam account"), db.session() as session:
        other = Account(workspace_id=session.get(Account, acme_id).workspace_id, name="Globex")
        other.owner_id = LEE
        session.add(other)
    slack.command("/sam", "changes Globex", user=LEE, channel=GENERAL)
    reply = slack.ephemeral(LEE, "Changes to")
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "1 to 1 of 1" in text and "Globex" in text and "Walter" not in text
    [created] = events(db, entity="account", label="Globex")
    honolulu = created.at.astimezone(ZoneInfo("Pacific/Honolulu"))
    assert f"*{honolulu:%d %b %Y %H:%M}*, <@{LEE}>" in text

    slack.command("/sam", "changes", user=LEE, channel=GENERAL)  # no account here: all of them
    assert "1 to 5 of 5" in json.dumps(slack.ephemeral(LEE, "this workspace").get("blocks"))

    # Acme's creation back in January: since June, only the rename is left.
    with db.session() as session:
        for event in session.scalars(select(AuditEvent).where(AuditEvent.operation == "created")):
            event.at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    slack.command("/sam", "changes since 2026-06-01", user=LEE, channel=ACME_CHANNEL)
    text = json.dumps(slack.ephemeral(LEE, "since 01 Jun 2026")["blocks"], ensure_ascii=False)
    assert "1 to 1 of 1" in text and "“Title 1”" in text
    slack.command("/sam", "changes Globex since 2026-06-01", user=LEE, channel=ACME_CHANNEL)
    assert "No changes to Globex since" in slack.ephemeral(LEE, "No changes")["text"]

    slack.command("/sam", "changes Nowhere", user=LEE, channel=GENERAL)
    assert "no account called `Nowhere`" in slack.ephemeral(LEE, "Nowhere")["text"]


def test_the_audit_holds_no_token_or_secret(slack, db):
    posted_action(slack, db)
    slack.command("/sam", "changes")
    slack.ephemeral(DANA, "Changes to")
    rows = events(db)
    assert rows
    dumped = json.dumps(
        [[e.actor, e.source, e.detail, e.label, e.changes] for e in rows], default=str
    )
    assert slack.standin.bot_token not in dumped and SIGNING_SECRET not in dumped
    assert "xoxb" not in dumped


def test_a_plan_section_records_one_change_per_field_it_holds(slack, db):
    seed.acme(db)
    slack.command("/sam", "plan profile")
    view = slack.opened_view("plan_fields")
    answers = {"business": "Makes chips", "needs": "Supply security"}
    assert slack.requests.view_submission(view, values_for(view, answers), DANA).status_code == 200
    [created] = wait_for_events(slack, db, 1, entity="plan section")
    assert (created.operation, created.source, created.label) == ("created", "modal", "profile")
    assert fields(created) == {
        "section": (None, "profile"),
        "business": (None, "Makes chips"),
        "needs": (None, "Supply security"),
    }, "updated_at and updated_by are bookkeeping"

    slack.command("/sam", "plan profile", user=LEE)
    view = slack.opened_view("plan_fields")
    answers = {"business": "Makes chips", "needs": "Two suppliers", "budget_timing": "Q4"}
    assert slack.requests.view_submission(view, values_for(view, answers), LEE).status_code == 200
    [updated] = wait_for_events(slack, db, 1, entity="plan section", operation="updated")
    assert updated.actor == LEE
    assert fields(updated) == {
        "needs": ("Supply security", "Two suppliers"),
        "budget_timing": (None, "Q4"),
    }
    slack.command("/sam", "changes", user=LEE)
    text = json.dumps(slack.ephemeral(LEE, "Changes to")["blocks"], ensure_ascii=False)
    assert "plan section “Customer profile and needs”: Their main needs" in text
    assert "“Supply security” → “Two suppliers”" in text


def test_an_event_records_its_type_as_the_source(slack, db):
    seed.acme(db)
    slack.standin.add_channel(ACME_CHANNEL, "acme", is_ext_shared=True)
    slack.requests.event(
        {"type": "channel_shared", "channel": ACME_CHANNEL, "connected_team_id": "TCLIENT"}
    )
    [shared] = wait_for_events(slack, db, 1, entity="account", operation="updated")
    assert (shared.source, shared.detail, shared.actor) == ("event", "channel_shared", None)
    assert fields(shared) == {"channel_shared_with_client": (False, True)}
    slack.command("/sam", "changes")
    text = json.dumps(slack.ephemeral(DANA, "Changes to")["blocks"], ensure_ascii=False)
    assert "sambot, via a Slack event (channel shared): account “Acme”" in text
    assert "Channel shared with client no → yes" in text


def test_a_team_member_taken_off_the_team_is_recorded_as_deleted(slack, db):
    account_id = seed.acme(db)
    with audit_context.acting("command", DANA, "/sam team"), db.session() as session:
        workspace_id = session.get(Account, account_id).workspace_id
        accounts.set_team_member(
            session,
            workspace_id=workspace_id,
            account_id=account_id,
            data={"user_id": OWEN, "role": "technical"},
        )
    assert (
        slack.requests.event(
            {"type": "member_left_channel", "user": OWEN, "channel": ACME_CHANNEL}
        ).status_code
        == 200
    )
    offer = slack.channel_message(f"D{DANA}", "left <#CACME>")
    button = next(
        e
        for b in offer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "team_offer_remove"
    )
    slack.requests.block_action(
        DANA, "team_offer_remove", value=button["value"], message=offer, channel_id=f"D{DANA}"
    )
    # An orphan the flush deletes by cascade (taken off account.team) is seen too.
    [removed] = wait_for_events(slack, db, 1, entity="team member", operation="deleted")
    assert (removed.source, removed.actor, removed.detail) == (
        "button",
        DANA,
        "team_offer_remove",
    )
    assert (removed.label, removed.account_id) == (f"<@{OWEN}>", account_id)
    assert fields(removed) == {"user_id": (OWEN, None), "role": ("technical", None)}


def test_a_bulk_update_records_its_own_event_in_its_transaction(db):
    """A cadence snooze is one UPDATE statement, past the unit of work: it records itself."""
    from datetime import date

    from sambot.relationships import cadence

    seed.acme(db)
    with audit_context.acting("button", LEE, "cadence_snooze"), db.session() as session:
        person = session.scalar(select(Stakeholder))
        until = cadence.snooze(session, stakeholder=person, today=date(2026, 11, 2))
    [snoozed] = events(db, entity="stakeholder", operation="updated")
    assert (snoozed.source, snoozed.actor, snoozed.label) == ("button", LEE, "Walter Boss")
    assert fields(snoozed) == {"cadence_snoozed_until": (None, until.isoformat())}
    with pytest.raises(RuntimeError), db.session() as session:
        cadence.snooze(
            session, stakeholder=session.scalar(select(Stakeholder)), today=date(2026, 12, 1)
        )
        raise RuntimeError("rolled back")
    assert len(events(db, entity="stakeholder", operation="updated")) == 1


def test_a_workspace_purge_counts_and_deletes_its_audit_events(db):
    from sambot.installs import service as installs
    from sambot.workspaces.models import Workspace

    seed.acme(db)
    with db.session() as session:
        workspace = session.scalar(select(Workspace))
    recorded = len(events(db))
    assert recorded == 3  # the account, its owner on the team, its stakeholder
    dry = installs.purge(db, [workspace], dry_run=True)
    assert dry.counts["audit_events"] == recorded and len(events(db)) == recorded
    applied = installs.purge(db, [workspace], dry_run=False)
    assert applied.counts["audit_events"] == recorded
    assert events(db) == []


def test_a_touchpoint_s_stakeholders_and_its_move_to_another_account(slack, db):
    from datetime import date

    from sambot.stakeholders import service as stakeholders
    from sambot.touchpoints import service as touchpoints

    acme_id = seed.acme(db)
    with audit_context.acting("modal", DANA, "touchpoint"), db.session() as session:
        workspace_id = session.get(Account, acme_id).workspace_id
        walter = session.scalar(select(Stakeholder)).id
        globex = Account(workspace_id=workspace_id, name="Globex", owner_id=DANA)
        session.add(globex)
        session.flush()
        globex_id = globex.id
        jane = stakeholders.create(
            session, workspace_id=workspace_id, account_id=globex_id, data={"name": "Jane Roe"}
        ).id
        data = {"occurred_on": date(2026, 11, 2), "kind": "call", "summary": "Pricing"}
        touchpoint = touchpoints.create(
            session,
            workspace_id=workspace_id,
            account_id=acme_id,
            logged_by=DANA,
            data={**data, "stakeholder_ids": [walter]},
        )
    [created] = events(db, entity="touchpoint")
    assert fields(created)["stakeholders"] == (None, ["Walter Boss"])
    assert "account_id" not in fields(created), "a new record is its event's account's"
    assert created.account_id == acme_id

    with audit_context.acting("modal", LEE, "touchpoint"), db.session() as session:
        touchpoints.update(
            session,
            workspace_id=workspace_id,
            touchpoint_id=touchpoint.id,
            account_id=globex_id,
            data={**data, "stakeholder_ids": [jane]},
        )
    # Recorded at each flush: the query for the stakeholders flushed the move first.
    moved = events(db, entity="touchpoint", operation="updated")
    assert {e.actor for e in moved} == {LEE}
    assert {k: v for e in moved for k, v in fields(e).items()} == {
        "account_id": (acme_id, globex_id),
        "stakeholders": (["Walter Boss"], ["Jane Roe"]),
    }
    slack.command("/sam", "changes Globex", user=LEE, channel=GENERAL)
    text = json.dumps(slack.ephemeral(LEE, "Changes to Globex")["blocks"], ensure_ascii=False)
    assert "Account “Acme” → “Globex”" in text
    assert "Stakeholders Walter Boss → Jane Roe" in text


def test_checkpoints_scheduled_started_by_the_job_answered_and_closed(slack, db):
    from datetime import date

    from tests.slack import test_checkpoints as checkpoints

    checkpoints.acme_with_team(db)
    slack.command("/sam", "checkpoint monthly on")
    slack.ephemeral(DANA, "asked every month")
    [scheduled] = wait_for_events(slack, db, 1, entity="checkpoint schedule")
    assert (scheduled.operation, scheduled.source, scheduled.actor) == ("created", "command", DANA)

    checkpoints.run_checkpoints(slack, db, date(2027, 1, 4))
    [started] = events(db, entity="checkpoint")
    assert (started.operation, started.source, started.detail) == ("created", "job", "checkpoints")
    asked = events(db, entity="checkpoint answer")
    assert len(asked) == 3 and {e.source for e in asked} == {"job"}

    question = checkpoints.dm(slack, LEE, "Alignment checkpoint for Acme")
    checkpoints.press(slack, question, "checkpoint_information_4", LEE)
    [answered] = wait_for_events(slack, db, 1, entity="checkpoint answer", operation="updated")
    assert (answered.source, answered.actor, answered.label) == ("button", LEE, f"<@{LEE}>")
    assert fields(answered)["information"] == (None, 4)

    slack.command("/sam", "checkpoint close")
    slack.channel_message(ACME_CHANNEL, "people answered")
    [closed] = wait_for_events(slack, db, 1, entity="checkpoint", operation="updated")
    assert (closed.source, closed.actor) == ("command", DANA)
    assert closed.entity_id == started.entity_id
    assert [c["field"] for c in closed.changes] == ["closed_at"]

    slack.command("/sam", "checkpoint monthly off")
    slack.ephemeral(DANA, "No more monthly checkpoints")
    [stopped] = wait_for_events(slack, db, 1, entity="checkpoint schedule", operation="deleted")
    assert (stopped.source, stopped.actor, stopped.account_id) == (
        "command",
        DANA,
        scheduled.account_id,
    )
