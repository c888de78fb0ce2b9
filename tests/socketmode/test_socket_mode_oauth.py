"""Socket Mode with several workspaces: `sambot run` serves the install pages on PORT and
Slack's requests over the websocket, each with its workspace's installed token."""

import re
import socket
import time
from html import unescape

import httpx

from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from sambot.localslack.requests import SocketModeRequests
from tests.slack.conftest import DANA
from tests.socketmode.conftest import START_TIMEOUT, launch


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_install_then_serve_over_socket_mode_with_the_installed_token(db, standin, tmp_path):
    port = free_port()
    process = launch(
        db,
        standin,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        PORT=str(port),
    )
    base = f"http://127.0.0.1:{port}"
    standin.installs.redirect_uri = f"{base}/slack/oauth_redirect"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not standin.socket_mode.open_connections():
            assert process.popen.poll() is None, process.stderr()
            assert time.monotonic() < deadline, process.stderr()
            time.sleep(0.05)
        page = None
        while page is None:
            try:
                page = httpx.get(f"{base}/slack/install")
            except httpx.ConnectError:
                assert time.monotonic() < deadline, process.stderr()
                time.sleep(0.05)
        add = unescape(re.search(r'id="add-to-slack"[^>]*href="([^"]+)"', page.text)[1])
        allow = unescape(re.search(r'id="allow" href="([^"]+)"', httpx.get(add).text)[1])
        back = httpx.get(standin.url + allow)
        cookie = page.headers["set-cookie"].split(";")[0]
        done = httpx.get(back.headers["location"], headers={"cookie": cookie})
        assert "sambot is installed in Local Slack" in done.text

        # Only the installed token can work now.
        standin.installs.revoke(token=standin.bot_token)
        with SocketModeRequests(standin) as requests:
            requests.event({"type": "app_home_opened", "user": DANA, "tab": "home"})
        call = standin.wait_for("views.publish", timeout=10)
        assert call.ok and call.team_id == "T0001"
    finally:
        process.popen.terminate()
        process.popen.wait(timeout=10)
