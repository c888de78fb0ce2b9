"""The manifest describes exactly what the app registers, within Slack's limits."""

import json
from pathlib import Path

from sambot.cli import main
from sambot.slack.catalog import SHORTCUTS, SLASH_COMMANDS
from sambot.slack.manifest import build_manifest

DEPLOYED = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.socket.json"


def test_every_manifest_entry_reaches_a_listener(slack, db, caplog):
    """Bolt answers 404 to a request no listener matches, or warns when it runs after an
    early ack: every entry must get 200 and no such warning."""
    from tests.slack import seed
    from tests.slack.conftest import ACME_CHANNEL, DANA

    seed.acme(db)
    manifest = build_manifest(request_url="https://example.com")
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [c.command for c in SLASH_COMMANDS]
    for command in commands:
        assert slack.command(command, "help").status_code == 200, command
    message = {"type": "message", "user": DANA, "ts": "1764000000.000300", "text": "Hello"}
    for shortcut in manifest["features"]["shortcuts"]:
        assert shortcut["callback_id"] in {s.callback_id for s in SHORTCUTS}
        response = slack.requests.message_shortcut(
            shortcut["callback_id"], message, ACME_CHANNEL, DANA
        )
        assert response.status_code == 200, shortcut["callback_id"]
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        payload = {"type": event, "user": DANA, "tab": "home", "channel": ACME_CHANNEL}
        response = slack.requests.event(payload)
        assert response.status_code == 200, event
    slack.in_flight.settle()
    unhandled = [r.getMessage() for r in caplog.records if "Unhandled request" in r.getMessage()]
    assert unhandled == []
    # The check can fail: something the app does not handle gets 404.
    assert slack.command("/not-ours").status_code == 404


def test_manifest_keeps_slacks_limits():
    manifest = build_manifest(request_url="https://example.com")
    assert len(manifest["display_information"]["name"]) <= 35
    for command in manifest["features"]["slash_commands"]:
        assert command["command"].startswith("/") and len(command["command"]) <= 32
        assert command["url"] == "https://example.com/slack/events"
    for shortcut in manifest["features"]["shortcuts"]:
        assert len(shortcut["name"]) <= 24 and len(shortcut["callback_id"]) <= 255
    by_name = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert by_name["/action"]["should_escape"] is True, "/action takes @owner"
    assert by_name["/sam"]["should_escape"] is True
    assert (
        manifest["settings"]["interactivity"]["request_url"] == "https://example.com/slack/events"
    )
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"] == "https://example.com/slack/events"
    assert "app_home_opened" in events["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_socket_mode_manifest_is_checked_in(capsys):
    assert main(["manifest", "--socket"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in printed["settings"]["interactivity"]
    assert json.loads(DEPLOYED.read_text()) == printed, "run: sambot manifest --socket > " + str(
        DEPLOYED
    )
