"""Events: the App Home tab. Slack retries events, so each event id is handled once."""

import threading
from collections import OrderedDict

from slack_bolt import App, BoltResponse

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.slack import messages
from sambot.slack.context import Sam
from sambot.slack.errors import reported


def register(app: App) -> None:
    app.use(once_per_event_id())
    app.event("app_home_opened")(reported(home_opened))


def once_per_event_id(remember: int = 10_000):
    """Bolt does not de-duplicate Slack's retries; a bounded memory of event ids does."""
    seen: OrderedDict[str, None] = OrderedDict()
    lock = threading.Lock()

    def middleware(body, next):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id:
            with lock:
                if event_id in seen:
                    return BoltResponse(status=200, body="")
                seen[event_id] = None
                if len(seen) > remember:
                    seen.popitem(last=False)
        return next()

    return middleware


def home_opened(event, body, client, sam: Sam):
    if event.get("tab", "home") != "home":
        return
    publish_home(client, sam, team_id=body["team_id"], user_id=event["user"])


def publish_home(client, sam: Sam, *, team_id: str, user_id: str) -> None:
    today = sam.today_for(user_id)
    with sam.session() as session:
        workspace = sam.workspace(session, team_id)
        mine = actions.list_open_for_owner(
            session, workspace_id=workspace.id, owner_id=user_id, today=today, limit=100
        )
        on_team = accounts.accounts_of_member(session, workspace_id=workspace.id, user_id=user_id)
        view = messages.home_view(mine, on_team, today)
    client.views_publish(user_id=user_id, view=view)
