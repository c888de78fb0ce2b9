"""The public endpoint under hostile traffic, over real HTTP: junk is refused cheaply and quietly.

Unsigned, forged or stale requests get 401 before anything is parsed; oversized bodies 413
before they are read; signed payloads of the wrong shape 400 with a reference code; slow
clients are cut off. Nothing here may end in a 5xx or a traceback in the log.
"""

import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.localslack.requests import FORM, values_for
from sambot.slack.guard import (
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    BodyLimit,
    GuardedHttpProtocol,
    Refusals,
)
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE, SIGNING_SECRET

JSON = "application/json"


@pytest.fixture
def log(caplog):
    """Every record of the app and of uvicorn (whose loggers do not reach the root)."""
    caplog.set_level(logging.INFO)
    uvicorn_logger = logging.getLogger("uvicorn")
    uvicorn_logger.addHandler(caplog.handler)
    yield caplog
    uvicorn_logger.removeHandler(caplog.handler)


def assert_no_traceback(log):
    for record in log.records:
        assert record.exc_info is None, f"traceback logged: {record.getMessage()}"
        assert "Traceback" not in record.getMessage()


def post(slack, body: bytes, content_type: str | None = FORM, *, signed: bool, **headers):
    all_headers = {**headers}
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    if signed:
        all_headers.update(signature_headers(body))
    return httpx.post(slack.url, content=body, headers=all_headers, timeout=10)


def signature_headers(body: bytes, secret: str = SIGNING_SECRET, at: float | None = None):
    """Slack's signature over the raw bytes, computed by hand so any bytes can be signed."""
    timestamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


JUNK = [
    (b"payload=notjson", FORM),
    (b"payload=%7B", FORM),
    (b"{", JSON),
    (b"[1,2", JSON),
    (b"\xff\xfe\x00not utf-8\xc3\x28", FORM),
    (b"", FORM),
    (b"command=%2Fsam&text=help", "text/plain"),
]


@pytest.mark.parametrize(("body", "content_type"), JUNK)
def test_unsigned_junk_gets_401_and_no_traceback(slack, log, body, content_type):
    response = post(slack, body, content_type, signed=False)
    assert response.status_code == 401
    assert_no_traceback(log)
    assert [c.method for c in slack.standin.calls() if c.method != "auth.test"] == []


def test_forged_stale_and_garbled_signatures_get_401(slack, log):
    body = b"command=%2Fsam&text=help"
    forged = signature_headers(body, secret="not-the-secret")
    stale = signature_headers(body, at=time.time() - 301)
    garbled = {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00"}
    for headers in (forged, stale, garbled):
        response = httpx.post(slack.url, content=body, headers={"Content-Type": FORM, **headers})
        assert response.status_code == 401
    assert_no_traceback(log)


def test_repeated_junk_is_summarised_not_logged_line_by_line(slack, log):
    for _ in range(40):
        assert post(slack, b"payload=notjson", signed=False).status_code == 401
    lines = [r for r in log.records if r.name == "sambot.http"]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].getMessage() == "refused requests: 1 401 unsigned"


def test_refusals_log_a_summary_per_period():
    now = [0.0]
    refusals = Refusals(every=60, clock=lambda: now[0])
    logged = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())
    logger = logging.getLogger("sambot.http")
    logger.addHandler(handler)
    try:
        refusals.record("401 unsigned")  # the first one is logged at once
        for _ in range(5):
            now[0] += 10
            refusals.record("401 unsigned")
        refusals.record("413 request body too large")
        now[0] = 60.0
        refusals.record("401 bad signature")  # a period later: the summary of all since
    finally:
        logger.removeHandler(handler)
    assert logged == [
        "refused requests: 1 401 unsigned",
        "refused requests: 5 401 unsigned, 1 413 request body too large, 1 401 bad signature",
    ]


