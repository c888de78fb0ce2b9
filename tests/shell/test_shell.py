"""The local shell, driven as a person would: piped input in, terminal text out.

Each session runs the real app behind its real HTTP handler, against a temporary SQLite
database and the local Slack stand-in; the assertions read what the terminal shows.
"""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sambot.actions.models import Action, ActionStatus
from sambot.config import load_settings
from sambot.dates import today_in
from sambot.db import Database
from sambot.shell.commands import COMMANDS, QUIT
from sambot.shell.demo import load_demo
from sambot.shell.render import Renderer
from sambot.shell.session import Shell
from sambot.slack.text import format_date
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint

ROOT = Path(__file__).resolve().parents[2]
PROMPT = re.compile(r"^(?:\[[^\]]*\] )?#\S+ @\S+> ", re.MULTILINE)


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'shell.db'}",
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        sambot_timezone="UTC",
    )


def run_session(settings, lines: list[str], *, demo: bool = True) -> tuple[int, str]:
    out = io.StringIO()
    shell = Shell(
        settings,
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=out,
        interactive=False,
        color=False,
    )
    return shell.run(load_demo=demo), out.getvalue()


def steps(transcript: str) -> tuple[str, list[tuple[str, str]]]:
    """(what comes before the first prompt, [(typed line, what the shell showed), ...])."""
    starts = [match.start() for match in PROMPT.finditer(transcript)]
    head = transcript[: starts[0]] if starts else transcript
    result = []
    for start, end in zip(starts, [*starts[1:], len(transcript)], strict=True):
        typed, _, shown = transcript[start:end].partition("\n")
        result.append((PROMPT.sub("", typed, count=1), shown))
    return head, result


def count(settings, model, *where) -> int:
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        database.dispose()


def test_scripted_session(settings):
    too_long = "x" * 3001
    script = [
        "/touchpoint",
        "",  # account: keep Acme Corporation, this channel's account
        "",  # date: keep today
        "call",
        "1,3",  # Hélène Martin and Aiko Tanaka
        "positive",
        too_long,
        "",  # no follow-up action
        "",
        "",
        "Discussed pricing with Hélène",  # the summary, asked again alone
        "/sam stakeholder new",
        "",
        "Jane Doe",
        "CFO",
        "",
        "economic buyer",
        "9",  # power: out of range, the app says so
        "4",
        "3",
        "",  # attitude
        "",  # relationship owner
        "",  # touch cadence
        "",  # reports to
        "5",  # power again, alone
        "/action @lee Send the deck by tomorrow",
        ":press 1",
        ":run nudges",
        ":quit",
    ]
    code, transcript = run_session(settings, script)
    assert code == 0
    head, shown = steps(transcript)
    typed = [line for line, _ in shown]
    assert typed == [
        "/touchpoint",
        "/sam stakeholder new",
        "/action @lee Send the deck by tomorrow",
        ":press 1",
        ":run nudges",
        ":quit",
    ]
    output = dict(shown)

    assert "Demo portfolio loaded: Acme Corporation, Globex, Initech." in head
    assert "To connect a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in head

    # The touchpoint form: every input asked once, the summary rejected by the app and asked
    # again alone, then the touchpoint posted in the account channel.
    touchpoint = output["/touchpoint"]
    assert "┌─ Log a touchpoint" in touchpoint
    assert "1) Hélène Martin  2) Tom Becker  3) Aiko Tanaka" in touchpoint
    before, error, after = touchpoint.partition("! Summary: Must be at most 3000 characters.")
    assert error
    assert "│ Kind [Meeting]: call" in before
    assert "Kind" not in after and "Sentiment" not in after
    assert f"│ Summary [{'x' * 39}…]: Discussed pricing with Hélène" in after
    assert "#acme sambot:\n  🟢 Call with Acme Corporation on " in after
    assert (
        "· Hélène Martin, Aiko Tanaka\n  Discussed pricing with Hélène\n  Logged by @dana" in after
    )
    assert count(settings, Touchpoint, Touchpoint.summary == "Discussed pricing with Hélène") == 1

    # The stakeholder form: power 9 is the app's to refuse; only power is asked again.
    stakeholder = output["/sam stakeholder new"]
    before, error, after = stakeholder.partition("! Power: Must be at most 5.")
    assert error
    assert after.count("│ ") == 2 and "│ Power [9]: 5" in after
    assert (
        "(only you) sambot:\n  👤 @dana added Jane Doe to the stakeholders of Acme Corporation."
        in after
    )
    assert count(settings, Stakeholder, Stakeholder.name == "Jane Doe", Stakeholder.power == 5) == 1

    # /action with a mention: Slack's <@ULEE|lee>, due tomorrow in Dana's time zone (Paris).
    tomorrow = today_in("Europe/Paris") + timedelta(days=1)
    action = output["/action @lee Send the deck by tomorrow"]
    assert action.startswith("#acme sambot:\n")
    assert f"📌 Send the deck · @lee · due {format_date(tomorrow)}" in action
    assert "[1] Mark done  [2] Snooze a week  [3] Change due date  [4] Reassign" in action

    # Pressing Mark done updates the message in place.
    pressed = output[":press 1"]
    assert pressed.startswith("#acme sambot (updated):\n")
    assert "✅ Send the deck · @lee" in pressed and "· Done" in pressed
    assert "Marked done by @dana" in pressed and "Mark done" not in pressed.replace("Marked", "")
    assert (
        count(settings, Action, Action.title == "Send the deck", Action.status == ActionStatus.DONE)
        == 1
    )

    # The nudges: the demo's overdue actions in their channels and their owners' DMs;
    # the action just done is not among them.
    nudges = output[":run nudges"]
    assert "#acme sambot:" in nudges and "#globex sambot:" in nudges
    assert "Send the revised pricing proposal · @dana · 4 days late" in nudges
    assert "DM to @dana:" in nudges and "DM to @lee:" in nudges
    assert "Send the deck" not in nudges
    assert re.search(r"nudges T0001 \S+: \d+ posted, 0 skipped, 0 failed", nudges)

    assert output[":quit"].strip() == "Bye."


