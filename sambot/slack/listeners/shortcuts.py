"""Message shortcuts: any message becomes a touchpoint or an action."""

from slack_bolt import App

from sambot.slack.context import Sam
from sambot.slack.errors import reported
from sambot.slack.ids import Callback
from sambot.slack.listeners.common import action_modal_for, touchpoint_modal_for
from sambot.slack.refs import FormOrigin
from sambot.slack.text import unescape


def register(app: App) -> None:
    app.shortcut(Callback.LOG_AS_TOUCHPOINT)(reported(log_as_touchpoint))
    app.shortcut(Callback.CREATE_ACTION)(reported(create_action))


def log_as_touchpoint(ack, shortcut, client, sam: Sam):
    ack()
    user_id, channel_id = shortcut["user"]["id"], shortcut["channel"]["id"]
    message = shortcut["message"]
    with sam.session() as session:
        workspace = sam.workspace(session, shortcut["team"]["id"])
        account = sam.channel_account(session, workspace, channel_id)
        view = touchpoint_modal_for(
            session,
            sam,
            workspace,
            user_id=user_id,
            account=account,
            prefill={"summary": unescape(message.get("text", ""))},
            origin=FormOrigin(
                channel=channel_id, message_ts=message["ts"], message_link=message_link(shortcut)
            ),
        )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def create_action(ack, shortcut, client, sam: Sam):
    ack()
    user_id, channel_id = shortcut["user"]["id"], shortcut["channel"]["id"]
    first_line = unescape(shortcut["message"].get("text") or "").strip().split("\n", 1)[0]
    with sam.session() as session:
        workspace = sam.workspace(session, shortcut["team"]["id"])
        account = sam.channel_account(session, workspace, channel_id)
        view = action_modal_for(
            session,
            workspace,
            user_id=user_id,
            account=account,
            title=first_line,
            origin=FormOrigin(channel=channel_id, response_url=shortcut.get("response_url")),
        )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def message_link(shortcut: dict) -> str:
    """The message's permalink, built from the payload so no API call delays the modal."""
    domain = shortcut["team"].get("domain") or "app"
    ts = shortcut["message"]["ts"].replace(".", "")
    return f"https://{domain}.slack.com/archives/{shortcut['channel']['id']}/p{ts}"
