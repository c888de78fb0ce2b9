"""How uvicorn is set up to serve sambot."""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sambot.slack.guard import GuardedHttpProtocol
from sambot.slack.server import _server_config


def test_the_web_server_runs_its_event_loop_on_uvloop():
    # About a tenth less CPU per ack than asyncio's own loop (bench/README.md).
    config = _server_config(object(), host="127.0.0.1", port=3000)
    assert config.get_loop_factory().__module__ == "uvloop"


def test_the_web_server_parses_http_with_httptools_behind_the_head_guards():
    # httptools' C parser: about a quarter less CPU per ack than h11 (bench/README.md).
    config = _server_config(object(), host="127.0.0.1", port=3000)
    assert config.http is GuardedHttpProtocol
    assert issubclass(GuardedHttpProtocol, HttpToolsProtocol)