def test_time_moves_today_for_commands_and_jobs(settings):
    code, transcript = run_session(
        settings,
        [
            ":time 2030-01-15T09:00",
            "/action @dana Renew the contract by tomorrow",
            ":run nudges",
        ],
    )
    assert code == 0
    output = dict(steps(transcript)[1])
    assert "The shell's clock reads Tue 15 Jan 2030 09:00 UTC." in output[":time 2030-01-15T09:00"]
    assert "· due Wed 16 Jan 2030" in output["/action @dana Renew the contract by tomorrow"]
    # In 2030 every dated demo action is years late, and the run is for that day.
    assert "nudges T0001 2030-01-15:" in output[":run nudges"]
    assert re.search(
        r"Send the revised pricing proposal · @dana · \d+ days late", output[":run nudges"]
    )


def test_every_shell_command_is_in_help_and_dispatches(settings):
    """One table drives both: :help lists each command with its arguments, help and aliases,
    and nothing else; each name typed (with the arguments help shows) reaches a handler."""
    typed = [":nope", ":help"] + [
        f"{name} {command.arguments}".rstrip()
        for command in COMMANDS
        for name in (command.name, *command.aliases)
    ]
    shown: dict[str, str] = {}
    pending = typed
    while pending:  # a command that leaves ends the session: the rest go in the next one
        code, transcript = run_session(settings, pending, demo=False)
        assert code == 0
        session = steps(transcript)[1]
        assert [line for line, _ in session] == pending[: len(session)]
        shown.update(session)
        pending = pending[len(session) :]
    assert shown[":nope"].strip() == "Unknown shell command :nope. :help lists them."
    for line in typed[1:]:
        assert "Unknown shell command" not in shown[line], line

    rows = {row.split()[0]: row for row in shown[":help"].splitlines() if row.startswith("  :")}
    assert rows.keys() == {command.name for command in COMMANDS}
    for command in COMMANDS:
        row = rows[command.name]
        assert row.startswith(f"  {command.usage} ") and command.help in row
        for alias in command.aliases:
            assert alias in row


@pytest.mark.parametrize("leave", [None, QUIT.name, *QUIT.aliases])
def test_end_of_input_or_quit_inside_a_modal_cancels_it_and_exits(settings, leave):
    # At the form's third prompt: end of input, or a command that leaves; :users never runs.
    typed = ["/touchpoint", "", "", *([leave, ":users"] if leave else [])]
    code, transcript = run_session(settings, typed)
    assert code == 0
    assert "┌─ Log a touchpoint" in transcript
    at_kind = f"│ Kind [Meeting]: {leave}\n" if leave else ""
    assert transcript.rstrip().endswith(f"{at_kind}└─ (modal cancelled)\nBye.")
    assert count(settings, Touchpoint) == 5  # the demo's, nothing more


