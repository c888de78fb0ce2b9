"""Posting what the team logs where the whole team sees it: the account's channel."""

import logging
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions import service as actions
from sambot.actions.models import Action
from sambot.db import Database
from sambot.slack.client import responder
from sambot.slack.messages import Message, action_message, shared_confirmation, touchpoint_message
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import Touchpoint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    channel_id: str
    ts: str
    in_account_channel: bool


def post_to_account(
    client: WebClient, account: Account, message: Message, *, creator_id: str
) -> Posted:
    """Post in the account's channel; with no usable channel, to the creator by direct message."""
    text, blocks = message
    if account.channel_id and account.channel_unavailable_at is None:
        try:
            return _post(client, account.channel_id, text, blocks, in_account_channel=True)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error != "not_in_channel" or not _join(client, account.channel_id):
                logger.warning("could not post in %s: %s", account.channel_id, error)
                note = f"_(I could not post in <#{account.channel_id}>: `{error}`. Invite me there with `/invite @sambot`.)_"
                return _post(client, creator_id, f"{text}\n{note}", [*blocks, _context(note)])
            return _post(client, account.channel_id, text, blocks, in_account_channel=True)
    note = f"_{account.name} has no linked channel yet: link one with `/sam link {account.name}` in it._"
    return _post(client, creator_id, text, [*blocks, _context(note)])


def share_action(
    client: WebClient,
    database: Database,
    *,
    action: Action,
    account: Account,
    today: date,
    note: str,
    creator_id: str,
) -> Posted:
    """Post a new action with its buttons, and remember where, to update it in place later.

    Called after the action is committed: a Slack call never holds a database transaction.
    """
    message = action_message(action, account, today, note=note)
    posted = post_to_account(client, account, message, creator_id=creator_id)
    with database.session() as session:
        actions.record_message(
            session, action_id=action.id, channel_id=posted.channel_id, message_ts=posted.ts
        )
    return posted


def share_touchpoint(
    client: WebClient,
    database: Database,
    *,
    touchpoint: Touchpoint,
    account: Account,
    creator_id: str,
) -> Posted:
    """Post a touchpoint; one posted before (its details were added) is updated in place."""
    text, blocks = touchpoint_message(touchpoint, account)
    if touchpoint.channel_id and touchpoint.message_ts:
        try:
            client.chat_update(
                channel=touchpoint.channel_id, ts=touchpoint.message_ts, text=text, blocks=blocks
            )
            in_account_channel = touchpoint.channel_id == account.channel_id
            return Posted(touchpoint.channel_id, touchpoint.message_ts, in_account_channel)
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.warning("could not update touchpoint %s: %s", touchpoint.id, error)
    posted = post_to_account(client, account, (text, blocks), creator_id=creator_id)
    with database.session() as session:
        touchpoints.record_message(
            session, touchpoint_id=touchpoint.id, channel_id=posted.channel_id, message_ts=posted.ts
        )
    return posted


def _post(
    client: WebClient,
    channel: str,
    text: str,
    blocks: list[dict],
    *,
    in_account_channel: bool = False,
) -> Posted:
    response = client.chat_postMessage(
        channel=channel, text=text, blocks=blocks, unfurl_links=False
    )
    return Posted(response["channel"], response["ts"], in_account_channel)


def _join(client: WebClient, channel_id: str) -> bool:
    try:
        client.conversations_join(channel=channel_id)
        return True
    except SlackApiError:
        return False


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def permalink(client: WebClient, posted: Posted) -> str | None:
    try:
        return client.chat_getPermalink(channel=posted.channel_id, message_ts=posted.ts)[
            "permalink"
        ]
    except SlackApiError:
        return None


def where(posted: Posted) -> str:
    return f"<#{posted.channel_id}>" if posted.in_account_channel else "your direct messages"


def confirm(
    client: WebClient,
    posted: Posted,
    *,
    what: str,
    origin_channel: str | None,
    user_id: str,
    respond=None,
    response_url: str | None = None,
) -> None:
    """The channel post is the confirmation in that channel; anywhere else, say where it went.

    A modal passes the response_url of the command that opened it: it reaches the user even
    in a channel or DM the bot is not in.
    """
    if origin_channel == posted.channel_id:
        return
    if not posted.in_account_channel and origin_channel is None:
        return  # a direct message to the user is confirmation enough
    text, blocks = shared_confirmation(what, where(posted), permalink(client, posted))
    if respond is None and response_url:
        respond = responder(client, response_url)
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    elif origin_channel:
        try:
            client.chat_postEphemeral(
                channel=origin_channel, user=user_id, text=text, blocks=blocks
            )
        except SlackApiError:
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def channel_shared_with_client(client: WebClient, channel_id: str) -> bool:
    """Whether Slack says the channel is shared with another organisation (Slack Connect)."""
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        logger.warning(
            "conversations.info failed for %s: %s", channel_id, exc.response.get("error")
        )
        return False
    return bool(channel.get("is_ext_shared"))


def note_client_channel(
    client: WebClient, database: Database, *, workspace_id: int, account_id: int, channel_id: str
) -> bool:
    """Remember a shared channel on the account, so scheduled reports there are the client version."""
    shared = channel_shared_with_client(client, channel_id)
    if shared:
        with database.session() as session:
            accounts.set_channel_shared_with_client(
                session, workspace_id=workspace_id, account_id=account_id, shared=True
            )
    return shared


CLIENT_CHANNEL_NOTE = (
    " This channel is shared with the client, so the monthly report posted here is the "
    "client version: only the actions shared with them, no internal notes."
)
