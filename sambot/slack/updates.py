"""Showing an action's new state in place, in every message that shows it."""

import logging
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.slack import kept_messages
from sambot.slack.action_blocks import action_block_ids, action_blocks
from sambot.slack.client import responder
from sambot.slack.messages import action_message
from sambot.slack.refs import MessageOrigin

logger = logging.getLogger(__name__)


def replace_action(blocks: list[dict], action: Action, today: date, note: str) -> list[dict]:
    """The message's blocks with this action's blocks swapped for its new state."""
    ids = action_block_ids(action.id)
    fresh = action_blocks(action, today, heading=note)
    result: list[dict] = []
    for block in blocks:
        if block.get("block_id") in ids:
            if fresh:
                result += fresh
                fresh = []
        else:
            result.append(block)
    return result


def origin_of(body: dict) -> MessageOrigin:
    """Where the pressed button was: the Home tab, an ephemeral message (response_url) or a
    posted one."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    if (body.get("view") or {}).get("type") == "home":
        return MessageOrigin(home=True)
    blocks = tuple(message.get("blocks") or ())
    if container.get("is_ephemeral"):
        return MessageOrigin(response_url=body.get("response_url"), blocks=blocks)
    return MessageOrigin(
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        ts=container.get("message_ts") or message.get("ts"),
        blocks=blocks,
    )


def compact_origin(db: Session, origin: MessageOrigin, limit: int = 2800) -> MessageOrigin:
    """The origin for a modal's private metadata; blocks that don't fit are kept in the
    database until the form is submitted (`kept_messages`)."""
    if len(origin.encode()) <= limit:
        return origin
    return origin.model_copy(update={"blocks": (), "stash": kept_messages.keep(db, origin.blocks)})


def full_origin(db: Session, origin: MessageOrigin) -> MessageOrigin:
    """The origin read back from a modal's metadata, with its kept blocks."""
    if origin.stash is None:
        return origin
    blocks = kept_messages.take(db, origin.stash) or ()
    return origin.model_copy(update={"blocks": tuple(blocks), "stash": None})


def show_change(
    client: WebClient,
    *,
    action: Action,
    account: Account,
    today: date,
    note: str,
    origin: MessageOrigin,
    ephemeral_blocks=None,
) -> None:
    """Update the message the change came from, and the action's own message if that is another.

    Slack does not send an ephemeral message's blocks with a click, so an ephemeral origin
    (the `/action list`) is redrawn from `ephemeral_blocks()`.
    """
    blocks = list(origin.blocks)
    if origin.response_url:
        if blocks:
            new_blocks = replace_action(blocks, action, today, note)
        elif ephemeral_blocks is not None:
            new_blocks = ephemeral_blocks()
        else:
            new_blocks = None
        if new_blocks is not None:
            responder(client, origin.response_url)(
                text=f"{action.title}: updated", blocks=new_blocks, replace_original=True
            )
    elif origin.channel and origin.ts:
        touched_own = (origin.channel, origin.ts) == (action.channel_id, action.message_ts)
        if blocks and not touched_own:
            _update(
                client,
                origin.channel,
                origin.ts,
                f"{action.title}: updated",
                replace_action(blocks, action, today, note),
            )
    if action.channel_id and action.message_ts:
        text, own_blocks = action_message(action, account, today, note=note)
        _update(client, action.channel_id, action.message_ts, text, own_blocks)


def _update(client: WebClient, channel: str, ts: str, text: str, blocks: list[dict]) -> None:
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        # The message may have been deleted; the change itself is saved.
        logger.warning("could not update %s/%s: %s", channel, ts, exc.response.get("error"))
