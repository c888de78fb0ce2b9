"""Two `sambot run` processes on one database: what one is told, the other knows at once."""

import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from sambot.localslack.requests import SlackRequests, values_for
from sambot.stakeholders import service as stakeholders
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL
from tests.slack.test_edge_memory import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "two-process-secret"


@pytest.fixture
def two_apps(slack, db):
    """Two real app processes (the `slack` fixture's stand-in answers both)."""
    processes, urls = [], []
    for _ in range(2):
        port = free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": slack.standin.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.standin.base_url,
            "DATABASE_URL": db.url,
            "SAMBOT_TIMEZONE": "UTC",
            "PORT": str(port),
        }
        env.pop("SLACK_APP_TOKEN", None)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "sambot", "run", "--no-scheduler"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise AssertionError(process.stderr.read().decode()) from None
                    time.sleep(0.1)
        yield [SlackRequests(f"{url}/slack/events", SECRET, slack.standin) for url in urls]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_a_link_made_on_one_process_is_used_by_the_other_at_once(slack, db, two_apps):
    first, second = two_apps
    seed.acme(db, channel=None)
    # Both processes have seen the workspace (and cached it) before the link.
    for app in (first, second):
        assert app.command("/sam", "accounts", user_id=DANA, channel_id=GENERAL).status_code == 200
    assert (
        first.command("/sam", "link Acme", user_id=DANA, channel_id=ACME_CHANNEL).status_code == 200
    )
    slack.channel_message(ACME_CHANNEL, "linked this channel to *Acme*", timeout=10)
    assert (
        second.command(
            "/touchpoint", "call Linked elsewhere", user_id=DANA, channel_id=ACME_CHANNEL
        ).status_code
        == 200
    )
    slack.channel_message(ACME_CHANNEL, "Linked elsewhere", timeout=10)
    # And back: unlinked on the second, the first knows.
    assert second.command("/sam", "link Acme", user_id=DANA, channel_id=GENERAL).status_code == 200
    slack.channel_message(GENERAL, "linked this channel to *Acme*", timeout=10)
    first.command("/touchpoint", "call Moved", user_id=DANA, channel_id=GENERAL)
    slack.channel_message(GENERAL, "Moved", timeout=10)


def test_a_form_opened_on_one_process_is_submitted_to_the_other_without_waiting_on_slack(
    slack, db, two_apps
):
    """users.info never runs before an ack: the second process has never seen Dana, and
    Slack answers users.info only after her submission has been acknowledged."""
    first, second = two_apps
    seed.acme(db)
    first.command("/action", "", user_id=DANA, channel_id=ACME_CHANNEL)
    view = slack.opened_view("action")

    answer_users_info = threading.Event()

    def hold_users_info(args):
        answer_users_info.wait(timeout=10)
        return False  # then answered normally

    slack.standin.fail("users.info", "never", times=None, when=hold_users_info)
    due = (date.today() + timedelta(days=10)).isoformat()
    answers = {"title": "Send the proposal", "owner_id": DANA, "due_date": due}
    response = second.view_submission(view, values_for(view, answers), DANA)
    answer_users_info.set()
    assert response.status_code == 200
    assert response.content == b""  # accepted, no field error
    # Had the ack waited on users.info, it would have waited out the lookup's 2 s timeout.
    assert response.elapsed.total_seconds() < 2, "the ack waited on users.info"
    slack.channel_message(ACME_CHANNEL, "Send the proposal", timeout=10)
    # Looked up in the background afterwards, for the next request.
    slack.wait("users.info", lambda call: call.args.get("user") == DANA, timeout=10)


def test_what_a_form_lists_is_read_again_in_every_process_after_a_change(slack, db, two_apps):
    """Each process keeps the accounts and stakeholders a form lists; a change committed
    anywhere (here by a third process, the test's) shows in the next form of each."""
    import json

    from sambot.accounts.models import Account

    seed.acme(db)

    def opened_touchpoint_form(app) -> str:
        before = len(slack.standin.calls("views.open"))
        assert (
            app.command("/touchpoint", "", user_id=DANA, channel_id=ACME_CHANNEL).status_code == 200
        )
        deadline = time.monotonic() + 10
        while len(slack.standin.calls("views.open")) == before:
            assert time.monotonic() < deadline, "no form opened"
            time.sleep(0.05)
        return json.dumps(slack.standin.calls("views.open")[-1].args["view"])

    for app in two_apps:  # each process reads and keeps them
        form = opened_touchpoint_form(app)
        assert "Acme" in form and "Walter Boss" in form
    with db.session() as session:
        account = session.query(Account).one()
        account.name = "Acme Industries"
        stakeholders.create(
            session,
            workspace_id=account.workspace_id,
            account_id=account.id,
            data={"name": "Nora Newcomer", "role": "user"},
        )
    for app in two_apps:
        form = opened_touchpoint_form(app)
        assert "Acme Industries" in form and "Nora Newcomer" in form