def test_run_without_tokens_starts_the_shell(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "SAMBOT_"))
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", PYTHONPATH=str(ROOT))
    # Run from an empty directory, so no .env file can bring tokens back.
    result = subprocess.run(
        [sys.executable, "-m", "sambot", "run"],
        input=":quit\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "starting the local shell" in result.stderr
    assert "sambot local shell" in result.stdout
    assert "To connect a real workspace, set SLACK_BOT_TOKEN" in result.stdout
    assert "load a demo" not in result.stdout.lower()  # piped input is never asked
    assert result.stdout.rstrip().endswith("Bye.")


def test_demo_loads_once(settings):
    from sambot import migrate

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        today = today_in("UTC")
        first = load_demo(database, today=today)
        second = load_demo(database, today=today)
    finally:
        database.dispose()
    assert first.created == ["Acme Corporation", "Globex", "Initech"] and not first.skipped
    assert second.skipped == first.created and not second.created
    assert count(settings, Action) == 7
    assert count(settings, Action, Action.due_date < today, Action.status == ActionStatus.OPEN) == 3


def test_renderer_reads_like_slack():
    renderer = Renderer(user_name={"UDANA": "dana"}.get, channel_name={"CACME": "acme"}.get)
    numbers = iter(range(1, 10))
    lines = renderer.blocks(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Acme"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Owner* <@UDANA> in <#CACME> &amp; <https://x.example/a|the plan> `<@UDANA>`",
                },
            },
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Tier*\nStrategic"}]},
            {
                "type": "actions",
                "block_id": "b",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "done",
                        "text": {"type": "plain_text", "text": "Mark done"},
                    },
                    {
                        "type": "static_select",
                        "action_id": "role",
                        "options": [],
                        "placeholder": {"type": "plain_text", "text": "Role"},
                    },
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": ":warning: late"}]},
        ],
        lambda element, block_id: next(numbers),
    )
    assert lines == [
        "ACME",
        "Owner @dana in #acme & the plan (https://x.example/a) `<@UDANA>`",
        "Tier: Strategic",
        "[1] Mark done  [2] Role ▾",
        "⚠️ late",
    ]


def test_jobs_are_not_run_on_a_database_a_real_workspace_uses(settings):
    from sambot import migrate
    from sambot.workspaces.models import Workspace

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    with database.session() as session:
        session.add(Workspace(team_id="TREAL", name="Real", timezone="UTC"))
    database.dispose()
    code, transcript = run_session(settings, [":run nudges"])
    assert code == 0
    shown = dict(steps(transcript)[1])[":run nudges"]
    assert "also holds real Slack workspaces (TREAL)" in shown
    assert "sambot:" not in shown and "posted" not in shown


def test_adding_a_stakeholder_from_inside_the_touchpoint_form(settings):
    script = [
        "/touchpoint",
        "",  # account: Acme Corporation
        "",  # date: today
        "call",
        "",  # stakeholders: nobody yet
        ":press b",  # at Sentiment: there is no button [b]
        ":press a",  # Add a stakeholder: the app pushes its form
        "",  # account: Acme Corporation
        "Jane Doe",
        "CFO",
        "",  # email
        "economic buyer",
        "9",  # power: out of range, the app says so
        "4",
        "3",
        "",  # attitude
        "",  # relationship owner
        "",  # touch cadence
        "",  # reports to
        "5",  # power again, alone
        "",  # back on the touchpoint: stakeholders now shows Jane Doe; keep it
        "positive",  # Sentiment, asked again
        "Met the new CFO",
        "",  # no follow-up action
        "",
        "",
    ]
    code, transcript = run_session(settings, script)
    assert code == 0
    output = dict(steps(transcript)[1])
    touchpoint = output["/touchpoint"]
    assert "│ [a] Add a stakeholder   (:press a at any prompt)" in touchpoint
    assert "│ Sentiment [Neutral]: :press b\n│ ! This form's buttons: :press a." in touchpoint

    # The pushed form, indented inside the touchpoint form; the app's error re-asked alone.
    _, pushed, after = touchpoint.partition("│ Sentiment [Neutral]: :press a\n│ ┌─ New stakeholder")
    assert pushed
    assert "│ │ Name: Jane Doe" in after and "│ │ Power [3]: 9" in after
    assert "│   ! Power: Must be at most 5." in after
    assert "│ │ Power [9]: 5\n│ └─ Add\n│ (back on Log a touchpoint)\n" in after

    # Back on the touchpoint form as the app updated it: Jane Doe listed and selected,
    # the answers already given kept (Kind: call), what was left asked as before.
    back = after.partition("(back on Log a touchpoint)")[2]
    assert "│ 1) Hélène Martin  2) Jane Doe  3) Tom Becker  4) Aiko Tanaka" in back
    assert "│ Stakeholders involved (optional) (numbers, comma-separated) [Jane Doe]: \n" in back
    assert "Kind" not in back and "Account" not in back
    assert "│ Sentiment [Neutral]: positive" in back
    assert "#acme sambot:\n  🟢 Call with Acme Corporation on " in back
    assert "· Jane Doe\n  Met the new CFO\n  Logged by @dana" in back

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            saved = session.scalars(
                select(Touchpoint).where(Touchpoint.summary == "Met the new CFO")
            ).one()
            assert saved.kind == "call" and saved.sentiment == "positive"
            assert [(p.name, p.title, p.power) for p in saved.stakeholders] == [
                ("Jane Doe", "CFO", 5)
            ]
    finally:
        database.dispose()
    assert count(settings, Stakeholder, Stakeholder.name == "Jane Doe") == 1


