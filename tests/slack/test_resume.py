"""Scheduled posts paused on a lost channel, and resumed by the events that bring it back.

A post refused because the channel is archived or hidden from the bot pauses the
account's scheduled posts. Slack's `member_joined_channel` for the bot itself, or
`channel_unarchive`, resumes them; another member joining does not. Each test runs the
monthly report job after the event, to see whether posts come back.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.jobs.runner import JobOptions, run_job
from sambot.slack.client import build_web_client
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE, PRIVATE

# Run on 2 November 2026: the report on October.
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
PAUSED = "channel archived or gone: waiting for the account to be linked again"


def run_report(slack, db):
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    [summary] = run_job("monthly-report", db, client, at=AT, options=JobOptions())
    return summary


def channel_posts(slack, channel: str) -> list:
    """Every chat.postMessage tried in the channel, accepted or not."""
    return [c for c in slack.standin.calls("chat.postMessage") if c.args["channel"] == channel]


def paused(db) -> bool:
    with db.session() as session:
        return session.scalar(select(Account.channel_unavailable_at)) is not None


def event(slack, **fields) -> None:
    assert slack.requests.event(fields).status_code == 200
    slack.in_flight.settle()


def assert_stays_paused(slack, db, channel: str) -> None:
    """A run skips the account without even trying its channel."""
    tried = len(channel_posts(slack, channel))
    summary = run_report(slack, db)
    assert summary.skipped == [(f"Acme (<#{channel}>)", PAUSED)]
    assert summary.failed == [] and summary.posted == []
    assert len(channel_posts(slack, channel)) == tried
    assert paused(db)


def assert_resumed(slack, db, channel: str) -> None:
    summary = run_report(slack, db)
    assert summary.posted == [f"Acme (<#{channel}>)"] and summary.skipped == []
    assert channel_posts(slack, channel)[-1].ok
    assert slack.standin.messages(channel)[-1]["text"].startswith("Monthly report for Acme")
    assert not paused(db)


def removed_from_private_channel(slack, db) -> None:
    """The bot removed from the account's private channel: a run pauses the account."""
    seed.acme(db, channel=PRIVATE)
    slack.standin.add_channel(PRIVATE, "secret-deal", is_private=True, bot_is_member=False)
    summary = run_report(slack, db)
    assert summary.failed == [(f"Acme (<#{PRIVATE}>)", "channel_not_found")]
    assert paused(db)
    assert_stays_paused(slack, db, PRIVATE)


def test_the_bot_invited_back_resumes_posts(slack, db):
    removed_from_private_channel(slack, db)
    slack.standin.add_channel(PRIVATE, "secret-deal", is_private=True, bot_is_member=True)
    event(slack, type="member_joined_channel", user=slack.standin.bot_user_id, channel=PRIVATE)
    assert_resumed(slack, db, PRIVATE)


def test_another_member_joining_leaves_posts_paused(slack, db):
    removed_from_private_channel(slack, db)
    event(slack, type="member_joined_channel", user=LEE, channel=PRIVATE)
    assert_stays_paused(slack, db, PRIVATE)


def test_an_unarchived_channel_resumes_posts(slack, db):
    seed.acme(db)
    slack.standin.add_channel(ACME_CHANNEL, "acme", is_archived=True)
    summary = run_report(slack, db)
    assert summary.failed == [(f"Acme (<#{ACME_CHANNEL}>)", "is_archived")]
    # Unarchived in Slack, but the app has not heard of it yet: still paused.
    slack.standin.add_channel(ACME_CHANNEL, "acme")
    assert_stays_paused(slack, db, ACME_CHANNEL)
    event(slack, type="channel_unarchive", channel=ACME_CHANNEL, user=DANA)
    assert_resumed(slack, db, ACME_CHANNEL)
