"""One of several web processes (SAMBOT_WEB_PROCESSES): uvicorn's supervisor starts each
afresh and calls `web_app` in it, so each builds its own app from the environment, as
`sambot run` builds its own when it serves alone."""

from sambot.config import load_settings
from sambot.db import Database
from sambot.ops.health import readiness_problem
from sambot.ops.logs import configure_logging
from sambot.slack.app import build_app
from sambot.slack.guard import BodyLimit, Refusals
from sambot.slack.server import build_web_app, settle_for_acks
from sambot.slack.workload import Workload


def web_app() -> BodyLimit:
    settings = load_settings()
    configure_logging(settings.sambot_log_format, secrets=settings.secrets)
    database = Database(settings.database_url)
    app = build_app(settings, database)
    refusals = Refusals()
    web = build_web_app(
        app,
        settings.slack_signing_secret,
        refusals,
        Workload(app),
        readiness=lambda: readiness_problem(database),
    )
    settle_for_acks(refusals)
    return web
