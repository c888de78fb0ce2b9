"""The shell session: typed lines become signed Slack requests to the real app, and what
the bot did in the local Slack stand-in is shown as text.

The app is started by local_app.py, what it did is shown by bot_output.py, the `:` commands
are in commands.py; here are the loop, the slash commands, and the session's side of
filling a modal (modal.Host).
"""

import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from sambot import migrate
from sambot.config import Settings
from sambot.dates import today_in
from sambot.db import Database
from sambot.localslack.server import SlackStandIn
from sambot.shell import commands, demo, modal
from sambot.shell.bot_output import BotOutput
from sambot.shell.clock import Clock
from sambot.shell.local_app import LocalApp
from sambot.shell.render import Renderer, Style
from sambot.shell.terminal import Terminal
from sambot.shell.workspace import LocalWorkspace, Viewer
from sambot.slack.catalog import SLASH_COMMANDS

logger = logging.getLogger("sambot.shell")


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
        self.viewer = Viewer(demo.DANA, "CACME")
        self.done = False
        self.depth = 0  # forms pushed over the form being filled, shown indented

    def _uploads_folder(self) -> Path:
        """Files the bot uploads are saved next to the shell's SQLite database."""
        url = make_url(self.settings.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(url.database).parent / "uploads"
        return Path("var/uploads")

    def run(self, *, load_demo: bool = False) -> int:
        migrate.upgrade(self.settings.database_url)
        self.database = Database(self.settings.database_url)
        try:
            if load_demo or self._offer_demo():
                self._load_demo()
            with SlackStandIn(team_id=demo.TEAM_ID) as standin:
                self.workspace = LocalWorkspace(standin, self.settings.sambot_timezone)
                self.workspace.populate(self.database)
                self.app = LocalApp(self.settings, self.database, standin, self.clock.now)
                try:
                    workspace = self.workspace
                    self.renderer = Renderer(
                        workspace.user_name, workspace.channel_name, self.style
                    )
                    self.output = BotOutput(
                        standin,
                        workspace,
                        self.viewer,
                        self.renderer,
                        self.say,
                        uploads=self._uploads_folder(),
                    )
                    self._loop()
                finally:
                    self.app.close()
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
                    commands.dispatch(self, line)
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
        self.output.show_changes()  # anything the app did after the last request
        self.say(self.style.dim("Bye."))

    def _banner(self) -> None:
        url = make_url(self.settings.database_url).render_as_string(hide_password=True)
        lines = [
            self.style.bold("sambot local shell") + ": no Slack workspace needed.",
            "What you type goes, signed, through the real app and its HTTP handler; a local "
            "Slack stand-in receives what the bot posts.",
            f"Database: {url}",
            f"You are @{self._me()} in {self.workspace.channel_label(self.viewer.channel)}. "
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
        channel = self.viewer.channel
        where = "dm" if self.viewer.in_dm else self.workspace.channel_label(channel)
        when = f"[{self.clock.now():%Y-%m-%d %H:%M}] " if self.clock.moved else ""
        return f"{when}{where} @{self._me()}> "

    def _me(self) -> str:
        return self.workspace.users[self.viewer.user]

    def say(self, line: str = "") -> None:
        self.term.say("│ " * self.depth + line)

    # -- requests to the app ---------------------------------------------------------------

    def _slash_command(self, line: str) -> None:
        name, _, text = line.partition(" ")
        command = next((c for c in SLASH_COMMANDS if c.command == name), None)
        if command is None:
            known = ", ".join(c.command for c in SLASH_COMMANDS)
            self.say(f"{name} is not a valid command. sambot's commands: {known}.")
            return
        text = self.workspace.as_slack_sends(text.strip(), escape_mentions=command.should_escape)
        self.exchange(
            lambda: self.app.requests.command(
                command.command, text, user_id=self.viewer.user, channel_id=self.viewer.channel
            )
        )

    def exchange(self, send: Callable[[], httpx.Response]) -> None:
        """Send one request, show what the app did, and fill the modal it opened, if any."""
        response = send()
        self.app.settle()
        self.output.show_answer(response)
        opened, _ = self.output.show_changes()
        if opened:
            self._fill(opened[-1])

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

    def leaves(self, line: str) -> bool:
        return commands.find(line) is commands.QUIT

    def known_users(self) -> dict[str, str]:
        return dict(self.workspace.users)

    def known_channels(self) -> dict[str, str]:
        return dict(self.workspace.channels)

    def today(self) -> date:
        return today_in(self.workspace.timezone_of(self.viewer.user), now=self.clock.now())

    def dispatch(
        self, view: dict, values: dict, block_id: str, action_id: str, selected: Any
    ) -> dict | None:
        self.app.requests.block_action(
            self.viewer.user,
            action_id,
            block_id=block_id,
            view={**view, "state": {"values": values}},
            selected=selected,
        )
        self.app.settle()
        _, updated = self.output.show_changes()
        return next((v for v in updated if v["id"] == view["id"]), None)

    def submit(self, view: dict, values: dict) -> dict:
        response = self.app.requests.view_submission(view, values, self.viewer.user)
        body = response.json() if response.status_code == 200 and response.content else {}
        self.app.settle()
        if response.status_code != 200:
            self.output.show_answer(response)
        opened, _ = self.output.show_changes()
        if opened and body.get("response_action") != "errors":
            self._fill(opened[-1])
        return body

    def press(self, view: dict, values: dict, block_id: str, action_id: str) -> dict | None:
        """A button of the modal being filled, sent with what was typed so far. A view the
        app pushes is filled first, indented; then the modal as the app left it is returned
        (None when the session ends inside the pushed view)."""
        response = self.app.requests.block_action(
            self.viewer.user,
            action_id,
            block_id=block_id,
            view={**view, "state": {"values": values}},
        )
        self.app.settle()
        self.output.show_answer(response)
        opened, _ = self.output.show_changes()
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
        stored = [v for v in self.app.standin.views() if v["id"] == view.get("id")]
        return stored[0] if stored else view

    def close(self, view: dict) -> None:
        if view.get("notify_on_close"):
            self.exchange(lambda: self.app.requests.view_closed(view, self.viewer.user))
