"""A local stand-in for Slack's Web API and response_urls, served over real HTTP.

Tests, benchmarks and the local shell point `WebClient(base_url=standin.base_url)` at it.
It keeps a small workspace (users, channels, messages, views), answers like Slack,
checks Block Kit limits, records every call and injects faults on demand.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import random
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sambot.localslack.blockkit import check_message, check_view, error_code
from sambot.localslack.ids import APP_ID, BOT_ID
from sambot.localslack.oauth import Installs, OAuthError, Team

if TYPE_CHECKING:
    from sambot.localslack.socket_mode import SocketModeServer

PERMALINK_BASE = "https://localslack.example/archives"
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0
# Form-encoded calls carry these as JSON strings; JSON calls carry them as JSON.
_JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")

Args = dict[str, Any]
Predicate = Callable[[Args], bool]


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered (Web API method, or "response_url")."""

    method: str
    args: Args
    status: int
    response: dict[str, Any]
    time: float  # time.monotonic() when answered
    team_id: str | None = None  # the workspace whose token made the call

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


class SlackError(Exception):
    """Answered as `{"ok": false, "error": error, **extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str
    email: str | None
    is_bot: bool
    deleted: bool
    # Workspace admin / owner, as users.info says: tests mark them with `make_admin`.
    is_admin: bool = False
    is_owner: bool = False

    def to_slack(self, team_id: str) -> dict[str, Any]:
        try:
            now = datetime.now(ZoneInfo(self.tz))
            offset, label = int(now.utcoffset().total_seconds()), now.tzname()  # type: ignore[union-attr]
        except (ZoneInfoNotFoundError, ValueError):
            offset, label = 0, "UTC"
        profile = {
            "display_name": self.name,
            "display_name_normalized": self.name,
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "team": team_id,
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_admin": self.is_admin or self.is_owner,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
        }


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    bot_is_member: bool = True
    members: list[str] | None = None  # None: every active human user
    user: str | None = None  # the other person, for a DM
    is_mpim: bool = False
    is_ext_shared: bool = False  # a Slack Connect channel, shared with another organisation
    created: int = field(default_factory=lambda: int(time.time()))

    def to_slack(self) -> dict[str, Any]:
        if self.user:
            return {"id": self.id, "created": self.created, "is_im": True, "user": self.user}
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "created": self.created,
            "is_channel": not self.is_mpim,
            "is_group": False,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
            "is_member": self.bot_is_member,
        }


@dataclass
class _Fault:
    method: str  # or "*" for every method
    status: int
    error: str
    headers: dict[str, str]
    times: int | None  # None: until reset()
    when: Predicate | None
    # Not an error: the call is carried out, and its answer comes this many seconds late.
    delay: float = 0.0


@dataclass
class _ResponseUrl:
    channel: str
    user: str
    message_ts: str | None  # the message replace/delete_original act on
    created: float
    uses: int = 0
    team: str | None = None  # the workspace of the request that carried it


@dataclass
class _File:
    id: str
    filename: str
    length: int
    title: str = ""
    content: bytes = b""
    uploaded: bool = False
    completed: bool = False
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    ts: str | None = None  # the message that shares it
    user: str | None = None  # who shared it: a person (share_file), None for the bot
    created: int = field(default_factory=lambda: int(time.time()))

    def to_slack(self, base_url: str, channel: _Channel | None) -> dict[str, Any]:
        """The file object as files.info and files.list give it."""
        url = f"{base_url}/files-pri/{self.id}/{self.filename}"
        shares: dict[str, Any] = {}
        if channel is not None and self.ts:
            kind = "private" if channel.is_private or channel.user else "public"
            shares[kind] = {channel.id: [{"ts": self.ts, "reply_count": 0}]}
        extension = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": "text/csv" if extension == "csv" else "application/octet-stream",
            "filetype": extension or "binary",
            "user": self.user or "UBOT",
            "size": len(self.content),
            "url_private": url,
            "url_private_download": f"{url}?download=1",
            "channels": [self.channel] if channel is not None and not channel.user else [],
            "ims": [self.channel] if channel is not None and channel.user else [],
            "groups": [],
            "shares": shares,
        }


def _flag(value: Any) -> bool:
    # slack-sdk sends booleans as "1"/"0" in forms and true/false in JSON.
    return value in (True, 1, "1", "true", "True")


def _missing(*names: str) -> SlackError:
    messages = [f"[ERROR] missing required field: {name}" for name in names]
    return SlackError("invalid_arguments", response_metadata={"messages": messages})


def _require(args: Args, *names: str) -> None:
    missing = [name for name in names if not args.get(name)]
    if missing:
        raise _missing(*missing)


def _page(items: list[Any], args: Args, default: int | None) -> tuple[list[Any], str]:
    """Cursor pagination; the cursor is an offset, which clients treat as opaque anyway."""
    try:
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 0) or default or len(items) or 1
    except ValueError:
        raise SlackError("invalid_cursor") from None
    end = start + limit
    return items[start:end], str(end) if end < len(items) else ""


def _parse_args(raw: bytes, content_type: str, query: str) -> Args:
    args: Args = dict(parse_qsl(query, keep_blank_values=True))
    if raw and "json" in content_type:
        body = json.loads(raw)
        if isinstance(body, dict):
            args.update(body)
    elif raw:
        args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_ARGS:
        if isinstance(args.get(key), str):
            # Invalid JSON is left as a string, which the Block Kit checks report.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


class SlackStandIn:
    """Slack's Web API on 127.0.0.1, with a simulated workspace. Thread-safe."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        app_token: str = f"xapp-1-{APP_ID}-1-localslack",
        bot_user_id: str = "UBOT",
        team_id: str = "T0001",
        latency: float | tuple[float, float] = 0.0,
        trigger_ttl: float = 3.0,
        chat_write_public: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.tls = tls  # a server context: answer over HTTPS, as Slack does
        self.app_token = app_token  # the app-level token Socket Mode connects with
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        # Seconds slept before answering each call; (low, high): a random time between.
        self.latency = latency
        self.trigger_ttl = trigger_ttl
        # The bot token's scopes, sent in each answer's x-oauth-scopes header (None: none sent).
        self.scopes: list[str] | None = None
        # With the chat:write.public scope the bot may post in public channels it is not in.
        self.chat_write_public = chat_write_public
        self._lock = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode: SocketModeServer | None = None
        self._ids = itertools.count(1)
        self._last_ts = 0  # microseconds
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        # Workspaces, their bot tokens and the OAuth install (sambot/localslack/oauth.py).
        self.installs = Installs(Team(team_id, "Local Slack"), bot_token)
        self._current_team: str | None = team_id  # the calling token's, under the lock
        self._clear()
        self.add_user(bot_user_id, "sambot", is_bot=True)
        self._methods: dict[str, Callable[[Args], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "apps.connections.open": self._apps_connections_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
            "files.list": self._files_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.list": self._conversations_list,
        }

    def _clear(self) -> None:
        self._calls: list[Call] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        # (workspace, user id) -> Home tab view id: one Home per user in each workspace.
        self._homes: dict[tuple[str | None, str], str] = {}
        self._faults: list[_Fault] = []
        self._violations: list[str] = []
        self._triggers: dict[str, tuple[float, str | None]] = {}  # id -> (issued, view id)
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._files: dict[str, _File] = {}  # file id -> file, from files.getUploadURLExternal

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.standin = self
            if self.tls is not None:
                self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
            self._thread = threading.Thread(
                # A short poll interval makes stop() quick.
                target=self._server.serve_forever,
                args=(0.05,),
                name="localslack",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, once started."""
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (a client that keeps them alive opens few)."""
        return self._server.connections if self._server else 0

    @property
    def base_url(self) -> str:
        """What `WebClient(base_url=...)` takes."""
        return f"{self.url}/api/"

    @property
    def socket_mode(self) -> SocketModeServer:
        """The Socket Mode websocket server, started on first use (it needs `websockets`,
        a development dependency, so nothing else imports it)."""
        with self._lock:
            if self._socket_mode is None:
                from sambot.localslack.socket_mode import SocketModeServer

                self._socket_mode = SocketModeServer(self)
            return self._socket_mode

    # -- workspace set-up ----------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        email: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> None:
        with self._lock:
            self._users[user_id] = _User(
                user_id, name, real_name or name, tz, email, is_bot, deleted, is_admin, is_owner
            )

    def make_admin(self, user_id: str, *, owner: bool = False) -> None:
        """Mark a user a workspace admin (or owner), as users.info then reports."""
        with self._lock:
            user = self._users[user_id]
            user.is_admin, user.is_owner = True, owner

    def add_channel(
        self,
        channel_id: str,
        name: str,
        is_private: bool = False,
        is_archived: bool = False,
        bot_is_member: bool = True,
        members: list[str] | None = None,
        is_ext_shared: bool = False,
    ) -> None:
        """Add or replace a channel; `members=None` means every active human user."""
        with self._lock:
            self._channels[channel_id] = _Channel(
                channel_id,
                name,
                is_private,
                is_archived,
                bot_is_member,
                members,
                is_ext_shared=is_ext_shared,
            )

    def set_member(self, channel_id: str, user_id: str, member: bool) -> None:
        """Someone joins (or leaves) a channel: its member list becomes explicit."""
        with self._lock:
            channel = self._channels[channel_id]
            members = [m for m in self._members(channel) if m != self.bot_user_id]
            members = [m for m in members if m != user_id] + ([user_id] if member else [])
            channel.members = members

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A message written by a person (e.g. the target of a message shortcut)."""
        with self._lock:
            channel_id = self._dm(channel).id if channel in self._users else channel
            if channel_id not in self._channels:
                raise ValueError(f"unknown channel {channel!r}")
            message = {"type": "message", "ts": self._next_ts(), "user": user, "text": text}
            if blocks is not None:
                message["blocks"] = blocks
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._messages.setdefault(channel_id, []).append(message)
            return copy.deepcopy(message)

    def share_file(
        self, channel: str, user: str, filename: str, content: bytes | str, text: str = ""
    ) -> dict[str, Any]:
        """A person shares a file in a channel or DM (a user id: their DM with the bot).
        Returns the `file_shared` event Slack would send."""
        with self._lock:
            message = self.add_message(channel, user, text)
            channel_id = self._dm(channel).id if channel in self._users else channel
            data = content.encode() if isinstance(content, str) else content
            file = _File(self._new_id("F"), filename, len(data), content=data, user=user)
            file.uploaded = file.completed = True
            file.channel, file.ts = channel_id, message["ts"]
            self._files[file.id] = file
            shared = {"id": file.id, "name": filename, "title": filename}
            self._messages[channel_id][-1] = {**message, "files": [shared], "subtype": "file_share"}
            return {
                "type": "file_shared",
                "channel_id": channel_id,
                "file_id": file.id,
                "user_id": user,
                "file": {"id": file.id},
            }

    def file_downloads(self) -> list[dict[str, Any]]:
        """Downloads of url_private: `{"file_id", "authorized"}`, oldest first."""
        with self._lock:
            return [dict(call.args) for call in self._calls if call.method == "file_download"]

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The user as `users.info` returns it."""
        with self._lock:
            user = self._users.get(user_id)
            return user.to_slack(self.team_id) if user else None

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        """The conversation as `conversations.info` returns it."""
        with self._lock:
            channel = self._channels.get(channel_id)
            return channel.to_slack() if channel else None

    def issue_trigger_id(self, view_id: str | None = None) -> str:
        """A fresh trigger id, valid once for `trigger_ttl` seconds (`view_id`: the view the
        interaction came from, which `views.push` stacks onto)."""
        with self._lock:
            trigger_id = f"{next(self._ids)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = (time.monotonic(), view_id)
        return trigger_id

    def new_response_url(
        self, channel: str, user: str, message_ts: str | None = None, team: str | None = None
    ) -> str:
        """A response_url bound to a conversation, a user and optionally a message; its calls
        are recorded as `team`'s (the workspace of the request that carried it)."""
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._response_urls[key] = _ResponseUrl(
                channel, user, message_ts, time.monotonic(), team=team
            )
        return f"{self.url}/response/{key}"

    # -- faults --------------------------------------------------------------------------

    def fail(
        self, method: str, error: str, times: int | None = 1, when: Predicate | None = None
    ) -> None:
        """The next `times` matching calls answer `{"ok": false, "error": error}`.

        `method` may be "*" (any Web API method) or "response_url"; `when` filters on args.
        """
        self._add_fault(_Fault(method, 200, error, {}, times, when))

    def rate_limit(
        self,
        method: str,
        retry_after: int = 1,
        times: int | None = 1,
        when: Predicate | None = None,
    ) -> None:
        """HTTP 429 with `Retry-After`, as Slack answers over a rate limit."""
        headers = {"Retry-After": str(retry_after)}
        self._add_fault(_Fault(method, 429, "ratelimited", headers, times, when))

    def server_error(
        self, method: str, status: int = 500, times: int | None = 1, when: Predicate | None = None
    ) -> None:
        """An HTTP 5xx answer, as Slack gives when it has trouble."""
        self._add_fault(_Fault(method, status, "internal_error", {}, times, when))

    def answer_late(
        self, method: str, delay: float, times: int | None = 1, when: Predicate | None = None
    ) -> None:
        """The next `times` matching calls are carried out, then answered `delay` seconds
        late: a client that gave up before then cannot know the call worked."""
        self._add_fault(_Fault(method, 200, "", {}, times, when, delay))

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, args: Args) -> _Fault | None:
        for fault in self._faults:
            wildcard = fault.method == "*" and method != "response_url"
            if (fault.method == method or wildcard) and (fault.when is None or fault.when(args)):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    # -- records -------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only those to `method`."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages as they are now (after updates and deletes), oldest first.

        A user id stands for the bot's DM with that user.
        """
        with self._lock:
            channel_id = f"D{channel}" if channel in self._users else channel
            return copy.deepcopy(self._messages.get(channel_id, []))

    def last_message(self, channel: str) -> dict[str, Any] | None:
        messages = self.messages(channel)
        return messages[-1] if messages else None

    def ephemerals(self, user: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages shown: `{"channel", "user" (who sees it), "ts", "text",
        "blocks"?, "source"}`, source being "chat.postEphemeral" or "response_url"."""
        with self._lock:
            return copy.deepcopy([e for e in self._ephemerals if user in (None, e["user"])])

    def views(self) -> list[dict[str, Any]]:
        """Every view opened, pushed or published, as it is now."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def uploads(self) -> list[dict[str, Any]]:
        """Files uploaded and completed (files_upload_v2), oldest first: `{"id", "filename",
        "title", "content" (bytes), "channel", "initial_comment", "thread_ts", "ts"}`."""
        with self._lock:
            return [
                {**asdict(f), "content": bytes(f.content)}
                for f in self._files.values()
                if f.completed and f.user is None
            ]

    @property
    def violations(self) -> list[str]:
        """Block Kit problems seen, as `"<method>: <path>: <reason>"`."""
        with self._lock:
            return list(self._violations)

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 5.0,
    ) -> Call:
        """The first recorded call to `method` matching `predicate`, waiting up to `timeout`
        for it (Bolt listeners run in threads, so their calls arrive after the ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for call in self._calls:
                    if call.method == method and predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [call.method for call in self._calls]
                    raise TimeoutError(f"no matching {method} call in {timeout}s; calls: {seen}")
                self._lock.wait(remaining)

    def reset(self, everything: bool = False) -> None:
        """Forget calls, messages, views and faults; users and channels too if `everything`."""
        with self._lock:
            self._clear()
            if everything:
                self._users.clear()
                self._channels.clear()
                self.installs = Installs(Team(self.team_id, "Local Slack"), self.bot_token)
                self.add_user(self.bot_user_id, "sambot", is_bot=True)

    def _record(self, method: str, args: Args, status: int, response: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append(
                Call(method, args, status, response, time.monotonic(), self._current_team)
            )
            self._lock.notify_all()

    # -- request handling ----------------------------------------------------------------

    def _api(
        self, method: str, args: Args, authorization: str | None
    ) -> tuple[int, bytes, dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, extra headers)."""
        if self.latency:
            time.sleep(self._delay())
        token = args.pop("token", None)
        if authorization and authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ")
        delay = 0.0
        with self._lock:
            status, headers = 200, {}
            self._current_team = None
            try:
                fault = self._take_fault(method, args)
                if fault is not None and fault.delay:
                    delay, fault = fault.delay, None
                if fault is not None:
                    status, headers = fault.status, dict(fault.headers)
                    raise SlackError(fault.error)
                if method == "oauth.v2.access":  # the app's credentials, not a token
                    try:
                        body = {"ok": True, **self.installs.access(args, authorization)}
                    except OAuthError as e:
                        raise SlackError(e.error) from None
                else:
                    body = {"ok": True, **self._dispatch(method, token, args)}
                if self.scopes is not None:
                    headers["x-oauth-scopes"] = ",".join(self.scopes)  # as Slack tells them
            except SlackError as e:
                body = {"ok": False, "error": e.error, **e.extra}
            except Exception as e:  # a stand-in or `when` bug: answer and record it
                status, body = 500, {"ok": False, "error": "internal_error", "detail": repr(e)}
            self._record(method, args, status, body)
            # Serialized under the lock: the body shares dicts with the workspace state.
            answer = json.dumps(body).encode()
        if delay:
            time.sleep(delay)
        return status, answer, headers

    def _dispatch(self, method: str, token: str | None, args: Args) -> dict[str, Any]:
        handler = self._methods.get(method)
        if handler is None:
            raise SlackError("unknown_method", req_method=method)
        if not token:
            raise SlackError("not_authed")
        # apps.connections.open takes the app-level token only; every other method a bot's
        # (any installed workspace's).
        if method == "apps.connections.open":
            if token != self.app_token:
                known = self.installs.owner(token) is not None
                raise SlackError("not_allowed_token_type" if known else "invalid_auth")
            return handler(args)
        owner = self.installs.owner(token)
        if owner is None:
            if token in self.installs.revoked:
                raise SlackError("token_revoked")
            raise SlackError(
                "not_allowed_token_type" if token == self.app_token else "invalid_auth"
            )
        self._current_team = owner[0] or owner[1]
        return handler(args)

    def _respond(self, key: str, args: Args) -> tuple[int, str]:
        """Answer a POST to a response_url: (HTTP status, plain-text body)."""
        if self.latency:
            time.sleep(self._delay())
        with self._lock:
            status, error = 200, None
            try:
                fault = self._take_fault("response_url", args)
                if fault is not None:
                    status, error = (404 if fault.status == 200 else fault.status), fault.error
                else:
                    self._use_response_url(key, args)
            except SlackError as e:
                error = e.error
                gone = error in ("used_url", "expired_url", "message_not_found")
                status = 404 if gone else 400
            except Exception as e:  # a stand-in or `when` bug: answer and record it
                status, error = 500, f"internal_error: {e!r}"
            response = {"ok": True} if error is None else {"ok": False, "error": error}
            hook = self._response_urls.get(key)
            self._current_team = hook.team if hook else None
            url = f"{self.url}/response/{key}"
            self._record("response_url", {**args, "response_url": url}, status, response)
            return status, error or "ok"

    # -- helpers -------------------------------------------------------------------------

    def _delay(self) -> float:
        if isinstance(self.latency, tuple):
            return random.uniform(*self.latency)
        return self.latency

    def _next_ts(self) -> str:
        """The clock's time, as Slack's are (history's `oldest` reads them), and unique."""
        with self._lock:
            micros = max(time.time_ns() // 1000, self._last_ts + 1)
            self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _dm(self, user_id: str) -> _Channel:
        channel_id = f"D{user_id}"
        if channel_id not in self._channels:
            self._channels[channel_id] = _Channel(channel_id, "", True, user=user_id)
        return self._channels[channel_id]

    def _conversation(self, channel_id: Any) -> _Channel:
        """A conversation the bot can see."""
        if isinstance(channel_id, str) and channel_id[1:] in self._users and channel_id[0] == "D":
            return self._dm(channel_id[1:])
        channel = self._channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise SlackError("channel_not_found")  # Slack hides private channels from non-members
        return channel

    def _target(self, ref: Any) -> _Channel:
        """Where a post goes: a channel id or #name, a DM id, or a user id (their DM)."""
        if ref in self._users:
            return self._dm(ref)
        if isinstance(ref, str) and ref.startswith("#"):
            names = {c.name: c.id for c in self._channels.values() if not c.user}
            ref = names.get(ref[1:], ref)
        return self._conversation(ref)

    def _check_postable(self, channel: _Channel) -> None:
        if channel.is_archived:
            raise SlackError("is_archived")
        public_ok = self.chat_write_public and not channel.is_private
        if not channel.bot_is_member and not public_ok:
            raise SlackError("not_in_channel")

    def _check_content(self, method: str, content: Args) -> None:
        """Slack's checks on a message's `text`, `blocks` (and `attachments`)."""
        blocks, text = content.get("blocks"), content.get("text")
        if not (text or blocks or content.get("attachments")):
            raise SlackError("no_text")
        errors = check_message(blocks, text)
        if errors:
            self._violations.extend(f"{method}: {error}" for error in errors)
            raise SlackError(error_code(errors, "invalid_blocks"), errors=errors)

    def _check_view(self, method: str, args: Args, kind: str | None = None) -> dict[str, Any]:
        view = args.get("view")
        if not view:
            raise _missing("view")
        errors = check_view(view)
        if kind and isinstance(view, dict) and view.get("type") != kind:
            errors.append(f"view.type: must be {kind} for {method}")
        if errors:
            self._violations.extend(f"{method}: {error}" for error in errors)
            messages = [f"[ERROR] {error}" for error in errors]
            code = error_code(errors, "invalid_arguments")
            raise SlackError(code, response_metadata={"messages": messages})
        return view

    def _members(self, channel: _Channel) -> list[str]:
        if channel.user:
            return [channel.user, self.bot_user_id]
        if channel.members is not None:
            members = list(channel.members)
        else:
            members = [u.id for u in self._users.values() if not (u.is_bot or u.deleted)]
        if channel.bot_is_member and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        return members

    def _find(self, channel_id: str, ts: Any) -> int:
        for i, message in enumerate(self._messages.get(channel_id, [])):
            if message["ts"] == ts:
                return i
        raise SlackError("message_not_found")

    def _bot_message(self, args: Args) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self._current_team or self.team_id,
            "text": args.get("text") or "",
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def _use_trigger(self, args: Args) -> str | None:
        """Spend the trigger id; returns the view it came from, if known."""
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise _missing("trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackError("invalid_trigger_id")
        self._used_triggers.add(trigger_id)
        issued, view_id = self._triggers.get(trigger_id, (time.monotonic(), None))
        if time.monotonic() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        return view_id

    def _store_view(
        self, view: dict[str, Any], view_id: str, root: str | None, previous: str | None
    ) -> dict[str, Any]:
        # The workspace whose token opened it (an org-wide token's: the default one).
        team = self._current_team if self._current_team in self.installs.teams else self.team_id
        stored = {
            "id": view_id,
            "team_id": team,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": secrets.token_hex(8),
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": _flag(view.get("clear_on_close")),
            "notify_on_close": _flag(view.get("notify_on_close")),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": APP_ID,
            "app_installed_team_id": team,
            "bot_id": BOT_ID,
        }
        external_id = stored["external_id"]
        if external_id and any(
            other["external_id"] == external_id and other["id"] != view_id
            for other in self._views.values()
        ):
            raise SlackError("duplicate_external_id")
        self._views[view_id] = stored
        return stored

    def _use_response_url(self, key: str, args: Args) -> None:
        hook = self._response_urls.get(key)
        if hook is None or time.monotonic() - hook.created > RESPONSE_URL_TTL:
            raise SlackError("expired_url")
        if hook.uses >= RESPONSE_URL_USES:
            raise SlackError("used_url")
        hook.uses += 1
        if _flag(args.get("delete_original")):
            self._replace_original(hook, None)
            return
        self._check_content("response_url", args)
        if _flag(args.get("replace_original")) and hook.message_ts:
            content = {"text": args.get("text") or ""}
            if args.get("blocks") is not None:
                content["blocks"] = args["blocks"]
            self._replace_original(hook, content)
        elif args.get("response_type") == "in_channel":
            # Slack posts these even where the bot is not a member.
            self._messages.setdefault(hook.channel, []).append(self._bot_message(args))
        else:
            ts = self._show_ephemeral(hook.channel, hook.user, args, "response_url")
            # Later replace_original/delete_original act on the ephemeral just shown.
            hook.message_ts = hook.message_ts or ts

    def _show_ephemeral(self, channel: str, user: str, args: Args, source: str) -> str:
        ts = self._next_ts()
        ephemeral = {"channel": channel, "user": user, "ts": ts, "text": args.get("text") or ""}
        if args.get("blocks") is not None:
            ephemeral["blocks"] = args["blocks"]
        self._ephemerals.append({**ephemeral, "source": source})
        return ts

    def _replace_original(self, hook: _ResponseUrl, content: dict[str, Any] | None) -> None:
        """Replace (or delete, when `content` is None) the message the url is bound to."""
        for i, ephemeral in enumerate(self._ephemerals):
            if ephemeral["ts"] == hook.message_ts and ephemeral["user"] == hook.user:
                keep = {k: ephemeral[k] for k in ("channel", "user", "ts", "source")}
                if content is None:
                    del self._ephemerals[i]
                else:
                    self._ephemerals[i] = {**keep, **content}
                return
        messages = self._messages.get(hook.channel, [])
        i = self._find(hook.channel, hook.message_ts)
        if content is None:
            del messages[i]
        else:
            old = {k: v for k, v in messages[i].items() if k not in ("text", "blocks")}
            messages[i] = {**old, **content}

    # -- Web API methods -----------------------------------------------------------------

    def _files_get_upload_url(self, args: Args) -> dict[str, Any]:
        _require(args, "filename", "length")
        try:
            length = int(args["length"])
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if length <= 0:
            raise SlackError("invalid_arguments")
        file = _File(self._new_id("F"), args["filename"], length)
        self._files[file.id] = file
        return {"upload_url": f"{self.url}/upload/v1/{file.id}", "file_id": file.id}

    def _receive_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        with self._lock:
            file = self._files.get(file_id)
            if file is None or file.uploaded:
                return 404, "not found"
            file.content, file.uploaded = content, True
            self._record("upload", {"file_id": file_id, "bytes": len(content)}, 200, {"ok": True})
            return 200, f"OK - {len(content)}"

    def _files_complete_upload(self, args: Args) -> dict[str, Any]:
        _require(args, "files")
        items = args["files"]
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        files = [self._files.get(item.get("id", "")) for item in items]
        if any(f is None or not f.uploaded or f.completed for f in files):
            raise SlackError("file_not_found")
        channel = None
        if args.get("channel_id"):
            channel = self._target(args["channel_id"])
            self._check_postable(channel)
        for file, item in zip(files, items, strict=True):
            file.title = item.get("title") or file.filename
            file.completed = True
        shared = [{"id": f.id, "name": f.filename, "title": f.title} for f in files]
        if channel is not None:
            message = self._bot_message({"text": args.get("initial_comment") or ""})
            message["files"] = shared
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self._messages.setdefault(channel.id, []).append(message)
            for file in files:
                file.channel, file.ts = channel.id, message["ts"]
                file.initial_comment = args.get("initial_comment")
                file.thread_ts = args.get("thread_ts")
        return {"files": [{**f, "size": len(self._files[f["id"]].content)} for f in shared]}

    def _visible_file(self, file_id: Any) -> _File:
        """A file the bot can see: its own, or one shared where the bot is."""
        file = self._files.get(file_id) if isinstance(file_id, str) else None
        if file is None or not file.completed:
            raise SlackError("file_not_found")
        if file.user is not None:
            channel = self._channels.get(file.channel or "")
            if channel is None or not (channel.user or channel.bot_is_member):
                raise SlackError("file_not_found")
        return file

    def _files_info(self, args: Args) -> dict[str, Any]:
        _require(args, "file")
        file = self._visible_file(args["file"])
        return {"file": file.to_slack(self.url, self._channels.get(file.channel or ""))}

    def _files_list(self, args: Args) -> dict[str, Any]:
        found = []
        for file in reversed(list(self._files.values())):  # newest first, as Slack lists
            try:
                self._visible_file(file.id)
            except SlackError:
                continue
            if args.get("channel") and file.channel != args["channel"]:
                continue
            if args.get("user") and (file.user or self.bot_user_id) != args["user"]:
                continue
            found.append(file.to_slack(self.url, self._channels.get(file.channel or "")))
        count = int(args.get("count") or 100)
        return {"files": found[:count], "paging": {"count": count, "total": len(found)}}

    def _serve_file(self, path: str, authorization: str | None) -> tuple[int, bytes, str]:
        """GET url_private: the bytes with the bot's token; without it, as Slack does, a
        200 with an HTML sign-in page (a client must check what it got)."""
        file_id = path.split("/", 1)[0]
        with self._lock:
            authorized = authorization == f"Bearer {self.bot_token}"
            file = self._files.get(file_id)
            answer = {"ok": True} if authorized else {"ok": False, "error": "sign-in page"}
            self._record(
                "file_download", {"file_id": file_id, "authorized": authorized}, 200, answer
            )
            if not authorized:
                return (
                    200,
                    b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
                    "text/html",
                )
            if file is None:
                return 404, b"file not found", "text/plain"
            return 200, file.content, "application/octet-stream"

    def _users_lookup_by_email(self, args: Args) -> dict[str, Any]:
        _require(args, "email")
        wanted = str(args["email"]).strip().lower()
        for user in self._users.values():
            if user.email and user.email.lower() == wanted and not user.deleted:
                return {"user": user.to_slack(self.team_id)}
        raise SlackError("users_not_found")

    def _conversations_list(self, args: Args) -> dict[str, Any]:
        wanted = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
        channels = []
        for channel in self._channels.values():
            if channel.user or channel.is_mpim:
                kind = "im" if channel.user else "mpim"
            else:
                kind = "private_channel" if channel.is_private else "public_channel"
            if kind not in wanted or (kind == "private_channel" and not channel.bot_is_member):
                continue
            if _flag(args.get("exclude_archived")) and channel.is_archived:
                continue
            channels.append(channel.to_slack())
        page, cursor = _page(channels, args, default=100)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _apps_connections_open(self, args: Args) -> dict[str, Any]:
        return {"url": self.socket_mode.ticket_url()}

    def _auth_test(self, args: Args) -> dict[str, Any]:
        team = self.installs.teams.get(self._current_team or "")
        enterprise = team.enterprise_id if team else self._current_team
        return {
            "url": "https://localslack.example/",
            "team": team.name if team else "",
            "user": self._users[self.bot_user_id].name,
            "team_id": team.id if team else None,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "enterprise_id": enterprise,
            "is_enterprise_install": team is None,
        }

    def _chat_post_message(self, args: Args) -> dict[str, Any]:
        channel = self._target(args.get("channel"))
        self._check_postable(channel)
        self._check_content("chat.postMessage", args)
        message = self._bot_message(args)
        self._messages.setdefault(channel.id, []).append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, args: Args) -> dict[str, Any]:
        _require(args, "channel", "user")
        channel = self._target(args["channel"])
        self._check_postable(channel)
        user = args["user"]
        if user not in self._users:
            raise SlackError("user_not_found")
        if user not in self._members(channel):
            raise SlackError("user_not_in_channel")
        self._check_content("chat.postEphemeral", args)
        return {"message_ts": self._show_ephemeral(channel.id, user, args, "chat.postEphemeral")}

    def _chat_update(self, args: Args) -> dict[str, Any]:
        _require(args, "channel", "ts")
        channel = self._target(args["channel"])
        if channel.is_archived:
            raise SlackError("is_archived")
        messages = self._messages.get(channel.id, [])
        i = self._find(channel.id, args["ts"])
        if messages[i].get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        # As Slack does, fields left out keep their previous value.
        changes = {k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args}
        updated = {**messages[i], **changes, "edited": {"user": self.bot_user_id}}
        updated["edited"]["ts"] = self._next_ts()
        self._check_content("chat.update", updated)
        messages[i] = updated
        return {
            "channel": channel.id,
            "ts": updated["ts"],
            "text": updated["text"],
            "message": updated,
        }

    def _chat_delete(self, args: Args) -> dict[str, Any]:
        _require(args, "channel", "ts")
        channel = self._target(args["channel"])
        messages = self._messages.get(channel.id, [])
        i = self._find(channel.id, args["ts"])
        if messages[i].get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        del messages[i]
        return {"channel": channel.id, "ts": args["ts"]}

    def _chat_get_permalink(self, args: Args) -> dict[str, Any]:
        _require(args, "channel", "message_ts")
        channel = self._target(args["channel"])
        ts = args["message_ts"]
        self._find(channel.id, ts)
        permalink = f"{PERMALINK_BASE}/{channel.id}/p{ts.replace('.', '')}"
        return {"channel": channel.id, "permalink": permalink}

    def _views_open(self, args: Args) -> dict[str, Any]:
        view = self._check_view("views.open", args)
        self._use_trigger(args)
        view_id = self._new_id("V")
        return {"view": self._store_view(view, view_id, None, None)}

    def _views_push(self, args: Args) -> dict[str, Any]:
        view = self._check_view("views.push", args)
        parent = self._views.get(self._use_trigger(args) or "")
        if parent is None:
            return {"view": self._store_view(view, self._new_id("V"), None, None)}
        depth, node = 1, parent
        while node["previous_view_id"] in self._views:
            depth, node = depth + 1, self._views[node["previous_view_id"]]
        if depth >= 3:  # Slack stacks at most three views
            raise SlackError("push_limit_reached")
        view_id = self._new_id("V")
        return {"view": self._store_view(view, view_id, parent["root_view_id"], parent["id"])}

    def _views_update(self, args: Args) -> dict[str, Any]:
        if not (args.get("view_id") or args.get("external_id")):
            raise _missing("view_id")
        view = self._check_view("views.update", args)
        wanted = args.get("view_id")
        external_id = args.get("external_id")
        old = self._views.get(wanted) if wanted else None
        if old is None and external_id:
            old = next((v for v in self._views.values() if v["external_id"] == external_id), None)
        if old is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != old["hash"]:
            raise SlackError("hash_conflict")
        view = {"external_id": old["external_id"], **view}
        stored = self._store_view(view, old["id"], old["root_view_id"], old["previous_view_id"])
        return {"view": stored}

    def _views_publish(self, args: Args) -> dict[str, Any]:
        _require(args, "user_id")
        view = self._check_view("views.publish", args, kind="home")
        user_id = args["user_id"]
        if user_id not in self._users:
            raise SlackError("user_not_found")
        home = (self._current_team, user_id)
        view_id = self._homes.get(home)
        if view_id and args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        view_id = self._homes.setdefault(home, self._new_id("V"))
        return {"view": self._store_view(view, view_id, None, None)}

    def _users_info(self, args: Args) -> dict[str, Any]:
        user = self._users.get(args.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_slack(self.team_id)}

    def _users_list(self, args: Args) -> dict[str, Any]:
        users = [user.to_slack(self.team_id) for user in self._users.values()]
        members, cursor = _page(users, args, default=None)
        return {
            "members": members,
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_open(self, args: Args) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._conversation(args["channel"])
            return {"channel": {"id": channel.id}, "no_op": True, "already_open": True}
        _require(args, "users")
        users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
        for user in users:
            if user not in self._users:
                raise SlackError("user_not_found")
        if len(users) == 1:
            existed = f"D{users[0]}" in self._channels
            channel = self._dm(users[0])
        else:
            digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:10].upper()
            channel_id = f"G{digest}"
            existed = channel_id in self._channels
            if not existed:
                name = "mpdm-" + "--".join(self._users[u].name for u in users) + "-1"
                self._channels[channel_id] = _Channel(
                    channel_id, name, True, members=[*users, self.bot_user_id], is_mpim=True
                )
            channel = self._channels[channel_id]
        info = channel.to_slack() if _flag(args.get("return_im")) else {"id": channel.id}
        return {"channel": info, "no_op": existed, "already_open": existed}

    def _conversations_join(self, args: Args) -> dict[str, Any]:
        _require(args, "channel")
        channel = self._channels.get(args["channel"])
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.is_private or channel.user:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        if channel.bot_is_member:
            warning = "already_in_channel"
            return {
                "channel": channel.to_slack(),
                "warning": warning,
                "response_metadata": {"warnings": [warning]},
            }
        channel.bot_is_member = True
        return {"channel": channel.to_slack()}

    def _conversations_info(self, args: Args) -> dict[str, Any]:
        _require(args, "channel")
        return {"channel": self._conversation(args["channel"]).to_slack()}

    def _conversations_members(self, args: Args) -> dict[str, Any]:
        _require(args, "channel")
        members = self._members(self._conversation(args["channel"]))
        page, cursor = _page(members, args, default=100)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_history(self, args: Args) -> dict[str, Any]:
        """Newest first, between `oldest` and `latest`; a message's `metadata` only with
        `include_all_metadata`, as Slack does."""
        _require(args, "channel")
        channel = self._conversation(args["channel"])
        if not (channel.bot_is_member or channel.user):
            raise SlackError("not_in_channel")
        try:
            oldest = float(args.get("oldest") or 0)
            latest = float(args.get("latest") or "inf")
        except ValueError:
            raise SlackError("invalid_arguments") from None
        inclusive = _flag(args.get("inclusive"))
        metadata = _flag(args.get("include_all_metadata"))
        found = []
        for message in reversed(self._messages.get(channel.id, [])):
            ts = float(message["ts"])
            inside = oldest <= ts <= latest if inclusive else oldest < ts < latest
            if inside:
                shown = dict(message)
                if not metadata:
                    shown.pop("metadata", None)
                found.append(shown)
        page, cursor = _page(found, args, default=100)
        return {
            "messages": page,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections under concurrent load (1 s SYN retries).
    request_queue_size = 128
    standin: SlackStandIn
    connections = 0  # accepted, so that tests can see clients keep theirs alive

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for clients that reuse connections
    # Headers and body leave in one write, as from Slack's own servers: unbuffered, they
    # went in two, and a kept-alive client woke for each (and without TCP_NODELAY waited
    # on its delayed ACK for the second, about 10 ms a call).
    wbufsize = 256 * 1024
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        standin = self.server.standin
        if url.path.startswith("/files-pri/"):
            status, content, kind = standin._serve_file(
                url.path.removeprefix("/files-pri/"), self.headers.get("Authorization")
            )
            self._send(status, content, kind)
            return
        if url.path.startswith("/upload/v1/"):
            # files_upload_v2's second step: the file's bytes, as they are, to its URL.
            status, text = standin._receive_upload(url.path.removeprefix("/upload/v1/"), raw)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
            return
        try:
            args = _parse_args(raw, self.headers.get("Content-Type", ""), url.query)
        except ValueError:
            self._send(400, b'{"ok": false, "error": "invalid_json"}', "application/json")
            return
        if url.path in ("/oauth/v2/authorize", "/oauth/v2/authorize/decide"):
            # Slack's pages a browser sees when installing an app.
            with standin._lock:
                if url.path.endswith("/decide"):
                    status, html, headers = standin.installs.decide(url.query)
                else:
                    status, html, headers = standin.installs.authorize_page(url.query)
            self._send(status, html.encode(), "text/html; charset=utf-8", headers)
        elif url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
            status, body, headers = standin._api(method, args, self.headers.get("Authorization"))
            self._send(status, body, "application/json; charset=utf-8", headers)
        elif url.path.startswith("/response/"):
            status, text = standin._respond(url.path.removeprefix("/response/"), args)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    do_GET = do_POST

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # A client that gave up waiting (a timeout test) has closed its end.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet; calls are recorded instead
