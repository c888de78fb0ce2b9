"""What the bot did in the Slack stand-in, shown as text: new, updated and deleted
messages, ephemerals, the app's own answer to a request, and the Web API calls Slack
refused. Buttons are numbered as they are shown, for `:press N`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sambot.localslack.server import SlackStandIn
from sambot.shell.render import Renderer
from sambot.shell.workspace import LocalWorkspace, Viewer

# Where files the bot uploads (the stakeholder map) are saved for the person to open.


@dataclass
class Pressable:
    """Where a numbered element was shown, to find it again when pressed."""

    channel: str
    ts: str
    ephemeral: bool
    block_id: str | None
    action_id: str
    home_of: str | None = None  # a button of this person's Home tab

    def element_in(self, message: dict) -> dict | None:
        for block in message.get("blocks") or []:
            if block.get("block_id") != self.block_id:
                continue
            elements = [*(block.get("elements") or []), block.get("accessory") or {}]
            for element in elements:
                if element.get("action_id") == self.action_id:
                    return element
        return None


@dataclass
class Snapshot:
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    ephemerals: dict[str, dict] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)


class BotOutput:
    def __init__(
        self,
        standin: SlackStandIn,
        workspace: LocalWorkspace,
        viewer: Viewer,
        renderer: Renderer,
        say: Callable[[str], None],
        uploads: Path = Path("var/uploads"),
    ):
        self.standin, self.workspace, self.viewer = standin, workspace, viewer
        self.uploads = uploads
        self.renderer, self.say = renderer, say
        self.pressables: dict[int, Pressable] = {}
        self.seen = self._snapshot()
        self.calls_seen = len(standin.calls())

    def home_view(self, user_id: str) -> dict | None:
        """The Home tab last published for this person."""
        published = [
            c for c in self.standin.calls("views.publish") if c.ok and c.args["user_id"] == user_id
        ]
        return published[-1].response["view"] if published else None

    def show_home(self, user_id: str) -> None:
        view = self.home_view(user_id)
        if view is None:
            self.say("(no Home tab was published)")
            return
        self.say(self.renderer.style.label(f"Home tab of @{self.workspace.user_name(user_id)}:"))

        def number(element: dict, block_id: str | None) -> int:
            n = len(self.pressables) + 1
            action_id = element.get("action_id", "")
            self.pressables[n] = Pressable("", "", False, block_id, action_id, home_of=user_id)
            return n

        for line in self.renderer.blocks(view.get("blocks", []), number):
            self.say("  " + line)

    def current_message(self, where: Pressable) -> dict | None:
        if where.home_of:
            return self.home_view(where.home_of)
        if where.ephemeral:
            found = [e for e in self.standin.ephemerals() if e["ts"] == where.ts]
        else:
            found = [m for m in self.standin.messages(where.channel) if m["ts"] == where.ts]
        return found[0] if found else None

    def show_answer(self, response: httpx.Response) -> None:
        """The app's HTTP answer itself: an error status, or a message in the ack."""
        if response.status_code != 200:
            self.say(
                self.renderer.style.error(
                    f"(the app answered HTTP {response.status_code}: {response.text[:200]})"
                )
            )
            return
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"text": response.text}
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            channel = self.viewer.channel
            self.show_message(
                self._ephemeral_label(channel, self.viewer.user, updated=False),
                body,
                self._numberer(channel, "", ephemeral=True),
            )

    def show_changes(self) -> tuple[list[dict], list[dict]]:
        """Show new, updated and deleted messages and failed calls since last time;
        return the modals opened and the modals updated, for the caller to handle."""
        now = self._snapshot()
        events: list[tuple[float, Callable[[], None]]] = []
        for (channel, ts), message in now.messages.items():
            old = self.seen.messages.get((channel, ts))
            if old is None or _content(old) != _content(message):
                order = float((message.get("edited") or {}).get("ts") or ts)
                label = self._message_label(channel, updated=old is not None)
                number = self._numberer(channel, ts, ephemeral=False)
                events.append((order, _bind(self.show_message, label, message, number)))
        for channel, ts in self.seen.messages.keys() - now.messages.keys():
            label = self._message_label(channel, updated=False).rstrip(":")
            deleted = self.renderer.style.dim(f"{label}: deleted a message")
            events.append((float(ts), _bind(self.say, deleted)))
        for ts, ephemeral in now.ephemerals.items():
            old = self.seen.ephemerals.get(ts)
            if old is None or _content(old) != _content(ephemeral):
                channel = ephemeral["channel"]
                label = self._ephemeral_label(channel, ephemeral["user"], updated=old is not None)
                number = self._numberer(channel, ts, ephemeral=True)
                events.append((float(ts), _bind(self.show_message, label, ephemeral, number)))
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

    def take_as_seen(self) -> None:
        """What changed is the person's own doing (a file they shared): not shown back."""
        self.seen = self._snapshot()

    def show_message(self, label: str, message: dict, number) -> None:
        self.say(self.renderer.style.label(label))
        for line in self.renderer.message(message, number):
            self.say("  " + line)
        for shared in message.get("files") or []:
            self.say(f"  📎 {shared['title']}: saved as {self.save_upload(shared['id'])}")

    def save_upload(self, file_id: str) -> Path | None:
        """An uploaded file, written where the person can open it (Slack would show it)."""
        for upload in self.standin.uploads():
            if upload["id"] == file_id:
                self.uploads.mkdir(parents=True, exist_ok=True)
                path = self.uploads / Path(upload["filename"]).name
                path.write_bytes(upload["content"])
                return path
        return None

    def _snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        for channel in self.workspace.conversations():
            for message in self.standin.messages(channel):
                snapshot.messages[(channel, message["ts"])] = message
        snapshot.ephemerals = {e["ts"]: e for e in self.standin.ephemerals()}
        snapshot.views = {v["id"]: v for v in self.standin.views() if v["type"] == "modal"}
        return snapshot

    def _show_failed_calls(self) -> None:
        calls = self.standin.calls()
        for call in calls[self.calls_seen :]:
            # The upload of a file's bytes answers 200 with no "ok": not a refusal.
            if not call.ok and (call.status != 200 or "error" in call.response):
                error = call.response.get("error", f"HTTP {call.status}")
                self.say(self.renderer.style.dim(f"(Slack answered {call.method}: {error})"))
        self.calls_seen = len(calls)

    def _numberer(self, channel: str, ts: str, *, ephemeral: bool):
        def number(element: dict, block_id: str | None) -> int:
            n = len(self.pressables) + 1
            action_id = element.get("action_id", "")
            self.pressables[n] = Pressable(channel, ts, ephemeral, block_id, action_id)
            return n

        return number

    def _message_label(self, channel: str, *, updated: bool) -> str:
        label = (
            f"DM to @{self.workspace.user_name(channel[1:])}"
            if channel.startswith("D")
            else f"{self.workspace.channel_label(channel)} sambot"
        )
        return label + (" (updated)" if updated else "") + ":"

    def _ephemeral_label(self, channel: str, user: str, *, updated: bool) -> str:
        who = "only you" if user == self.viewer.user else f"only @{self.workspace.user_name(user)}"
        if channel != self.viewer.channel:
            who += f", in {self.workspace.channel_label(channel)}"
        return f"({who}) sambot" + (" (updated)" if updated else "") + ":"


def _bind(function, *args):
    return lambda: function(*args)


def _content(message: dict) -> tuple:
    return message.get("text"), message.get("blocks")
