"""Which actions are nudged, where and for whom: the rules of sambot.nudges.service."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from sambot.accounts.models import Account
from sambot.actions.models import Action, ActionStatus
from sambot.nudges import service as nudges
from tests.jobs.builders import make_account, make_action, make_workspace

TODAY = date(2026, 11, 28)
CREATED = datetime(2026, 10, 1, tzinfo=UTC)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def world(db):
    """One workspace with Acme (a usable channel) and a few accounts nobody can post to."""
    workspace_id = make_workspace(db, "UTC")
    ids = {
        "acme": make_account(db, workspace_id, "Acme", channel="CACME", owner="UBOSS"),
        "globex": make_account(db, workspace_id, "Globex", channel="CGLOBEX", owner="UBOSS"),
        "no channel": make_account(db, workspace_id, "Initech", channel=None),
        "archived": make_account(db, workspace_id, "Hooli", channel="CHOOLI"),
        "gone": make_account(db, workspace_id, "Umbrella", channel="CGONE"),
    }
    with db.session() as s:
        s.get(Account, ids["archived"]).archived = True
        s.get(Account, ids["gone"]).channel_unavailable_at = CREATED
    return workspace_id, ids


def add(db, workspace_id, account_id, title, *, owner="ULEE", due=None, **fields) -> int:
    return make_action(
        db, workspace_id, account_id, title, owner=owner, due=due, created=CREATED, **fields
    )


def titles(actions) -> list[str]:
    return [action.title for action in actions]


def channel_nudges(db, workspace_id, account_ids, **options):
    with db.session() as s:
        return nudges.channel_nudges(
            s, workspace_id=workspace_id, account_ids=account_ids, today=TODAY, **options
        )


def to_nudge(db, workspace_id, **options) -> list[int]:
    with db.session() as s:
        return nudges.accounts_to_nudge(s, workspace_id=workspace_id, today=TODAY, **options)


def test_a_channel_is_nudged_about_open_overdue_actions_only(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    add(db, workspace_id, acme, "late", due=days(-1))
    add(db, workspace_id, acme, "due today", due=TODAY)
    add(db, workspace_id, acme, "undated")
    add(db, workspace_id, acme, "blocked and late", due=days(-3), status=ActionStatus.BLOCKED)
    add(db, workspace_id, acme, "in progress, late", due=days(-2), status=ActionStatus.IN_PROGRESS)
    add(db, workspace_id, acme, "cancelled", due=days(-5), status=ActionStatus.CANCELLED)
    add(db, workspace_id, acme, "done", due=days(-5), completed=CREATED)
    add(db, workspace_id, acme, "snoozed", due=days(-5), snoozed_until=days(1))
    add(db, workspace_id, acme, "snooze over today", due=days(-4), snoozed_until=TODAY)
    add(db, workspace_id, acme, "nudged today", due=days(-5), last_nudged_on=TODAY)
    add(db, workspace_id, acme, "nudged yesterday", due=days(-6), last_nudged_on=days(-1))

    assert to_nudge(db, workspace_id) == [acme]
    [nudge] = channel_nudges(db, workspace_id, [acme])
    # The most late first.
    assert titles(nudge.actions) == [
        "nudged yesterday",
        "snooze over today",
        "blocked and late",
        "in progress, late",
        "late",
    ]
    assert (nudge.account_id, nudge.account_name, nudge.channel_id) == (acme, "Acme", "CACME")
    assert nudge.account_owner_id == "UBOSS"


def test_only_accounts_with_a_usable_channel_are_nudged(db, world):
    workspace_id, ids = world
    for account_id in ids.values():
        add(db, workspace_id, account_id, "late", due=days(-1))
    usable = [ids["acme"], ids["globex"]]
    assert to_nudge(db, workspace_id) == usable
    assert to_nudge(db, workspace_id, account_id=ids["globex"]) == [ids["globex"]]
    assert to_nudge(db, workspace_id, account_id=ids["archived"]) == []
    assert to_nudge(db, workspace_id + 1) == []
    nudged = channel_nudges(db, workspace_id, list(reversed(ids.values())))
    assert [n.account_id for n in nudged] == usable
    assert channel_nudges(db, workspace_id + 1, usable) == []
    assert channel_nudges(db, workspace_id, []) == []


def test_an_account_with_nothing_overdue_gets_no_nudge(db, world):
    workspace_id, ids = world
    add(db, workspace_id, ids["acme"], "due today", due=TODAY)
    add(db, workspace_id, ids["acme"], "late but snoozed", due=days(-2), snoozed_until=days(1))
    add(db, workspace_id, ids["globex"], "late", due=days(-1))
    assert [
        n.account_id for n in channel_nudges(db, workspace_id, [ids["acme"], ids["globex"]])
    ] == [ids["globex"]]
    assert to_nudge(db, workspace_id) == [ids["globex"]]


def test_an_account_whose_late_actions_were_all_nudged_today_is_left_alone(db, world):
    workspace_id, ids = world
    add(db, workspace_id, ids["acme"], "late", due=days(-1))
    add(db, workspace_id, ids["globex"], "due today", due=TODAY)
    add(db, workspace_id, ids["globex"], "nudged today", due=days(-1), last_nudged_on=TODAY)
    add(db, workspace_id, ids["globex"], "done", due=days(-1), completed=CREATED)
    assert [
        n.account_id for n in channel_nudges(db, workspace_id, [ids["globex"], ids["acme"]])
    ] == [ids["acme"]]
    assert to_nudge(db, workspace_id) == [ids["acme"]]


def test_a_client_channel_sees_only_the_actions_shared_with_the_client(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    with db.session() as s:
        s.get(Account, acme).channel_shared_with_client = True
    add(db, workspace_id, acme, "internal", due=days(-2))
    assert to_nudge(db, workspace_id) == []
    add(db, workspace_id, acme, "shared", due=days(-1), shared_with_client=True)
    assert to_nudge(db, workspace_id) == [acme]
    [nudge] = channel_nudges(db, workspace_id, [acme])
    assert titles(nudge.actions) == ["shared"]


def test_actions_due_the_same_day_keep_the_order_they_were_made_in(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    add(db, workspace_id, acme, "open", due=days(-2))
    add(db, workspace_id, acme, "blocked", due=days(-2), status=ActionStatus.BLOCKED)
    add(db, workspace_id, acme, "in progress", due=days(-2), status=ActionStatus.IN_PROGRESS)
    [nudge] = channel_nudges(db, workspace_id, [acme])
    assert titles(nudge.actions) == ["open", "blocked", "in progress"]
    with db.session() as s:
        [digest] = nudges.owner_digests(
            s, workspace_id=workspace_id, owner_ids=["ULEE"], today=TODAY
        )
    assert titles(digest.actions) == ["open", "blocked", "in progress"]


def test_accounts_to_nudge_come_by_id_whatever_is_most_late(db, world):
    workspace_id, ids = world
    add(db, workspace_id, ids["globex"], "older", due=days(-9), status=ActionStatus.BLOCKED)
    add(db, workspace_id, ids["acme"], "newer", due=days(-1))
    assert to_nudge(db, workspace_id) == [ids["acme"], ids["globex"]]


def test_the_account_owner_is_called_in_past_the_escalation_threshold(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    add(db, workspace_id, acme, "15 days late", due=days(-15))
    add(db, workspace_id, acme, "14 days late", due=days(-14))
    add(db, workspace_id, acme, "3 days late", due=days(-3))
    [nudge] = channel_nudges(db, workspace_id, [acme])
    assert titles(nudge.escalated) == ["15 days late"]
    [nudge] = channel_nudges(db, workspace_id, [acme], escalation_days=2)
    assert titles(nudge.escalated) == ["15 days late", "14 days late", "3 days late"]


def test_a_digest_holds_what_is_overdue_due_today_and_due_tomorrow(db, world):
    workspace_id, ids = world
    acme, globex = ids["acme"], ids["globex"]
    add(db, workspace_id, globex, "g late", due=days(-1))
    add(db, workspace_id, acme, "a late", due=days(-1))
    add(db, workspace_id, acme, "very late", due=days(-9), last_nudged_on=TODAY)
    add(db, workspace_id, acme, "today", due=TODAY)
    add(db, workspace_id, acme, "tomorrow", due=days(1))
    add(db, workspace_id, acme, "in two days", due=days(2))
    add(db, workspace_id, acme, "snoozed", due=days(-1), snoozed_until=days(3))
    add(db, workspace_id, acme, "done", due=TODAY, completed=CREATED)
    # An account without a channel still has owners; an archived one no longer counts.
    add(db, workspace_id, ids["no channel"], "no channel", due=TODAY)
    add(db, workspace_id, ids["archived"], "archived", due=TODAY)

    with db.session() as s:
        assert nudges.owners_to_nudge(s, workspace_id=workspace_id, today=TODAY) == ["ULEE"]
        [digest] = nudges.owner_digests(
            s, workspace_id=workspace_id, owner_ids=["ULEE"], today=TODAY
        )
        assert digest.owner_id == "ULEE"
        assert [(name, a.title) for name, a in digest.overdue] == [
            ("Acme", "very late"),
            ("Acme", "a late"),
            ("Globex", "g late"),
        ]
        assert [(name, a.title) for name, a in digest.due_today] == [
            ("Acme", "today"),
            ("Initech", "no channel"),
        ]
        assert [(name, a.title) for name, a in digest.due_tomorrow] == [("Acme", "tomorrow")]
        assert titles(digest.actions) == [
            "very late",
            "a late",
            "g late",
            "today",
            "no channel",
            "tomorrow",
        ]


def test_only_people_with_something_to_act_on_get_a_digest(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    add(db, workspace_id, ids["archived"], "archived", due=TODAY, owner="UARCHIVED")
    add(db, workspace_id, acme, "done", due=TODAY, completed=CREATED, owner="UDONE")
    add(db, workspace_id, acme, "snoozed", due=days(-1), snoozed_until=days(1), owner="USNOOZED")
    add(db, workspace_id, acme, "undated", owner="UUNDATED")
    # A channel nudge today does not stand for the owner's digest.
    add(db, workspace_id, acme, "nudged", due=days(-1), last_nudged_on=TODAY, owner="UNUDGED")
    with db.session() as s:
        assert nudges.owners_to_nudge(s, workspace_id=workspace_id, today=TODAY) == ["UNUDGED"]
        everyone = ["UARCHIVED", "UDONE", "USNOOZED", "UUNDATED", "UNUDGED"]
        [digest] = nudges.owner_digests(
            s, workspace_id=workspace_id, owner_ids=everyone, today=TODAY
        )
        assert digest.owner_id == "UNUDGED" and titles(digest.actions) == ["nudged"]


def test_digests_come_in_the_order_asked_for_people_with_something_to_do(db, world):
    workspace_id, ids = world
    acme = ids["acme"]
    add(db, workspace_id, acme, "for lee", due=days(1), owner="ULEE")
    add(db, workspace_id, acme, "for dana", due=days(1), owner="UDANA")
    add(db, workspace_id, acme, "for owen, later", due=days(2), owner="UOWEN")
    with db.session() as s:
        assert nudges.owners_to_nudge(s, workspace_id=workspace_id, today=TODAY) == [
            "UDANA",
            "ULEE",
        ]
        assert nudges.owners_to_nudge(s, workspace_id=workspace_id + 1, today=TODAY) == []
        digests = nudges.owner_digests(
            s, workspace_id=workspace_id, owner_ids=["ULEE", "UOWEN", "UDANA"], today=TODAY
        )
        assert [d.owner_id for d in digests] == ["ULEE", "UDANA"]
        assert nudges.owner_digests(s, workspace_id=workspace_id, owner_ids=[], today=TODAY) == []
        assert (
            nudges.owner_digests(s, workspace_id=workspace_id + 1, owner_ids=["ULEE"], today=TODAY)
            == []
        )


def test_a_nudge_marks_the_day_without_touching_the_action(db, world):
    workspace_id, ids = world
    first = add(db, workspace_id, ids["acme"], "late", due=days(-1))
    second = add(db, workspace_id, ids["acme"], "later", due=days(-2))
    untouched = add(db, workspace_id, ids["acme"], "not nudged", due=days(-3))
    with db.session() as s:
        nudges.mark_nudged(s, action_ids=[first, second, first], today=TODAY)
    with db.session() as s:
        rows = {a.id: a for a in s.scalars(select(Action))}
        assert rows[first].last_nudged_on == rows[second].last_nudged_on == TODAY
        assert rows[untouched].last_nudged_on is None
        assert rows[first].updated_at.replace(tzinfo=UTC) == CREATED
    # Nudged today: tomorrow's run nudges again, not today's.
    assert titles(channel_nudges(db, workspace_id, [ids["acme"]])[0].actions) == ["not nudged"]


def test_marking_many_actions_reaches_every_one_a_chunk_at_a_time(db, world, monkeypatch):
    workspace_id, ids = world
    made = [add(db, workspace_id, ids["acme"], f"late {i}", due=days(-1)) for i in range(5)]
    monkeypatch.setattr(nudges, "_UPDATE_CHUNK", 2)
    updates = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            nudges.mark_nudged(s, action_ids=made, today=TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(updates) == 3
    with db.session() as s:
        assert set(s.scalars(select(Action.last_nudged_on))) == {TODAY}
