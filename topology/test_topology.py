"""The production topology on loopback (`make topology-test`, run by `.ci/run`).

PostgreSQL, two `sambot run --no-scheduler` web processes behind a small round-robin proxy,
two `sambot scheduler` processes and the Slack stand-in. A steady load of signed
interactions (commands, events retried as Slack retries them, forms, buttons) runs while
one web process and then the active scheduler are killed with SIGKILL and started again.
It proves: nothing is lost beyond the killed process's in-flight requests, and nothing is
handled twice (X-Slack-Retry-Num); a form opened on one replica is submitted on the other
and a button on a message posted by one works on the other; the standby scheduler takes
over within a minute and every due post is made exactly once.
"""

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sambot import migrate
from sambot.accounts.models import Account, TeamMember, TeamRole
from sambot.actions.models import Action, ActionStatus
from sambot.db import Database
from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.jobs.posting import METADATA_EVENT
from sambot.jobs.scheduler import last_runs, record_run
from sambot.localslack.requests import SlackRequests, values_for
from sambot.localslack.server import SlackStandIn
from sambot.reports.period import as_utc
from sambot.touchpoints.models import Touchpoint
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.jobs.builders import TEAM_ID, make_account, make_action, make_workspace

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "xoxb-topology-bot-token"
SECRET = "topology-signing-secret"
DANA, LEE = "UDANA", "ULEE"
OVERDUE_ACCOUNTS = 6  # each: a channel nudge and a direct message to its owner
TAKEOVER_LIMIT = 60.0


def postgres_url() -> str:
    base = os.environ.get(
        "SAMBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/sambot_test"
    )
    return base.rsplit("/", 1)[0] + "/" + base.rsplit("/", 1)[1] + "_topology"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A sambot process with its JSON log lines."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.args, self.env = args, env
        self.lines: list[str] = []
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sambot", *self.args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process) -> None:
        for line in process.stderr:
            self.lines.append(line.rstrip("\n"))

    def messages(self) -> list[str]:
        found = []
        for line in list(self.lines):
            try:
                found.append(json.loads(line)["message"])
            except (ValueError, KeyError):
                found.append(line)
        return found

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


class Web(Process):
    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        super().__init__(["run", "--no-scheduler"], {**env, "PORT": str(self.port)})
        self.wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "\n".join(self.lines)
            time.sleep(0.1)


class Proxy:
    """Round robin over the web processes. A backend that refuses the connection is
    skipped (as a load balancer does); one that dies mid-request gives a 502."""

    def __init__(self, webs: list[Web]):
        self.webs = webs
        self.turn = itertools.count()
        self.served: list[tuple[float, int, int]] = []  # (when answered, backend, status)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, data, backend = proxy.forward(self.path, body, dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Backend", str(backend))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def forward(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes, int]:
        for _ in self.webs:
            index = next(self.turn) % len(self.webs)
            connection = http.client.HTTPConnection("127.0.0.1", self.webs[index].port, timeout=10)
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                data = response.read()
            except ConnectionRefusedError:
                continue  # nothing was sent: the next backend takes it
            except (OSError, http.client.HTTPException):
                self.served.append((time.monotonic(), index, 502))
                return 502, b"backend gone", index
            finally:
                connection.close()
            self.served.append((time.monotonic(), index, response.status))
            return response.status, data, index
        return 503, b"no backend", -1


class Load:
    """Slack's side: commands and events through the proxy at a steady pace."""

    def __init__(self, proxy: Proxy, standin: SlackStandIn, per_second: float = 8.0):
        self.requests = SlackRequests(proxy.url, SECRET, standin)
        self.interval = 1 / per_second
        self.commands: dict[str, tuple[float, int, int]] = {}  # summary -> (at, backend, status)
        self.events: dict[str, list[tuple[float, int, int]]] = {}  # user -> attempts
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for n in itertools.count():
            if self.stopping.is_set():
                return
            if n % 2 == 0:
                summary = f"Topology call {n}"
                response = self.requests.command(
                    "/touchpoint", f"call {summary}", user_id=DANA, channel_id="CACME"
                )
                backend = int(response.headers.get("X-Backend", -1))
                self.commands[summary] = (time.monotonic(), backend, response.status_code)
            else:
                self._event(n)
            time.sleep(self.interval)

    def _event(self, n: int) -> None:
        """An App Home event for its own user; retried as Slack does until it gets a 200,
        and every third one retried once more although it got its 200 (a slow ack)."""
        user = f"UE{n}"
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        attempts = self.events.setdefault(user, [])
        for retry in range(4):
            response = self.requests.event(
                event, event_id=f"EvT{n}", retry_num=retry or None, retry_reason="http_error"
            )
            attempts.append(
                (time.monotonic(), int(response.headers.get("X-Backend", -1)), response.status_code)
            )
            if response.status_code == 200:
                break
            time.sleep(0.2)
        if n % 3 == 0:
            self.requests.event(event, event_id=f"EvT{n}", retry_num=len(attempts))


