"""Events: the App Home tab. Slack retries events, so each event id is handled once."""

from slack_bolt import App, BoltResponse

from sambot.accounts import service as accounts
from sambot.slack import seen_events
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.listeners import home, team_follow
from sambot.slack.sharing import channel_shared_with_client


def register(app: App) -> None:
    app.use(once_per_event_id())
    app.event("app_home_opened")(reported(home_opened))
    app.event("channel_shared")(reported(channel_sharing_changed))
    app.event("channel_unshared")(reported(channel_sharing_changed))
    app.event("member_joined_channel")(reported(member_joined))
    app.event("channel_unarchive")(reported(channel_unarchived))


def once_per_event_id():
    """Bolt does not de-duplicate Slack's retries, which may reach another replica: the
    database remembers the event ids (sambot.slack.seen_events)."""

    def middleware(body, context, next):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not seen_events.first_time(context["sam"].database, event_id):
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def home_opened(event, client, interaction: Interaction):
    if event.get("tab", "home") != "home":
        return
    publish_home(client, interaction)


def publish_home(client, interaction: Interaction) -> None:
    home.publish_for(client, interaction.sam, interaction.workspace.id, interaction.user_id)


def channel_sharing_changed(client, interaction: Interaction):
    """Slack Connect started or ended: reports there switch between client and internal."""
    with interaction.sam.session() as session:
        account = interaction.account(session)
        if account is None:
            return
        account_id = account.id
    shared = channel_shared_with_client(client, interaction.channel_id)
    with interaction.sam.session() as session:
        accounts.set_channel_shared_with_client(
            session, workspace_id=interaction.workspace.id, account_id=account_id, shared=shared
        )


def member_joined(event, client, context, interaction: Interaction):
    """The bot invited into an account channel: scheduled posts there resume. Anyone else:
    the account owner is offered to add them to the team."""
    if event.get("user") == context.get("bot_user_id"):
        _channel_back(interaction)
    else:
        team_follow.member_joined(event, client, context, interaction)


def channel_unarchived(interaction: Interaction):
    _channel_back(interaction)


def _channel_back(interaction: Interaction) -> None:
    with interaction.sam.session() as session:
        accounts.channel_back(
            session, workspace_id=interaction.workspace.id, channel_id=interaction.channel_id
        )
