"""The local Slack stand-in in a process of its own, driven over a pipe (for ack_bench.py).

Its CPU is then not the app's nor the load generator's. Three things differ from the
stand-in that tests start in their own process:

- A trigger id made by `trigger_id(sent)` carries the `time.monotonic()` moment it was
  issued, so its 3 s life is counted from when the request was sent to the app, however
  early or late the load generator built it. CLOCK_MONOTONIC is one clock for every
  process of a Linux machine, so the stand-in's process can compare it with its own.
- `views.open` calls are also timed on receipt, before the stand-in checks the view.
- Python's cyclic collector is off while calls come in, and runs at each reset (between
  the benchmark's phases), as on the load generator's side. The stand-in keeps every call
  it answered, parsed, for the benchmark to read back: its heap grows by hundreds of
  objects a call, and the collector walked it again and again, 0.25 ms of CPU a call, a
  third of the stand-in's, on the cores the app shares (bench/README.md). What it keeps
  is acyclic JSON, freed by reference counting.

Recorded calls come back as `Record`s: only the fields the benchmark reads.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import secrets
import ssl
import time
from dataclasses import dataclass

from sambot.localslack import SlackStandIn

_serial = itertools.count(1)


def trigger_id(sent: float) -> str:
    """A trigger id issued at `sent` (`time.monotonic()`), shaped like Slack's."""
    return f"{next(_serial)}.{round(sent * 1_000_000)}.{secrets.token_hex(8)}"


def issued_at(trigger: object) -> float | None:
    """When a `trigger_id()` was issued, or None for any other trigger id."""
    parts = str(trigger).split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1]) / 1_000_000


@dataclass(frozen=True)
class Record:
    """One call the stand-in answered."""

    method: str  # a Web API method, or "response_url"
    ok: bool
    error: str
    received: float  # time.monotonic(): receipt for views.open, else when answered
    trigger_id: str
    response_url: str
    text: str
    response_type: str


class _TimedStandIn(SlackStandIn):
    def __init__(self, *args, **kwargs) -> None:
        self.received: dict[str, float] = {}  # views.open trigger id -> receipt
        super().__init__(*args, **kwargs)

    def _api(self, method, args, authorization):
        if method == "views.open":
            self.received[str(args.get("trigger_id"))] = time.monotonic()
        return super()._api(method, args, authorization)

    def _use_trigger(self, args):
        issued = issued_at(args.get("trigger_id"))
        if issued is not None:  # runs under the stand-in's lock, as the base method does
            self._triggers.setdefault(args["trigger_id"], (issued, None))
        return super()._use_trigger(args)

    def records(self) -> list[Record]:
        out = []
        for call in self.calls():
            args = call.args
            trigger = str(args.get("trigger_id") or "")
            received = self.received.get(trigger, call.time) if trigger else call.time
            out.append(
                Record(
                    method=call.method,
                    ok=call.ok,
                    error=str(call.response.get("error") or ""),
                    received=received,
                    trigger_id=trigger,
                    response_url=str(args.get("response_url") or ""),
                    text=str(args.get("text") or ""),
                    response_type=str(args.get("response_type") or ""),
                )
            )
        return out


def _serve(connection, bot_token: str, team_id: str, users, channels, tls_files) -> None:
    """The child process: answers (command, argument) requests until "stop"."""
    tls = None
    if tls_files:  # (certificate, key): serve HTTPS
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*tls_files)
    standin = _TimedStandIn(bot_token, team_id=team_id, tls=tls).start()
    for user_id, name, real_name in users:
        standin.add_user(user_id, name, real_name=real_name)
    for channel_id, name in channels:
        standin.add_channel(channel_id, name)
    connection.send(standin.url)
    gc.disable()  # see the module's docstring
    while True:
        command, argument = connection.recv()
        if command == "stop":
            break
        if command == "count":
            connection.send(len(standin.calls()))
        elif command == "records":
            connection.send(standin.records())
        elif command == "reset":
            standin.reset()
            standin.received.clear()
            gc.collect()
            connection.send(None)
        elif command == "response_urls":  # argument: (how many, channel, user)
            count, channel, user = argument
            connection.send([standin.new_response_url(channel, user) for _ in range(count)])
        elif command == "violations":
            connection.send(standin.violations)
        elif command == "latency":  # argument: seconds before each answer
            standin.latency = argument
            connection.send(None)
    standin.stop()
    connection.send("stopped")


class StandInProcess:
    """`SlackStandIn` in a spawned process; `users`: (id, name, real name); `channels`:
    (id, name); `tls_files`: (certificate, key) to answer over HTTPS."""

    def __init__(self, bot_token: str, team_id: str, users, channels, tls_files=None) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child, bot_token, team_id, list(users), list(channels), tls_files),
            name="localslack",
            daemon=True,
        )
        self.process.start()
        if not self._pipe.poll(60):
            self.process.kill()
            raise RuntimeError("the Slack stand-in did not start within 60 s")
        self.url: str = self._pipe.recv()
        self.base_url = f"{self.url}/api/"

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def _ask(self, command: str, argument=None):
        self._pipe.send((command, argument))
        return self._pipe.recv()

    def count(self) -> int:
        """How many calls it has answered since the last reset."""
        return self._ask("count")

    def records(self) -> list[Record]:
        return self._ask("records")

    def reset(self) -> None:
        """Forget calls, triggers and response_urls; users and channels stay."""
        self._ask("reset")

    def set_latency(self, seconds: float) -> None:
        """Answer every call (and response_url) after this long, as Slack over the Internet."""
        self._ask("latency", seconds)

    def response_urls(self, count: int, channel: str, user: str) -> list[str]:
        return self._ask("response_urls", (count, channel, user))

    def violations(self) -> list[str]:
        return self._ask("violations")

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, EOFError):
                self._ask("stop")
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
