"""The monthly figures: batches, ties and orders, the month's bounds, and a month still running.

The rules of sambot.reports.monthly beyond the known account of tests/jobs/test_report_figures.
Times are in UTC (the workspace's zone) unless said otherwise.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import update

from sambot.accounts.models import Account
from sambot.actions.models import Action, ActionStatus
from sambot.plans.models import Horizon, Objective, ObjectiveStatus
from sambot.reports.monthly import Figure, compute_reports, report_for_account
from sambot.reports.period import Period
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Sentiment, Source, Touchpoint, TouchpointKind
from sambot.workspaces.models import Workspace
from tests.jobs.builders import make_account, make_action, make_workspace

OCTOBER = Period(2026, 10)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def world(db):
    workspace_id = make_workspace(db, "UTC")
    acme = make_account(db, workspace_id, "Acme", channel="CACME", owner="UBOSS")
    return workspace_id, acme


def reports(db, workspace_id, account_ids, today=None, period=OCTOBER):
    with db.session() as s:
        return compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="UTC",
            period=period,
            account_ids=account_ids,
            today=today,
        )


def one(db, workspace_id, account_id, today=None):
    [report] = reports(db, workspace_id, [account_id], today)
    return report


def add(db, workspace_id, account_id, title, *, created=LONG_AGO, **fields) -> int:
    return make_action(db, workspace_id, account_id, title, created=created, **fields)


def titles(actions) -> list[str]:
    return [a.title for a in actions]


def test_a_batch_comes_back_in_the_order_asked_for_without_strangers(db, world):
    workspace_id, acme = world
    globex = make_account(db, workspace_id, "Globex", channel=None, owner="UOTHER")
    with db.session() as s:
        other = Workspace(team_id="T0002", name="Other", timezone="UTC")
        s.add(other)
        s.flush()
        other_workspace = other.id
    stranger = make_account(db, other_workspace, "Stranger", channel="CSTRANGE")
    initech = make_account(db, workspace_id, "Initech", channel="CINITECH")
    add(db, workspace_id, acme, "Done", created=utc(2026, 10, 2), completed=utc(2026, 10, 3))
    add(db, workspace_id, initech, "Opened", created=utc(2026, 10, 2))
    add(db, workspace_id, stranger, "Theirs", created=utc(2026, 10, 2))
    batch = reports(db, workspace_id, [globex, stranger + 100, acme, stranger, initech])
    assert [(r.account_id, r.account_name, r.channel_id, r.owner_id) for r in batch] == [
        (globex, "Globex", None, "UOTHER"),
        (acme, "Acme", "CACME", "UBOSS"),
        (initech, "Initech", "CINITECH", "UOWNER"),
    ]
    empty, full, opened = batch
    assert opened.actions_opened == Figure(1, 0) and opened.actions_completed == Figure(0, 0)
    assert full.actions_opened == Figure(1, 0)
    assert (empty.workspace_id, empty.timezone, empty.period) == (workspace_id, "UTC", OCTOBER)
    for figure in ("actions_completed", "actions_opened", "actions_overdue"):
        assert getattr(empty, figure) == Figure(0, 0)
    assert empty.touchpoints == empty.stakeholders_engaged == Figure(0, 0)
    assert empty.completed == empty.overdue == empty.due_next_month == empty.shared_open == []
    assert empty.touchpoints_by_kind == empty.coverage_gaps == empty.objectives == []
    assert full.actions_completed == Figure(1, 0) and titles(full.completed) == ["Done"]
    assert reports(db, workspace_id, []) == []


def test_the_months_figures_against_the_month_before(db, world):
    workspace_id, acme = world
    # Opened: 2 in October, 1 in September; the bounds are half-open.
    add(db, workspace_id, acme, "opened 1 Oct", created=utc(2026, 10, 1))
    add(db, workspace_id, acme, "opened 31 Oct", created=utc(2026, 10, 31, 23, 59))
    add(db, workspace_id, acme, "opened 1 Nov", created=utc(2026, 11, 1))
    add(db, workspace_id, acme, "opened 1 Sep", created=utc(2026, 9, 1), due=date(2026, 12, 1))
    add(db, workspace_id, acme, "opened 31 Aug", created=utc(2026, 8, 31, 23, 59))
    add(
        db,
        workspace_id,
        acme,
        "opened 15 Sep",
        created=utc(2026, 9, 15),
        completed=utc(2026, 9, 20),
    )
    # Completed: 4 in October (with two below), 3 in September (with the one above).
    add(db, workspace_id, acme, "done 1 Oct", completed=utc(2026, 10, 1))
    add(db, workspace_id, acme, "done 1 Nov", completed=utc(2026, 11, 1))
    add(db, workspace_id, acme, "done Oct", completed=utc(2026, 10, 31, 23, 59))
    add(db, workspace_id, acme, "done 1 Sep", completed=utc(2026, 9, 1))
    add(db, workspace_id, acme, "done 30 Sep", completed=utc(2026, 9, 30, 23, 59))
    add(db, workspace_id, acme, "done 31 Aug", completed=utc(2026, 8, 31, 23, 59))
    # Overdue at the end of October (on 1 November at midnight): 4; at its start: 1.
    add(db, workspace_id, acme, "late since Sep", due=date(2026, 9, 30))
    add(db, workspace_id, acme, "late since Oct", due=date(2026, 10, 31))
    add(db, workspace_id, acme, "due 1 Nov", due=date(2026, 11, 1))
    add(db, workspace_id, acme, "due 1 Oct", due=date(2026, 10, 1), completed=utc(2026, 10, 2))
    add(
        db,
        workspace_id,
        acme,
        "done at midnight",
        due=date(2026, 10, 20),
        completed=utc(2026, 11, 1),
    )
    add(
        db,
        workspace_id,
        acme,
        "created at midnight",
        due=date(2026, 10, 15),
        created=utc(2026, 11, 1),
    )
    cancelled = add(db, workspace_id, acme, "cancelled at midnight", due=date(2026, 10, 21))
    edited = add(
        db,
        workspace_id,
        acme,
        "done, edited later",
        due=date(2026, 10, 3),
        completed=utc(2026, 10, 5),
    )
    with db.session() as s:
        s.execute(
            update(Action)
            .where(Action.id == cancelled)
            .values(status=ActionStatus.CANCELLED, updated_at=utc(2026, 11, 1))
        )
        s.execute(update(Action).where(Action.id == edited).values(updated_at=utc(2026, 11, 10)))
    report = one(db, workspace_id, acme)
    assert report.actions_opened == Figure(2, 2)
    assert report.actions_completed == Figure(4, 3)
    assert report.actions_overdue == Figure(4, 1)
    assert "done 1 Oct" in titles(report.completed) and "done 1 Nov" not in titles(report.completed)
    assert titles(report.overdue) == [
        "late since Sep",
        "done at midnight",
        "cancelled at midnight",
        "late since Oct",
    ]
    assert report.as_of == date(2026, 11, 1)


def test_closed_later_counts_as_open_then(db, world):
    workspace_id, acme = world
    dinner = add(db, workspace_id, acme, "done in Nov", due=date(2026, 10, 10))
    dropped = add(db, workspace_id, acme, "cancelled in Nov", due=date(2026, 10, 12))
    dropped_early = add(db, workspace_id, acme, "cancelled in Oct", due=date(2026, 10, 14))
    with db.session() as s:
        s.execute(
            update(Action)
            .where(Action.id == dinner)
            .values(status=ActionStatus.DONE, completed_at=utc(2026, 11, 2))
        )
        for action_id, at in ((dropped, utc(2026, 11, 5)), (dropped_early, utc(2026, 10, 20))):
            s.execute(
                update(Action)
                .where(Action.id == action_id)
                .values(status=ActionStatus.CANCELLED, updated_at=at)
            )
    report = one(db, workspace_id, acme)
    assert report.actions_overdue.current == 2
    assert [(a.title, a.status, a.days_late) for a in report.overdue] == [
        ("done in Nov", ActionStatus.OPEN, 22),
        ("cancelled in Nov", ActionStatus.OPEN, 20),
    ]


def test_lists_are_ordered_with_ties_broken_by_id(db, world):
    workspace_id, acme = world
    add(db, workspace_id, acme, "done late in the day", completed=utc(2026, 10, 5, 18))
    add(db, workspace_id, acme, "done early", completed=utc(2026, 10, 5, 8))
    add(db, workspace_id, acme, "done first too", completed=utc(2026, 10, 5, 8))
    add(db, workspace_id, acme, "late 3, first", due=date(2026, 10, 29))
    add(db, workspace_id, acme, "late 9", due=date(2026, 10, 23))
    add(db, workspace_id, acme, "late 3, second", due=date(2026, 10, 29))
    add(db, workspace_id, acme, "due 20 Nov", due=date(2026, 11, 20))
    add(db, workspace_id, acme, "due 2 Nov, first", due=date(2026, 11, 2))
    add(db, workspace_id, acme, "due 2 Nov, second", due=date(2026, 11, 2))
    add(db, workspace_id, acme, "due 1 Dec", due=date(2026, 12, 1))
    report = one(db, workspace_id, acme)
    assert titles(report.completed) == ["done early", "done first too", "done late in the day"]
    assert [(a.title, a.days_late) for a in report.overdue] == [
        ("late 9", 9),
        ("late 3, first", 3),
        ("late 3, second", 3),
    ]
    assert titles(report.due_next_month) == ["due 2 Nov, first", "due 2 Nov, second", "due 20 Nov"]


def test_the_client_sees_every_open_shared_action_whatever_its_due_date(db, world):
    workspace_id, acme = world
    add(db, workspace_id, acme, "undated", shared_with_client=True)
    add(db, workspace_id, acme, "next year", due=date(2027, 6, 1), shared_with_client=True)
    add(db, workspace_id, acme, "late", due=date(2026, 10, 1), shared_with_client=True)
    add(db, workspace_id, acme, "internal", due=date(2026, 10, 2))
    add(db, workspace_id, acme, "undated too", shared_with_client=True)
    add(db, workspace_id, acme, "1 Dec", due=date(2026, 12, 1), shared_with_client=True)
    add(
        db,
        workspace_id,
        acme,
        "done",
        completed=utc(2026, 10, 3),
        shared_with_client=True,
        objective_id=None,
    )
    report = one(db, workspace_id, acme)
    assert titles(report.shared_open) == ["late", "1 Dec", "next year", "undated", "undated too"]
    assert titles(report.shared_completed) == ["done"]
    # Next year is neither overdue nor due next month: it is listed for the client only.
    assert titles(report.overdue) == ["late", "internal"]
    assert report.due_next_month == []


def test_a_completed_action_carries_its_local_day_and_no_lateness(db):
    workspace_id = make_workspace(db, "Pacific/Honolulu")  # UTC-10
    acme = make_account(db, workspace_id, "Acme", channel="CACME")
    add(
        db,
        workspace_id,
        acme,
        "done 31 Oct in Honolulu",
        due=date(2026, 10, 1),
        completed=utc(2026, 11, 1, 9),
    )
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Pacific/Honolulu",
            period=OCTOBER,
            account_ids=[acme],
        )
    [done] = report.completed
    assert (done.completed_on, done.days_late, done.status) == (
        date(2026, 10, 31),
        0,
        ActionStatus.DONE,
    )
    assert report.actions_completed == Figure(1, 0) and report.overdue == []


def test_the_previous_month_is_bounded_in_the_workspaces_zone_too(db):
    workspace_id = make_workspace(db, "Europe/Paris")  # UTC+2 in August and September
    acme = make_account(db, workspace_id, "Acme", channel="CACME")
    add(db, workspace_id, acme, "1 September in Paris", created=utc(2026, 8, 31, 23))
    add(db, workspace_id, acme, "31 August in Paris", created=utc(2026, 8, 31, 21))
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Europe/Paris",
            period=OCTOBER,
            account_ids=[acme],
        )
    assert report.actions_opened == Figure(0, 1)


def test_a_month_still_running_counts_what_was_done_today(db, world):
    workspace_id, acme = world
    today = date(2026, 10, 20)
    with db.session() as s:
        _person(s, workspace_id, acme, "Added today", power=5, created_at=utc(2026, 10, 20, 10))
        _person(s, workspace_id, acme, "Added tomorrow", power=5, created_at=utc(2026, 10, 21, 10))
    add(
        db,
        workspace_id,
        acme,
        "done this afternoon",
        due=date(2026, 10, 10),
        completed=utc(2026, 10, 20, 15),
    )
    add(db, workspace_id, acme, "still late", due=date(2026, 10, 19))
    add(db, workspace_id, acme, "due today", due=today)
    add(db, workspace_id, acme, "due in November", due=date(2026, 11, 30))
    add(db, workspace_id, acme, "due in December", due=date(2026, 12, 1))
    report = one(db, workspace_id, acme, today=today)
    assert report.as_of == today and not report.is_complete
    assert report.actions_overdue.current == 1 and titles(report.overdue) == ["still late"]
    assert report.overdue[0].days_late == 1
    assert titles(report.completed) == ["done this afternoon"]
    # Still to come: the rest of this month, and next month.
    assert titles(report.due_next_month) == ["due today", "due in November"]
    assert [g.name for g in report.coverage_gaps] == ["Added today"]
    # A report asked after the month is the finished month.
    later = one(db, workspace_id, acme, today=date(2026, 12, 15))
    assert later.as_of == date(2026, 11, 1) and later.is_complete


def test_report_for_account_reads_today_in_the_workspaces_zone(db, world):
    workspace_id, acme = world
    add(db, workspace_id, acme, "late", due=date(2026, 10, 1))
    with db.session() as s:
        workspace, account = s.get(Workspace, workspace_id), s.get(Account, acme)
        workspace.timezone = "Pacific/Honolulu"  # UTC-10: still 31 October there
        with time_machine.travel(utc(2026, 11, 1, 5), tick=False):
            report = report_for_account(
                s, workspace=workspace, account=account, period_key="2026-10"
            )
        assert report.as_of == date(2026, 10, 31) and not report.is_complete
        assert report.overdue[0].days_late == 30
        report = report_for_account(
            s, workspace=workspace, account=account, period_key=" 2026-10 ", today=date(2026, 11, 3)
        )
        assert report.is_complete and report.account_id == acme
        with pytest.raises(ValueError, match="not a month"):
            report_for_account(s, workspace=workspace, account=account, period_key="October")


def _touchpoint(s, workspace_id, account_id, day, kind, sentiment, *people):
    s.add(
        Touchpoint(
            workspace_id=workspace_id,
            account_id=account_id,
            occurred_on=day,
            kind=kind,
            sentiment=sentiment,
            summary="Met",
            logged_by="U1",
            source=Source.COMMAND,
            stakeholders=list(people),
        )
    )


def _person(s, workspace_id, account_id, name, power=3, influence=3, **fields):
    person = Stakeholder(
        workspace_id=workspace_id,
        account_id=account_id,
        name=name,
        power=power,
        influence=influence,
        **{"created_at": LONG_AGO, **fields},
    )
    s.add(person)
    return person


def test_touchpoints_are_tallied_by_kind_and_sentiment_in_a_fixed_order(db, world):
    workspace_id, acme = world
    with db.session() as s:
        dana = _person(s, workspace_id, acme, "Dana")
        eve = _person(s, workspace_id, acme, "Eve")
        kinds = TouchpointKind
        _touchpoint(s, workspace_id, acme, date(2026, 10, 9), kinds.EMAIL, Sentiment.NEGATIVE)
        _touchpoint(s, workspace_id, acme, date(2026, 10, 8), kinds.EMAIL, Sentiment.POSITIVE)
        _touchpoint(s, workspace_id, acme, date(2026, 10, 7), kinds.EMAIL, Sentiment.NEGATIVE, dana)
        _touchpoint(s, workspace_id, acme, date(2026, 10, 6), kinds.CALL, Sentiment.NEUTRAL, dana)
        _touchpoint(s, workspace_id, acme, date(2026, 10, 5), kinds.CALL, Sentiment.NEUTRAL, dana)
        # September's: counted for the comparison, not listed.
        _touchpoint(s, workspace_id, acme, date(2026, 9, 30), kinds.QBR, Sentiment.POSITIVE, eve)
        finn = _person(s, workspace_id, acme, "Finn")
        gus = _person(s, workspace_id, acme, "Gus")
        _touchpoint(s, workspace_id, acme, date(2026, 10, 1), kinds.CALL, Sentiment.NEUTRAL, gus)
        _touchpoint(s, workspace_id, acme, date(2026, 9, 1), kinds.CALL, Sentiment.POSITIVE, finn)
        _touchpoint(s, workspace_id, acme, date(2026, 9, 3), kinds.EMAIL, Sentiment.NEUTRAL, eve)
        _touchpoint(s, workspace_id, acme, date(2026, 9, 2), kinds.CALL, Sentiment.POSITIVE, dana)
        # Outside both months.
        _touchpoint(s, workspace_id, acme, date(2026, 8, 31), kinds.EVENT, Sentiment.POSITIVE, eve)
        _touchpoint(s, workspace_id, acme, date(2026, 11, 1), kinds.EVENT, Sentiment.POSITIVE, eve)
    report = one(db, workspace_id, acme)
    assert report.touchpoints == Figure(6, 4)
    assert report.stakeholders_engaged == Figure(2, 3)
    assert [
        (t.kind, t.total, list(t.by_sentiment.items())) for t in report.touchpoints_by_kind
    ] == [
        (TouchpointKind.CALL, 3, [(Sentiment.NEUTRAL, 3)]),
        (
            TouchpointKind.EMAIL,
            3,
            [(Sentiment.POSITIVE, 1), (Sentiment.NEGATIVE, 2)],
        ),
    ]


def test_coverage_gaps_put_the_most_powerful_first(db, world):
    workspace_id, acme = world
    with db.session() as s:
        _person(s, workspace_id, acme, "zoe", power=4, influence=5)
        _person(s, workspace_id, acme, "Yann", power=5, influence=2)
        _person(s, workspace_id, acme, "bob", power=4, influence=3)
        _person(s, workspace_id, acme, "Alice", power=4, influence=3, title="CFO")
        _person(s, workspace_id, acme, "Alice", power=4, influence=3, title="CTO")
        _person(s, workspace_id, acme, "Low power", power=3, influence=5)
        met = _person(s, workspace_id, acme, "Met in October", power=5)
        seen_after = _person(s, workspace_id, acme, "Met only after", power=4)
        _person(s, workspace_id, acme, "Added at midnight", power=5, created_at=utc(2026, 11, 1))
        s.flush()
        _touchpoint(s, workspace_id, acme, date(2026, 10, 31), TouchpointKind.CALL, "neutral", met)
        _touchpoint(
            s, workspace_id, acme, date(2026, 11, 1), TouchpointKind.CALL, "neutral", seen_after
        )
    report = one(db, workspace_id, acme)
    gaps = [(g.name, g.power, g.influence, g.title) for g in report.coverage_gaps]
    assert gaps == [
        ("Yann", 5, 2, None),
        ("zoe", 4, 5, None),
        ("Alice", 4, 3, "CFO"),
        ("Alice", 4, 3, "CTO"),
        ("bob", 4, 3, None),
        ("Met only after", 4, 3, None),
    ]
    with db.session() as s:
        ids = {(p.name, p.title): p.id for p in s.query(Stakeholder)}
    assert [g.id for g in report.coverage_gaps] == [
        ids[(name, title)] for name, _, _, title in gaps
    ]
    yann = report.coverage_gaps[0]
    assert (yann.interest, yann.attitude, yann.last_touchpoint_on) == (3, 0, None)


def test_objectives_short_term_first_then_by_target_date(db, world):
    workspace_id, acme = world
    with db.session() as s:
        for title, horizon, target in [
            ("long, soon", Horizon.LONG_TERM, date(2026, 11, 1)),
            ("short, undated", Horizon.SHORT_TERM, None),
            ("short, late", Horizon.SHORT_TERM, date(2027, 3, 1)),
            ("short, soon", Horizon.SHORT_TERM, date(2026, 12, 1)),
            ("long, undated", Horizon.LONG_TERM, None),
            ("short, soon too", Horizon.SHORT_TERM, date(2026, 12, 1)),
        ]:
            s.add(
                Objective(
                    workspace_id=workspace_id,
                    account_id=acme,
                    title=title,
                    horizon=horizon,
                    target_date=target,
                    status=ObjectiveStatus.ON_TRACK,
                )
            )
    report = one(db, workspace_id, acme)
    assert [o.title for o in report.objectives] == [
        "short, soon",
        "short, soon too",
        "short, late",
        "short, undated",
        "long, soon",
        "long, undated",
    ]
    with db.session() as s:
        ids = {o.title: o.id for o in s.query(Objective)}
    assert [o.id for o in report.objectives] == [ids[o.title] for o in report.objectives]
    first = report.objectives[0]
    assert (first.horizon, first.status, first.target_date) == (
        Horizon.SHORT_TERM,
        ObjectiveStatus.ON_TRACK,
        date(2026, 12, 1),
    )
