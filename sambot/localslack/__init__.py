"""A local stand-in for Slack: its Web API and response_urls over real HTTP
(`SlackStandIn`), and signed requests into the app as Slack sends them (`SlackRequests`).
Socket Mode (`SlackStandIn.socket_mode`, `sambot.localslack.socket_mode`) needs the
`websockets` development dependency, so it is not imported here."""

from sambot.localslack.blockkit import check_message, check_view
from sambot.localslack.requests import SlackRequests, element_state, values_for
from sambot.localslack.server import Call, SlackStandIn

__all__ = [
    "Call",
    "SlackRequests",
    "SlackStandIn",
    "check_message",
    "check_view",
    "element_state",
    "values_for",
]
