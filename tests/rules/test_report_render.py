"""The monthly report as Slack shows it: Slack's limits, the client version, the dry-run text.

The rules of sambot.slack.report_render and sambot.slack.limits (and the templates), on reports built by hand.
"""

from datetime import date

import pytest

from sambot.actions.models import ActionStatus
from sambot.reports.monthly import Figure, MonthlyReport, ReportAction, client_version_for
from sambot.reports.period import Period
from sambot.slack.blocks import Message
from sambot.slack.limits import check_limits
from sambot.slack.report_render import label, readable_text, render_report, title_label
from sambot.touchpoints.models import TouchpointKind

OCTOBER = Period(2026, 10)


def action(n: int, *, title: str | None = None, shared=False, **fields) -> ReportAction:
    values = {
        "id": n,
        "title": title or f"Action {n}",
        "owner_id": "ULEE",
        "status": ActionStatus.OPEN,
        "due_date": date(2026, 11, 10),
        "completed_on": None,
        "objective": None,
        "shared_with_client": shared,
        "obstacle": None,
        "days_late": 0,
        **fields,
    }
    return ReportAction(**values)


def report(as_of=date(2026, 11, 1), **lists) -> MonthlyReport:
    return MonthlyReport(
        workspace_id=1,
        account_id=1,
        account_name="Acme",
        channel_id="CACME",
        owner_id="UBOSS",
        period=OCTOBER,
        timezone="Europe/Paris",
        as_of=as_of,
        actions_completed=Figure(3, 1),
        actions_opened=Figure(2, 2),
        actions_overdue=Figure(1, 4),
        touchpoints=Figure(0, 0),
        stakeholders_engaged=Figure(0, 0),
        **lists,
    )


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def everything(message: Message) -> str:
    return message.text + "\n" + "\n".join(str(block) for block in message.blocks)


# -- Slack's limits ------------------------------------------------------------------------


def test_blocks_within_every_limit_pass():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        section("s" * 3000),
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": "f" * 2000}]
            + [{"type": "mrkdwn", "text": "f" * 200}] * 9,
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        *[{"type": "divider"}] * 46,
    ]
    assert len(blocks) == 50
    assert check_limits(blocks) == []


def test_each_limit_broken_is_named():
    assert check_limits([{"type": "divider"}] * 51) == ["51 blocks (at most 50)"]
    assert check_limits(
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    ) == ["block 0: header of 151 characters"]
    assert check_limits([{"type": "divider"}, section("s" * 3001)]) == [
        "block 1: section text of 3001 characters"
    ]
    assert check_limits(
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]
    ) == ["block 0: 11 fields"]
    assert check_limits(
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}]
    ) == ["block 0: a field over 2000 characters"]
    assert check_limits(
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}]
    ) == ["block 0: 11 context elements"]


def test_the_combined_text_counts_every_nested_text():
    def fields(n):
        return {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 1000}] * n}

    context = {"type": "context", "elements": [{"type": "plain_text", "text": "y" * 1000}]}
    # 10 000 in fields, 1 000 in a context element: exactly the cap.
    assert check_limits([fields(10), context]) == []
    over = [fields(10), context, section("z")]
    assert check_limits(over) == ["11001 characters of block text (at most 11000)"]
    # Only texts of text objects count, not ids or URLs.
    button = {
        "type": "button",
        "action_id": "a" * 5000,
        "text": {"type": "plain_text", "text": "Go"},
    }
    assert check_limits([fields(10), context, {"type": "actions", "elements": [button]}]) == [
        "11002 characters of block text (at most 11000)"
    ]
    image = {"type": "image", "image_url": "u" * 5000, "alt_text": "a"}
    assert check_limits([fields(10), context, image]) == []


# -- rendering -----------------------------------------------------------------------------


def test_a_list_too_long_for_slack_is_cut_with_a_count_of_the_rest():
    long_titles = [action(n, title=f"{n:02d} " + "t" * 190, days_late=n) for n in range(40)]
    message = render_report(report(overdue=long_titles), client=False)
    assert check_limits(message.blocks) == []
    text = everything(message)
    kept = [n for n in range(40) if f"*{n:02d} " in text]
    # Cut at the largest list limit that fits, and says how many were left out.
    assert kept == list(range(len(kept))) and 1 <= len(kept) < 15
    assert f"…and {40 - len(kept)} more overdue" in text
    # A short list is shown whole.
    short = render_report(report(overdue=long_titles[:3]), client=False)
    assert "more overdue" not in everything(short) and "*02 " in everything(short)


def test_a_list_at_the_first_limit_is_whole():
    message = render_report(
        report(overdue=[action(n, days_late=1) for n in range(15)]), client=False
    )
    assert "Action 14" in everything(message) and "more overdue" not in everything(message)
    message = render_report(
        report(overdue=[action(n, days_late=1) for n in range(16)]), client=False
    )
    assert "Action 14" in everything(message) and "Action 15" not in everything(message)
    assert "…and 1 more overdue" in everything(message)


