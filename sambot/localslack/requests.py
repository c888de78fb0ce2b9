"""Signed requests into the app, shaped and signed as Slack sends them."""

from __future__ import annotations

import json
import secrets
import time
from datetime import date, datetime
from datetime import time as time_of_day
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from sambot.localslack.server import APP_ID, BOT_ID, SlackStandIn

Signature = Literal["valid", "forged", "none"]
FORM = "application/x-www-form-urlencoded"
# The deprecated verification token Slack still puts in every payload.
VERIFICATION_TOKEN = "localslack-verification-token"

# Element type -> (key of the picked value in state.values, key of its initial value).
_STATE_KEYS = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
    "static_select": ("selected_option", "initial_option"),
    "external_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
    "overflow": ("selected_option", "initial_option"),
    "multi_static_select": ("selected_options", "initial_options"),
    "multi_external_select": ("selected_options", "initial_options"),
    "checkboxes": ("selected_options", "initial_options"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
}
_PLURAL = {key for key, _ in _STATE_KEYS.values() if key.endswith("s")}


def _random_id() -> str:
    # Slack gives blocks and elements without ids random ones.
    return secrets.token_urlsafe(4)


def _option(element: dict[str, Any], picked: Any) -> dict[str, Any]:
    """The option object for a picked value, as the element offers it."""
    if isinstance(picked, dict):
        return picked
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options", [])
    for option in options:
        if option.get("value") == picked:
            return option
    if "external" in element["type"]:  # options came from the app at typing time
        return {"text": {"type": "plain_text", "text": str(picked)}, "value": str(picked)}
    raise ValueError(f"{element.get('action_id')!r} offers no option {picked!r}")


def _convert(key: str, element: dict[str, Any], picked: Any) -> Any:
    if key in ("selected_option", "selected_options"):
        return _option(element, picked)
    if key == "selected_date" and isinstance(picked, date):
        return picked.strftime("%Y-%m-%d")
    if key == "selected_time" and isinstance(picked, time_of_day):
        return picked.strftime("%H:%M")
    if key == "selected_date_time" and isinstance(picked, datetime):
        return int(picked.timestamp())
    if key == "value":
        return str(picked)  # Slack reports number_input values as strings too
    return picked


def element_state(element: dict[str, Any], answer: Any = None) -> dict[str, Any]:
    """An element's entry in `state.values` once the user answered `answer`.

    `answer` is a string, date, option value (or option dict), user/channel id, or a list
    of those for multi-selects and checkboxes; None leaves the element as shown, which is
    its initial value or Slack's empty shape (None, or [] for multi-selects).
    """
    kind = element.get("type", "")
    if kind not in _STATE_KEYS:
        raise ValueError(f"unsupported element type {kind!r}")
    key, initial_key = _STATE_KEYS[kind]
    if answer is None:
        return {"type": kind, key: element.get(initial_key, [] if key in _PLURAL else None)}
    if key in _PLURAL:
        answers = answer if isinstance(answer, list | tuple | set) else [answer]
        return {"type": kind, key: [_convert(key, element, a) for a in answers]}
    return {"type": kind, key: _convert(key, element, answer)}


