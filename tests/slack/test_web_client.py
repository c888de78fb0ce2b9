"""The Web API client sambot builds: kept-alive connections, slack-sdk's retries kept."""

import http.client
import re
import socket
import threading
import time
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from sambot.localslack import SlackStandIn
from sambot.slack.client import KeptConnections, PooledWebClient, build_web_client
from tests.slack import seed
from tests.slack.conftest import DANA


@pytest.fixture
def standin():
    with SlackStandIn() as standin:
        standin.add_channel("C1", "accounts")
        yield standin


def test_calls_share_kept_alive_connections(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    assert isinstance(client, PooledWebClient)
    for n in range(20):
        client.chat_postMessage(channel="C1", text=f"post {n}")
    assert len(standin.messages("C1")) == 20
    assert standin.connections == 1


def test_a_rate_limit_is_waited_out_and_retried(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    standin.rate_limit("chat.postMessage", retry_after=1, times=1)
    started = time.monotonic()
    client.chat_postMessage(channel="C1", text="hello")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in standin.calls("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in standin.messages("C1")] == ["hello"]


def test_a_server_error_is_retried_and_a_slack_error_raised(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    standin.server_error("chat.postMessage", status=502, times=1)
    client.chat_postMessage(channel="C1", text="after a 502")
    assert [c.status for c in standin.calls("chat.postMessage")] == [502, 200]
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C-missing", text="nowhere")
    assert raised.value.response["error"] == "channel_not_found"


def test_a_server_that_is_gone_is_retried_then_reported(standin):
    client = build_web_client(standin.bot_token, standin.base_url, max_retries=2)
    standin.stop()
    started = time.monotonic()
    with pytest.raises(OSError):
        client.chat_postMessage(channel="C1", text="lost")
    # Two retries, each after slack-sdk's backoff: the failure was retried, not raised at once.
    assert time.monotonic() - started >= 0.5


def test_answers_through_response_urls_keep_their_connections(slack, db):
    seed.acme(db)
    slack.command("/sam", "help")
    slack.ephemeral(DANA, "/sam account new")
    before = slack.standin.connections
    for _ in range(5):
        slack.command("/sam", "accounts")
        slack.in_flight.settle()
    answers = [e for e in slack.standin.ephemerals(DANA) if e["source"] == "response_url"]
    assert len(answers) == 6
    assert slack.standin.connections - before <= 1


def test_listeners_web_api_calls_keep_their_connections(slack, db):
    """Bolt builds a plain WebClient for every request; the listeners' calls still go over
    the shared pool, so a command's views.open does not open a connection of its own."""
    seed.acme(db)
    slack.command("/touchpoint")
    slack.opened_view("touchpoint")
    slack.in_flight.settle()
    before = slack.standin.connections
    for _ in range(5):
        slack.command("/touchpoint")
        slack.in_flight.settle()
    assert len(slack.standin.calls("views.open")) == 6
    assert slack.standin.connections - before <= 1


class OneAnswerEach:
    """A server that answers one request on each connection, then closes it without saying
    so (as a load balancer dropping an idle keep-alive connection does)."""

    def __init__(self, say_close: bool = False, length: int = 11, answer: bytes | None = None):
        self.say_close, self.length = say_close, length  # length: the Content-Length said
        self.answer = answer  # the answer's bytes, when not the usual one
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/auth.test"

    def _serve(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            self.connections += 1
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(4096)
                head, _, body = request.partition(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: *(\d+)", head)
                while length and len(body) < int(length[1]):  # all of it, or close resets
                    body += connection.recv(4096)
                self.requests.append(head + b"\r\n\r\n" + body)
                close = b"Connection: close\r\n" if self.say_close else b""
                connection.sendall(
                    self.answer
                    or b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + close
                    + f"Content-Length: {self.length}\r\n\r\n".encode()
                    + b'{"ok":true}'
                )
                time.sleep(0.05)  # the answer is read before the end of file comes


def test_a_kept_connection_the_server_closed_meanwhile_is_not_used():
    server, pool = OneAnswerEach(), KeptConnections()
    for _ in range(3):
        answer = pool.post(server.url, b"{}", {}, timeout=5)
        assert (answer.status, answer.body) == (200, b'{"ok":true}')
        time.sleep(0.1)  # the server has closed it
    assert server.connections == 3


def test_a_connection_the_server_says_it_closes_is_not_kept():
    server, pool = OneAnswerEach(say_close=True), KeptConnections()
    pool.post(server.url, b"{}", {}, timeout=5)
    pool.post(server.url, b"{}", {}, timeout=5)  # at once: no time to see its end of file
    assert server.connections == 2


def test_at_most_so_many_idle_connections_are_kept(standin):
    pool = KeptConnections(most_idle=2)
    client = build_web_client(standin.bot_token, standin.base_url, pool=pool)
    barrier = threading.Barrier(4)

    def post(n: int) -> None:
        barrier.wait()
        standin_answer = client.chat_postMessage(channel="C1", text=f"post {n}")
        assert standin_answer["ok"]

    standin.answer_late("chat.postMessage", 0.2, times=4)  # all four in flight at once
    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert standin.connections == 4
    assert sum(len(idle) for idle in pool._idle.values()) == 2


def test_an_answer_that_never_comes_is_a_timeout_not_retried(standin):
    client = build_web_client(standin.bot_token, standin.base_url, timeout=0.3)
    standin.answer_late("chat.postMessage", 1.0, times=1)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="late")
    time.sleep(0.8)
    # Slack may have acted: one call, not a second one
    assert len(standin.calls("chat.postMessage")) == 1


def test_an_answer_cut_short_is_not_retried():
    """Slack may have acted (posted the message) before the answer broke off: a retry
    would act twice."""
    server = OneAnswerEach(length=100)  # says 100 bytes, sends 11, then closes
    client = build_web_client("xoxb-test", server.url.removesuffix("auth.test"))
    client.pool = KeptConnections()
    with pytest.raises(http.client.IncompleteRead):
        client.chat_postMessage(channel="C1", text="once")
    time.sleep(0.2)
    assert server.connections == 1


def test_the_request_goes_as_http_client_writes_it():
    server = OneAnswerEach()
    KeptConnections().post(
        server.url + "?a=1", b'{"x":1}', {"Authorization": "Bearer xoxb-1"}, timeout=5
    )
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    port = server.url.split(":")[2].split("/")[0]
    assert lines[0] == b"POST /api/auth.test?a=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}".encode() in lines
    assert b"Authorization: Bearer xoxb-1" in lines
    assert b"Content-Length: 7" in lines
    assert body == b'{"x":1}'


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent():
    server = OneAnswerEach()
    with pytest.raises(ValueError, match="line break"):
        KeptConnections().post(server.url, b"{}", {"X-Note": "a\r\nX-Forged: 1"}, timeout=5)
    time.sleep(0.1)
    assert server.requests == []


@pytest.mark.parametrize(
    ("framing", "kept"),
    [
        # In chunks: the connection stays open for the next call.
        (b'Transfer-Encoding: chunked\r\n\r\n6\r\n{"ok":\r\n5\r\ntrue}\r\n0\r\n\r\n', True),
        # Neither a length nor chunks: the answer ends with its connection.
        (b'Connection: close\r\n\r\n{"ok":true}', False),
    ],
)
def test_an_answer_is_read_whole_however_it_is_framed(framing, kept):
    server = OneAnswerEach(
        answer=b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing
    )
    pool = KeptConnections()
    answer = pool.post(server.url, b"{}", {}, timeout=5)
    assert (answer.status, answer.body, answer.will_close) == (200, b'{"ok":true}', not kept)
    assert sum(len(idle) for idle in pool._idle.values()) == int(kept)


def test_an_answer_is_decoded_with_the_charset_it_names():
    latin = '{"ok":true,"name":"Ren\u00e9e"}'.encode("latin-1")
    server = OneAnswerEach(
        answer=b'HTTP/1.1 200 OK\r\nContent-Type: application/json; Charset="ISO-8859-1"\r\n'
        + f"Content-Length: {len(latin)}\r\n\r\n".encode()
        + latin
    )
    client = build_web_client("xoxb-test", server.url.removesuffix("auth.test"))
    assert client.auth_test()["name"] == "Ren\u00e9e"


def test_a_malformed_answer_is_an_error_not_retried():
    server = OneAnswerEach(answer=b"HTTP/1.1 abc\r\n\r\n")
    client = build_web_client("xoxb-test", server.url.removesuffix("auth.test"))
    with pytest.raises(http.client.HTTPException):
        client.chat_postMessage(channel="C1", text="once")
    time.sleep(0.2)
    assert server.connections == 1


def test_a_failed_tls_handshake_is_raised_as_a_call_never_sent():
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_in_plain_text():
        connection, _ = listener.accept()
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # no TLS here
        connection.close()

    threading.Thread(target=answer_in_plain_text, daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/api/auth.test"
    with pytest.raises(URLError):  # as urlopen raises it: slack-sdk retries those
        KeptConnections().post(url, b"{}", {}, timeout=5)
    listener.close()
