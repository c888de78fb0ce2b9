"""The account plan's domain rules: who updated a section and when, entries kept to their
own account and workspace, and what counts as stale."""

from datetime import UTC, date, datetime, timedelta

import pytest

from sambot.accountplan import service as plan
from sambot.accountplan.models import Section
from sambot.accountplan.service import LastUpdate, is_stale
from sambot.accounts import service as accounts
from sambot.touchpoints import service as touchpoints
from sambot.validation import InvalidInput, NotFound
from sambot.workspaces import service as workspaces

TODAY = date(2026, 12, 2)
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


def two_accounts(session):
    workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
    other = workspaces.ensure(session, team_id="T0002", timezone="UTC")
    acme = accounts.create(
        session, workspace_id=workspace.id, data={"name": "Acme", "owner_id": "U1"}
    )
    globex = accounts.create(
        session, workspace_id=workspace.id, data={"name": "Globex", "owner_id": "U1"}
    )
    return workspace, other, acme, globex


def test_every_change_records_who_and_when(session):
    workspace, _, acme, globex = two_accounts(session)
    ids = {"workspace_id": workspace.id, "account_id": acme.id}
    plan.update_fields(
        session,
        **ids,
        section=Section.VALUE,
        data={"unique_value": "Fast"},
        updated_by="U2",
        now=MONDAY,
    )
    factor = plan.save_item(
        session,
        **ids,
        section=Section.INDUSTRY,
        data={"factor": "legal", "impact": "down"},
        updated_by="U3",
        now=MONDAY - timedelta(days=5),
    )
    plan.remove_item(
        session,
        workspace_id=workspace.id,
        section=Section.INDUSTRY,
        item_id=factor.id,
        removed_by="U4",
        now=MONDAY,
    )
    touchpoints.create(
        session,
        workspace_id=workspace.id,
        account_id=globex.id,
        logged_by="U5",
        today=TODAY,
        data={"occurred_on": TODAY - timedelta(days=3), "kind": "call", "summary": "Hello"},
    )
    updates = plan.last_updates(session, [acme.id, globex.id])
    assert updates[acme.id] == {
        Section.VALUE: LastUpdate("U2", MONDAY),
        Section.INDUSTRY: LastUpdate("U4", MONDAY),  # a removal is an update too
    }
    # The relationship's timeline is the touchpoints: logging one updates the section.
    assert updates[globex.id][Section.RELATIONSHIP].by == "U5"


def test_entries_stay_in_their_account_and_workspace(session):
    workspace, other, acme, globex = two_accounts(session)
    rival = plan.save_item(
        session,
        workspace_id=workspace.id,
        account_id=acme.id,
        section=Section.COMPETITION,
        data={"name": "Vandelay"},
        updated_by="U1",
    )
    with pytest.raises(NotFound):
        plan.get_item(session, workspace_id=other.id, section=Section.COMPETITION, item_id=rival.id)
    with pytest.raises(NotFound):  # an id of another section is no entry of this one
        plan.get_item(
            session, workspace_id=workspace.id, section=Section.INDUSTRY, item_id=rival.id
        )
    with pytest.raises(NotFound):
        plan.save_item(
            session,
            workspace_id=workspace.id,
            account_id=globex.id,
            section=Section.COMPETITION,
            data={"name": "Vandelay"},
            updated_by="U1",
            item_id=rival.id,
        )
    with pytest.raises(InvalidInput) as refused:
        plan.save_item(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            section=Section.COMPETITION,
            data={"name": "Vandelay"},
            updated_by="U1",
        )
    assert refused.value.errors == {"name": "Vandelay is already assessed: edit it instead."}
    # The same competitor at another account is another assessment.
    plan.save_item(
        session,
        workspace_id=workspace.id,
        account_id=globex.id,
        section=Section.COMPETITION,
        data={"name": "Vandelay"},
        updated_by="U1",
    )


def test_fields_are_replaced_and_checked(session):
    workspace, _, acme, _ = two_accounts(session)
    ids = {"workspace_id": workspace.id, "account_id": acme.id, "section": Section.PROFILE}
    plan.update_fields(
        session, **ids, data={"business": "Chips", "needs": "Supply"}, updated_by="U1"
    )
    row = plan.update_fields(
        session, **ids, data={"business": " Chips ", "needs": ""}, updated_by="U1"
    )
    assert row.fields == {"business": "Chips"}  # what is left out is cleared
    with pytest.raises(InvalidInput) as refused:
        plan.update_fields(session, **ids, data={"business": "x" * 1001}, updated_by="U1")
    assert refused.value.errors == {"business": "Must be at most 1000 characters."}
    with pytest.raises(NotFound):
        plan.update_fields(
            session, **{**ids, "section": Section.INDUSTRY}, data={}, updated_by="U1"
        )


@pytest.mark.parametrize(("days_ago", "stale"), [(None, True), (91, True), (90, False), (1, False)])
def test_stale_after_the_set_number_of_days(days_ago, stale):
    update = (
        None
        if days_ago is None
        else LastUpdate(
            "U1", datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)
        )
    )
    assert is_stale(update, today=TODAY, stale_days=90) is stale
