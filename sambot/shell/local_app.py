"""sambot's own app, served on loopback against the Slack stand-in, and knowing when it is
done: the path is the production one, from the signed request to the Web API calls."""

import secrets
import time
from collections.abc import Callable
from datetime import datetime

from sambot.config import Settings
from sambot.db import Database
from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn
from sambot.shell import demo

QUIET_SECONDS = 0.15  # the app is done: no listener running, no Web API call for this long
MAX_WAIT_SECONDS = 10.0


class LocalApp:
    """The Bolt app behind its HTTP handler (`BackgroundServer`), its Web API calls going to
    the stand-in, its "now" read from `clock`; `requests` sends it what Slack would."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        standin: SlackStandIn,
        clock: Callable[[], datetime],
    ):
        from sambot.slack.app import build_app
        from sambot.slack.client import build_web_client
        from sambot.slack.server import BackgroundServer

        secret = secrets.token_hex(16)  # only the shell signs requests for this app
        self.settings = settings.model_copy(
            update={
                "slack_bot_token": standin.bot_token,
                "slack_signing_secret": secret,
                "slack_api_url": standin.base_url,
                "sambot_post_rate": 0.0,  # no pacing against the stand-in
            }
        )
        self.standin = standin
        self.client = build_web_client(standin.bot_token, standin.base_url)
        app = build_app(self.settings, database, self.client, clock=clock)
        self.server = BackgroundServer(app, secret).start()
        self.requests = SlackRequests(self.server.url, secret, standin, team_id=demo.TEAM_ID)

    def settle(self) -> None:
        """Wait until the app is done: no listener running and no Web API call for
        QUIET_SECONDS; never more than MAX_WAIT_SECONDS (what comes later shows next time)."""
        start = last_change = time.monotonic()
        count = len(self.standin.calls())
        while True:
            now = time.monotonic()
            current = len(self.standin.calls())
            # The app acks, answers, and goes on after: slow work there (a first date parse,
            # say) can leave the call log quiet for a while before the bot posts.
            if current != count or self.server.workload.ahead:
                count, last_change = current, now
            if now - last_change >= QUIET_SECONDS or now - start >= MAX_WAIT_SECONDS:
                return
            time.sleep(0.02)

    def close(self) -> None:
        self.requests.close()
        self.server.stop()