SIGNED_MALFORMED = [
    (b"payload=notjson", FORM, "payload is not JSON"),
    (b"payload=%7B", FORM, "payload is not JSON"),
    (b"payload=%5B1%2C2%5D", FORM, "payload is JSON but not an object"),
    (b"{", JSON, "body is not JSON"),
    (b"[1,2]", JSON, "body is JSON but not an object"),
    (b"", FORM, "neither a command"),
    (b"text=hello", FORM, "neither a command"),
    (b"command=%2Fsam&text=help", FORM, "team_id"),  # missing fields
    (
        urlencode(
            {"command": "/sam", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
            | {"trigger_id": "1.2", "response_url": ""}
        ).encode(),
        FORM,
        "response_url",
    ),
    (urlencode({"payload": json.dumps({"type": "dialog_submission"})}).encode(), FORM, "type"),
    (
        urlencode(
            {"payload": json.dumps({"type": "block_actions", "user": {"id": "U1"}})}
        ).encode(),
        FORM,
        "actions",
    ),
    (
        urlencode(
            {"payload": json.dumps({"type": "block_actions", "user": 7, "actions": [{}]})}
        ).encode(),
        FORM,
        "user",
    ),
    (
        urlencode(
            {
                "payload": json.dumps(
                    {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]}
                )
            }
        ).encode(),
        FORM,
        "no team",
    ),
    (
        urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "view_submission",
                        "team": {"id": "T1"},
                        "user": {"id": "U1"},
                        "view": {"id": "V1"},
                    }
                )
            }
        ).encode(),
        FORM,
        "view.type",
    ),
    (json.dumps({"type": "event_callback", "team_id": "T0001"}).encode(), JSON, "event_id"),
    (json.dumps({"type": "mystery"}).encode(), JSON, "type"),
]


@pytest.mark.parametrize(("body", "content_type", "reason"), SIGNED_MALFORMED)
def test_signed_but_malformed_gets_400_with_a_reference(slack, log, body, content_type, reason):
    response = post(slack, body, content_type, signed=True)
    assert response.status_code == 400
    code = re.fullmatch(r"malformed request \(ref ([0-9A-F]{6})\)", response.text).group(1)
    lines = [r.getMessage() for r in log.records if f"[ref {code}]" in r.getMessage()]
    assert len(lines) == 1 and reason in lines[0], lines
    assert_no_traceback(log)


def test_a_body_that_is_not_utf8_cannot_carry_a_valid_signature(slack, log):
    # Slack signs text; slack-sdk's verifier reads the body as UTF-8 and refuses the rest.
    assert post(slack, b"command=\xff\xfe", signed=True).status_code == 401
    assert_no_traceback(log)


def test_a_signed_request_of_a_type_slack_never_sends_gets_415(slack, log):
    response = post(slack, b"command=%2Fsam", "text/plain", signed=True)
    assert response.status_code == 415
    assert post(slack, b"command=%2Fsam", None, signed=True).status_code == 415
    assert_no_traceback(log)


def test_ssl_check_is_answered_without_a_signature(slack):
    response = post(slack, b"ssl_check=1&token=abc", signed=False)
    assert (response.status_code, response.text) == (200, "")


def test_a_command_whose_text_says_payload_reaches_its_listener(slack, db):
    # Bolt's own parser takes any form containing "payload" for an interaction.
    seed.acme(db)
    assert slack.command("/action", "Send the payload spec by tomorrow").status_code == 200
    slack.channel_message(ACME_CHANNEL, "Send the payload spec")


def test_other_routes_follow_the_same_rules(slack, log):
    base = slack.url.removesuffix("/slack/events")
    assert httpx.post(f"{base}/healthz", content=b"x").status_code == 405
    assert httpx.get(f"{base}/nowhere").status_code == 404
    status, _ = raw_request(slack.url, "GET", "/healthz", content_length=MAX_BODY_BYTES + 1)
    assert status == 413
    assert httpx.get(f"{base}/healthz").json() == {"ok": True}
    assert_no_traceback(log)


