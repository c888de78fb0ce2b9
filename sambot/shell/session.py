"""The shell session: typed lines become signed Slack requests to the real app, and what
the bot did in the local Slack stand-in is shown as text.

The path is the production one: `SlackRequests` signs each request, the app's HTTP
handler (`BackgroundServer`) hands it to Bolt, and the bot's Web API calls go to a
`SlackStandIn`. After each request the shell waits for those calls to settle, then shows
what changed in the stand-in (new, updated and deleted messages, ephemerals, modals).
"""

import contextlib
import logging
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from sambot import migrate
from sambot.config import Settings
from sambot.dates import today_in
from sambot.db import Database
from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn
from sambot.shell import demo, modal
from sambot.shell.render import Renderer, Style
from sambot.slack.catalog import SLASH_COMMANDS
from sambot.slack.context import Sam
from sambot.slack.text import format_date

logger = logging.getLogger("sambot.shell")

QUIET_SECONDS = 0.15  # the app is done: no listener running, no Web API call for this long
MAX_WAIT_SECONDS = 10.0
HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

SHELL_HELP = [
    ("/sam help", "what you type in Slack goes to sambot as is (/sam, /touchpoint, /action)"),
    (
        ":channel #name",
        "type in another channel (a new name creates it); :channel dm for "
        "your direct messages with sambot",
    ),
    (":user @name", "act as someone else (a new name creates them)"),
    (
        ":press N",
        "press button [N]; a menu asks for the choice (in a form: :press a, its button [a])",
    ),
    (":run nudges", "run a scheduled job now, at the shell's time (also: :run monthly-report)"),
    (
        ":time 2026-12-01T09:00",
        "move the shell's clock (commands and jobs see it); :time now puts it back",
    ),
    (":users, :channels", "the people and channels of the local workspace"),
    (":help", "this help"),
    (":quit", "leave (end of input does too)"),
]


class Terminal:
    """Lines in and out. Piped input is echoed after its prompt, so the output reads as a
    session; at a terminal, `input()` (with readline when there is one) does the prompting."""

    def __init__(self, stdin: TextIO, stdout: TextIO, interactive: bool):
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive
        if interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())

    def ask(self, prompt: str) -> str | None:
        """The next line, or None at end of input. Ctrl-C answers ":cancel"."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                self.say()
                return None
            except KeyboardInterrupt:
                self.say()
                return ":cancel"
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        self.say(prompt + line)
        return line

    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()


class Clock:
    """The shell's clock: real time, moved by an offset with `:time`."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(self.zone) + self.offset

    @property
    def moved(self) -> bool:
        return self.offset != timedelta(0)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=self.zone)  # read in the workspace's time zone
        self.offset = instant - datetime.now(self.zone)

    def reset(self) -> None:
        self.offset = timedelta(0)


@dataclass
class ClockedSam(Sam):
    """The listeners' `sam`, whose "today" is read from the shell's clock."""

    clock: Clock | None = None

    def today_for(self, user_id: str) -> date:
        return today_in(self.people.timezone(user_id), now=self.clock.now())


def clock_middleware(clock: Clock):
    """Runs after sambot's own middleware: while the clock is moved, `sam` reads it."""

    def shift(context, next):  # Bolt passes arguments by these names
        sam = context.get("sam")
        if sam is not None and clock.moved:
            context["sam"] = ClockedSam(
                database=sam.database, settings=sam.settings, people=sam.people, clock=clock
            )
        next()

    return shift


class ListenerWatch:
    """Counts the app's listener runs in flight, so the shell knows when the app is done.

    Bolt acks, answers the HTTP request, and goes on in its listener executor; slow work
    there (a first date parse, say) can leave the call log quiet for a while before the
    bot posts, so a quiet call log alone would cut the output short.
    """

    def __init__(self, executor):
        self._futures: set = set()
        self._lock = threading.Lock()
        submit = executor.submit

        def tracked(fn, /, *args, **kwargs):
            future = submit(fn, *args, **kwargs)
            with self._lock:
                self._futures.add(future)
            return future

        executor.submit = tracked  # the same executor runs listeners and lazy listeners

    @property
    def busy(self) -> bool:
        with self._lock:
            self._futures = {future for future in self._futures if not future.done()}
            return bool(self._futures)


