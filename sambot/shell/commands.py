"""The shell's own `:` commands, in one table that both `:help` and dispatch read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sambot.shell import demo, modal
from sambot.shell.workspace import HANDLE, slack_id
from sambot.slack.text import format_date

if TYPE_CHECKING:
    from sambot.shell.session import Shell

# Not a `:` command, but the first thing to know: shown at the top of :help.
SLASH_HELP = (
    "/sam help",
    "what you type in Slack goes to sambot as is (/sam, /touchpoint, /action)",
)
FORM_HELP = "In a form: Enter keeps what is shown in [brackets], - clears an optional field."


@dataclass(frozen=True)
class ShellCommand:
    name: str
    arguments: str  # as :help shows them, an example or a placeholder
    help: str
    run: Callable[[Shell, str], None]
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return f"{self.name} {self.arguments}".rstrip()


def dispatch(shell: Shell, line: str) -> None:
    name, _, argument = line.partition(" ")
    command = find(name)
    if command is None:
        shell.say(f"Unknown shell command {name}. :help lists them.")
        return
    command.run(shell, argument.strip())


def find(name: str) -> ShellCommand | None:
    return next((c for c in COMMANDS if name == c.name or name in c.aliases), None)


def help_lines() -> list[str]:
    rows = [SLASH_HELP]
    for command in COMMANDS:
        also = f" (also {', '.join(command.aliases)})" if command.aliases else ""
        rows.append((command.usage, command.help + also))
    width = max(len(usage) for usage, _ in rows)
    return [
        "The shell's own commands:",
        *(f"  {usage.ljust(width)}  {what}" for usage, what in rows),
        FORM_HELP,
    ]


def _help(shell: Shell, _argument: str) -> None:
    for line in help_lines():
        shell.say(line)


def _channel(shell: Shell, argument: str) -> None:
    viewer, workspace = shell.viewer, shell.workspace
    me = workspace.users[viewer.user]
    if argument.lower() == "dm":
        viewer.channel = f"D{viewer.user}"
        shell.say(f"You are now in your direct messages with sambot, as @{me}.")
        return
    name = argument.lstrip("#").lower()
    if not HANDLE.match(name):
        shell.say("Name a channel: :channel #acme (or :channel dm).")
        return
    channel_id = workspace.channel_named(name)
    if channel_id is None:
        channel_id = slack_id("C", name)
        workspace.add_channel(channel_id, name)
        shell.say(f"(#{name} is new: created in the local workspace.)")
    viewer.channel = channel_id
    shell.say(f"You are now in #{name}, as @{me}.")


def _user(shell: Shell, argument: str) -> None:
    viewer, workspace = shell.viewer, shell.workspace
    handle = argument.lstrip("@").lower()
    if not HANDLE.match(handle):
        shell.say("Name a person: :user @dana.")
        return
    user_id = workspace.user_with_handle(handle)
    if user_id is None:
        user_id = slack_id("U", handle)
        workspace.add_user(user_id, handle)
        shell.say(f"(@{handle} is new: created in the local workspace.)")
    if viewer.channel == f"D{viewer.user}":
        viewer.channel = f"D{user_id}"  # still in one's own DM with sambot
    viewer.user = user_id
    shell.say(f"You are now @{handle}, in {workspace.channel_label(viewer.channel)}.")


def _press(shell: Shell, argument: str) -> None:
    pressables = shell.output.pressables
    if not argument.isdigit() or int(argument) not in pressables:
        shell.say("Press a button shown as [N]: :press 1.")
        return
    where = pressables[int(argument)]
    message = shell.output.current_message(where)
    if message is None:
        shell.say("That message is gone.")
        return
    element = where.element_in(message)
    if element is None:
        shell.say(f"[{argument}] is no longer shown: the message changed since.")
        return
    selected = None
    if element.get("type") != "button":
        selected = modal.ask_element(element, shell)
        if selected is None:
            shell.done = True
            return
        if selected in (modal.KEEP, modal.CLEAR, modal.CANCEL):
            shell.say("(nothing chosen)")
            return
    if where.home_of:
        shell.exchange(
            lambda: shell.app.requests.block_action(
                shell.viewer.user,
                where.action_id,
                block_id=where.block_id,
                view=message,
                selected=selected,
            )
        )
        return
    shell.exchange(
        lambda: shell.app.requests.block_action(
            shell.viewer.user,
            where.action_id,
            block_id=where.block_id,
            message=message,
            channel_id=where.channel,
            selected=selected,
        )
    )


def _home(shell: Shell, argument: str) -> None:
    user = shell.viewer.user
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    shell.exchange(lambda: shell.app.requests.event(event))
    shell.output.show_home(user)


def _membership(joined: bool):
    def run(shell: Shell, argument: str) -> None:
        """You join (or leave) a channel: Slack tells sambot, as it does."""
        workspace, user = shell.workspace, shell.viewer.user
        channel_id = workspace.channel_named(argument.lstrip("#").lower())
        if channel_id is None:
            shell.say("Name a channel of the workspace: :join #acme (see :channels).")
            return
        shell.app.standin.set_member(channel_id, user, joined)
        kind = "member_joined_channel" if joined else "member_left_channel"
        event = {"type": kind, "user": user, "channel": channel_id, "channel_type": "C"}
        shell.exchange(lambda: shell.app.requests.event(event))

    return run


def _run(shell: Shell, argument: str) -> None:
    from sambot.jobs.runner import JobOptions, jobs, run_job

    if argument not in jobs():
        shell.say(f"Run one of: {', '.join(jobs())}.")
        return
    others = _other_workspaces(shell)
    if others:
        # Jobs run for every workspace: theirs would post to the stand-in, and be recorded
        # as done (or their channels as gone) in a database a real workspace uses.
        shell.say(
            shell.style.error(
                f"This database also holds real Slack workspaces ({', '.join(others)}): a job "
                "run here would record their posts as done. Give the shell its own "
                "DATABASE_URL to run jobs."
            )
        )
        return
    app = shell.app
    options = JobOptions.from_settings(app.settings, post_rate=0.0)
    summaries = run_job(argument, shell.database, app.client, at=shell.clock.now(), options=options)
    app.settle()
    shell.output.show_changes()
    for summary in summaries:
        for line in summary.lines():
            shell.say(shell.style.dim(line))


def _other_workspaces(shell: Shell) -> list[str]:
    from sambot.workspaces.models import Workspace

    with shell.database.session() as session:
        return list(
            session.scalars(select(Workspace.team_id).where(Workspace.team_id != demo.TEAM_ID))
        )


def _time(shell: Shell, argument: str) -> None:
    clock = shell.clock
    if argument.lower() == "now":
        clock.reset()
    elif argument:
        try:
            clock.set(datetime.fromisoformat(argument))
        except ValueError:
            shell.say("Give an ISO date and time: :time 2026-12-01T09:00 (or :time now).")
            return
    now = clock.now()
    moved = "" if clock.moved else " (the real time)"
    shell.say(
        f"The shell's clock reads {format_date(now.date())} {now:%H:%M} "
        f"{clock.zone.key}{moved}. Commands and jobs see this time; what is "
        "stored keeps real timestamps."
    )


def _share(shell: Shell, argument: str) -> None:
    from pathlib import Path

    path = Path(argument).expanduser()
    try:
        content = path.read_bytes()
    except OSError as exc:
        shell.say(f"Share a file from your disk: :share accounts.csv ({exc.strerror or exc}).")
        return
    viewer = shell.viewer
    shell.workspace.standin.share_file(viewer.channel, viewer.user, path.name, content)
    shell.output.take_as_seen()
    where = shell.workspace.channel_label(viewer.channel)
    shell.say(f"(You shared {path.name} in {where}. `/sam import` there imports it.)")


def _users(shell: Shell, _argument: str) -> None:
    for user_id, handle in shell.workspace.users.items():
        person = shell.workspace.standin.user(user_id) or {}
        shell.say(f"  @{handle}  {person.get('real_name', '')}  ({person.get('tz', '')})")


def _channels(shell: Shell, _argument: str) -> None:
    for name in shell.workspace.channels.values():
        shell.say(f"  #{name}")


def _quit(shell: Shell, _argument: str) -> None:
    shell.done = True


def _cancel(shell: Shell, _argument: str) -> None:
    """Inside a form, modal.py closes it; at the prompt (Ctrl-C there) there is nothing to do."""


# Also ends the session from inside a form (modal.Host.leaves).
QUIT = ShellCommand(":quit", "", "leave; end of input does too", _quit, aliases=(":exit", ":q"))

COMMANDS = [
    ShellCommand(
        ":channel",
        "#name",
        "type in another channel (a new name creates it); :channel dm for "
        "your direct messages with sambot",
        _channel,
    ),
    ShellCommand(":user", "@name", "act as someone else (a new name creates them)", _user),
    ShellCommand(
        ":press",
        "N",
        "press button [N]; a menu asks for the choice (in a form: :press a, its button [a])",
        _press,
    ),
    ShellCommand(
        ":run",
        "nudges",
        "run a scheduled job now, at the shell's time "
        "(also: :run monthly-report, :run cadence, :run checkpoints, :run programme)",
        _run,
    ),
    ShellCommand(":home", "", "open your Home tab in sambot (its buttons are numbered)", _home),
    ShellCommand(":join", "#acme", "join a channel, as Slack tells sambot", _membership(True)),
    ShellCommand(":leave", "#acme", "leave a channel, as Slack tells sambot", _membership(False)),
    ShellCommand(
        ":time",
        "2026-12-01T09:00",
        "move the shell's clock (commands and jobs see it); :time now puts it back",
        _time,
    ),
    ShellCommand(
        ":share",
        "accounts.csv",
        "share a file from your disk in this channel, as in Slack (then /sam import)",
        _share,
    ),
    ShellCommand(":users", "", "the people of the local workspace", _users),
    ShellCommand(":channels", "", "the channels of the local workspace", _channels),
    ShellCommand(":cancel", "", "in a form, close it unsent (Ctrl-C does too)", _cancel),
    ShellCommand(":help", "", "this help", _help),
    QUIT,
]