# -- size and time limits, over raw sockets ---------------------------------------------


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def read_status(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed before a status line: {head!r}")
        head += chunk
    return int(head.split(b" ", 2)[1])


class Responses:
    """Whole responses read one after another off a kept-alive connection."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def status(self) -> int:
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        length = re.search(rb"(?im)^content-length: *(\d+)", head)
        assert length, f"a response without Content-Length: {head!r}"
        while len(self.buffer) < int(length[1]):
            self._read()
        self.buffer = self.buffer[int(length[1]) :]
        return int(head.split(b" ", 2)[1])

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole response: {self.buffer!r}")
        self.buffer += chunk


def raw_request(url, method, path, *, content_length=None, chunks=(), extra=b""):
    """Send a request head (and maybe chunked body) by hand; return (status, seconds)."""
    started = time.monotonic()
    with socket.create_connection(address(url), timeout=10) as sock:
        head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {FORM}\r\n"
        if content_length is not None:
            head += f"Content-Length: {content_length}\r\n"
        if chunks:
            head += "Transfer-Encoding: chunked\r\n"
        sock.sendall(head.encode() + extra + b"\r\n")
        try:
            for chunk in chunks:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read what it said
        return read_status(sock), time.monotonic() - started


def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_sent(slack, log):
    # No body byte is ever sent: the answer cannot wait for it.
    status, _ = raw_request(slack.url, "POST", "/slack/events", content_length=64 * 2**20)
    assert status == 413
    assert_no_traceback(log)


def test_a_chunked_body_is_read_only_up_to_the_limit(slack, log):
    sent = []

    def chunks():
        for _ in range(64):  # 64 MiB offered, 1 MiB at a time
            sent.append(1)
            yield b"x" * 2**20

    status, _ = raw_request(slack.url, "POST", "/slack/events", chunks=chunks())
    assert status == 413
    assert len(sent) < 64, "the whole body was read"
    assert_no_traceback(log)


def test_a_body_up_to_the_limit_is_accepted(slack, db):
    seed.acme(db)
    form = {"command": "/sam", "text": "help", "team_id": "T0001", "user_id": DANA}
    form |= {"channel_id": ACME_CHANNEL, "trigger_id": "1.2.3"}
    form["response_url"] = slack.standin.new_response_url(ACME_CHANNEL, DANA)
    body = urlencode(form).encode()
    body += b"&padding=" + b"p" * (MAX_BODY_BYTES - len(body) - len(b"&padding="))
    assert len(body) == MAX_BODY_BYTES
    assert post(slack, body, signed=True).status_code == 200
    assert post(slack, body + b"p", signed=True).status_code == 413


def test_a_huge_header_gets_400_without_a_traceback(slack, log):
    status, _ = raw_request(slack.url, "POST", "/slack/events", extra=b"X-Big: " + b"a" * 20_000)
    assert status == 400
    assert_no_traceback(log)
    assert not [r for r in log.records if "Invalid HTTP request" in r.getMessage()], (
        "uvicorn's line per bad request is summarised instead"
    )


def head_of(size: int) -> bytes:
    """A GET /healthz head of exactly `size` bytes, most of them in one header."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: \r\n\r\n"
    return head.replace(b"X-Padding: ", b"X-Padding: " + b"p" * (size - len(head)))


def send_in_pieces(sock: socket.socket, data: bytes, piece: int, pause: float = 0.002) -> None:
    """Each piece its own write, so that the server reads the head in many chunks."""
    try:
        for start in range(0, len(data), piece):
            sock.sendall(data[start : start + piece])
            time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: read what it said


@pytest.mark.parametrize("piece", [None, 512], ids=["one write", "many writes"])
@pytest.mark.parametrize(("size", "status"), [(15 * 1024, 200), (17 * 1024, 400)])
def test_a_request_head_over_16_kb_gets_400(slack, log, size, status, piece):
    assert MAX_HEAD_BYTES == 16 * 1024
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        send_in_pieces(sock, head_of(size), piece or size)
        assert read_status(sock) == status
        if status == 400:
            assert closed_by_server(sock, within=2)
    assert_no_traceback(log)
    assert not [r for r in log.records if "Invalid HTTP request" in r.getMessage()]


def test_a_head_growing_past_16_kb_is_refused_before_it_ends(short_timeouts, slack, log):
    # The head never ends: only its byte count, not its parse, can refuse it (in time).
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"p" * MAX_HEAD_BYTES
        send_in_pieces(sock, head, 1024, pause=0.005)
        assert read_status(sock) == 400
        assert closed_by_server(sock, within=2)
    assert_no_traceback(log)


@pytest.fixture
def short_timeouts(monkeypatch):
    monkeypatch.setattr(GuardedHttpProtocol, "head_timeout", 0.5)
    monkeypatch.setattr(BodyLimit, "timeout", 0.5)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:  # closed with bytes of ours still unread
        return True


def test_a_body_never_finished_gets_408(short_timeouts, slack, log):
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        head = "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
        sock.sendall(head.encode() + b"0123456789")
        assert read_status(sock) == 408
        assert closed_by_server(sock, within=2)
    assert_no_traceback(log)


def trickle(sock: socket.socket, data: bytes, every: float) -> tuple[float, bytes]:
    """Send `data` a byte at a time until the server closes: how long it took, and what the
    server said."""
    started = time.monotonic()
    try:
        for byte in data:
            sock.sendall(bytes([byte]))
            time.sleep(every)
    except (BrokenPipeError, ConnectionResetError):
        pass
    said = b""
    sock.settimeout(2)
    try:
        while chunk := sock.recv(4096):
            said += chunk
    except TimeoutError:
        pytest.fail("a trickled head kept its connection")
    except ConnectionResetError:
        pass
    return time.monotonic() - started, said


# A head never finished, at one byte every 0.05 s: 3 s of it, against a deadline of 0.5 s.
ENDLESS_HEAD = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: ".ljust(60, b"s")


def test_a_trickled_head_is_cut_off(short_timeouts, slack):
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        lasted, said = trickle(sock, ENDLESS_HEAD, every=0.05)
    assert said == b"", "nothing is answered"
    assert 0.5 <= lasted < 2.5


def test_a_kept_alive_connection_gets_the_same_deadline_for_each_head(short_timeouts, slack):
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        responses = Responses(sock)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert responses.status() == 200
        time.sleep(0.3)  # within the deadline: a second request is served
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert responses.status() == 200
        # The third head never ends: uvicorn's idle timeout stops at its first byte.
        lasted, said = trickle(sock, ENDLESS_HEAD, every=0.05)
    assert said == b""
    assert 0.5 <= lasted < 2.5


def test_pipelined_requests_in_one_write_are_all_answered(slack):
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
        responses = Responses(sock)
        assert [responses.status(), responses.status()] == [200, 200]


def test_a_head_after_a_large_body_in_the_same_read_is_not_counted_with_it(slack):
    # A 20 kB body, then the start of the next head, in one write: only the head's own
    # bytes count towards its 16 kB.
    body = b"x" * 20_000
    post = f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        sock.sendall(post.encode() + body + b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.2)
        sock.sendall(b"\r\n")
        responses = Responses(sock)
        assert [responses.status(), responses.status()] == [401, 200]


@pytest.mark.parametrize("pipelined", [False, True], ids=["alone", "pipelined"])
def test_the_head_deadline_ends_with_the_head(monkeypatch, slack, pipelined):
    # The head is complete at once, the body comes after the head deadline: the body's own
    # deadline (10 s) applies, not the head's, also for a request queued behind another.
    monkeypatch.setattr(GuardedHttpProtocol, "head_timeout", 0.5)
    post = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n"
    first = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" if pipelined else b""
    with socket.create_connection(address(slack.url), timeout=5) as sock:
        sock.sendall(first + post)
        time.sleep(1)
        sock.sendall(b"{}")
        responses = Responses(sock)
        statuses = [responses.status() for _ in range(1 + pipelined)]
    assert statuses == [200, 401] if pipelined else [401]


def test_idle_connections_neither_pin_the_server_nor_stay_open(short_timeouts, slack, db):
    seed.acme(db)
    never_spoke = [socket.create_connection(address(slack.url)) for _ in range(150)]
    kept_alive = []
    for _ in range(50):
        sock = socket.create_connection(address(slack.url))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_status(sock) == 200
        kept_alive.append(sock)
    try:
        # 200 idle connections held open: a signed command is still answered.
        assert slack.command("/sam", "help").status_code == 200
        slack.ephemeral(DANA, "/touchpoint")
        for sock in never_spoke:
            assert closed_by_server(sock, within=3), "a silent connection stayed open"
        for sock in kept_alive:
            assert closed_by_server(sock, within=8), "an idle keep-alive connection stayed open"
    finally:
        for sock in never_spoke + kept_alive:
            sock.close()


# -- signed traffic stays consistent under concurrency -----------------------------------


def test_ten_concurrent_presses_on_one_action_leave_it_consistent(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 3 days")
    message = slack.channel_message(ACME_CHANNEL, "Send proposal")
    buttons = {
        e["action_id"]: e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }
    presses = ["action_done", "action_snooze"] * 5
    statuses = []

    def press(action_id):
        response = slack.requests.block_action(
            LEE, action_id, value=buttons[action_id], message=message, channel_id=ACME_CHANNEL
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=press, args=(a,)) for a in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.in_flight.settle(timeout=10)
    assert statuses == [200] * 10
    with db.session() as session:
        action = session.scalar(select(Action))
        assert action.status.value == "done" and action.completed_at is not None
        assert action.last_changed_by == LEE
    assert not [m for m in slack.standin.ephemerals(LEE) if "reference" in json.dumps(m)]


def test_a_duplicate_press_changes_nothing_more(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 3 days")
    message = slack.channel_message(ACME_CHANNEL, "Send proposal")
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_done"
    )
    press = dict(value=value, message=message, channel_id=ACME_CHANNEL)
    assert slack.requests.block_action(LEE, "action_done", **press).status_code == 200
    slack.wait("chat.update")
    with db.session() as session:
        first = session.scalar(select(Action.completed_at))
    assert slack.requests.block_action(DANA, "action_done", **press).status_code == 200
    slack.in_flight.settle()
    with db.session() as session:
        assert session.scalar(select(Action.completed_at)) == first


def test_two_people_creating_the_same_account_at_once_get_one_account(slack, db):
    for user in (DANA, LEE):
        # From their direct messages: no channel is offered, only the name can clash.
        slack.command("/sam", "account new", user=user, channel=f"D{user}")
    deadline = time.monotonic() + 5
    while len(slack.standin.calls("views.open")) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    opened = [
        slack.latest_view(c.response["view"]["id"]) for c in slack.standin.calls("views.open")
    ]
    views = list(zip((DANA, LEE), opened, strict=True))
    answers = []

    def submit(user, view):
        values = values_for(view, {"name": "Globex", "owner_id": user, "tier": "key"})
        response = slack.requests.view_submission(view, values, user)
        answers.append(response.json() if response.content else {})

    threads = [threading.Thread(target=submit, args=pair) for pair in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.in_flight.settle()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 1
    refused = [a for a in answers if a.get("response_action") == "errors"]
    assert len(refused) == 1 and answers.count({}) == 1, answers
    assert "already" in refused[0]["errors"].get("name", ""), refused


def test_query_strings_reach_nothing(slack, log):
    url = slack.url + "?" + quote("x=<script>")
    assert httpx.post(url, content=b"payload=notjson").status_code == 401
    assert_no_traceback(log)