@dataclass
class Pressable:
    """Where a numbered element was shown, to find it again when pressed."""

    channel: str
    ts: str
    ephemeral: bool
    block_id: str | None
    action_id: str


@dataclass
class Snapshot:
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    ephemerals: dict[str, dict] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)


def slack_id(prefix: str, name: str) -> str:
    """Ids the shell gives the people and channels it creates: @dana is UDANA, #acme CACME."""
    return prefix + re.sub(r"[^A-Z0-9]", "", name.upper())


class Shell:
    def __init__(
        self,
        settings: Settings,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        color: bool | None = None,
    ):
        stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
        if interactive is None:
            interactive = stdin.isatty()
        if color is None:
            color = stdout.isatty()
        self.settings = settings
        self.term = Terminal(stdin, stdout, interactive)
        self.style = Style(color)
        self.clock = Clock(settings.timezone)
        self.user, self.channel = demo.DANA, "CACME"
        self.users: dict[str, str] = {}  # id -> handle
        self.channels: dict[str, str] = {}  # id -> name
        self.pressables: dict[int, Pressable] = {}
        self.done = False
        self.depth = 0  # forms pushed over the form being filled, shown indented

    # -- set-up --------------------------------------------------------------------------

    def run(self, *, load_demo: bool = False) -> int:
        migrate.upgrade(self.settings.database_url)
        self.database = Database(self.settings.database_url)
        try:
            if load_demo or self._offer_demo():
                self._load_demo()
            with SlackStandIn(team_id=demo.TEAM_ID) as self.standin:
                self._populate_workspace()
                server = self._serve()
                try:
                    self._loop()
                finally:
                    self.requests.close()
                    server.stop()
        finally:
            self.database.dispose()
        return 0

    def _offer_demo(self) -> bool:
        """Only at a terminal, and only for an empty database: piped input is never asked."""
        if not self.term.interactive:
            return False
        from sambot.accounts.models import Account

        with self.database.session() as session:
            if session.scalar(select(func.count()).select_from(Account)):
                return False
        answer = self.term.ask(
            "The database is empty. Load a demo portfolio (3 accounts, their people, "
            "touchpoints and actions)? [Y/n] "
        )
        return answer is not None and answer.strip().lower() in ("", "y", "yes")

    def _load_demo(self) -> None:
        result = demo.load_demo(
            self.database, timezone=self.settings.sambot_timezone, today=self.clock.now().date()
        )
        if result.created:
            self.say(f"Demo portfolio loaded: {', '.join(result.created)}.")
        else:
            self.say("The demo portfolio is already loaded.")

    def _populate_workspace(self) -> None:
        """The demo's people and channels, and any the database mentions, exist in the stand-in
        (so accounts created in an earlier session still find their channel)."""
        for user_id, handle, real_name, tz in demo.USERS:
            self._add_user(user_id, handle, real_name, tz)
        for channel_id, name in demo.CHANNELS:
            self._add_channel(channel_id, name)
        from sambot.accounts.models import Account, TeamMember
        from sambot.actions.models import Action

        with self.database.session() as session:
            user_ids = set(session.scalars(select(TeamMember.user_id)))
            user_ids |= set(session.scalars(select(Action.owner_id).distinct()))
            channel_ids = set(session.scalars(select(Account.channel_id)))
        for user_id in sorted(user_ids - set(self.users)):
            self._add_user(user_id, _handle_from_id(user_id))
        for channel_id in sorted(channel_ids - {None} - set(self.channels)):
            self._add_channel(channel_id, _handle_from_id(channel_id))

    def _add_user(
        self, user_id: str, handle: str, real_name: str | None = None, tz: str | None = None
    ) -> None:
        self.standin.add_user(
            user_id, handle, real_name or handle.title(), tz=tz or self.settings.sambot_timezone
        )
        self.users[user_id] = handle

    def _add_channel(self, channel_id: str, name: str) -> None:
        self.standin.add_channel(channel_id, name)
        self.channels[channel_id] = name

    def _serve(self):
        from sambot.slack.app import build_app
        from sambot.slack.client import build_web_client
        from sambot.slack.server import BackgroundServer

        secret = secrets.token_hex(16)  # only the shell signs requests for this app
        overrides = {
            "slack_bot_token": self.standin.bot_token,
            "slack_signing_secret": secret,
            "slack_api_url": self.standin.base_url,
            "sambot_post_rate": 0.0,  # no pacing against the stand-in
        }
        self.app_settings = self.settings.model_copy(update=overrides)
        self.client = build_web_client(self.standin.bot_token, self.standin.base_url)
        app = build_app(self.app_settings, self.database, self.client)
        app.use(clock_middleware(self.clock))
        self.listeners = ListenerWatch(app.listener_runner.listener_executor)
        server = BackgroundServer(app, secret).start()
        self.requests = SlackRequests(server.url, secret, self.standin, team_id=demo.TEAM_ID)
        self.renderer = Renderer(self._user_name, self._channel_name, self.style)
        self.seen = self._snapshot()
        self.calls_seen = len(self.standin.calls())
        return server

    # -- the loop ------------------------------------------------------------------------

    def _loop(self) -> None:
        self._banner()
        while not self.done:
            line = self.term.ask(self._prompt())
            if line is None:
                break
            line = line.strip()
            try:
                if line.startswith("/"):
                    self._slash_command(line)
                elif line.startswith(":"):
                    self._shell_command(line)
                elif line:
                    self.say(
                        "Type a slash command such as /sam help, or :help for the shell's "
                        "own commands. (Plain messages are not sent: sambot listens to "
                        "commands and buttons.)"
                    )
            except httpx.HTTPError as exc:
                self.say(self.style.error(f"The app did not answer: {exc}"))
            except Exception as exc:  # one failing line must not end the session
                logger.exception("the shell failed on %r", line)
                self.say(self.style.error(f"That failed: {exc!r} (details in the log above)."))
        self._show_changes()  # anything the app did after the last request
        self.say(self.style.dim("Bye."))

    def _banner(self) -> None:
        url = make_url(self.settings.database_url).render_as_string(hide_password=True)
        lines = [
            self.style.bold("sambot local shell") + ": no Slack workspace needed.",
            "What you type goes, signed, through the real app and its HTTP handler; a local "
            "Slack stand-in receives what the bot posts.",
            f"Database: {url}",
            f"You are @{self.users[self.user]} in #{self.channels[self.channel]}. "
            "Type /sam help, or :help for the shell's own commands; :quit leaves.",
            self.style.dim(
                "To connect a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP), "
                "or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), then `make run`; "
                "see README.md."
            ),
        ]
        for line in lines:
            self.say(line)

    def _prompt(self) -> str:
        where = "dm" if self.channel.startswith("D") else self._channel_label(self.channel)
        when = f"[{self.clock.now():%Y-%m-%d %H:%M}] " if self.clock.moved else ""
        return f"{when}{where} @{self.users[self.user]}> "

    def say(self, line: str = "") -> None:
        self.term.say("│ " * self.depth + line)

    # -- slash commands --------------------------------------------------------------------

    def _slash_command(self, line: str) -> None:
        name, _, text = line.partition(" ")
        command = next((c for c in SLASH_COMMANDS if c.command == name), None)
        if command is None:
            known = ", ".join(c.command for c in SLASH_COMMANDS)
            self.say(f"{name} is not a valid command. sambot's commands: {known}.")
            return
        text = self._as_slack_sends(text.strip(), escape_mentions=command.should_escape)
        self._exchange(
            lambda: self.requests.command(
                command.command, text, user_id=self.user, channel_id=self.channel
            )
        )

    def _as_slack_sends(self, text: str, *, escape_mentions: bool) -> str:
        """Slack escapes &, < and >; with should_escape it also turns @dana into <@UDANA|dana>
        and #acme into <#CACME|acme> (only for people and channels that exist)."""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not escape_mentions:
            return text
        by_handle = {handle: user_id for user_id, handle in self.users.items()}
        by_name = {name: channel_id for channel_id, name in self.channels.items()}

        def link(known: dict[str, str], sigil: str):
            def replace(match: re.Match) -> str:
                # "@dana." ends a sentence: the dot is not part of the name.
                name = match.group(1).rstrip("._-")
                rest = match.group(1)[len(name) :]
                found = known.get(name.lower())
                return f"<{sigil}{found}|{name.lower()}>{rest}" if found else match.group(0)

            return replace

        text = re.sub(r"(?<![\w@])@([a-z0-9][\w.-]*)", link(by_handle, "@"), text, flags=re.I)
        return re.sub(r"(?<![\w#&])#([a-z0-9][\w-]*)", link(by_name, "#"), text, flags=re.I)

    # -- shell commands --------------------------------------------------------------------

    def _shell_command(self, line: str) -> None:
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        handlers: dict[str, Callable[[str], None]] = {
            ":channel": self._switch_channel,
            ":user": self._switch_user,
            ":press": self._press,
            ":run": self._run_job,
            ":time": self._set_time,
            ":users": lambda _: self._list_users(),
            ":channels": lambda _: self._list_channels(),
            ":help": lambda _: self._help(),
            ":quit": self._quit,
            ":exit": self._quit,
            ":q": self._quit,
            ":cancel": lambda _: None,  # Ctrl-C at the prompt
        }
        handler = handlers.get(name)
        if handler is None:
            self.say(f"Unknown shell command {name}. :help lists them.")
            return
        handler(argument)

    def _help(self) -> None:
        self.say("The shell's own commands:")
        width = max(len(usage) for usage, _ in SHELL_HELP)
        for usage, what in SHELL_HELP:
            self.say(f"  {usage.ljust(width)}  {what}")
        self.say(
            "In a form: Enter keeps what is shown in [brackets], - clears an optional "
            "field, :cancel closes it."
        )

    def _quit(self, _argument: str) -> None:
        self.done = True

    def _switch_channel(self, argument: str) -> None:
        if argument.lower() == "dm":
            self.channel = f"D{self.user}"
            self.say(f"You are now in your direct messages with sambot, as @{self._me()}.")
            return
        name = argument.lstrip("#").lower()
        if not HANDLE.match(name):
            self.say("Name a channel: :channel #acme (or :channel dm).")
            return
        channel_id = next((cid for cid, n in self.channels.items() if n == name), None)
        if channel_id is None:
            channel_id = slack_id("C", name)
            self._add_channel(channel_id, name)
            self.say(f"(#{name} is new: created in the local workspace.)")
        self.channel = channel_id
        self.say(f"You are now in #{name}, as @{self._me()}.")

    def _switch_user(self, argument: str) -> None:
        handle = argument.lstrip("@").lower()
        if not HANDLE.match(handle):
            self.say("Name a person: :user @dana.")
            return
        user_id = next((uid for uid, h in self.users.items() if h == handle), None)
        if user_id is None:
            user_id = slack_id("U", handle)
            self._add_user(user_id, handle)
            self.say(f"(@{handle} is new: created in the local workspace.)")
        if self.channel == f"D{self.user}":
            self.channel = f"D{user_id}"
        self.user = user_id
        self.say(f"You are now @{handle}, in {self._channel_label(self.channel)}.")

    def _list_users(self) -> None:
        for user_id, handle in self.users.items():
            person = self.standin.user(user_id) or {}
            self.say(f"  @{handle}  {person.get('real_name', '')}  ({person.get('tz', '')})")

    def _list_channels(self) -> None:
        for name in self.channels.values():
            self.say(f"  #{name}")

    def _set_time(self, argument: str) -> None:
        if argument.lower() == "now":
            self.clock.reset()
        elif argument:
            try:
                self.clock.set(datetime.fromisoformat(argument))
            except ValueError:
                self.say("Give an ISO date and time: :time 2026-12-01T09:00 (or :time now).")
                return
        now = self.clock.now()
        moved = "" if self.clock.moved else " (the real time)"
        self.say(
            f"The shell's clock reads {format_date(now.date())} {now:%H:%M} "
            f"{self.clock.zone.key}{moved}. Commands and jobs see this time; what is "
            "stored keeps real timestamps."
        )

    def _run_job(self, argument: str) -> None:
        from sambot.jobs.runner import JobOptions, jobs, run_job

        if argument not in jobs():
            self.say(f"Run one of: {', '.join(jobs())}.")
            return
        others = self._other_workspaces()
        if others:
            # Jobs run for every workspace: theirs would post to the stand-in, and be recorded
            # as done (or their channels as gone) in a database a real workspace uses.
            self.say(
                self.style.error(
                    f"This database also holds real Slack workspaces ({', '.join(others)}): a job "
                    "run here would record their posts as done. Give the shell its own "
                    "DATABASE_URL to run jobs."
                )
            )
            return
        options = JobOptions.from_settings(self.app_settings, post_rate=0.0)
        summaries = run_job(
            argument, self.database, self.client, at=self.clock.now(), options=options
        )
        self._settle()
        self._show_changes()
        for summary in summaries:
            for line in summary.lines():
                self.say(self.style.dim(line))

    def _other_workspaces(self) -> list[str]:
        from sambot.workspaces.models import Workspace

        with self.database.session() as session:
            return list(
                session.scalars(select(Workspace.team_id).where(Workspace.team_id != demo.TEAM_ID))
            )

    # -- buttons ---------------------------------------------------------------------------

    def _press(self, argument: str) -> None:
        if not argument.isdigit() or int(argument) not in self.pressables:
            self.say("Press a button shown as [N]: :press 1.")
            return
        where = self.pressables[int(argument)]
        message = self._current_message(where)
        if message is None:
            self.say("That message is gone.")
            return
        element = _element_in(message, where.block_id, where.action_id)
        if element is None:
            self.say(f"[{argument}] is no longer shown: the message changed since.")
            return
        selected = None
        if element.get("type") != "button":
            selected = modal.ask_element(element, self)
            if selected is None:
                self.done = True
                return
            if selected in (modal.KEEP, modal.CLEAR, modal.CANCEL):
                self.say("(nothing chosen)")
                return
        self._exchange(
            lambda: self.requests.block_action(
                self.user,
                where.action_id,
                block_id=where.block_id,
                message=message,
                channel_id=where.channel,
                selected=selected,
            )
        )

    def _current_message(self, where: Pressable) -> dict | None:
        if where.ephemeral:
            found = [e for e in self.standin.ephemerals() if e["ts"] == where.ts]
        else:
            found = [m for m in self.standin.messages(where.channel) if m["ts"] == where.ts]
        return found[0] if found else None

    def _numberer(self, channel: str, ts: str, ephemeral: bool):
        def number(element: dict, block_id: str | None) -> int:
            n = len(self.pressables) + 1
            action_id = element.get("action_id", "")
            self.pressables[n] = Pressable(channel, ts, ephemeral, block_id, action_id)
            return n

        return number

    # -- one exchange with the app -----------------------------------------------------------

    def _exchange(self, send: Callable[[], httpx.Response]) -> None:
        """Send one request, show what the app did, and fill the modal it opened, if any."""
        response = send()
        self._settle()
        self._show_answer(response)
        opened, _ = self._show_changes()
        if opened:
            self._fill(opened[-1])

    def _settle(self) -> None:
        """Wait until the app is done: no listener running and no Web API call for
        QUIET_SECONDS; never more than MAX_WAIT_SECONDS (what comes later shows next time)."""
        start = last_change = time.monotonic()
        count = len(self.standin.calls())
        while True:
            now = time.monotonic()
            current = len(self.standin.calls())
            if current != count or self.listeners.busy:
                count, last_change = current, now
            if now - last_change >= QUIET_SECONDS or now - start >= MAX_WAIT_SECONDS:
                return
            time.sleep(0.02)

    def _show_answer(self, response: httpx.Response) -> None:
        """The app's HTTP answer itself: an error status, or a message in the ack."""
        if response.status_code != 200:
            self.say(
                self.style.error(
                    f"(the app answered HTTP {response.status_code}: {response.text[:200]})"
                )
            )
            return
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"text": response.text}
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self._show_message(
                self._ephemeral_label(self.channel, self.user, False),
                body,
                self._numberer(self.channel, "", True),
            )

    # -- what changed in the stand-in ------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        conversations = list(self.channels) + [f"D{user_id}" for user_id in self.users]
        for channel in conversations:
            for message in self.standin.messages(channel):
                snapshot.messages[(channel, message["ts"])] = message
        snapshot.ephemerals = {e["ts"]: e for e in self.standin.ephemerals()}
        snapshot.views = {v["id"]: v for v in self.standin.views() if v["type"] == "modal"}
        return snapshot

    def _show_changes(self) -> tuple[list[dict], list[dict]]:
        """Show new, updated and deleted messages and failed calls since last time;
        return the modals opened and the modals updated, for the caller to handle."""
        now = self._snapshot()
        events: list[tuple[float, Callable[[], None]]] = []
        for (channel, ts), message in now.messages.items():
            old = self.seen.messages.get((channel, ts))
            if old is None or _content(old) != _content(message):
                order = float((message.get("edited") or {}).get("ts") or ts)
                label = self._message_label(channel, updated=old is not None)
                events.append(
                    (
                        order,
                        _bind(
                            self._show_message, label, message, self._numberer(channel, ts, False)
                        ),
                    )
                )
        for channel, ts in self.seen.messages.keys() - now.messages.keys():
            label = self._message_label(channel, updated=False).rstrip(":")
            events.append(
                (float(ts), _bind(self.say, self.style.dim(f"{label}: deleted a message")))
            )
        for ts, ephemeral in now.ephemerals.items():
            old = self.seen.ephemerals.get(ts)
            if old is None or _content(old) != _content(ephemeral):
                label = self._ephemeral_label(
                    ephemeral["channel"], ephemeral["user"], updated=old is not None
                )
                events.append(
                    (
                        float(ts),
                        _bind(
                            self._show_message,
                            label,
                            ephemeral,
                            self._numberer(ephemeral["channel"], ts, True),
                        ),
                    )
                )
        for _, show in sorted(events, key=lambda event: event[0]):
            show()
        self._show_failed_calls()
        opened = [v for view_id, v in now.views.items() if view_id not in self.seen.views]
        updated = [
            v
            for view_id, v in now.views.items()
            if view_id in self.seen.views and v["hash"] != self.seen.views[view_id]["hash"]
        ]
        self.seen = now
        return opened, updated

    def _show_failed_calls(self) -> None:
        calls = self.standin.calls()
        for call in calls[self.calls_seen :]:
            if not call.ok:
                error = call.response.get("error", f"HTTP {call.status}")
                self.say(self.style.dim(f"(Slack answered {call.method}: {error})"))
        self.calls_seen = len(calls)

    def _show_message(self, label: str, message: dict, number) -> None:
        self.say(self.style.label(label))
        for line in self.renderer.message(message, number):
            self.say("  " + line)

    def _message_label(self, channel: str, *, updated: bool) -> str:
        label = (
            f"DM to @{self._user_name(channel[1:])}"
            if channel.startswith("D")
            else f"{self._channel_label(channel)} sambot"
        )
        return label + (" (updated)" if updated else "") + ":"

    def _ephemeral_label(self, channel: str, user: str, updated: bool) -> str:
        who = "only you" if user == self.user else f"only @{self._user_name(user)}"
        if channel != self.channel:
            who += f", in {self._channel_label(channel)}"
        return f"({who}) sambot" + (" (updated)" if updated else "") + ":"

    def _channel_label(self, channel: str) -> str:
        if channel.startswith("D"):
            return f"DM @{self._user_name(channel[1:])}"
        return f"#{self._channel_name(channel)}"

    def _user_name(self, user_id: str) -> str:
        return (self.standin.user(user_id) or {}).get("name") or user_id

    def _channel_name(self, channel_id: str) -> str:
        return (self.standin.channel(channel_id) or {}).get("name") or channel_id

    def _me(self) -> str:
        return self.users[self.user]

    # -- modals (the host side of modal.fill_modal) ------------------------------------------

    def _fill(self, view: dict) -> None:
        if not modal.inputs(view) and not view.get("submit"):
            # An information modal: show it, there is nothing to fill.
            self.say(self.style.bold(f"┌─ {self.renderer.text_object(view.get('title'))}"))
            for line in self.renderer.blocks(view.get("blocks", []), lambda e, b: 0):
                self.say(f"│ {line}")
            self.say("└─")
            return
        if modal.fill_modal(view, self) == modal.Outcome.LEAVE:
            self.done = True

    def ask(self, prompt: str) -> str | None:
        return self.term.ask("│ " * self.depth + prompt)

    def known_users(self) -> dict[str, str]:
        return dict(self.users)

    def known_channels(self) -> dict[str, str]:
        return dict(self.channels)

    def today(self) -> date:
        return today_in(
            (self.standin.user(self.user) or {}).get("tz") or "UTC", now=self.clock.now()
        )

    def dispatch(
        self, view: dict, values: dict, block_id: str, action_id: str, selected: Any
    ) -> dict | None:
        self.requests.block_action(
            self.user,
            action_id,
            block_id=block_id,
            view={**view, "state": {"values": values}},
            selected=selected,
        )
        self._settle()
        _, updated = self._show_changes()
        return next((v for v in updated if v["id"] == view["id"]), None)

    def submit(self, view: dict, values: dict) -> dict:
        response = self.requests.view_submission(view, values, self.user)
        body = response.json() if response.status_code == 200 and response.content else {}
        self._settle()
        if response.status_code != 200:
            self._show_answer(response)
        opened, _ = self._show_changes()
        if opened and body.get("response_action") != "errors":
            self._fill(opened[-1])
        return body

    def press(self, view: dict, values: dict, block_id: str, action_id: str) -> dict | None:
        """A button of the modal being filled, sent with what was typed so far. A view the
        app pushes is filled first, indented; then the modal as the app left it is returned
        (None when the session ends inside the pushed view)."""
        response = self.requests.block_action(
            self.user, action_id, block_id=block_id, view={**view, "state": {"values": values}}
        )
        self._settle()
        self._show_answer(response)
        opened, _ = self._show_changes()
        if opened:
            self.depth += 1
            try:
                self._fill(opened[-1])
            finally:
                self.depth -= 1
            if self.done:
                return None
            title = self.renderer.text_object(view.get("title"))
            self.say(self.style.dim(f"│ (back on {title})"))
        stored = [v for v in self.standin.views() if v["id"] == view.get("id")]
        return stored[0] if stored else view

    def close(self, view: dict) -> None:
        if view.get("notify_on_close"):
            self._exchange(lambda: self.requests.view_closed(view, self.user))


def _bind(function, *args):
    return lambda: function(*args)


def _content(message: dict) -> tuple:
    return message.get("text"), message.get("blocks")


def _element_in(message: dict, block_id: str | None, action_id: str) -> dict | None:
    for block in message.get("blocks") or []:
        if block.get("block_id") != block_id:
            continue
        elements = [*(block.get("elements") or []), block.get("accessory") or {}]
        for element in elements:
            if element.get("action_id") == action_id:
                return element
    return None


def _handle_from_id(slack_id_: str) -> str:
    """UDANA reads @dana; an id the shell did not make reads as itself, lowercased."""
    return slack_id_[1:].lower() if slack_id_[1:].isalpha() else slack_id_.lower()
