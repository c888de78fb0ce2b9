"""Message shortcuts: any message becomes a touchpoint or an action."""

from slack_bolt import App

from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import Callback
from sambot.slack.listeners.common import (
    action_modal_for,
    open_form,
    touchpoint_modal_for,
)
from sambot.slack.refs import FormOrigin
from sambot.slack.text import unescape


def register(app: App) -> None:
    app.shortcut(Callback.LOG_AS_TOUCHPOINT)(reported(log_as_touchpoint))
    app.shortcut(Callback.CREATE_ACTION)(reported(create_action))


def log_as_touchpoint(ack, shortcut, client, respond, interaction: Interaction):
    ack()
    message = shortcut["message"]
    with interaction.sam.session() as session:
        view = touchpoint_modal_for(
            session,
            interaction,
            account=interaction.account(session),
            prefill={"summary": unescape(message.get("text", ""))},
            origin=FormOrigin(
                channel=interaction.channel_id,
                message_ts=message["ts"],
                message_link=message_link(shortcut),
            ),
        )
    open_form(client, respond, interaction, view)


def create_action(ack, shortcut, client, respond, interaction: Interaction):
    ack()
    first_line = unescape(shortcut["message"].get("text") or "").strip().split("\n", 1)[0]
    with interaction.sam.session() as session:
        view = action_modal_for(
            session,
            interaction,
            account=interaction.account(session),
            title=first_line,
            origin=FormOrigin(
                channel=interaction.channel_id, response_url=shortcut.get("response_url")
            ),
        )
    open_form(client, respond, interaction, view)


def message_link(shortcut: dict) -> str:
    """The message's permalink, built from the payload so no API call delays the modal."""
    domain = shortcut["team"].get("domain") or "app"
    ts = shortcut["message"]["ts"].replace(".", "")
    return f"https://{domain}.slack.com/archives/{shortcut['channel']['id']}/p{ts}"