@pytest.fixture(scope="module")
def database():
    url = postgres_url()
    drop_postgres_database(url)
    create_postgres_database(url)
    migrate.upgrade(url)
    db = Database(url)
    yield db
    db.dispose()
    drop_postgres_database(url)


def test_the_topology_survives_kills_without_loss_or_double(database):
    db = database
    standin = SlackStandIn(bot_token=TOKEN).start()
    processes: list[Process] = []
    try:
        _scenario(db, standin, processes)
    finally:
        for process in processes:
            if process.process.poll() is None:
                process.process.kill()
        standin.stop()


def _scenario(db: Database, standin: SlackStandIn, processes: list[Process]) -> None:
    # The workspace: Acme in #acme for the load, six accounts each with an overdue action
    # for the scheduled nudges (a run owed since two minutes ago).
    workspace_id = make_workspace(db, timezone="UTC")
    standin.add_user(DANA, "dana", real_name="Dana Scully", tz="UTC")
    standin.add_user(LEE, "lee", real_name="Lee Adama", tz="UTC")
    make_account(db, workspace_id, "Acme", channel="CACME", owner=DANA, standin=standin)
    with db.session() as s:
        account = s.scalar(select(Account).where(Account.name == "Acme"))
        account.team.append(TeamMember(workspace_id=workspace_id, user_id=LEE, role=TeamRole.SALES))
    today = datetime.now(UTC).date()
    targets = []
    for n in range(1, OVERDUE_ACCOUNTS + 1):
        account = make_account(
            db, workspace_id, f"Account {n}", channel=f"C{n}", owner=f"U{n}", standin=standin
        )
        make_action(
            db,
            workspace_id,
            account,
            f"Overdue {n}",
            owner=f"U{n}",
            due=today - timedelta(days=3),
            created=datetime.now(UTC) - timedelta(days=30),
        )
        targets += [f"C{n}", f"U{n}"]
    for n in range(0, 2000):
        standin.add_user(f"UE{n}", f"event{n}", tz="UTC")
    due = (datetime.now(UTC) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    record_run(db, "nudges", fire_time=due - timedelta(days=1), started_at=due, summary="")

    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.base_url,
        "SAMBOT_LOG_FORMAT": "json",
        "SAMBOT_TIMEZONE": "UTC",
        "SAMBOT_NUDGE_SCHEDULE": f"{due.minute} {due.hour} * * *",
        "SAMBOT_REPORT_SCHEDULE": "0 9 1 1 *",
        "SAMBOT_POST_RATE": "2",  # a run of twelve posts lasts six seconds: time to kill it
        "SAMBOT_CLAIM_LEASE": "5",
        "PYTHONPATH": str(ROOT),
    }
    webs = [Web(env), Web(env)]
    processes += webs
    proxy = Proxy(webs)
    load = Load(proxy, standin)
    load.thread.start()

    # 1. Any request reaches any replica: a form opened on one is submitted on the other,
    # and the button of the message one posted is pressed on the other.
    _form_and_button_across_replicas(standin, webs)

    # 2. One web process killed under load, then started again on its port.
    time.sleep(2)
    killed_at = time.monotonic()
    webs[0].kill()
    time.sleep(2)
    webs[0].start()
    webs[0].wait_ready()
    restarted_at = time.monotonic()
    time.sleep(2)

    # 3. Two schedulers; the active one (holding the run lock) killed after some posts.
    schedulers = [Process(["scheduler"], env), Process(["scheduler"], env)]
    processes += schedulers
    deadline = time.monotonic() + 30
    while _delivered(db) < 2:
        assert time.monotonic() < deadline, [s.messages() for s in schedulers]
        time.sleep(0.05)
    # The standby says it was locked out; the other one is the active scheduler.
    locked_out = "another run of this job holds the lock"

    def standby() -> list[Process]:
        return [s for s in schedulers if any(locked_out in m for m in s.messages())]

    while len(standby()) != 1:
        assert time.monotonic() < deadline, [s.messages() for s in schedulers]
        time.sleep(0.05)
    [active] = [s for s in schedulers if s not in standby()]
    active.kill()
    scheduler_killed_at = time.monotonic()
    assert _delivered(db) < len(targets), "killed before the run ended"
    time.sleep(3)
    active.start()
    while not _recorded(db, due):
        assert time.monotonic() - scheduler_killed_at < TAKEOVER_LIMIT, [
            s.messages()[-5:] for s in schedulers
        ]
        time.sleep(0.1)
    took_over_in = time.monotonic() - scheduler_killed_at

    load.stopping.set()
    load.thread.join(timeout=30)
    time.sleep(1)  # the work after the last acks
    for process in processes:
        assert process.stop() == 0, process.messages()[-10:]

    # The logs of the whole run: one JSON object a line, never a token or the secret.
    for process in processes:
        for line in process.lines:
            assert TOKEN not in line and SECRET not in line, line
            json.loads(line)

    # Every due post made exactly once, each carrying its delivery id.
    with db.session() as s:
        deliveries = list(s.scalars(select(Delivery).where(Delivery.job_kind == "nudges")))
    assert {d.status for d in deliveries} == {DeliveryStatus.POSTED}
    assert sorted(d.recipient_id or d.channel_id for d in deliveries) == sorted(targets)
    for target in targets:
        posted = [m for m in standin.messages(target) if "metadata" in m]
        assert len(posted) == 1, (target, posted)
        assert posted[0]["metadata"]["event_type"] == METADATA_EVENT
    assert took_over_in < TAKEOVER_LIMIT

    # Commands: each one acknowledged was handled, but those the killed process had just
    # acknowledged (its work after the ack died with it); each handled once.
    with db.session() as s:
        logged = dict(
            s.execute(
                select(Touchpoint.summary, func.count())
                .where(Touchpoint.summary.like("Topology call %"))
                .group_by(Touchpoint.summary)
            ).all()
        )
    assert max(logged.values()) == 1, "a command handled twice"
    in_flight = 2.0  # seconds before the kill whose acknowledged work may be lost
    lost = [
        summary
        for summary, (at, backend, status) in load.commands.items()
        if status == 200 and summary not in logged
    ]
    for summary in lost:
        at, backend, _ = load.commands[summary]
        assert backend == 0 and killed_at - in_flight <= at <= restarted_at, (summary, at)
    refused = [s for s, (_, _, status) in load.commands.items() if status != 200]
    assert len(refused) <= 2, refused  # only those in flight at the kill
    assert len(load.commands) >= 20 and len(logged) >= len(load.commands) - 5

    # Events: each retried until acknowledged, and handled once whatever the retries.
    published: dict[str, int] = {}
    for call in standin.calls("views.publish"):
        if call.ok and call.args["user_id"].startswith("UE"):
            published[call.args["user_id"]] = published.get(call.args["user_id"], 0) + 1
    assert published and max(published.values()) == 1, "an event handled twice"
    for user, attempts in load.events.items():
        if user in published:
            continue
        # Not handled: only if the killed process acknowledged it just before dying.
        acked = [(at, backend) for at, backend, status in attempts if status == 200]
        assert acked, (user, attempts)
        at, backend = acked[0]
        assert backend == 0 and killed_at - in_flight <= at <= restarted_at, (user, attempts)
    retried = [u for u, attempts in load.events.items() if len(attempts) > 1]
    print(
        f"topology: {len(load.commands)} commands ({len(lost)} lost in flight), "
        f"{len(load.events)} events ({len(retried)} retried), scheduler took over in "
        f"{took_over_in:.1f}s"
    )