def test_the_forms_that_correct_what_is_stored_work_in_the_shell(settings):
    """Issue 9: an action blocked then edited, a stakeholder edited into a loop (refused),
    an objective added, the account edited, all from their buttons and commands."""
    script = [
        "/action list",
        ":press 6",  # the first action's ⋯ menu
        "blocked",
        "Waiting for legal",
        ":press 23",  # Edit, in the list as redrawn (the shell numbers every button afresh)
        "",  # title
        "",  # owner
        "",  # due date (past: kept as it was)
        "",  # objective
        "",  # obstacle
        "The full proposal",  # detail
        "",  # shared with the client
        "/sam stakeholders",
        ":press 55",  # Hélène Martin's Edit
        *[""] * 10,  # name to touch cadence, as they are
        "Tom Becker",  # reports to: Tom reports to Hélène already
        "",  # left the company: no
        "-",  # the error is re-asked alone: clear the field
        "/sam objectives",
        ":press 61",  # New objective
        "Win the Europe renewal",
        "",
        "",
        "",
        "/sam account edit",
        *[""] * 5,
        "100",  # gross margin
        "",
        "",
    ]
    code, transcript = run_session(settings, script)
    assert code == 0
    output = dict(steps(transcript)[1])
    assert "@dana marked it blocked" in output[":press 6"]
    assert "@dana changed the detail" in output[":press 23"]
    stakeholder = output[":press 55"]
    assert "! Reports to: Tom Becker already reports to this person" in stakeholder
    assert "@dana updated Hélène Martin." in stakeholder
    objective = output[":press 61"]
    assert "@dana added the objective Win the Europe renewal." in objective
    assert "@dana updated the account Acme Corporation." in output["/sam account edit"]
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            blocked = session.scalar(select(Action).where(Action.status == ActionStatus.BLOCKED))
            assert (blocked.obstacle, blocked.detail) == ("Waiting for legal", "The full proposal")
    finally:
        database.dispose()


def test_the_stakeholder_map_is_saved_and_the_cadence_reminder_shows(settings):
    code, transcript = run_session(
        settings,
        ["/sam map", "/sam map org", ":time 2030-01-14T09:00", ":run cadence", ":press 2"],
    )
    assert code == 0
    output = dict(steps(transcript)[1])
    shown = output["/sam map"]
    assert "Manage closely (high power, high interest)" in shown
    saved = re.search(r"📎 .*: saved as (\S+acme-corporation-stakeholder-map\.png)", shown)
    assert saved, shown
    assert Path(saved[1]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Slack answered" not in shown
    assert "acme-corporation-org-chart.png" in output["/sam map org"]
    # In 2030 nobody in the demo was met within their cadence: each owner gets a reminder.
    reminders = output[":run cadence"]
    assert "Time to get back in touch" in reminders and "[1] Log touchpoint" in reminders
    assert "cadence T0001 2030-W03:" in reminders
    assert "snoozed until" in output[":press 2"]


def test_walk_a_checkpoint_the_team_offers_the_home_tab_and_the_programme(settings):
    """Issue 11 in the shell: a checkpoint answered, reminded and closed; a channel join
    offered to the owner and accepted; the Home tab; the roll-up."""
    code, transcript = run_session(
        settings,
        [
            ":time 2030-01-07T09:00",  # a Monday
            "/sam checkpoint",
            ":press 4",  # Dana's first question (her DM is shown first): 4
            ":time 2030-01-09T09:00",
            ":run checkpoints",
            ":time 2030-01-14T09:00",
            ":run checkpoints",
            ":user @zoe",
            ":join #acme",
            ":user @dana",
            ":home",
            "/sam programme",
        ],
    )
    assert code == 0
    output = steps(transcript)[1]
    shown = dict(output)
    assert (
        "DM to @lee:" in shown["/sam checkpoint"]
        and "Open until Mon 14 Jan 2030" in (shown["/sam checkpoint"])
    )
    assert "Your answers so far: Shared information 4" in shown[":press 4"]
    reminders, closing = (text for line, text in output if line == ":run checkpoints")
    assert "Reminder" in reminders and "checkpoints T0001 2030-01-09: 4 posted" in reminders
    assert "1 of 4 people answered" in closing and "#acme sambot:" in closing
    assert "@zoe joined #acme" in shown[":join #acme"] and "DM to @dana:" in shown[":join #acme"]
    assert "Home tab of @dana:" in shown[":home"] and "Open the plan" in shown[":home"]
    assert "STRATEGIC ACCOUNTS PROGRAMME" in shown["/sam programme"]
