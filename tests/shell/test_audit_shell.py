"""`/sam changes` in the local shell: the same listener, the same audit trail."""

import pytest

from sambot.config import load_settings
from tests.shell.test_shell import run_session, steps


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'shell.db'}",
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        sambot_timezone="UTC",
    )


def test_the_shell_shows_who_changed_what_and_pages(settings):
    code, transcript = run_session(
        settings,
        ["/action @lee Send the deck by tomorrow", "/sam changes", ":press 7"],
    )
    assert code == 0
    output = dict(steps(transcript)[1])
    changes = output["/sam changes"]
    assert "Changes to Acme" in changes and "1 to 10 of" in changes
    assert "via /action @lee Send the deck by tomorrow: action “Send the deck” created" in changes
    assert "Title “Send the deck”; Owner @lee" in changes
    assert "[7] Next" in changes  # the action's own buttons come first
    assert "11 to 20 of" in output[":press 7"]
    # The demo portfolio the shell loaded is the demo's, not an unknown writer's.
    assert "via the command line (`sambot demo load`)" in output[":press 7"]
    assert "sambot itself" not in output[":press 7"]