def values_for(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` as Slack builds it from the user's answers, keyed by block_id."""
    inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
    unknown = set(answers) - {b.get("block_id") for b in inputs}
    if unknown:
        raise ValueError(f"the view has no input blocks {sorted(unknown)}")
    values: dict[str, Any] = {}
    for block in inputs:
        element = block["element"]
        state = element_state(element, answers.get(block.get("block_id", "")))
        values[block.get("block_id") or _random_id()] = {
            element.get("action_id") or _random_id(): state
        }
    return values


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    """(block_id, element) of the element with this action_id, if the blocks have it."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = list(block.get("elements") or [])
        elements += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return block_id, None


class SlackRequests:
    """Sends slash commands, interactions and events to the app at `app_url`, signed.

    Every sending method takes `**options` for `send()`: `signature` ("valid", "forged"
    or "none"), `timestamp_offset` (seconds; -400 makes a stale request), `headers`.
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        team_id: str = "T0001",
        *,
        team_domain: str = "localslack",
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.standin = standin
        self.team_id = team_id
        self.team_domain = team_domain
        self.enterprise_id = enterprise_id  # only Enterprise Grid requests carry one
        # The app is installed org-wide: Slack says so in every payload.
        self.is_enterprise_install = is_enterprise_install
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SlackRequests:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- signing and sending -------------------------------------------------------------

    def signed_headers(
        self, body: str | bytes, *, signature: Signature = "valid", timestamp_offset: int = 0
    ) -> dict[str, str]:
        """`X-Slack-Request-Timestamp` and `X-Slack-Signature` for this body."""
        if signature == "none":
            return {}
        timestamp = str(int(time.time()) + timestamp_offset)
        secret = self.signing_secret if signature == "valid" else f"not-{self.signing_secret}"
        signed = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": str(signed)}

    def send(
        self,
        body: str,
        content_type: str,
        *,
        signature: Signature = "valid",
        timestamp_offset: int = 0,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a raw body to the app, signed as asked."""
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **self.signed_headers(body, signature=signature, timestamp_offset=timestamp_offset),
            **(headers or {}),
        }
        return self._client.post(self.app_url, content=body.encode(), headers=all_headers)

    def _interaction(self, payload: dict[str, Any], **options: Any) -> httpx.Response:
        base = {
            "team": {"id": self.team_id, "domain": self.team_domain},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "enterprise": {"id": self.enterprise_id} if self.enterprise_id else None,
            "is_enterprise_install": self.is_enterprise_install,
        }
        return self._deliver_interaction({**base, **payload}, **options)

    # How payloads reach the app: signed HTTP here; `SocketModeRequests` sends envelopes.

    def _deliver_command(self, form: dict[str, Any], **options: Any) -> Any:
        return self.send(urlencode(form), FORM, **options)

    def _deliver_interaction(self, payload: dict[str, Any], **options: Any) -> Any:
        return self.send(urlencode({"payload": json.dumps(payload)}), FORM, **options)

    def _deliver_event(
        self, body: dict[str, Any], retry_num: int | None, retry_reason: str, **options: Any
    ) -> Any:
        headers = dict(options.pop("headers", None) or {})
        if retry_num is not None:
            headers.update(
                {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
            )
        return self.send(json.dumps(body), "application/json", headers=headers, **options)

    # -- what users do -------------------------------------------------------------------

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str,
        channel_name: str | None = None,
        **options: Any,
    ) -> httpx.Response:
        """A slash command typed in `channel_id`."""
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "channel_id": channel_id,
            "channel_name": channel_name or self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": str(self.is_enterprise_install).lower(),
            "response_url": self.standin.new_response_url(channel_id, user_id, team=self.team_id),
            "trigger_id": self.standin.issue_trigger_id(),
        }
        return self._deliver_command(form, **options)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        selected: Any = None,
        response_url: bool = True,
        **options: Any,
    ) -> httpx.Response:
        """A click or pick on an element of `message` (in `channel_id`) or of `view`.

        The element is looked up by action_id to fill in its type, block_id and button
        text/value; `selected` is what was picked in a select, date picker, etc. A message
        from `standin.ephemerals()` is sent as Slack does ephemeral ones (no `message`).
        """
        source = view if view is not None else message or {}
        found_block, element = _find_element(source.get("blocks", []), action_id, block_id)
        element = element or {"type": "button", "action_id": action_id}
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": found_block or _random_id(),
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            text = element.get("text", {"type": "plain_text", "text": action_id})
            action.update(type="button", text=text)
            if value is not None or "value" in element:
                action["value"] = value if value is not None else element["value"]
        else:
            action.update(element_state(element, selected))
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "trigger_id": self.standin.issue_trigger_id(view.get("id") if view else None),
            "actions": [action],
        }
        if view is not None:
            full = self._view(view, view.get("state", {}).get("values") or values_for(view, {}))
            payload.update(container={"type": "view", "view_id": full["id"]}, view=full)
        elif message is not None:
            if channel_id is None:
                raise ValueError("a message action needs channel_id")
            ephemeral = "source" in message  # the stand-in's ephemeral records carry a source
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel_id,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel_id, "name": self._channel_name(channel_id)}
            payload["state"] = {"values": {}}
            if not ephemeral:
                payload["message"] = message
            if response_url:
                url = self.standin.new_response_url(
                    channel_id, user_id, message["ts"], team=self.team_id
                )
                payload["response_url"] = url
        return self._interaction(payload, **options)

    def view_submission(
        self, view: dict[str, Any], values: dict[str, Any], user_id: str, **options: Any
    ) -> httpx.Response:
        """The user submits `view` with `values` (see `values_for`)."""
        full = self._view(view, values)
        payload = {
            "type": "view_submission",
            "user": self._user(user_id),
            "trigger_id": self.standin.issue_trigger_id(full["id"]),
            "view": full,
            "response_urls": [],
        }
        return self._interaction(payload, **options)

    def view_closed(
        self, view: dict[str, Any], user_id: str, is_cleared: bool = False, **options: Any
    ) -> httpx.Response:
        """The user closes `view` (sent only for views with `notify_on_close`)."""
        payload = {
            "type": "view_closed",
            "user": self._user(user_id),
            "view": self._view(view, view.get("state", {}).get("values", {})),
            "is_cleared": is_cleared,
        }
        return self._interaction(payload, **options)

    def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        channel_id: str,
        user_id: str,
        **options: Any,
    ) -> httpx.Response:
        """The user runs a message shortcut on `message`."""
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "action_ts": f"{time.time():.6f}",
            "user": self._user(user_id),
            "channel": {"id": channel_id, "name": self._channel_name(channel_id)},
            "trigger_id": self.standin.issue_trigger_id(),
            "response_url": self.standin.new_response_url(channel_id, user_id, team=self.team_id),
            "message_ts": message["ts"],
            "message": message,
        }
        return self._interaction(payload, **options)

    def global_shortcut(self, callback_id: str, user_id: str, **options: Any) -> httpx.Response:
        """The user runs a global shortcut (from the shortcuts menu or search)."""
        payload = {
            "type": "shortcut",
            "callback_id": callback_id,
            "action_ts": f"{time.time():.6f}",
            "user": self._user(user_id),
            "trigger_id": self.standin.issue_trigger_id(),
        }
        return self._interaction(payload, **options)

    def block_suggestion(
        self,
        action_id: str,
        value: str,
        user_id: str,
        view: dict[str, Any] | None = None,
        block_id: str | None = None,
        **options: Any,
    ) -> httpx.Response:
        """The user types `value` into an external select; the app answers with options."""
        found_block, _ = _find_element((view or {}).get("blocks", []), action_id, block_id)
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "user": self._user(user_id),
            "action_id": action_id,
            "block_id": found_block or _random_id(),
            "value": value,
            "action_ts": f"{time.time():.6f}",
        }
        if view is not None:
            full = self._view(view, view.get("state", {}).get("values") or values_for(view, {}))
            payload.update(container={"type": "view", "view_id": full["id"]}, view=full)
        return self._interaction(payload, **options)

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **options: Any,
    ) -> httpx.Response:
        """An Events API `event_callback`; `retry_num` sends it as Slack's retries do."""
        body = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    # An org-wide install is authorized for the org, not the workspace.
                    "team_id": None if self.is_enterprise_install else self.team_id,
                    "user_id": self.standin.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        if self.enterprise_id:
            body.update(enterprise_id=self.enterprise_id)
        if self.is_enterprise_install:
            body.update(is_enterprise_install=True)
        return self._deliver_event(body, retry_num, retry_reason, **options)

    # -- payload parts -------------------------------------------------------------------

    def _user(self, user_id: str) -> dict[str, Any]:
        name = (self.standin.user(user_id) or {}).get("name", user_id.lower())
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _channel_name(self, channel_id: str) -> str:
        name = (self.standin.channel(channel_id) or {}).get("name")
        return name or ("directmessage" if channel_id.startswith("D") else channel_id)

    def _view(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The view as Slack sends it back: every field, with the user's state."""
        view_id = view.get("id") or f"V{secrets.token_hex(5).upper()}"
        full = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "hash": secrets.token_hex(8),
            "title": None,
            "close": None,
            "submit": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
            **view,
        }
        full["state"] = {"values": values}
        return full


class SocketModeRequests(SlackRequests):
    """`SlackRequests` over Socket Mode: the same payloads, sent as envelopes on the app's
    websocket. Each method returns the app's ack, `{"envelope_id", "payload"?}`."""

    def __init__(self, standin: SlackStandIn, *, ack_timeout: float = 5.0, **kwargs: Any) -> None:
        super().__init__(standin.socket_mode.url, "", standin, **kwargs)
        self.socket_mode = standin.socket_mode
        self.ack_timeout = ack_timeout

    def _deliver_command(self, form: dict[str, Any], **options: Any) -> dict[str, Any]:
        return self._ack(self.socket_mode.push("slash_commands", form))

    def _deliver_interaction(self, payload: dict[str, Any], **options: Any) -> dict[str, Any]:
        return self._ack(self.socket_mode.push("interactive", payload))

    def _deliver_event(
        self, body: dict[str, Any], retry_num: int | None, retry_reason: str, **options: Any
    ) -> dict[str, Any]:
        envelope_id = self.socket_mode.push(
            "events_api", body, retry_attempt=retry_num, retry_reason=retry_reason
        )
        return self._ack(envelope_id)

    def _ack(self, envelope_id: str) -> dict[str, Any]:
        return self.socket_mode.wait_for_ack(envelope_id, timeout=self.ack_timeout)
