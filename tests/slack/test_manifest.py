"""The manifest describes exactly what the app registers, within Slack's limits."""

import json
from pathlib import Path

from sambot.cli import main
from sambot.config import load_settings
from sambot.slack.app import build_app
from sambot.slack.catalog import SHORTCUTS, SLASH_COMMANDS
from sambot.slack.manifest import build_manifest

DEPLOYED = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.socket.json"


def registered(app, kind: str) -> set[str]:
    """The constraint values Bolt matches on, per listener kind."""
    found = set()
    for listener in app._listeners:
        for matcher in listener.matchers:
            source = getattr(matcher, "func", None)
            closure = getattr(source, "__closure__", None) or ()
            for cell in closure:
                value = cell.cell_contents
                if isinstance(value, str) and matcher.__class__.__name__:
                    found.add(value)
    return found


def test_manifest_and_listeners_agree(db, standin):
    settings = load_settings(
        slack_bot_token=standin.bot_token, slack_signing_secret="x", slack_api_url=standin.base_url
    )
    app = build_app(settings, db)
    names = registered(app, "any")
    manifest = build_manifest(request_url="https://example.com")
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert commands == {"/sam", "/touchpoint", "/action"}
    assert commands <= names, "every manifest command has a listener"
    assert shortcuts <= names, "every manifest shortcut has a listener"
    assert {c.command for c in SLASH_COMMANDS} == commands
    assert {s.callback_id for s in SHORTCUTS} == shortcuts


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


def test_socket_mode_manifest_is_checked_in(capsys):
    assert main(["manifest", "--socket"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in printed["settings"]["interactivity"]
    assert json.loads(DEPLOYED.read_text()) == printed, "run: sambot manifest --socket > " + str(
        DEPLOYED
    )
