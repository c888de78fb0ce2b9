"""How uvicorn is set up to serve sambot."""

from sambot.slack.server import _server_config


def test_the_web_server_runs_its_event_loop_on_uvloop():
    # About a tenth less CPU per ack than asyncio's own loop (bench/README.md).
    config = _server_config(object(), host="127.0.0.1", port=3000)
    assert config.get_loop_factory().__module__ == "uvloop"