def _delivered(db: Database) -> int:
    with db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.job_kind == "nudges", Delivery.status == DeliveryStatus.POSTED)
        )


def _recorded(db: Database, due: datetime) -> bool:
    run = last_runs(db).get("nudges")
    return bool(run and as_utc(run.last_fire_time) >= due)


def _form_and_button_across_replicas(standin: SlackStandIn, webs: list[Web]) -> None:
    first = SlackRequests(f"{webs[0].url}/slack/events", SECRET, standin)
    second = SlackRequests(f"{webs[1].url}/slack/events", SECRET, standin)
    with first, second:
        opened = len(standin.calls("views.open"))
        assert first.command("/action", user_id=DANA, channel_id="CACME").status_code == 200
        call = standin.wait_for("views.open", lambda c: len(standin.calls("views.open")) > opened)
        view = next(v for v in standin.views() if v["id"] == call.response["view"]["id"])
        due = (date.today() + timedelta(days=5)).isoformat()
        values = values_for(view, {"title": "Across replicas", "owner_id": DANA, "due_date": due})
        answer = second.view_submission(view, values, DANA)
        assert answer.status_code == 200 and not answer.content.strip(b"{}"), answer.text
        message = _wait_message(standin, "CACME", "Across replicas")
        # The message one replica posted, its button pressed on the other.
        button = next(
            e
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "action_done"
        )
        # Pressed by Lee, on Acme's team: the default policy lets the account team change it.
        pressed = first.block_action(
            LEE, "action_done", value=button["value"], message=message, channel_id="CACME"
        )
        assert pressed.status_code == 200
        standin.wait_for("chat.update", lambda c: c.args.get("ts") == message["ts"], timeout=10)
    db = Database(webs[0].env["DATABASE_URL"])
    try:
        with db.session() as s:
            status = s.scalar(select(Action.status).where(Action.title == "Across replicas"))
    finally:
        db.dispose()
    assert status == ActionStatus.DONE


def _wait_message(standin: SlackStandIn, channel: str, text: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in standin.messages(channel):
            if text in (message.get("text") or "") + json.dumps(message.get("blocks") or []):
                return message
        time.sleep(0.05)
    raise AssertionError(f"no message with {text!r} in {channel}")


assert TEAM_ID == "T0001"  # the team SlackRequests signs for