def test_the_client_version_shows_only_the_shared_actions():
    done_shared = action(
        1, title="Kick-off", shared=True, completed_on=date(2026, 10, 3), objective="Expand"
    )
    done_internal = action(2, title="Pricing", completed_on=date(2026, 10, 4), objective="Grow")
    open_shared = action(3, title="Renewal", shared=True, status=ActionStatus.IN_PROGRESS)
    late = action(4, title="Case study", days_late=5, obstacle="Legal")
    later = action(5, title="Case study 2", days_late=4)
    rep = report(
        completed=[done_shared, done_internal],
        overdue=[late, later],
        shared_open=[open_shared],
    )
    assert rep.shared_completed == [done_shared]
    client = render_report(rep, client=True)
    assert client.blocks[0]["text"]["text"] == "Monthly update · Acme · October 2026"
    text = everything(client)
    for shown in ("Kick-off", "Renewal", "In progress", "Completed in October 2026 (1)"):
        assert shown in text, shown
    internal_words = ("Pricing", "Grow", "Expand", "Case study", "Legal", "late", "shared with")
    for internal in (*internal_words, "vs September", "+2"):
        assert internal not in text, internal
    assert client.text == (
        "Monthly update for Acme, October 2026: 1 shared action completed, 1 open."
    )
    internal = everything(render_report(rep, client=False))
    for shown in (*internal_words, "5 days late", "3 (+2 vs September)"):
        assert shown in internal, shown


def test_a_month_still_running_says_so():
    running = report(as_of=date(2026, 10, 20))
    assert not running.is_complete and report().is_complete
    assert "where they stand so far." in everything(render_report(running, client=True))
    assert "where they stand." in everything(render_report(report(), client=True))
    internal = everything(render_report(running, client=False))
    assert "to today (Europe/Paris)" in internal and "Overdue today" in internal
    assert "Due by the end of November 2026" in internal
    finished = everything(render_report(report(), client=False))
    assert "to Sat 31 Oct 2026 (Europe/Paris)" in finished and "Overdue at month end" in finished


def test_figures_read_as_signed_changes():
    text = everything(render_report(report(), client=False))
    assert "3 (+2 vs September)" in text
    assert "2 (no change vs September)" in text
    assert "1 (-3 vs September)" in text
    assert "3 actions completed (+2)" in text


def test_a_channel_shared_with_the_client_always_gets_the_client_version():
    assert client_version_for(channel_shared_with_client=True) is True
    assert client_version_for(channel_shared_with_client=True, asked=False) is True
    assert client_version_for(channel_shared_with_client=False, asked=True) is True
    assert client_version_for(channel_shared_with_client=False) is False


def test_labels_read_as_words():
    assert label(TouchpointKind.QBR) == "QBR"
    assert label(ActionStatus.IN_PROGRESS) == "in progress"
    assert label("not_started") == "not started"
    assert title_label(ActionStatus.IN_PROGRESS) == "In progress"
    assert title_label("qbr") == "QBR"
    assert title_label("") == ""


# -- the dry-run text ----------------------------------------------------------------------


def test_the_dry_run_text_reads_like_the_message():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Report"}},
        section("Hello <@ULEE> in <#CACME|acme> and <#CGEN>, <!here>"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "a &lt;b&gt; &amp; c"}]},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "<@UDANA|dana>"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "one"}, {"type": "image"}]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Done"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Snooze"}},
            ],
        },
        {"type": "divider"},
    ]
    assert readable_text(Message("fallback", blocks)) == "\n".join(
        [
            "Report",
            "======",
            "Hello @ULEE in acme and #CGEN, @here",
            "a <b> & c",
            "dana",
            "one ",
            "[Done]  [Snooze]",
            "-" * 40,
        ]
    )


def test_the_dry_run_text_of_a_message_without_readable_blocks_is_its_text():
    assert readable_text(Message("Hi <@ULEE> &amp; all", [])) == "Hi @ULEE & all"
    image = {"type": "image", "image_url": "https://example.com/x.png", "alt_text": "x"}
    assert readable_text(Message("Chart", [image])) == "Chart"


def test_every_header_is_underlined_wherever_it_is():
    blocks = [section("Intro"), {"type": "header", "text": {"type": "plain_text", "text": "Part"}}]
    assert readable_text(Message("", blocks)) == "Intro\nPart\n===="


@pytest.mark.parametrize("client", [False, True])
def test_the_dry_run_text_of_a_report(client):
    text = readable_text(render_report(report(), client=client))
    title = (
        "Monthly update · Acme · October 2026" if client else "Monthly report · Acme · October 2026"
    )
    assert text.startswith(f"{title}\n{'=' * len(title)}\n")
    assert "<@" not in text and "&gt;" not in text
