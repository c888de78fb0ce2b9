"""What a signed request from Slack must look like before Bolt and the listeners read it.

Bolt indexes payloads without checking their shape (`body["actions"][0]`, `"id" in user`),
so a payload of the wrong shape becomes a 500 deep inside it. Here each kind of request is
checked once, at the edge, for the keys Bolt and the listeners rely on, with their types;
everything else Slack sends passes through untouched. A request that fails is `Malformed`
(400), one whose media type Slack never sends is `Unsupported` (415).

This also parses the body once, the way Slack encodes it, instead of Bolt's guess (Bolt
takes any form body containing the word "payload" for an interaction, so a command whose
text says "payload" would reach no listener).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# The edge adds this to the Bolt context of a request it passes on: the wall-clock time the
# request reached it (a trigger_id's age is at least the time since, sambot.slack.context).
RECEIVED_AT = "sambot_received_at"


class Malformed(ValueError):
    """A signed request that is not a payload Slack sends (bad encoding, JSON, shape or type)."""


class Unsupported(ValueError):
    """A media type Slack never sends to a request URL."""


# Slack's response_url and the like: a URL the listeners will call back.
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]
Id = Annotated[str, Field(min_length=1)]


class _Slack(BaseModel):
    # Slack adds fields over time: keep whatever is not checked here.
    model_config = ConfigDict(extra="allow")


class Ref(_Slack):
    """`{"id": ...}`: a team, user, channel or enterprise given as an object."""

    id: str | None = None


class ResponseUrl(_Slack):
    response_url: Url


class State(_Slack):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class View(_Slack):
    id: str | None = None
    callback_id: str = ""
    private_metadata: str = ""
    state: State | None = None
    team_id: str | None = None
    app_installed_team_id: str | None = None


class Carrier(_Slack):
    """The keys Bolt reads, at any level, to build its context (team, user, channel...)."""

    team: str | Ref | None = None
    team_id: str | None = None
    user: str | Ref | None = None
    user_id: str | None = None
    enterprise: str | Ref | None = None
    enterprise_id: str | None = None
    channel: str | Ref | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    event: Carrier | None = None
    message: Carrier | None = None
    previous_message: Carrier | None = None
    item: Carrier | None = None
    assistant_thread: Carrier | None = None
    authorizations: list[Carrier] | None = None
    view: View | None = None
    response_url: Url | None = None
    response_urls: list[ResponseUrl] | None = None
    function_data: dict[str, Any] | None = None


class SlashCommand(Carrier):
    command: str = Field(pattern=r"^/\S+$")
    text: str = ""
    team_id: Id
    user_id: Id
    channel_id: Id
    trigger_id: Id
    response_url: Url


class Action(_Slack):
    action_id: str
    block_id: str | None = None
    type: str | None = None


class InteractionUser(_Slack):
    id: str
    team_id: str | None = None


class _Interaction(Carrier):
    team: Ref | None = None  # None for org-wide installs: the user's team_id then says
    user: InteractionUser

    @model_validator(mode="after")
    def _names_its_team(self):
        if not ((self.team and self.team.id) or self.user.team_id):
            raise ValueError("no team: neither team.id nor user.team_id")
        return self


class ModalView(View):
    type: str


class BlockActions(_Interaction):
    type: Literal["block_actions"]
    actions: list[Action] = Field(min_length=1)


class ViewSubmission(_Interaction):
    type: Literal["view_submission"]
    view: ModalView


class ViewClosed(_Interaction):
    type: Literal["view_closed"]
    view: ModalView


class GlobalShortcut(_Interaction):
    type: Literal["shortcut"]
    callback_id: str
    trigger_id: str


class MessageShortcut(_Interaction):
    type: Literal["message_action"]
    callback_id: str
    trigger_id: str
    channel: Ref
    message: Carrier


class BlockSuggestion(_Interaction):
    type: Literal["block_suggestion"]
    action_id: str
    value: str = ""


class Event(Carrier):
    type: str


class EventCallback(Carrier):
    type: Literal["event_callback"]
    team_id: str
    event_id: str
    event: Event


class UrlVerification(_Slack):
    type: Literal["url_verification"]
    challenge: str


class AppRateLimited(_Slack):
    type: Literal["app_rate_limited"]
    team_id: str


_interaction = TypeAdapter(
    Annotated[
        BlockActions
        | ViewSubmission
        | ViewClosed
        | GlobalShortcut
        | MessageShortcut
        | BlockSuggestion,
        Field(discriminator="type"),
    ]
)
_events_api = TypeAdapter(
    Annotated[EventCallback | UrlVerification | AppRateLimited, Field(discriminator="type")]
)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def parse(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The payload of a signed request, checked; raises Unsupported or Malformed."""
    media = media_type(content_type)
    if media not in (FORM, JSON):
        raise Unsupported(f"content type {media or 'missing'!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed("the body is not UTF-8") from exc
    if media == JSON:
        return _checked(_events_api, _json_object(text, "body"))
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        return _checked(_interaction, _json_object(form["payload"], "payload"))
    if form.get("ssl_check") == "1":
        return form
    if "command" in form:
        return _checked(SlashCommand, form)
    raise Malformed("a form that is neither a command, an interaction nor an SSL check")


def kind_of(payload: dict[str, Any]) -> str:
    """ "command" for a slash command, else the payload's type (block_actions, event_callback...)."""
    return "command" if "command" in payload else str(payload.get("type", ""))


def check(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A payload Socket Mode delivered already decoded, checked as its HTTP twin would be.

    `kind` is the envelope type: "slash_commands", "interactive" or "events_api".
    """
    schemas = {
        "slash_commands": SlashCommand,
        "interactive": _interaction,
        "events_api": _events_api,
    }
    return _checked(schemas[kind], payload)


def is_ssl_check(body: bytes, content_type: str | None) -> bool:
    """Slack's certificate check: a tiny form that Bolt answers 200 unverified."""
    if media_type(content_type) != FORM or len(body) > 512:
        return False
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return form.get("ssl_check") == "1"


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"the {what} is not JSON") from exc
    if not isinstance(data, dict):
        raise Malformed(f"the {what} is JSON but not an object")
    return data


def _checked(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    validate = schema.model_validate if isinstance(schema, type) else schema.validate_python
    try:
        validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'payload'}: {error['msg']}"
            for error in exc.errors()[:3]
        ]
        raise Malformed("; ".join(problems)) from exc
    return data
