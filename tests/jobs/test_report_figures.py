"""The monthly report's figures and lists, exactly, for a known account in Europe/Paris.

October 2026 in Paris runs from 2026-09-30 22:00 UTC (CEST, +2) to 2026-10-31 23:00 UTC
(CET, +1: daylight saving ends on 25 October), so the instants near both bounds below
land in October or not depending on the right offset on each day.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sambot.accounts.models import Account
from sambot.actions.models import ActionStatus
from sambot.plans.models import Horizon, Objective, ObjectiveStatus
from sambot.reports.monthly import Figure, compute_reports, report_for_account
from sambot.reports.period import Period, local_midnight
from sambot.slack.limits import check_limits
from sambot.slack.report_render import render_report
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Sentiment, Source, Touchpoint, TouchpointKind
from sambot.workspaces.models import Workspace
from tests.jobs.builders import make_account, make_action, make_workspace

OCTOBER = Period(2026, 10)
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def acme(db):
    """The known data set; returns (workspace id, account id, {name: id})."""
    workspace_id = make_workspace(db, "Europe/Paris")
    account_id = make_account(db, workspace_id, "Acme", channel="CACME")
    other_id = make_account(db, workspace_id, "Globex", channel="CGLOBEX")
    ids = {}
    with db.session() as s:
        grow = Objective(
            workspace_id=workspace_id,
            account_id=account_id,
            title="Grow APAC",
            horizon=Horizon.SHORT_TERM,
            status=ObjectiveStatus.ON_TRACK,
            target_date=date(2026, 12, 31),
        )
        prefer = Objective(
            workspace_id=workspace_id,
            account_id=account_id,
            title="Become preferred supplier",
            horizon=Horizon.LONG_TERM,
            status=ObjectiveStatus.AT_RISK,
        )
        s.add_all([prefer, grow])
        s.flush()
        ids["grow"] = grow.id

    def action(name, **fields):
        ids[name] = make_action(db, workspace_id, account_id, name, **fields)

    # Completed 00:30 on 1 October in Paris (22:30 UTC the day before): October's.
    action(
        "Kick-off workshop",
        created=utc(2026, 9, 10, 10),
        due=date(2026, 9, 28),
        completed=utc(2026, 9, 30, 22, 30),
        shared_with_client=True,
        objective_id=ids["grow"],
    )
    # Completed 23:30 on 30 September in Paris: September's.
    action(
        "Security review",
        created=utc(2026, 9, 5),
        due=date(2026, 9, 25),
        completed=utc(2026, 9, 30, 21, 30),
    )
    # Completed 23:30 on 31 October in Paris (CET now): still October's.
    action("Pricing proposal", created=utc(2026, 10, 3), completed=utc(2026, 10, 31, 22, 30))
    # Completed 00:30 on 1 November in Paris: open (and late) when October ended.
    action(
        "Executive dinner",
        created=utc(2026, 10, 5),
        due=date(2026, 10, 30),
        completed=utc(2026, 10, 31, 23, 30),
        obstacle="Waiting for the CFO's agenda",
    )
    action(
        "Renewal plan",
        created=utc(2026, 9, 20),
        due=date(2026, 10, 15),
        shared_with_client=True,
        obstacle="Legal review of the new terms",
    )
    action("Case study", created=utc(2026, 8, 1), due=date(2026, 9, 20), owner="U2")
    action(
        "Training plan", created=utc(2026, 10, 10), due=date(2026, 11, 20), shared_with_client=True
    )
    action(
        "Dropped idea",
        created=utc(2026, 10, 2),
        due=date(2026, 10, 10),
        status=ActionStatus.CANCELLED,
    )
    action("Roadmap", created=utc(2026, 10, 20), due=date(2026, 12, 5))
    action("QBR deck", created=utc(2026, 10, 1, 5), shared_with_client=True)
    action("Opened in November", created=utc(2026, 11, 1, 10), due=date(2026, 11, 10))
    make_action(db, workspace_id, other_id, "Globex action", created=utc(2026, 10, 1, 12))

    with db.session() as s:

        def person(name, power, created=JANUARY):
            stakeholder = Stakeholder(
                workspace_id=workspace_id,
                account_id=account_id,
                name=name,
                power=power,
                influence=4,
                attitude=-1 if name == "Henry" else 0,
                created_at=created,
            )
            s.add(stakeholder)
            return stakeholder

        dana, eve, frank = person("Dana", 5), person("Eve", 4), person("Frank", 3)
        grace, henry, ivy = person("Grace", 4), person("Henry", 5), person("Ivy", 4)
        person("Jack", 5, created=utc(2026, 11, 1, 12))  # joined after October

        def touchpoint(day, kind, sentiment, *people):
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

        touchpoint(date(2026, 10, 1), TouchpointKind.MEETING, Sentiment.POSITIVE, dana)
        touchpoint(date(2026, 10, 31), TouchpointKind.MEETING, Sentiment.NEUTRAL)
        touchpoint(date(2026, 10, 15), TouchpointKind.CALL, Sentiment.NEGATIVE, eve)
        touchpoint(date(2026, 10, 20), TouchpointKind.QBR, Sentiment.POSITIVE, dana, frank)
        touchpoint(date(2026, 9, 30), TouchpointKind.EMAIL, Sentiment.POSITIVE, dana)
        # 2 September is exactly 60 days before 1 November: Ivy is covered, Grace is not.
        touchpoint(date(2026, 9, 2), TouchpointKind.MEETING, Sentiment.POSITIVE, ivy)
        touchpoint(date(2026, 8, 15), TouchpointKind.MEETING, Sentiment.POSITIVE, grace)
        touchpoint(date(2026, 11, 1), TouchpointKind.CALL, Sentiment.NEGATIVE, henry)
        s.flush()
    return workspace_id, account_id, ids


def test_period_bounds_follow_the_offset_of_each_day():
    zone = ZoneInfo("Europe/Paris")
    assert local_midnight(OCTOBER.start, zone) == utc(2026, 9, 30, 22)
    assert local_midnight(OCTOBER.end, zone) == utc(2026, 10, 31, 23)
    new_york = ZoneInfo("America/New_York")  # DST ends there on 1 November 2026
    assert local_midnight(Period(2026, 11).start, new_york) == utc(2026, 11, 1, 4)
    assert local_midnight(Period(2026, 11).end, new_york) == utc(2026, 12, 1, 5)
    assert Period.parse("2026-01").previous == Period(2025, 12)
    assert Period(2026, 12).next.key == "2027-01"
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse("2026-13")


def test_figures_and_lists_are_exact(db, acme):
    workspace_id, account_id, _ = acme
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Europe/Paris",
            period=OCTOBER,
            account_ids=[account_id],
        )

    assert report.as_of == date(2026, 11, 1) and report.is_complete
    assert report.actions_completed == Figure(2, 1)
    assert report.actions_opened == Figure(6, 3)
    assert report.actions_overdue == Figure(3, 2)
    assert report.touchpoints == Figure(4, 2)
    assert report.stakeholders_engaged == Figure(3, 2)

    assert [(a.title, a.completed_on) for a in report.completed] == [
        ("Kick-off workshop", date(2026, 10, 1)),
        ("Pricing proposal", date(2026, 10, 31)),
    ]
    kickoff = report.completed[0]
    assert kickoff.objective == "Grow APAC" and kickoff.shared_with_client
    assert [(a.title, a.days_late, a.owner_id) for a in report.overdue] == [
        ("Case study", 42, "U2"),
        ("Renewal plan", 17, "U1"),
        ("Executive dinner", 2, "U1"),
    ]
    dinner = report.overdue[2]
    assert dinner.status == ActionStatus.OPEN  # done only after the month ended
    assert dinner.obstacle == "Waiting for the CFO's agenda"
    assert [a.title for a in report.due_next_month] == ["Training plan"]
    assert [a.title for a in report.shared_open] == ["Renewal plan", "Training plan", "QBR deck"]
    assert [a.title for a in report.shared_completed] == ["Kick-off workshop"]

    assert [(t.kind, t.total, t.by_sentiment) for t in report.touchpoints_by_kind] == [
        (TouchpointKind.MEETING, 2, {Sentiment.POSITIVE: 1, Sentiment.NEUTRAL: 1}),
        (TouchpointKind.CALL, 1, {Sentiment.NEGATIVE: 1}),
        (TouchpointKind.QBR, 1, {Sentiment.POSITIVE: 1}),
    ]
    assert [(g.name, g.last_touchpoint_on) for g in report.coverage_gaps] == [
        ("Henry", None),
        ("Grace", date(2026, 8, 15)),
    ]
    assert [(o.title, o.status) for o in report.objectives] == [
        ("Grow APAC", ObjectiveStatus.ON_TRACK),
        ("Become preferred supplier", ObjectiveStatus.AT_RISK),
    ]


def test_a_month_still_running_is_counted_up_to_today(db, acme):
    workspace_id, account_id, _ = acme
    with db.session() as s:
        workspace = s.get(Workspace, workspace_id)
        report = report_for_account(
            s,
            workspace=workspace,
            account=s.get(Account, account_id),
            period_key="2026-10",
            today=date(2026, 10, 20),
        )
    assert not report.is_complete and report.as_of == date(2026, 10, 20)
    assert [(a.title, a.days_late) for a in report.overdue] == [
        ("Case study", 30),
        ("Renewal plan", 5),
    ]
    # Still to come: the rest of this month (the action due on the 30th) and next month.
    assert [a.title for a in report.due_next_month][:1] == ["Executive dinner"]


def test_the_internal_report_shows_everything(db, acme):
    workspace_id, account_id, _ = acme
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Europe/Paris",
            period=OCTOBER,
            account_ids=[account_id],
        )
    message = render_report(report, client=False)
    assert check_limits(message.blocks) == []
    assert message.blocks[0]["text"]["text"] == "Monthly report · Acme · October 2026"
    text = "\n".join(str(block) for block in message.blocks)
    for expected in (
        "2 (+1 vs September)",
        "*Case study* · <@U2> · *42 days late*",
        "obstacle: _Waiting for the CFO's agenda_",
        ":handshake: shared with client",
        "Meeting: 2 (1 positive, 1 neutral)",
        "*Henry* · other, power 5, influence 4, skeptic · never met",
        "*Grace* · other, power 4, influence 4, neutral · last touchpoint Sat 15 Aug 2026",
        "*Grow APAC* · On track · short term",
    ):
        assert expected in text, expected
    assert message.text.startswith("Monthly report for Acme, October 2026: 2 actions completed")


def test_the_client_report_leaves_every_internal_field_out(db, acme):
    workspace_id, account_id, _ = acme
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Europe/Paris",
            period=OCTOBER,
            account_ids=[account_id],
        )
    message = render_report(report, client=True)
    text = message.text + "\n".join(str(block) for block in message.blocks)
    assert message.blocks[0]["text"]["text"] == "Monthly update · Acme · October 2026"
    # The shared actions and their status are there...
    for expected in ("Kick-off workshop", "Renewal plan", "Training plan", "QBR deck", "Open"):
        assert expected in text, expected
    # ...and nothing internal: other actions, obstacles, objectives, sentiment, stakeholders.
    for internal in (
        "Pricing proposal",
        "Executive dinner",
        "Case study",
        "Roadmap",
        "Legal review",
        "CFO",
        "obstacle",
        "Grow APAC",
        "preferred supplier",
        "positive",
        "negative",
        "neutral",
        "Henry",
        "Grace",
        "power",
        "influence",
        "skeptic",
        "late",
        "Touchpoints",
    ):
        assert internal not in text, internal


def test_cancelling_later_does_not_rewrite_a_past_months_figures(db):
    from sqlalchemy import update

    from sambot.actions.models import Action

    workspace_id = make_workspace(db, "Europe/Paris")
    account_id = make_account(db, workspace_id, "Acme", channel="CACME")
    make_action(
        db,
        workspace_id,
        account_id,
        "Late in October",
        due=date(2026, 10, 20),
        created=datetime(2026, 10, 1, tzinfo=UTC),
        status=ActionStatus.CANCELLED,
    )
    with db.session() as s:  # cancelled in November
        s.execute(update(Action).values(updated_at=datetime(2026, 11, 5, tzinfo=UTC)))
    with db.session() as s:
        [november] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="Europe/Paris",
            period=Period.parse("2026-11"),
            account_ids=[account_id],
            today=date(2026, 12, 1),
        )
    assert november.actions_overdue == Figure(current=0, previous=1)
