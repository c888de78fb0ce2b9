"""The Bolt app: one Web API client, the `sam` context, every listener."""

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient

from sambot.config import Settings
from sambot.db import Database, utcnow
from sambot.slack.client import KeptConnections, PooledWebClient, build_web_client
from sambot.slack.context import Sam, context_middleware
from sambot.slack.listeners import register
from sambot.slack.people import People
from sambot.slack.workload import CountingExecutor


def build_app(
    settings: Settings,
    database: Database,
    client: WebClient | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> App:
    # One pool of kept-alive connections for every call to Slack (sambot/slack/client.py).
    pool = getattr(client, "pool", None) or KeptConnections(settings.sambot_slack_connections)
    client = client or build_web_client(
        settings.slack_bot_token,
        settings.slack_api_url,
        timeout=settings.sambot_slack_timeout,
        pool=pool,
    )
    # Several workspaces: each request's client gets its workspace's bot token from the
    # installation store (Bolt's authorize); one workspace: SLACK_BOT_TOKEN, as before.
    store = oauth_flow = None
    if settings.oauth_install:
        from sambot.slack.install import build_oauth_flow, installation_store

        store = installation_store(settings, database)
        oauth_flow = build_oauth_flow(settings, database, store)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        oauth_flow=oauth_flow,
        installation_store=store,
        # Listeners run here after ack(). Their work is mostly Python under one GIL, so a few
        # threads finish a burst sooner than many; the count tells the edge when to shed.
        listener_executor=CountingExecutor(max_workers=4, thread_name_prefix="listener"),
        logger=logging.getLogger("sambot.bolt"),
    )
    sam = Sam(
        database=database,
        settings=settings,
        people=People(
            PooledWebClient(token=client.token, base_url=client.base_url, timeout=2, pool=pool),
            default_timezone=settings.sambot_timezone,
        ),
        clock=clock,
        installations=store,
    )
    app.use(context_middleware(sam, pool))
    register(app)
    return app
