"""Cancelled and blocked actions (issue 9): a cancelled one is never nudged and never
counts as completed; a blocked one is still open work, nudged and reported as blocked;
the client version never shows an obstacle or why an action was cancelled."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from sambot.actions.models import ActionStatus
from sambot.reports.monthly import compute_reports
from sambot.reports.period import Period
from sambot.slack.report_render import render_report
from tests.jobs.builders import make_account, make_action, make_workspace, message_text, run

TODAY = date(2026, 11, 10)
AT = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
CREATED = datetime(2026, 9, 1, tzinfo=UTC)
OBSTACLE = "Obstacle legal review pending"
REASON = "Reason client dropped the pilot"


def _actions(db, standin):
    workspace_id = make_workspace(db)
    acme = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")

    def action(title, **fields):
        return make_action(db, workspace_id, acme, title, owner="U1", created=CREATED, **fields)

    ids = {
        "cancelled": action(
            "Cancelled late",
            due=TODAY - timedelta(days=5),
            status=ActionStatus.CANCELLED,
            cancel_reason=REASON,
            shared_with_client=True,
        ),
        "blocked": action(
            "Blocked late",
            due=TODAY - timedelta(days=4),
            status=ActionStatus.BLOCKED,
            obstacle=OBSTACLE,
            shared_with_client=True,
        ),
        "open": action("Open late", due=TODAY - timedelta(days=3)),
    }
    return workspace_id, acme, ids


def test_nudges_skip_cancelled_actions_and_show_blocked_ones_as_blocked(db, standin, client):
    _, _, ids = _actions(db, standin)
    with time_machine.travel(AT, tick=False):
        run("nudges", db, client)
    [channel] = standin.messages("CACME")
    with_buttons = [
        int(e["value"])
        for b in channel["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_done"
    ]
    assert with_buttons == [ids["blocked"], ids["open"]]
    text = message_text(channel)
    assert "2 overdue actions* on *Acme*" in text
    assert "Blocked late" in text and "· Blocked" in text
    assert "Cancelled late" not in text and REASON not in text
    [digest] = standin.messages("U1")
    digest_text = message_text(digest)
    assert "Blocked late" in digest_text and "Cancelled late" not in digest_text


def _october(db, standin):
    """An action done in October, one cancelled in October, one blocked and overdue."""
    workspace_id = make_workspace(db, "UTC")
    acme = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)

    def action(title, **fields):
        return make_action(
            db, workspace_id, acme, title, created=datetime(2026, 10, 2, tzinfo=UTC), **fields
        )

    action("Done in October", completed=datetime(2026, 10, 12, tzinfo=UTC), shared_with_client=True)
    action(
        "Cancelled in October",
        due=date(2026, 10, 20),
        status=ActionStatus.CANCELLED,
        cancel_reason=REASON,
        shared_with_client=True,
    )
    action(
        "Blocked since October",
        due=date(2026, 10, 25),
        status=ActionStatus.BLOCKED,
        obstacle=OBSTACLE,
        shared_with_client=True,
    )
    with db.session() as s:
        [report] = compute_reports(
            s,
            workspace_id=workspace_id,
            timezone="UTC",
            period=Period(2026, 10),
            account_ids=[acme],
        )
    return report


def test_the_internal_report_never_counts_a_cancelled_action_and_shows_the_blocked_one(db, standin):
    report = _october(db, standin)
    assert report.actions_completed.current == 1
    assert [a.title for a in report.completed] == ["Done in October"]
    assert [a.title for a in report.overdue] == ["Blocked since October"]
    assert report.actions_overdue.current == 1
    text = message_text({"text": "", "blocks": render_report(report, client=False).blocks})
    assert "Cancelled in October" not in text and REASON not in text
    assert "*Blocked since October*" in text and " · blocked" in text and OBSTACLE in text


def test_the_client_report_never_shows_an_obstacle_or_a_cancelled_action(db, standin):
    report = _october(db, standin)
    rendered = render_report(report, client=True)
    text = message_text({"text": rendered.text, "blocks": rendered.blocks})
    assert "*Done in October*" in text
    assert "*Blocked since October* · <@U1> · Blocked" in text
    assert OBSTACLE not in text and "obstacle" not in text.lower()
    assert "Cancelled in October" not in text and REASON not in text
    assert "1 shared action completed" in rendered.text
